// The SMS keywords carriers and Twilio's Advanced Opt-Out recognise: the whole message, one word,
// any case, trailing punctuation ignored ("Stop.", "unsubscribe!"). "Please stop texting me" is not
// a keyword, as on Twilio. YES only resubscribes someone who opted out: otherwise it answers a question.
export type Keyword = "opt_out" | "opt_in" | "help";

const KEYWORDS: Record<string, Keyword> = {
  stop: "opt_out",
  stopall: "opt_out",
  unsubscribe: "opt_out",
  cancel: "opt_out",
  end: "opt_out",
  quit: "opt_out",
  optout: "opt_out",
  revoke: "opt_out",
  start: "opt_in",
  unstop: "opt_in",
  yes: "opt_in",
  help: "help",
  info: "help",
};

export function keywordOf(body: string, state: { optedOut: boolean } = { optedOut: false }): Keyword | null {
  const word = body
    .normalize("NFKC")
    .trim()
    .toLowerCase()
    .replace(/^[\s"'¡¿(]+|[\s.!?"')]+$/g, "")
    .replace(/[\s-]+/g, "");
  if (word === "yes" && !state.optedOut) return null;
  return KEYWORDS[word] ?? null;
}

export function keywordReply(keyword: Keyword, businessName: string, helpText = ""): string {
  switch (keyword) {
    case "opt_out":
      return `${businessName}: you're unsubscribed and won't get more messages from us. Reply START to resubscribe.`;
    case "opt_in":
      return `${businessName}: you're subscribed again. Reply HELP for help, STOP to unsubscribe.`;
    case "help":
      return `${businessName}: ${helpText ? `${helpText.trim()} ` : "Text us your question and we'll answer here. "}Reply STOP to unsubscribe. Msg&data rates may apply.`;
  }
}
