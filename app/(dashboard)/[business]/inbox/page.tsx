// Inbox: conversations from every channel, live; take over, reply, notes, assign, hand back, close.
// A new business finds its set-up checklist here until it is done.
import { memberContext } from "@/lib/auth/member";
import { AppError } from "@/lib/errors";
import { getConversation, listAssignees, listConversations, type ConversationView } from "@/lib/services/conversations";
import { cookies } from "next/headers";
import { getSetupChecklist, setupHiddenCookie } from "@/lib/services/setup";
import { listIntents } from "@/lib/services/intents";
import { InboxClient } from "@/components/inbox/inbox-client";
import { SetupChecklist } from "@/components/inbox/setup-checklist";
import { env } from "@/lib/env";
import { ownerPhoneState } from "@/lib/relay/simulator";
import { OwnerPhone } from "@/components/relay/owner-phone-client";

export const metadata = { title: "Inbox" };
export const dynamic = "force-dynamic";

export default async function Page({ params, searchParams }: { params: Promise<{ business: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { business: slug } = await params;
  const { ctx, business } = await memberContext(slug);
  const raw = await searchParams;
  const input = Object.fromEntries(Object.entries(raw).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
  const [list, assignees, { intents }] = [await listConversations({ ctx, input }), await listAssignees({ ctx }), await listIntents({ ctx })];
  // The set-up checklist, until every step is done or this browser hid it.
  const hidden = (await cookies()).get(setupHiddenCookie(business.id))?.value === "1";
  const checklist = hidden ? null : await getSetupChecklist({ ctx, input: { slug: business.slug } });
  let view: ConversationView | null = null;
  if (typeof raw.c === "string") {
    try {
      view = await getConversation({ ctx, input: { id: raw.c, markRead: true } });
    } catch (err) {
      if (!(err instanceof AppError && err.code === "not_found")) throw err;
    }
  }
  // embedded mode: the member's own phone as a simulator panel (lib/relay)
  const phone = env().adapters.sms === "outbox" ? await ownerPhoneState({ ctx }) : null;
  return (
    <>
      <InboxClient
        key={business.id}
        slug={business.slug}
        me={ctx.actor.userId}
        role={ctx.actor.role}
        assignees={assignees}
        intents={intents.map((i) => ({ id: i.id, name: i.name }))}
        initialFilters={list.filters}
        initialList={{ items: list.items, waiting: list.waiting }}
        initialView={view}
        setup={checklist && !checklist.complete ? <SetupChecklist slug={business.slug} checklist={checklist} /> : null}
        setupSummary={checklist && !checklist.complete ? `Set-up: ${checklist.done} of ${checklist.steps.length} done` : null}
      />
      {phone && <OwnerPhone slug={business.slug} state={phone} startedAt={phone.since} />}
    </>
  );
}
