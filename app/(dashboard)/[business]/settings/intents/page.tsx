// Settings → Intents: what customers come for, as the owner names it. Each customer message is read
// as one of these (or "other") after the answer; corrections in the inbox become examples.
import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { listIntents } from "@/lib/services/intents";
import { BUSINESS_KIND_LABELS, BUSINESS_KINDS } from "@/lib/intel/defaults";
import { Card } from "@/components/ui/card";
import { SettingsNoAccess } from "../no-access";
import { IntentForm, IntentRow, TemplatePicker } from "./intents-client";

export const metadata = { title: "Intents" };

export default async function IntentsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const { kind, intents } = await listIntents({ ctx });
  return (
    <div className="space-y-6">
      <Card>
        <h2 className="mb-1 font-medium">Intents</h2>
        <p className="mb-4 text-sm text-slate-600">
          Every customer message is read as one of these, or as &ldquo;other&rdquo;, after it is answered. The description and the examples decide; when
          your team corrects a message&rsquo;s intent in the inbox, that message becomes an example too.
        </p>
        {intents.length === 0 ? (
          <p className="text-sm text-slate-500">No intents yet: every message reads as &ldquo;other&rdquo;. Add one below or start from a list.</p>
        ) : (
          <ul className="divide-y divide-slate-200" data-testid="intent-list">
            {intents.map((i) => (
              <IntentRow key={i.id} slug={slug} intent={i} />
            ))}
          </ul>
        )}
      </Card>
      <Card>
        <h2 className="mb-3 font-medium">Add an intent</h2>
        <IntentForm slug={slug} />
      </Card>
      <Card>
        <h2 className="mb-1 font-medium">Start from a list</h2>
        <p className="mb-3 text-sm text-slate-600">Adds the usual intents of a kind of business, each with a few examples; intents you already have are kept as they are.</p>
        <TemplatePicker slug={slug} kind={kind} kinds={BUSINESS_KINDS.map((k) => ({ value: k, label: BUSINESS_KIND_LABELS[k] }))} />
      </Card>
    </div>
  );
}
