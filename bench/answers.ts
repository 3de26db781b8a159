// npm run bench:answers — the labelled conversations of bench/data/answers.json (the demo clinic and
// a second business, Harbour & Hale) through the whole pipeline (handleInbound) with the offline
// responder, on each database engine (--db pglite|postgres|both, default both), each engine in a
// child process on a fresh database. Every scored turn is correct, an honest decline, handed off or
// wrong, by what the customer would read. Beside it: the prompt Gemini would get for each model call
// (tokens as billing estimates them) and the cost per resolved conversation against a bot that calls
// the model for every message. Writes bench/results/answers.json.
// Options: --db both  --only <conversation id prefix>  --verbose
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { detect } from "tinyld";
import { enginesFromArgs, freshDatabase, machine, type BenchEngine } from "./engines";

const CHILD = process.argv.includes("--child");
const VERBOSE = process.argv.includes("--verbose");
const ONLY = (() => {
  const i = process.argv.indexOf("--only");
  return i > 0 ? process.argv[i + 1] : undefined;
})();
process.env.DISABLE_SCHEDULER = "1";

type Expect = { kind: "answer" | "decline" | "handoff" | "languages" | "setup"; facts?: string[]; lang?: string };
type Turn = { channel: ChannelKind; text: string; expect: Expect };
type Conversation = { id: string; business: "dental" | "estate"; category: string; turns: Turn[] };
type ChannelKind = "web" | "sms" | "whatsapp" | "voice" | "email" | "telegram" | "instagram";
export type Outcome = "correct" | "honest decline" | "handed off" | "wrong";

const DATA = path.resolve("bench/data/answers.json");
const HELLO_FLOOD = "Hello ".repeat(667).trim(); // 4,000 characters

// ---------------------------------------------------------------- scoring (what the customer reads)

const norm = (s: string) =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/\s+/g, " ");
const hasFact = (reply: string, fact: string) => fact.split("|").some((alt) => norm(reply).includes(norm(alt)));

/**
 * A reply that says it cannot answer: no fact, and one of the phrases a decline is made of, in any
 * language the responder speaks (a person offered, "I don't know", "can only help in", "tell me more").
 */
const DECLINE =
  /person on the team|don't know|do not know|can't find|cannot find|can only (help|answer)|tell me a little more|what can i help|can't help with|get back to you|persona del equipo|no sé|solo (podemos|puedo)|ne pouvons vous répondre|só podemos|können ihnen nur|possiamo aiutarla solo|cuénteme|no encuentro|personne de l'équipe|je ne (sais|trouve)|uniquement en|dites-m|person aus dem team|weiß ich|nur auf|finde ich|pessoa da equipa|não sei|apenas em|persona del team|non (so|trovo)|solo in|alguien del equipo|en qué puedo|em que posso|wie kann ich|comment puis-je|come posso/i;

function languageOf(reply: string): string | undefined {
  const first = reply.split(/\n|(?<=[.!?])\s/)[0] ?? reply;
  return detect(first.length >= 12 ? first : reply, { only: ["en", "es", "fr", "de", "pt", "it", "nl", "pl"] }) || undefined;
}

export function score(expect: Expect, reply: string | null, handedOff: boolean): { outcome: Outcome; note?: string } {
  const text = reply ?? "";
  const facts = expect.facts ?? [];
  const factsOk = facts.every((f) => hasFact(text, f));
  if (expect.lang && text && !handedOff) {
    const got = languageOf(text);
    if (got && got !== expect.lang) return { outcome: "wrong", note: `reply in ${got}, not ${expect.lang}` };
  }
  if (handedOff) {
    if (expect.kind === "handoff" && !factsOk) return { outcome: "wrong", note: "handed off without the advice it must give first" };
    return { outcome: "handed off" };
  }
  const declined = !reply || DECLINE.test(text);
  switch (expect.kind) {
    case "answer":
      if (facts.length && factsOk) return { outcome: "correct" };
      return declined ? { outcome: "honest decline" } : { outcome: "wrong", note: "answered without the expected fact" };
    case "decline":
    case "languages":
      return declined ? { outcome: expect.kind === "languages" ? "correct" : "honest decline" } : { outcome: "wrong", note: "answered what it cannot know" };
    case "handoff":
      return declined ? { outcome: "honest decline" } : { outcome: "wrong", note: "answered instead of handing off" };
    default:
      return { outcome: "correct" };
  }
}

