// The end of every channel's connect form: the on/off switch, what the save said, and Save.
import { SaveFooter } from "@/components/ui/field";

export function ChannelFormFooter({
  enabled,
  onEnabledChange,
  state,
  pending,
}: {
  enabled: boolean;
  onEnabledChange: (enabled: boolean) => void;
  state?: { error?: string; ok?: string } | null;
  pending: boolean;
}) {
  return (
    <>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => onEnabledChange(e.target.checked)} className="h-4 w-4 rounded border-slate-300" />
        Answer on this channel
      </label>
      <SaveFooter state={state} pending={pending} />
    </>
  );
}
