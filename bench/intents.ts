// npm run bench:intents — accuracy of the offline intent classifier (lib/intel/classify.ts with the
// local embedder), no database and no key:
//   · Banking77: the 77 intents named after their categories, train.csv as the owner's examples,
//     test.csv as the customers' messages;
//   · the demo clinic: its default intents (lib/intel/defaults.ts) against bench/data/clinic-intents.csv,
//     messages written by hand for this benchmark (none is a seeded example), "other" included.
// Prints accuracy and the confusion of the five most-missed intents; writes bench/results/intents.json.
//   --grid   also tries other top-k and "other" thresholds (tuning aid); --clinic: the grid on the clinic only
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { localEmbedding } from "@/lib/ai/embeddings";
import { IntentIndex, intentDescriptionText, OTHER_BELOW, TOP_K } from "@/lib/intel/classify";
import { DEFAULT_INTENTS } from "@/lib/intel/defaults";
import { BANKING77_DIR, readRows, type Row } from "./banking77";

type Intent = { name: string; description: string; examples: string[] };
type Missed = { intent: string; total: number; missed: number; accuracy: number; confusedWith: { intent: string; count: number }[] };
type Result = { set: string; intents: number; examples: number; messages: number; accuracy: number; topK: number; otherBelow: number; msPerMessage: number; mostMissed: Missed[] };

function evaluate(set: string, intents: Intent[], test: Row[], topK: number, otherBelow: number): Result {
  const index = new IntentIndex(
    intents.map((i) => ({ id: i.name, vectors: [intentDescriptionText(i.name, i.description), ...i.examples].map((t) => localEmbedding(t)) })),
  );
  const started = performance.now();
  const confusion = new Map<string, Map<string, number>>();
  let correct = 0;
  for (const row of test) {
    const v = localEmbedding(row.text);
    const scores = index.scores(v, topK);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
    const guess = scores[best]! < otherBelow ? "other" : index.ids[best]!;
    if (guess === row.category) correct++;
    const m = confusion.get(row.category) ?? new Map<string, number>();
    m.set(guess, (m.get(guess) ?? 0) + 1);
    confusion.set(row.category, m);
  }
  const msPerMessage = (performance.now() - started) / test.length;
  const mostMissed = [...confusion.entries()]
    .map(([intent, m]) => {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const hit = m.get(intent) ?? 0;
      const confusedWith = [...m.entries()]
        .filter(([g]) => g !== intent)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([g, count]) => ({ intent: g, count }));
      return { intent, total, missed: total - hit, accuracy: hit / total, confusedWith };
    })
    .sort((a, b) => b.missed / b.total - a.missed / a.total || b.missed - a.missed)
    .slice(0, 5);
  return {
    set,
    intents: intents.length,
    examples: intents.reduce((n, i) => n + i.examples.length, 0),
    messages: test.length,
    accuracy: correct / test.length,
    topK,
    otherBelow,
    msPerMessage,
    mostMissed,
  };
}

function print(r: Result): void {
  console.log(
    `\n${r.set}: ${r.intents} intents, ${r.examples} examples, ${r.messages} messages — accuracy ${(r.accuracy * 100).toFixed(1)} % (top-k ${r.topK}, "other" below ${r.otherBelow}; ${r.msPerMessage.toFixed(2)} ms a message)`,
  );
  console.log("  most missed:");
  for (const m of r.mostMissed) {
    console.log(
      `    ${m.intent.padEnd(34)} ${m.total - m.missed}/${m.total} right (${(m.accuracy * 100).toFixed(0)} %)  read as: ${m.confusedWith.map((c) => `${c.intent} ×${c.count}`).join(", ")}`,
    );
  }
}

const banking: Intent[] = (() => {
  const train = readRows(path.join(BANKING77_DIR, "train.csv"));
  const byCategory = new Map<string, string[]>();
  for (const r of train) byCategory.set(r.category, [...(byCategory.get(r.category) ?? []), r.text]);
  return [...byCategory.entries()].map(([name, examples]) => ({ name, description: name.replace(/_/g, " "), examples }));
})();
const bankingTest = readRows(path.join(BANKING77_DIR, "test.csv"));
const clinic: Intent[] = DEFAULT_INTENTS.clinic;
const clinicTest = readRows(path.resolve(process.cwd(), "bench/data/clinic-intents.csv"));

if (process.argv.includes("--grid")) {
  const onlyClinic = process.argv.includes("--clinic");
  for (const k of [1, 2, 3, 5]) {
    const b = onlyClinic ? { accuracy: NaN } : evaluate("banking77", banking, bankingTest, k, 0);
    const c = [0.1, 0.15, 0.2, 0.25].map((t) => `${t}: ${(evaluate("clinic", clinic, clinicTest, k, t).accuracy * 100).toFixed(1)} %`);
    console.log(`top-k ${k}: banking77 ${(b.accuracy * 100).toFixed(1)} %  clinic ${c.join("  ")}`);
  }
}

// Banking77 has no "other" in its test set: every message belongs to one of the 77 intents.
const results = [evaluate("banking77", banking, bankingTest, TOP_K, 0), evaluate("clinic", clinic, clinicTest, TOP_K, OTHER_BELOW)];
results.forEach(print);
const out = path.resolve(process.cwd(), "bench/results/intents.json");
fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine: { cpus: os.cpus().length, load: os.loadavg()[0] }, results }, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
