// POST /api/businesses/[business]/faqs/import — a CSV of FAQs (multipart field "file", or a text/csv
// body). Rows whose question matches an existing FAQ update it; the rest are added. All or nothing.
import { withMember } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { MAX_FAQ_IMPORT_BYTES } from "@/lib/knowledge/csv";
import { requireRole } from "@/lib/services/context";
import { importFaqsCsv } from "@/lib/services/faqs";
import { KNOWLEDGE_EDITORS } from "@/lib/services/knowledge";

export const dynamic = "force-dynamic";

async function readCsv(req: Request): Promise<string> {
  if (Number(req.headers.get("content-length") ?? 0) > MAX_FAQ_IMPORT_BYTES + 16 * 1024) throw new AppError("payload_too_large", "The CSV is larger than 1 MB.");
  const type = req.headers.get("content-type") ?? "";
  if (/^multipart\/form-data/i.test(type)) {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError("bad_request", 'Send the CSV as multipart/form-data in a field named "file".');
    }
    const file = form.get("file");
    if (!file || typeof file === "string") throw new AppError("bad_request", 'Choose a CSV file (field "file").');
    if (file.size > MAX_FAQ_IMPORT_BYTES) throw new AppError("payload_too_large", "The CSV is larger than 1 MB.");
    return file.text();
  }
  if (/^text\/(csv|plain)/i.test(type)) return req.text();
  throw new AppError("bad_request", "Send a CSV file (multipart/form-data or text/csv).");
}

export const POST = withMember<{ business: string }>(async (req, { ctx }) => {
  requireRole(ctx, KNOWLEDGE_EDITORS);
  const result = await importFaqsCsv({ ctx, input: { csv: await readCsv(req) } });
  return Response.json(result);
});
