/**
 * Long fuzzing run of the T.4/T.6 and TIFF decoders (the suite runs a short one with a fixed
 * seed). Usage: node dist/bench/fuzz-t4.js [iterations=20000] [seed=random]; or scripts/fuzz-t4.js.
 * Any input that ends in an untyped exception, or that the streaming decoder (T4Decoder, fed in
 * random pieces) decodes differently from decodePage, is written to fuzz-crash-<seed>-<n>.b64
 * with its decoder, to be turned into a test.
 */
import { writeFileSync } from 'node:fs';
import { blackBar, blankPage, checkerboard, ditheredPhoto } from '../test/t4/pages.js';
import { rng, fillRect } from '../test/t4/draw.js';
import { createBitmap } from '../lib/t4/index.js';
import { fuzzDecoders, fuzzStreaming } from '../test/t4/fuzz.js';

const iterations = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
const form = createBitmap(1728, 200);
for (let y = 10; y < 200; y += 19) fillRect(form, 20, y, 1680, 1);
for (let x = 20; x < 1700; x += 211) fillRect(form, x, 10, 1, 180);
const samples = [
  form,
  ditheredPhoto(1728, 120),
  blankPage(1728, 50),
  blackBar(2048, 200),
  checkerboard(1728, 60),
];

const started = Date.now();
const chunk = 500;
let crashes = 0;
const rand = rng(seed);
for (let done = 0; done < iterations; done += chunk) {
  const report = fuzzDecoders(rand, samples, Math.min(chunk, iterations - done));
  const streaming = fuzzStreaming(rand, samples, Math.min(chunk, iterations - done) >> 2);
  const failures = [
    ...report.untyped,
    ...streaming.untyped,
    ...streaming.mismatches.map((m) => ({ ...m, message: `pieces ${m.cuts.join(',')}: ${m.message}` })),
  ];
  for (const c of failures) {
    const file = `fuzz-crash-${seed}-${crashes++}.b64`;
    writeFileSync(file, `${c.target}\n${c.message}\n${c.input}\n`);
    console.error(`untyped failure in ${c.target}: ${c.message.split('\n')[0]} → ${file}`);
  }
  const elapsed = (Date.now() - started) / 1000;
  console.log(
    `seed ${seed}: ${done + chunk} iterations, ${report.runs} decodes in this chunk, ${report.typedErrors} typed errors, ${report.badRows} bad rows, ${crashes} crashes, ${elapsed.toFixed(0)} s`,
  );
}
process.exitCode = crashes > 0 ? 1 : 0;
