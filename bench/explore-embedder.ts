// Tuning aid for the local embedder (lib/ai/embeddings.ts): for each featurisation given, the exact
// nearest training query of every banking77 test query, and from that the best hit rate reachable
// at a false-hit rate under 1 % (the same criterion bench/cache.ts applies on a threshold grid).
//
//   npx tsx --conditions=react-server bench/explore-embedder.ts \
//     '[{"unigram":1,"bigram":0.25,"char":0.4,"charNgrams":[4],"stopWord":0.25}]' [--table]
import path from "node:path";
import { DEFAULT_LOCAL_WEIGHTS, EMBEDDING_DIMENSIONS as D, localEmbedding, type LocalFeatureWeights } from "@/lib/ai/embeddings";
import { BANKING77_DIR, readRows } from "./banking77";

const train = readRows(path.join(BANKING77_DIR, "train.csv"));
const test = readRows(path.join(BANKING77_DIR, "test.csv"));

function run(w: LocalFeatureWeights): void {
  const started = Date.now();
  const n = train.length;
  // dimension-major, so a sparse query vector touches only the columns it has
  const columns = new Float32Array(D * n);
  train.forEach((r, i) => {
    const v = localEmbedding(r.text, w);
    for (let k = 0; k < D; k++) columns[k * n + i] = v[k]!;
  });
  const best: { sim: number; ok: boolean }[] = [];
  const scores = new Float32Array(n);
  for (const q of test) {
    const v = localEmbedding(q.text, w);
    scores.fill(0);
    for (let k = 0; k < D; k++) {
      const x = v[k]!;
      if (x === 0) continue;
      const o = k * n;
      for (let i = 0; i < n; i++) scores[i]! += x * columns[o + i]!;
    }
    let bi = 0;
    for (let i = 1; i < n; i++) if (scores[i]! > scores[bi]!) bi = i;
    best.push({ sim: scores[bi]!, ok: train[bi]!.category === q.category });
  }

  const sorted = [...best].sort((a, b) => b.sim - a.sim);
  let falseHits = 0;
  let bestHit = 0;
  let at = 1;
  sorted.forEach((b, i) => {
    if (!b.ok) falseHits++;
    if (falseHits / test.length < 0.01) {
      bestHit = (i + 1) / test.length;
      at = b.sim;
    }
  });
  const top1 = best.filter((b) => b.ok).length / test.length;
  console.log(
    `${JSON.stringify(w)}  top-1 ${(top1 * 100).toFixed(1)} %  best hit rate with < 1 % false hits ${(bestHit * 100).toFixed(1)} % (threshold ${at.toFixed(3)})  ${Date.now() - started} ms`,
  );
  if (process.argv.includes("--table")) {
    for (let t = 0.8; t <= 0.981; t += 0.02) {
      const hits = best.filter((b) => b.sim >= t);
      const correct = hits.filter((b) => b.ok).length;
      console.log(
        `  ${t.toFixed(2)}  hit ${((hits.length / test.length) * 100).toFixed(1)} %  precision ${((correct / Math.max(1, hits.length)) * 100).toFixed(1)} %  false hits ${(((hits.length - correct) / test.length) * 100).toFixed(2)} %`,
      );
    }
  }
}

const configs: Partial<LocalFeatureWeights>[] = process.argv[2]?.startsWith("[") ? JSON.parse(process.argv[2]) : [{}];
for (const c of configs) run({ ...DEFAULT_LOCAL_WEIGHTS, ...c });