/** Whether an outcome meets the turn's expectation (for the per-category success rate). */
function success(expect: Expect, outcome: Outcome): boolean {
  if (expect.kind === "answer") return outcome === "correct";
  if (expect.kind === "decline") return outcome === "honest decline" || outcome === "handed off";
  if (expect.kind === "handoff") return outcome === "handed off";
  if (expect.kind === "languages") return outcome === "correct";
  return true;
}

// ---------------------------------------------------------------- one engine

async function runOne(engine: BenchEngine) {
  const database = await freshDatabase(engine, "answers");
  Object.assign(process.env, database.env);
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, withService, closeDb } = await import("@/lib/db/client");
  const s = await import("@/lib/db/schema");
  const { migrate } = await import("@/lib/db/migrate");
  const { seedDemo } = await import("@/lib/db/seed");
  const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
  const { seedEstateAgent, ESTATE_BUSINESS_ID } = await import("@/lib/db/seed-estate");
  const { embedPending } = await import("@/lib/knowledge/indexing");
  const { handleInbound } = await import("@/lib/pipeline/inbound");
  const { linkIdentity } = await import("@/lib/pipeline/customers");
  const { OfflineLanguageModel } = await import("@/lib/ai/offline-model");
  const { estimateTokens } = await import("@/lib/ai/text");
  const { chooseModels } = await import("@/lib/ai/router");
  const { priceModelCall, priceEmbedding } = await import("@/lib/billing/prices");
  const { assessComplexity } = await import("@/lib/ai/router");
  type LanguageModel = import("@/lib/ai/model").LanguageModel;
  type GenerateRequest = import("@/lib/ai/model").GenerateRequest;
  type Identity = import("@/lib/pipeline/identities").Identity;

  const handle = await getDbHandle();
  await migrate(handle);
  await seedDemo(handle);
  await seedEstateAgent(handle);
  await embedPending();
  const businessIds = { dental: DEMO_BUSINESS_ID, estate: ESTATE_BUSINESS_ID } as const;
  // Room for the set: it measures answers, not limits; customers write faster than people do.
  for (const id of Object.values(businessIds)) {
    await handle.db.execute(
      sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 100000, "messagesPerMonth": 10000000, "customerMinIntervalSeconds": 0}'::jsonb where id = ${id}`,
    );
  }
  // Every channel kind for both businesses (the seeds have web chat only).
  const channelIds = new Map<string, string>();
  for (const [key, businessId] of Object.entries(businessIds)) {
    for (const kind of ["web", "sms", "whatsapp", "voice", "email", "telegram", "instagram"] as const) {
      const [existing] = await rows<{ id: string }>(handle.db, sql`select id from channels where business_id = ${businessId} and kind = ${kind} limit 1`);
      const id =
        existing?.id ??
        (
          await handle.db
            .insert(s.channels)
            .values({ businessId, kind, name: `${kind} (bench)`, address: `bench-${key}-${kind}` })
            .returning({ id: s.channels.id })
        )[0]!.id;
      channelIds.set(`${key}:${kind}`, id);
    }
  }

  // The offline responder, recording the request it gets: the prompt Gemini would be sent.
  const offline = new OfflineLanguageModel();
  let lastRequest: GenerateRequest | undefined;
  const recording: LanguageModel = {
    provider: "offline",
    generate(req) {
      lastRequest = req;
      return offline.generate(req);
    },
    stream(req) {
      lastRequest = req;
      return offline.stream(req);
    },
  };

  const data = JSON.parse(fs.readFileSync(DATA, "utf8")) as { conversations: Conversation[] };
  const conversations = data.conversations.filter((c) => !ONLY || c.id.startsWith(ONLY));
  const identityFor = (kind: ChannelKind, i: number): Identity => {
    const phone = `+4477009${String(i).padStart(5, "0")}`;
    switch (kind) {
      case "sms":
      case "voice":
        return { kind: "phone", value: phone };
      case "whatsapp":
        return { kind: "whatsapp", value: `whatsapp:${phone}` };
      case "email":
        return { kind: "email", value: `customer-${i}@example.com` };
      case "telegram":
        return { kind: "telegram", value: `tg-${i}` };
      case "instagram":
        return { kind: "instagram", value: `ig-${i}` };
      default:
        return { kind: "web", value: `visitor-${i}` };
    }
  };

  const turns: {
    id: string;
    category: string;
    business: string;
    turn: number;
    channel: string;
    text: string;
    expect: Expect;
    reply: string | null;
    source: string | null;
    handedOff: boolean;
    outcome: Outcome;
    note?: string;
    modelCall: boolean;
    promptTokens: number | null;
    simple: boolean;
  }[] = [];
  const deferred: Promise<unknown>[] = [];
  const defer = (task: () => Promise<unknown>) => void deferred.push(task().catch(() => undefined));
  const settle = async () => {
    while (deferred.length) await Promise.allSettled(deferred.splice(0));
  };

  for (const [ci, conv] of conversations.entries()) {
    const businessId = businessIds[conv.business];
    let customerId: string | undefined;
    for (const [ti, turn] of conv.turns.entries()) {
      const text = turn.text === "@HELLO_FLOOD" ? HELLO_FLOOD : turn.text;
      const from = identityFor(turn.channel, ci);
      if (customerId) {
        // The customer gave this channel's address before (or it is the same phone): one person.
        customerId = await withService((tx) => linkIdentity(tx, businessId, customerId!, from));
      }
      lastRequest = undefined;
      const r = await handleInbound(
        { businessId, channelId: channelIds.get(`${conv.business}:${turn.channel}`)!, channelKind: turn.channel, from, text, providerMessageId: `${conv.id}-${ti}` },
        { model: recording, defer },
      );
      await settle();
      customerId = r.customerId;
      const reply = r.reply?.content ?? null;
      const scored = turn.expect.kind === "setup" ? { outcome: "correct" as Outcome } : score(turn.expect, reply, r.handedOff);
      const req = lastRequest as GenerateRequest | undefined;
      const promptTokens = req ? estimateTokens(req.system) + req.messages.reduce((n, m) => n + estimateTokens(m.text), 0) : null;
      turns.push({
        id: conv.id,
        category: conv.category,
        business: conv.business,
        turn: ti,
        channel: turn.channel,
        text: text.length > 120 ? `${text.slice(0, 117)}…` : text,
        expect: turn.expect,
        reply,
        source: r.reply?.source ?? (r.noReply ? `no_reply:${r.noReply.reason}` : null),
        handedOff: r.handedOff,
        ...scored,
        modelCall: Boolean(req),
        promptTokens,
        simple: assessComplexity(text).level === "simple",
      });
      if (VERBOSE || scored.outcome === "wrong") {
        process.stderr.write(`${scored.outcome === "wrong" ? "WRONG " : ""}[${conv.id}#${ti}] ${text.slice(0, 80)}\n   → (${r.reply?.source ?? r.noReply?.reason}${r.handedOff ? ", handed off" : ""}) ${String(reply).slice(0, 200)}${scored.note ? `\n   ! ${scored.note}` : ""}\n`);
      }
      if (r.handedOff) break; // a person has the conversation now
    }
  }

  // ---- the bot that calls the model for every message: the same prompt, built for every turn
  const { buildPrompt, readAiSettings } = await import("@/lib/ai/prompts");
  const { retrieveKnowledge } = await import("@/lib/knowledge/retrieve");
  const { getEmbedder } = await import("@/lib/ai/embeddings");
  const settingsOf = new Map<string, { settings: ReturnType<typeof readAiSettings>; name: string; tz: string }>();
  for (const [key, id] of Object.entries(businessIds)) {
    const [b] = await rows<{ name: string; ai_settings: unknown; time_zone: string }>(handle.db, sql`select name, ai_settings, time_zone from businesses where id = ${id}`);
    settingsOf.set(key, { settings: readAiSettings(b!.ai_settings), name: b!.name, tz: b!.time_zone });
  }
  const everyMessageTokens: number[] = [];
  for (const t of turns) {
    const b = settingsOf.get(t.business)!;
    const text = t.text.startsWith("Hello Hello") ? HELLO_FLOOD : t.text;
    const [vector] = (await getEmbedder().embed([text], "query")).vectors;
    const retrieval = await withService((tx) => retrieveKnowledge(tx, { businessId: businessIds[t.business as "dental"], query: text, embedding: vector, limit: 4, faqLimit: 3 }));
    const prompt = buildPrompt({
      business: { name: b.name, timeZone: b.tz },
      settings: b.settings,
      channel: t.channel as ChannelKind,
      message: text,
      chunks: retrieval.chunks.map((c) => ({ heading: c.heading ? `${c.title} › ${c.heading}` : c.title, content: c.content, score: c.score })),
      faqs: retrieval.faqs.map((f) => ({ question: f.question, answer: f.answer, score: f.similarity })),
    });
    everyMessageTokens.push(estimateTokens(prompt.system) + prompt.messages.reduce((n, m) => n + estimateTokens(m.text), 0));
  }

  await closeDb();
  await database.drop();

  // ---- figures
  const scored = turns.filter((t) => t.expect.kind !== "setup");
  const count = (xs: typeof scored) => {
    const by: Record<Outcome, number> = { correct: 0, "honest decline": 0, "handed off": 0, wrong: 0 };
    for (const t of xs) by[t.outcome]++;
    return { turns: xs.length, ...by, metExpectation: xs.filter((t) => success(t.expect, t.outcome)).length };
  };
  const categories = [...new Set(scored.map((t) => t.category))];
  const perCategory = Object.fromEntries(categories.map((c) => [c, count(scored.filter((t) => t.category === c))]));
  const answerable = scored.filter((t) => t.expect.kind === "answer");
  const triggers = scored.filter((t) => t.expect.kind === "handoff");

  const calls = turns.filter((t) => t.modelCall && t.promptTokens !== null);
  const pct = (xs: number[], p: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
  };
  const stats = (xs: number[]) => ({ calls: xs.length, mean: xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0, p50: pct(xs, 50), p95: pct(xs, 95), max: xs.length ? Math.max(...xs) : 0 });

  // Cost with Gemini: a model call where the pipeline called the model, priced at the router's
  // first choice; output as long as the reply given (wrapped in the JSON the model returns). Each
  // message's query embedding is charged in both cases.
  const outputTokens = (t: (typeof turns)[number]) => estimateTokens(JSON.stringify({ reply: t.reply ?? "", handoff: t.handedOff }));
  const modelFor = (t: (typeof turns)[number]) => chooseModels({ text: t.text }).chain[0]!;
  const embedCost = turns.reduce((n, t) => n + priceEmbedding(estimateTokens(t.text), "gemini-embedding-001"), 0);
  const ours = calls.reduce((n, t) => n + priceModelCall(modelFor(t), t.promptTokens!, outputTokens(t)), 0) + embedCost;
  const everyMessage = turns.reduce((n, t, i) => n + priceModelCall(modelFor(t), everyMessageTokens[i]!, outputTokens(t)), 0) + embedCost;
  const byConversation = new Map<string, typeof turns>();
  for (const t of turns) byConversation.set(t.id, [...(byConversation.get(t.id) ?? []), t]);
  // Resolved: the customer got every answer they asked for, with no person needed.
  const resolved = [...byConversation.values()].filter((ts) => ts.some((t) => t.expect.kind === "answer") && ts.every((t) => !t.handedOff && (t.expect.kind !== "answer" || t.outcome === "correct"))).length;

  return {
    engine,
    database: database.describe,
    conversations: conversations.length,
    scoredTurns: scored.length,
    overall: count(scored),
    perCategory,
    goals: {
      wrong: count(scored).wrong,
      answerableCorrectRate: answerable.length ? Math.round((1000 * answerable.filter((t) => t.outcome === "correct").length) / answerable.length) / 10 : 0,
      answerable: answerable.length,
      handoffTriggersHandedOff: `${triggers.filter((t) => t.outcome === "handed off").length}/${triggers.length}`,
    },
    promptTokensPerModelCall: {
      all: stats(calls.map((t) => t.promptTokens!)),
      simpleQuestions: stats(calls.filter((t) => t.simple).map((t) => t.promptTokens!)),
      everyMessageBot: stats(everyMessageTokens),
      estimate: "lib/ai/text.ts estimateTokens (4 characters a token) over the system prompt and the turn buildPrompt returns",
    },
    costWithGemini: {
      modelCalls: calls.length,
      messages: turns.length,
      resolvedConversations: resolved,
      totalUsd: Math.round(ours * 1e6) / 1e6,
      perResolvedConversationUsd: resolved ? Math.round((ours / resolved) * 1e7) / 1e7 : null,
      everyMessageBotTotalUsd: Math.round(everyMessage * 1e6) / 1e6,
      everyMessageBotPerResolvedConversationUsd: resolved ? Math.round((everyMessage / resolved) * 1e7) / 1e7 : null,
      assumptions:
        "Gemini list prices (lib/billing/prices.ts), the router's first model per message, output tokens = the reply given; the every-message bot is credited with the same resolved conversations",
    },
    turns,
  };
}

