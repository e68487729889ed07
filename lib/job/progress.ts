/**
 * What a fax job has delivered so far, kept on disk so that a CUPS retry (busy line, far end hung
 * up) resumes with the first unconfirmed page of the first undelivered recipient and never faxes
 * a delivered recipient twice. One private file per job, keyed by the job's UUID, written
 * atomically (write, fsync, rename); removed when the job ends for good.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface RecipientProgress {
  /** The dial string: a recipient is the same one across runs only if it dials the same. */
  dialString: string;
  delivered: boolean;
  /** Pages the far end confirmed (MCF), counted from the start of the fax, cover included. */
  pagesConfirmed: number;
}

export interface JobProgress {
  recipients: RecipientProgress[];
  /** Runs of this job so far, this one included, and when the first began (ms since the epoch). */
  runs?: number;
  firstRunAt?: number;
}

/** A job UUID as CUPS gives it (`urn:uuid:…`) or a job id: reduced to a safe file name. */
export function progressFileName(jobKey: string): string {
  const safe = jobKey.replace(/^urn:uuid:/i, '').replace(/[^A-Za-z0-9-]/g, '_');
  if (!safe) throw new Error('a job needs a key to keep its progress');
  return `job-${safe.slice(0, 80)}.json`;
}

export class ProgressStore {
  private readonly file: string;

  constructor(
    private readonly dir: string,
    jobKey: string,
  ) {
    this.file = join(dir, progressFileName(jobKey));
  }

  /** Progress of an earlier run of this job for these recipients, or a fresh start. */
  async load(dialStrings: string[]): Promise<JobProgress> {
    const fresh: JobProgress = {
      recipients: dialStrings.map((dialString) => ({ dialString, delivered: false, pagesConfirmed: 0 })),
    };
    let saved: JobProgress;
    try {
      saved = JSON.parse(await readFile(this.file, 'utf8')) as JobProgress;
    } catch {
      return fresh;
    }
    // The recipients changed (e.g. `lp -i JOB -t …`): keep what matches by dial string and order.
    if (Number.isInteger(saved.runs) && (saved.runs ?? 0) > 0) fresh.runs = saved.runs;
    if (Number.isFinite(saved.firstRunAt)) fresh.firstRunAt = saved.firstRunAt;
    for (const r of fresh.recipients) {
      const old = saved.recipients?.find((s) => s.dialString === r.dialString);
      if (old && typeof old.pagesConfirmed === 'number') {
        r.delivered = old.delivered === true;
        r.pagesConfirmed = Math.max(0, Math.floor(old.pagesConfirmed));
      }
    }
    return fresh;
  }

  async save(progress: JobProgress): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(progress));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
