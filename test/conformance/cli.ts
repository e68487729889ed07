/**
 * The TSB-85 sender table from the command line (not part of the jest suite):
 *
 *   LPFAX_TSB85_XML=../shared/conformance/tsb85.xml sh test/conformance/table.sh [--sender efax|lpfax]
 *     [--cases MTGN01,OTGC] [--speed 4] [--parallel 2] [--work DIR] [--config lpfax.conf]
 *
 * With --receiver efax|lpfax, the receiver cases instead (MRGN, ORGC, OREN, MRGX: the tester calls).
 *
 * --cases takes names or name prefixes. Prints one line per case as it finishes, then
 * the table and "N passed, N failed". Exit status 0 when every case passed, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import {
  EFAX,
  EFAX_RECEIVER,
  LPFAX,
  LPFAX_RECEIVER,
  formatTable,
  runCases,
  runReceiverCases,
} from './runner.js';
import { loadTsb85, receiverCases, senderCases } from './tsb85.js';

const { values } = parseArgs({
  options: {
    sender: { type: 'string', default: 'efax' },
    cases: { type: 'string' },
    speed: { type: 'string', default: '4' },
    parallel: { type: 'string', default: '2' },
    work: { type: 'string' },
    config: { type: 'string' },
    receiver: { type: 'string' },
  },
});
const xml = process.env.LPFAX_TSB85_XML;
if (!xml) {
  console.error(
    'LPFAX_TSB85_XML is not set: give the path of tsb85.xml (e.g. ../shared/conformance/tsb85.xml)',
  );
  process.exit(2);
}
if (values.receiver) {
  // --receiver efax|lpfax: the receiver cases (MRGN, ORGC, OREN, MRGX), the tester calls
  const base = values.receiver === 'lpfax' ? LPFAX_RECEIVER : EFAX_RECEIVER;
  const receiver = values.config ? { ...base, env: { LPFAX_CONFIG: values.config } } : base;
  let rx = receiverCases(await loadTsb85(xml));
  if (values.cases) {
    const wanted = values.cases.split(',');
    rx = rx.filter((c) => wanted.some((w) => c.name.startsWith(w)));
  }
  const t0 = Date.now();
  const results = await runReceiverCases(rx, {
    receiver,
    speed: Number(values.speed),
    parallel: Number(values.parallel),
    workDir: values.work,
    onResult: (r) =>
      console.error(
        `${r.name} ${r.pass ? 'pass' : 'FAIL'} (${r.wallSeconds.toFixed(0)} s) ${r.reason}  [${r.testerLog}]`,
      ),
  });
  console.log(formatTable(results));
  console.log(
    `receiver ${receiver.name}, ${rx.length} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s wall`,
  );
  process.exit(results.every((r) => r.pass) ? 0 : 1);
}
const chosen = values.sender === 'lpfax' ? LPFAX : EFAX;
// --config FILE: the lpfax.conf lpfax runs with (LPFAX_CONFIG), e.g. RTNHandling: giveup
const sender = values.config ? { ...chosen, env: { LPFAX_CONFIG: values.config } } : chosen;
let cases = senderCases(await loadTsb85(xml));
if (values.cases) {
  const wanted = values.cases.split(',');
  cases = cases.filter((c) => wanted.some((w) => c.name.startsWith(w)));
}
const t0 = Date.now();
const results = await runCases(cases, {
  sender,
  speed: Number(values.speed),
  parallel: Number(values.parallel),
  workDir: values.work,
  onResult: (r) =>
    console.error(
      `${r.name} ${r.pass ? 'pass' : 'FAIL'} (${r.wallSeconds.toFixed(0)} s) ${r.reason}  [${r.testerLog}]`,
    ),
});
console.log(formatTable(results));
console.log(
  `sender ${sender.name}, ${cases.length} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s wall`,
);
process.exit(results.every((r) => r.pass) ? 0 : 1);
