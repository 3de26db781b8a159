// What the email channel reads out of an email: the new text of a reply (quoted history and
// signatures cut by email-reply-parser, HTML-only mail turned into text), whether it is automatic,
// its threading ids, and the reply-to address that carries a conversation.
import { addressesOf, baseAddress, conversationFromAddress, parseMailbox, replyAddress } from "@/lib/channels/email/address";
import { automaticReason, baseSubject, header, messageIds, visibleText } from "@/lib/channels/email/content";
import { emailHtml } from "@/lib/channels/email/send";

describe("the new text of a reply", () => {
  it("drops Gmail's quoted history", async () => {
    const text = "Tuesday at 3pm works for me.\n\nOn Mon, 3 Mar 2027 at 10:12, Riverside Dental Clinic <support@riverside-dental.test> wrote:\n> We have Tuesday 3pm or Wednesday 9am.\n> \n> Riverside Dental Clinic\n";
    expect(await visibleText(text, null)).toEqual({ text: "Tuesday at 3pm works for me.", fromHtml: false, trimmed: true });
  });

  it("drops Outlook's quoted header block", async () => {
    const text = "Sounds good, thank you.\n\nFrom: Riverside Dental Clinic <support@riverside-dental.test>\nSent: Monday, March 3, 2027 10:12 AM\nTo: Alex <alex@example.com>\nSubject: Re: Appointment\n\nWe have Tuesday.";
    expect((await visibleText(text, null)).text).toBe("Sounds good, thank you.");
  });

  it("drops a signature after the '-- ' line", async () => {
    expect((await visibleText("Please book me in for Friday.\n\n-- \nAlex Morgan\nSent from my phone", null)).text).toBe("Please book me in for Friday.");
  });

  it("reads HTML-only mail as text, quotes and markup gone", async () => {
    const html = "<html><head><style>p{color:red}</style></head><body><p>Do you have <b>late</b> appointments?</p><p>Thanks</p><blockquote>Earlier we said 5pm.</blockquote></body></html>";
    const r = await visibleText(null, html);
    expect(r.fromHtml).toBe(true);
    expect(r.text).toBe("Do you have late appointments?\n\nThanks");
  });

  it("keeps a message that is nothing but text", async () => {
    expect(await visibleText("  Is the clinic open on bank holidays?  ", "<p>ignored: the text part wins</p>")).toEqual({ text: "Is the clinic open on bank holidays?", fromHtml: false, trimmed: false });
  });
});

describe("automatic mail", () => {
  const person = { headers: { "Message-ID": "<a@b>" }, subject: "Question", from: "alex@example.com" };
  it.each([
    [{ "Auto-Submitted": "auto-replied" }, "Question", "Auto-Submitted: auto-replied"],
    [{ "auto-submitted": "auto-generated" }, "Question", "Auto-Submitted: auto-generated"],
    [{ Precedence: "bulk" }, "Question", "Precedence: bulk"],
    [{ precedence: "junk" }, "Question", "Precedence: junk"],
    [{ "X-Auto-Response-Suppress": "All" }, "Automatic reply: Question", "X-Auto-Response-Suppress: all"],
    [{ "List-Unsubscribe": "<mailto:unsub@news.example>" }, "Offers", "mailing list"],
    [{}, "Out of Office: back on the 12th", 'subject "Out of Office: back on the 12th"'],
    [{}, "Automatic reply: Question", 'subject "Automatic reply: Question"'],
  ])("%j with subject %s is automatic (%s)", (headers, subject, reason) => {
    expect(automaticReason({ headers, subject, from: "alex@example.com" })).toBe(reason);
  });

  it("a person's email, Auto-Submitted: no included, is not", () => {
    expect(automaticReason(person)).toBeNull();
    expect(automaticReason({ ...person, headers: { "Auto-Submitted": "no" } })).toBeNull();
  });

  it("bounces and no-reply senders are", () => {
    expect(automaticReason({ headers: {}, subject: "Hello", from: "MAILER-DAEMON@mx.example.com" })).toBe("no-reply sender");
    expect(automaticReason({ headers: {}, subject: "Your order", from: "no-reply@shop.example" })).toBe("no-reply sender");
    expect(automaticReason({ headers: { "Return-Path": "<>" }, subject: "Hello", from: "alex@example.com" })).toBe("empty Return-Path (a bounce)");
  });
});

describe("headers and addresses", () => {
  it("reads ids out of Message-ID, In-Reply-To and References", () => {
    expect(messageIds("<a@x.org> <b@y.org>\r\n <c@z.org>")).toEqual(["<a@x.org>", "<b@y.org>", "<c@z.org>"]);
    expect(messageIds("bare-id@x.org")).toEqual(["<bare-id@x.org>"]);
    expect(messageIds(null)).toEqual([]);
    expect(header({ "In-Reply-To": "<a@x.org>" }, "in-reply-to")).toBe("<a@x.org>");
  });

  it("strips reply prefixes from subjects", () => {
    expect(baseSubject("Re: RE: Fwd: AW: Parking")).toBe("Parking");
    expect(baseSubject("Regarding parking")).toBe("Regarding parking");
  });

  it("parses mailboxes and lists", () => {
    expect(parseMailbox('"Morgan, Alex" <Alex.Morgan@Example.com>')).toEqual({ name: "Morgan, Alex", address: "alex.morgan@example.com" });
    expect(parseMailbox("alex@example.com")).toEqual({ name: null, address: "alex@example.com" });
    expect(parseMailbox("not an address")).toBeNull();
    expect(addressesOf(['"Morgan, Alex" <alex@example.com>, Jo <jo@example.net>', "alex@example.com"])).toEqual(["alex@example.com", "jo@example.net"]);
    expect(baseAddress("Support+c.tag.123@Riverside.test")).toBe("support@riverside.test");
  });

  it("the reply-to address names its conversation, survives lower-casing, and cannot be forged", () => {
    const id = "3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b";
    const address = replyAddress("support@riverside-dental.test", id);
    expect(address).toMatch(/^support\+c\.[a-z2-7]{26}\.[0-9a-f]{10}@riverside-dental\.test$/);
    expect(address.split("@")[0]!.length).toBeLessThanOrEqual(64);
    expect(conversationFromAddress(address)).toBe(id);
    expect(conversationFromAddress(address.toUpperCase())).toBe(id);
    expect(conversationFromAddress(address.replace(/\.[0-9a-f]{10}@/, ".ffffffffff@"))).toBeNull();
    expect(conversationFromAddress("support@riverside-dental.test")).toBeNull();
  });

  it("the HTML part escapes what the model wrote", () => {
    const html = emailHtml('Use <b>this</b> & "that"\nsecond line\n\nNew paragraph', "Riverside");
    expect(html).toContain('<p style="margin:0 0 1em">Use &lt;b&gt;this&lt;/b&gt; &amp; &quot;that&quot;<br>second line</p>');
    expect(html).toContain("New paragraph</p>");
    expect(html).toContain("-- <br>Riverside");
  });
});
