// The one channel page: Twilio's channels and the pushed ones are the same layout given different
// data — what to paste where, the 24-hour notice or how the channel works, the forms, the simulator
// (first for a sample channel), warnings — and a manager of a connected channel gets the test send.
import { renderToStaticMarkup } from "react-dom/server";
import { ChannelPage, type ChannelPageData } from "@/components/channels/channel-page-parts";

const base: ChannelPageData = {
  slug: "riverside",
  title: "SMS",
  description: "Customers text your Twilio number.",
  userId: "u",
  businessId: "b",
  canManage: true,
  channel: null,
  account: "No Twilio account yet",
  sending: "To the dev outbox (embedded mode)",
  trySample: { page: "sms", title: "SMS", sample: "+1 555 0100" },
  warnings: [],
  info: null,
  connectForm: <form aria-label="connect" />,
  paste: {
    title: "Paste these into Twilio",
    fields: [{ id: "sms-incoming-url", label: "A message comes in", value: "https://app.example/api/webhooks/twilio/sms", hint: "Twilio Console" }],
    note: "Every request is checked against Twilio's signature.",
  },
  test: { title: "Send a test message", text: "Embedded mode: it lands in the dev outbox.", form: <form aria-label="test" /> },
  simulator: null,
};

const html = (d: Partial<ChannelPageData>) => renderToStaticMarkup(<ChannelPage {...base} {...d} />);

describe("the one channel page", () => {
  it("shows a channel not connected yet: connect, the sample to try, what to paste, and no test send", () => {
    // (a member who may not manage it: the sample's button needs the app router, which a static render has not)
    const page = html({ canManage: false });
    expect(page).toContain("Not connected");
    expect(page).toContain("Try SMS now, before you have an account");
    expect(page).toContain("An owner or admin can connect it with a sample.");
    expect(page).toContain(">Connect<");
    expect(page).toContain('id="sms-incoming-url"');
    expect(page).toContain("Every request is checked against Twilio&#x27;s signature.");
    expect(page).not.toContain("Send a test message");
    expect(page).not.toContain(">Channel simulator<");
  });

  it("shows a connected channel's settings, test send, info, warnings and simulator; a sample channel's simulator first", () => {
    const channel = { id: "c", address: "+15550100", enabled: true, sample: false };
    const data = {
      channel,
      info: { heading: "How it works", text: "Replies stay in the thread." },
      warnings: ["No app secret is set."],
      paste: { title: "Webhook", fields: [] },
      simulator: { intro: "Play a customer.", client: <div id="sim" /> },
    };
    const page = html(data);
    expect(page).toContain("Answering on +15550100");
    expect(page).toContain(">Settings<");
    expect(page).toContain("Send a test message");
    expect(page).toContain("How it works");
    expect(page).toContain('role="alert"');
    expect(page).not.toContain(">Webhook<"); // nothing to paste, no card
    expect(page.indexOf('id="sim"')).toBeGreaterThan(page.indexOf("Send a test message"));
    const sample = html({ ...data, channel: { ...channel, sample: true } });
    expect(sample).toContain("Sample channel: +15550100");
    expect(sample.indexOf('id="sim"')).toBeLessThan(sample.indexOf(">Settings<"));
  });

  it("tells a member who cannot manage the channel so, without the forms", () => {
    const page = html({ canManage: false, channel: { id: "c", address: "+15550100", enabled: false, sample: false } });
    expect(page).toContain("Turned off (+15550100)");
    expect(page).toContain("Only owners and admins can connect channels or change their settings.");
    expect(page).not.toContain('aria-label="connect"');
    expect(page).not.toContain("Send a test message");
  });
});
