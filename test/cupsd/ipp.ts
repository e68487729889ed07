/**
 * IPP requests for the print tests, through CUPS's own ipptool: what a Windows or macOS client
 * sends (Print-Job with only a document title as job name), and the job's state as CUPS has it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function ipptool(uri: string, test: string, vars: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-ipp-'));
  try {
    const file = join(dir, 'request.test');
    writeFileSync(file, test);
    const defines = Object.entries(vars).flatMap(([k, v]) => ['-d', `${k}=${v}`]);
    return (await run('ipptool', ['-T', '20', '-c', ...defines, uri, file])).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one of our ipptool scripts (test/cupsd/ipp/NAME.test) against the Fax queue: its CSV rows. */
export async function ippScript(
  port: number,
  name: string,
  vars: Record<string, string>,
): Promise<Record<string, string>> {
  const file = new URL(`./ipp/${name}.test`, import.meta.url).pathname;
  const defines = Object.entries(vars).flatMap(([k, v]) => ['-d', `${k}=${v}`]);
  const { stdout } = await run('ipptool', [
    '-T',
    '20',
    '-c',
    ...defines,
    `ipp://127.0.0.1:${port}/printers/Fax`,
    file,
  ]);
  return parseCsv(stdout);
}

/** A job's state and job-media-sheets-completed (what `lpstat` and the page log count). */
export async function jobSheets(port: number, jobId: number): Promise<JobState & { sheets: number }> {
  const row = await ippScript(port, 'job-pages', { job_id: String(jobId) });
  return {
    state: JOB_STATES[row['job-state']] ?? (row['job-state'] as JobState['state']),
    reasons: row['job-state-reasons'] ?? '',
    message: row['job-printer-state-message'] ?? '',
    sheets: Number(row['job-media-sheets-completed'] || 0),
  };
}

/** CSV output of ipptool -c: a header line then one line per DISPLAYed group. */
function parseCsv(out: string): Record<string, string> {
  const lines = out.split('\n').filter((l) => l !== '');
  const split = (l: string) =>
    l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
  const header = split(lines[0]);
  const values = split(lines[1] ?? '');
  return Object.fromEntries(header.map((h, i) => [h, values[i] ?? '']));
}

export interface JobState {
  state: 'pending' | 'held' | 'processing' | 'stopped' | 'canceled' | 'aborted' | 'completed';
  reasons: string;
  message: string;
}

const JOB_STATES: Record<string, JobState['state']> = {
  '3': 'pending',
  '4': 'held',
  '5': 'processing',
  '6': 'stopped',
  '7': 'canceled',
  '8': 'aborted',
  '9': 'completed',
  pending: 'pending',
  'pending-held': 'held',
  processing: 'processing',
  'processing-stopped': 'stopped',
  canceled: 'canceled',
  aborted: 'aborted',
  completed: 'completed',
};

export async function jobState(port: number, jobId: number): Promise<JobState> {
  const out = await ipptool(
    `ipp://127.0.0.1:${port}/printers/Fax`,
    `{
  NAME "job state"
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job_id
  ATTR name requesting-user-name root
  ATTR keyword requested-attributes job-state,job-state-reasons,job-printer-state-message
  DISPLAY job-state
  DISPLAY job-state-reasons
  DISPLAY job-printer-state-message
}
`,
    { job_id: String(jobId) },
  );
  const row = parseCsv(out);
  return {
    state: JOB_STATES[row['job-state']] ?? (row['job-state'] as JobState['state']),
    reasons: row['job-state-reasons'] ?? '',
    message: row['job-printer-state-message'] ?? '',
  };
}

/** Print-Job as a Windows client sends it: a job name that is the document's title, no options. */
export async function printJobLikeWindows(
  port: number,
  file: string,
  jobName: string,
  documentFormat: string,
): Promise<number> {
  const out = await ipptool(
    `ipp://127.0.0.1:${port}/printers/Fax`,
    `{
  NAME "Print-Job like Windows"
  OPERATION Print-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name "WINPC\\\\alice"
  ATTR name job-name $job_name
  ATTR mimeMediaType document-format $format
  FILE $file
  STATUS successful-ok
  DISPLAY job-id
}
`,
    { job_name: jobName, format: documentFormat, file },
  );
  const id = Number(parseCsv(out)['job-id']);
  if (!Number.isInteger(id) || id <= 0) throw new Error(`Print-Job failed: ${out}`);
  return id;
}
