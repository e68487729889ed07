/**
 * MaxRetrains (lpfax.conf) on the line: `lpfax send`, reading its lpfax.conf, against the
 * scripted far end of the conformance tester, which rejects the first two trainings (FTT at
 * V.29 9600 and 7200) and accepts the third. MaxRetrains 2 delivers; MaxRetrains 1 gives up
 * (DCN where the script waits for a third DCS), so the test fails if the key is ignored.
 * The script is written here in tsb85.xml's step format; it needs no tsb85.xml.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LPFAX, runCases } from './runner.js';
import { parseTsb85 } from './tsb85.js';

const answer = (tag: string, hex: string) => `
    <step type="WAIT" value="75"/>
    <step dir="T" type="PREAMBLE" modem="V.21"/>
    <step dir="T" type="HDLC" tag="${tag}" value="${hex}"/>
    <step dir="T" type="POSTAMBLE"/>`;
const training = (modem: string) => `
    <step dir="R" type="HDLC" modem="V.21" tag="DCS+" value="FF C8 C1 ..."/>
    <step dir="R" type="TCF" modem="${modem}" timeout="10000"/>`;

const FTT_TWICE = `<fax-tests><test-group name="lpfax">
  <test name="MTGN90">
    <step type="ANSWER" value="etsi_300_242_a4_white.tif"/>
    <step dir="R" type="CNG"/>
    <step dir="T" type="CED"/>
    ${answer('DIS', 'FF C8 01 00 72 20')}
    ${training('V.29/9600')}
    ${answer('FTT', 'FF C8 22')}
    ${training('V.29/7200')}
    ${answer('FTT', 'FF C8 22')}
    ${training('V.27ter/4800')}
    ${answer('CFR', 'FF C8 21')}
    <step dir="R" type="MSG" modem="V.27ter/4800" timeout="60000"/>
    <step dir="R" type="HDLC" modem="V.21" tag="EOP+" value="FF C8 F4"/>
    ${answer('MCF', 'FF C8 31')}
    <step dir="R" type="HDLC" modem="V.21" tag="DCN+" value="FF C8 DF"/>
    <step dir="R" type="CLEAR" timein="800" timeout="1200"/>
    <step type="STATUS" value="OK"/>
  </test>
</test-group></fax-tests>`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lpfax-maxretrains-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function withMaxRetrains(n: number) {
  const config = join(work, `lpfax-${n}.conf`);
  await writeFile(config, `LockDir: ${work}\nSpoolDir: ${work}/spool\nMaxRetrains: ${n}\n`);
  const [result] = await runCases(parseTsb85(FTT_TWICE), {
    sender: { ...LPFAX, name: `lpfax-maxretrains-${n}`, env: { LPFAX_CONFIG: config } },
    workDir: join(work, String(n)),
    parallel: 1,
  });
  return result!;
}

it('MaxRetrains 2 retrains twice after FTT and delivers; MaxRetrains 1 gives up at the second FTT', async () => {
  const two = await withMaxRetrains(2);
  expect([two.pass, two.reason, two.senderExit]).toEqual([true, expect.any(String), 0]);
  const one = await withMaxRetrains(1);
  expect(one.pass).toBe(false);
  expect(one.reason).toMatch(/^expected DCS\+ .*, received \[FF C8 DF\]$/); // DCN
  expect(one.senderExit).not.toBe(0);
}, 240_000);
