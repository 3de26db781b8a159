import { Camera, Globe, Mail, MessageCircle, MessageSquare, Phone, Send } from "lucide-react";
import { cn } from "@/components/ui/cn";

const ICONS = { web: Globe, sms: MessageSquare, whatsapp: MessageCircle, voice: Phone, email: Mail, telegram: Send, instagram: Camera } as const;

export const CHANNEL_LABEL: Record<string, string> = {
  web: "Web chat",
  sms: "SMS",
  whatsapp: "WhatsApp",
  voice: "Phone",
  email: "Email",
  telegram: "Telegram",
  instagram: "Instagram",
};

export function ChannelIcon({ channel, className }: { channel: string; className?: string }) {
  const Icon = ICONS[channel as keyof typeof ICONS] ?? Globe;
  const label = CHANNEL_LABEL[channel] ?? channel;
  return (
    <span title={label} className="inline-flex shrink-0">
      <Icon className={cn("h-4 w-4 text-slate-500", className)} aria-label={label} role="img" />
    </span>
  );
}
