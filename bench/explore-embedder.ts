// TEMPORARY: tune local embedder weights by exact 1-NN on banking77.
import fs from "node:fs";
import { localEmbedding, type LocalFeatureWeights } from "@/lib/ai/embeddings";

function readCsv(file: string): { text: string; category: string }[] {
  const src = fs.readFileSync(file, "utf8");
  const recs: string[][] = []; let row: string[] = []; let f = ""; let q = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (q) { if (c === '"') { if (src[i + 1] === '"') { f += '"'; i++; } else q = false; } else f += c; }
    else if (c === '"') q = true; else if (c === ",") { row.push(f); f = ""; }
    else if (c === "\n" || c === "\r") { if (c === "\r" && src[i + 1] === "\n") i++; row.push(f); f = ""; if (row.some(Boolean)) recs.push(row); row = []; }
    else f += c;
  }
  if (f || row.length) { row.push(f); recs.push(row); }
  return recs.slice(1).map((r) => ({ text: r[0]!, category: r[1]! }));
}
const dir = "/work/shared/data/banking77";
const train = readCsv(`${dir}/train.csv`);
const test = readCsv(`${dir}/test.csv`);
const D = 768;
function run(w: LocalFeatureWeights) {
  const t0 = Date.now();
  const N = train.length;
  const Mt = new Float32Array(D * N); // transposed: dimension-major
  train.forEach((r, i) => { const v = localEmbedding(r.text, w); for (let k = 0; k < D; k++) Mt[k * N + i] = v[k]!; });
  const best: { sim: number; ok: boolean }[] = [];
  const scores = new Float32Array(N);
  for (const q of test) {
    const v = localEmbedding(q.text, w);
    scores.fill(0);
    for (let k = 0; k < D; k++) { const x = v[k]!; if (x === 0) continue; const o = k * N; for (let i = 0; i < N; i++) scores[i]! += x * Mt[o + i]!; }
    let bs = -1, bi = -1;
    for (let i = 0; i < N; i++) if (scores[i]! > bs) { bs = scores[i]!; bi = i; }
    best.push({ sim: bs, ok: train[bi]!.category === q.category });
  }
  const n = test.length;
  const rows: string[] = [];
  for (let t = 0.6; t <= 0.981; t += 0.02) {
    const hits = best.filter((b) => b.sim >= t); const good = hits.filter((b) => b.ok).length;
    rows.push(`${t.toFixed(2)} hit ${(hits.length / n * 100).toFixed(1)} prec ${(good / Math.max(1, hits.length) * 100).toFixed(1)} fhr ${((hits.length - good) / n * 100).toFixed(2)}`);
  }
  // best hit rate at FHR<1% over a continuous threshold
  const sorted = [...best].sort((a, b) => b.sim - a.sim);
  let bad = 0, bestHit = 0, bestT = 1;
  sorted.forEach((b, i) => { if (!b.ok) bad++; if (bad / n < 0.01) { bestHit = (i + 1) / n; bestT = b.sim; } });
  const top1 = best.filter((b) => b.ok).length / n;
  console.log(JSON.stringify(w), `top1 ${(top1 * 100).toFixed(1)}  maxHit@FHR<1% ${(bestHit * 100).toFixed(1)} at t=${bestT.toFixed(3)}  (${Date.now() - t0} ms)`);
  if (process.argv.includes("--table")) console.log(rows.join("\n"));
}
const grid: LocalFeatureWeights[] = JSON.parse(process.argv[2] ?? "[]");
for (const w of grid) run(w);
if (process.argv.includes("--fails")) {
  const w = grid[0]!;
  const N = train.length;
  const vs = train.map((r) => localEmbedding(r.text, w));
  let shown = 0;
  for (const q of test) {
    const v = localEmbedding(q.text, w);
    let bs = -1, bi = -1;
    for (let i = 0; i < N; i++) { let d = 0; const t = vs[i]!; for (let k = 0; k < D; k++) d += v[k]! * t[k]!; if (d > bs) { bs = d; bi = i; } }
    if (bs >= 0.88 && train[bi]!.category !== q.category && shown++ < 40) console.log(bs.toFixed(3), "|", q.text, `[${q.category}]`, "=>", train[bi]!.text, `[${train[bi]!.category}]`);
  }
}
