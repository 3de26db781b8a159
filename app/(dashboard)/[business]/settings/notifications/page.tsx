import { memberContext } from "@/lib/auth/member";
import { getMemberPhoneSettings } from "@/lib/relay/phone";
import { Card } from "@/components/ui/card";
import { MemberPhoneForm } from "./phone-client";

export const metadata = { title: "Notifications" };

// Every member's own page: their phone for hand-offs, the escalation ladder and their quiet hours.
export default async function NotificationsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  const settings = await getMemberPhoneSettings({ ctx });
  return (
    <div className="space-y-6">
      <Card>
        <h2 className="font-medium">Hand-offs on your phone</h2>
        <p className="mt-1 text-sm text-slate-600">
          When the AI hands a conversation to a person, a text tells you who is waiting, on which channel, what they asked and what the AI suggests, with a short code like
          #A7. Answer from your phone: &ldquo;#A7 Yes, we can see you at 4pm&rdquo; goes to the customer on their own channel as the business, &ldquo;#A7 1&rdquo; sends the
          suggestion, and &ldquo;#A7 done&rdquo; hands the conversation back to the AI.
        </p>
        <div className="mt-4">
          {settings.kinds.length ? (
            <MemberPhoneForm slug={slug} settings={settings} />
          ) : (
            <p className="text-sm text-slate-600">This business has no SMS or WhatsApp channel to text you from yet. An owner or admin connects one under Channels.</p>
          )}
        </div>
      </Card>
    </div>
  );
}
