/**
 * Long fuzzing run of the T.85 decoder (test/t85 runs a short one with a fixed seed). Usage:
 * node dist/bench/fuzz-t85.js [iterations=20000] [seed=random]. Any input that ends in an untyped
 * exception, a broken invariant, or a different outcome when fed in pieces is written to
 * fuzz-t85-crash-<seed>-<n>.b64, to be turned into a test.
 */
import { writeFileSync } from 'node:fs';
import { ditheredPhoto } from '../test/t4/pages.js';
import { fillRect, rng } from '../test/t4/draw.js';
import { createBitmap } from '../lib/t4/index.js';
import { fuzzT85 } from '../test/t85/fuzz.js';

const iterations = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
const rand = rng(seed);
const form = createBitmap(1728, 80);
for (let y = 5; y < 80; y += 19) fillRect(form, 20, y, 1680, 1);
const noise = createBitmap(333, 40);
for (let i = 0; i < noise.data.length; i++) noise.data[i] = Math.floor(rand() * 256);
const samples = [form, ditheredPhoto(1728, 60), noise, createBitmap(17, 5)];

const started = Date.now();
const chunk = 500;
let crashes = 0;
for (let done = 0; done < iterations; done += chunk) {
  const report = fuzzT85(rand, samples, Math.min(chunk, iterations - done));
  for (const c of report.failures) {
    const file = `fuzz-t85-crash-${seed}-${crashes++}.b64`;
    writeFileSync(file, `${c.message}\n${c.input}\n`);
    console.error(`failure: ${c.message.split('\n')[0]} → ${file}`);
  }
  console.log(
    `seed ${seed}: ${done + chunk} iterations, ${report.decoded} decoded and ${report.typedErrors} typed errors in this chunk, ${crashes} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}
process.exitCode = crashes > 0 ? 1 : 0;
