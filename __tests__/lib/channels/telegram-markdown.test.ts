// Answers as Telegram MarkdownV2: what the model writes becomes what Telegram accepts (checked with
// the stand-in's rule, the same as Telegram's: a reserved character outside an entity is escaped).
import { escapeMarkdownV2, toMarkdownV2 } from "@/lib/channels/telegram/markdown";
import { commandOf, textOf } from "@/lib/channels/telegram/parse";
import { markdownV2Error } from "../../helpers/telegram-server";

describe("MarkdownV2", () => {
  it("escapes every reserved character in plain text", () => {
    expect(escapeMarkdownV2("Price: £55 (NHS £27.40) - call 020-7946! #1 a_b *c* [d] {e} =f |g ~h `i` >j +k \\")).toBe(
      "Price: £55 \\(NHS £27\\.40\\) \\- call 020\\-7946\\! \\#1 a\\_b \\*c\\* \\[d\\] \\{e\\} \\=f \\|g \\~h \\`i\\` \\>j \\+k \\\\",
    );
  });

  it.each([
    ["We are open 9:00–13:00 on Saturday. See you!", "We are open 9:00–13:00 on Saturday\\. See you\\!"],
    ["A **check-up** costs £55.", "A *check\\-up* costs £55\\."],
    ["Call _reception_ on 020 7946 0000.", "Call _reception_ on 020 7946 0000\\."],
    ["Book at [our site](https://example.com/book_(now)).", "Book at [our site](https://example.com/book_(now\\))\\."],
    ["Use code `SMILE-10`.", "Use code `SMILE-10`\\."],
    ["- Cash\n- Cards (all)", "• Cash\n• Cards \\(all\\)"],
    ["1. Rinse\n2. Call us", "1\\. Rinse\n2\\. Call us"],
    ["## Opening hours\nMon–Fri", "*Opening hours*\n\nMon–Fri"],
    ["> Quoted.", ">Quoted\\."],
  ])("%j → %j", (markdown, expected) => {
    const out = toMarkdownV2(markdown);
    expect(out).toBe(expected);
    expect(markdownV2Error(out)).toBeNull();
  });

  it("everything it writes is accepted, whatever the model wrote", () => {
    const samples = ["1+1=2 | {x} ~ y", "email: a.b@c.com!", "*unclosed bold and _unclosed italic", "[not a link] (really)", "```\ncode with ` and \\\n```", "a > b # c"];
    for (const s of samples) expect(markdownV2Error(toMarkdownV2(s))).toBeNull();
  });
});

describe("updates", () => {
  const msg = (text: string) => ({ message_id: 1, chat: { id: 1, type: "private" }, date: null, text });
  it("recognises commands, with or without the bot's name", () => {
    expect(commandOf(msg("/start"))).toEqual({ command: "start", payload: "" });
    expect(commandOf(msg("/start@RiversideDentalBot ref42"))).toEqual({ command: "start", payload: "ref42" });
    expect(commandOf(msg("start"))).toBeNull();
  });
  it("labels messages that carry no text", () => {
    expect(textOf({ ...msg(""), text: undefined, photo: [{ file_id: "x" }], caption: "My tooth" })).toBe("My tooth");
    expect(textOf({ ...msg(""), text: undefined, voice: { file_id: "x" } })).toBe("[voice message]");
  });
});