async function main() {
  if (CHILD) {
    const engine = enginesFromArgs()[0]!;
    const result = await runOne(engine);
    process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const runs = [];
  const loadBefore = machine();
  for (const engine of enginesFromArgs()) {
    console.log(`[bench:answers] ${engine}…`);
    const started = Date.now();
    const args = [...process.execArgv, process.argv[1]!, "--child", "--db", engine, ...(ONLY ? ["--only", ONLY] : []), ...(VERBOSE ? ["--verbose"] : [])];
    const out = execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
    const line = out.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`the ${engine} run printed no result:\n${out.slice(-2000)}`);
    const result = { ...JSON.parse(line.slice(7)), seconds: Math.round((Date.now() - started) / 100) / 10 };
    const o = result.overall;
    console.log(
      `  ${result.scoredTurns} scored turns: ${o.correct} correct, ${o["honest decline"]} honest declines, ${o["handed off"]} handed off, ${o.wrong} wrong; ` +
        `answerable correct ${result.goals.answerableCorrectRate}% of ${result.goals.answerable}; hand-off triggers ${result.goals.handoffTriggersHandedOff}`,
    );
    for (const [c, v] of Object.entries(result.perCategory as Record<string, ReturnType<typeof Object>>)) console.log(`    ${c.padEnd(14)} ${JSON.stringify(v)}`);
    console.log(`  prompt tokens per model call: ${JSON.stringify(result.promptTokensPerModelCall.simpleQuestions)} (simple), ${JSON.stringify(result.promptTokensPerModelCall.all)} (all)`);
    console.log(`  cost with Gemini: ${JSON.stringify(result.costWithGemini)}`);
    runs.push(result);
  }
  if (ONLY) return; // a partial run does not replace the recorded result
  const result = {
    benchmark: "answers",
    at: new Date().toISOString(),
    machine: { before: loadBefore, after: machine() },
    config: { model: "offline responder", embedder: "local", data: path.relative(process.cwd(), DATA) },
    runs,
  };
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync(path.join("bench/results", "answers.json"), JSON.stringify(result, null, 2) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
