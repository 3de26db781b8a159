"use client";
// The owner's phone in embedded mode: a panel on the inbox that plays the member's own phone. What
// the business texts them (codes, hand-off notices, calls) shows up here; what they write is sent
// from their verified number to the business's number through the real webhook, so "#A7 …",
// "1" and "done" answer hand-offs exactly as from a real phone.
import { useCallback, useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Send, Smartphone, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/field";
import { Transcript, useOutboxFeed, type Line } from "@/components/channels/simulator-client";
import { ownerPhoneFeedAction, ownerPhoneSendAction } from "@/app/(dashboard)/[business]/inbox/owner-phone-actions";
import type { OwnerPhoneState } from "@/lib/relay/simulator";

export function OwnerPhone({ slug, state, startedAt }: { slug: string; state: OwnerPhoneState; startedAt: string }) {
  const [open, setOpen] = useState(false);
  return (
    // below the inbox, in the page's flow: never over the inbox's own controls
    <div className="mt-8 flex flex-col items-end gap-2 md:mt-12">
      <Button type="button" variant={open ? "secondary" : "primary"} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <Smartphone className="h-4 w-4" aria-hidden /> Your phone
      </Button>
      {open && (
        <section aria-label="Your phone (simulator)" className="w-full max-w-sm rounded-xl border border-slate-300 bg-white p-3 shadow-sm">
          <div className="mb-2 flex items-center justify-between gap-2">
            <h2 className="text-sm font-medium">
              Your phone <span className="font-normal text-slate-500">{state.phone ? `(${state.phone.masked})` : "(simulator)"}</span>
            </h2>
            <Button type="button" variant="ghost" aria-label="Close your phone" onClick={() => setOpen(false)}>
              <X className="h-4 w-4" aria-hidden />
            </Button>
          </div>
          {state.phone ? (
            <PhoneBody slug={slug} verified={state.phone.verified} startedAt={startedAt} />
          ) : (
            <p className="text-sm text-slate-600">
              Add your number under{" "}
              <Link className="underline" href={`/${slug}/settings/notifications`}>
                Settings → Notifications
              </Link>{" "}
              to get hand-offs on your phone and answer them from it; here you can play that phone.
            </p>
          )}
        </section>
      )}
    </div>
  );
}

function PhoneBody({ slug, verified, startedAt }: { slug: string; verified: boolean; startedAt: string }) {
  const [text, setText] = useState("");
  const [lines, setLines] = useState<Line[]>([]);
  const [pending, start] = useTransition();
  const router = useRouter();
  const add = useCallback((...l: Line[]) => setLines((ls) => [...ls, ...l]), []);
  const read = useCallback((since: string) => ownerPhoneFeedAction(slug, since), [slug]);
  const show = useCallback(
    (rows: { body: string; call: boolean }[]) => add(...rows.map((r) => (r.call ? { from: "note" as const, text: `Incoming call: “${r.body}”` } : { from: "business" as const, text: r.body }))),
    [add],
  );
  useOutboxFeed(startedAt, read, show, add);

  function send() {
    const body = text.trim();
    if (!body) return;
    add({ from: "customer", text: body });
    setText("");
    start(async () => {
      const r = await ownerPhoneSendAction(slug, body);
      if ("error" in r) return add({ from: "note", text: r.error });
      add(...r.replies.map((t) => ({ from: "business" as const, text: t })));
      router.refresh(); // the inbox shows the reply and the conversation's new status
    });
  }

  return (
    <div className="space-y-2">
      <Transcript lines={lines} />
      {verified ? (
        <form
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <Input aria-label="Text the business" className="min-w-0 flex-1" value={text} onChange={(e) => setText(e.target.value)} placeholder="#A7 your answer, 1, or done" maxLength={1600} />
          <Button type="submit" disabled={pending} aria-label="Send from your phone">
            <Send className="h-4 w-4" aria-hidden />
          </Button>
        </form>
      ) : (
        <p className="text-xs text-slate-600">Not verified yet: type the code shown above under Settings → Notifications.</p>
      )}
    </div>
  );
}
