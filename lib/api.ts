import "server-only";
// One wrapper per kind of caller: auth, error mapping and logging live here.
import { AppError, errorResponse } from "@/lib/errors";
import { apiMemberContext, type MemberContext } from "@/lib/auth/member";
import { CROSS_SITE_MESSAGE, isCrossSiteWrite } from "@/lib/security/origin";

type RouteParams<P> = { params: Promise<P> };

/**
 * Dashboard API routes under /api/businesses/[business]/…: a member of that business, or 401/404;
 * a request that changes state from another website's page, 403 (lib/security/origin.ts).
 */
export function withMember<P extends { business: string }>(
  handler: (req: Request, m: MemberContext, params: P) => Promise<Response>,
) {
  return async (req: Request, { params }: RouteParams<P>): Promise<Response> => {
    try {
      if (isCrossSiteWrite(req.method, req.headers)) throw new AppError("forbidden", CROSS_SITE_MESSAGE);
      const p = await params;
      const member = await apiMemberContext(p.business);
      return await handler(req, member, p);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export { readJson } from "./read-json";
