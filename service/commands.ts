/**
 * `lpfax received`, `lpfax sent`, `lpfax report JOB`: the archive's lists for people (one line
 * each, newest first) or, with --json, as the arrays issue 15 names (lib/archive/json.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FaxArchive, receivedJson, sentJson } from '../lib/archive/index.js';
import { loadFaxSettings } from '../lib/config/index.js';

export interface ArchiveArgs {
  config?: string;
  json?: boolean;
}

/** The archive named by lpfax.conf's SpoolDir; null (after a sentence) when there is none yet. */
function openArchive(argv: ArchiveArgs): FaxArchive | null | number {
  const env = argv.config ? { ...process.env, LPFAX_CONFIG: argv.config } : process.env;
  const loaded = loadFaxSettings({ env });
  if (!loaded.ok) {
    process.stderr.write(`lpfax: ${loaded.error.message}\n`);
    return 78;
  }
  const spool = loaded.value.settings.service.spoolDir;
  // Never create a spool from a listing: only the service does.
  if (!existsSync(join(spool, 'archive.db'))) return null;
  // Root reads as the spool's owner (lp), so that SQLite's -wal and -shm files stay lp's.
  if (process.getuid?.() === 0) {
    const owner = statSync(spool);
    if (owner.uid !== 0) {
      process.setgid!(owner.gid);
      process.setuid!(owner.uid);
    }
  }
  try {
    return new FaxArchive({ spool });
  } catch (e) {
    process.stderr.write(
      `lpfax: cannot read the archive in ${spool}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }
}

/** The caller ID column: number and name, as the modem reported them. */
function caller(f: { callerId: string | null; callerName: string | null }): string {
  if (!f.callerId && !f.callerName) return '-';
  return [f.callerId, f.callerName && `"${f.callerName}"`].filter(Boolean).join(' ');
}

export function listReceived(argv: ArchiveArgs): number {
  const archive = openArchive(argv);
  if (typeof archive === 'number') return archive;
  const faxes = archive ? archive.listReceived({ folder: 'all', limit: 500 }) : [];
  archive?.close();
  if (argv.json) process.stdout.write(`${JSON.stringify(faxes.map(receivedJson), null, 2)}\n`);
  else
    for (const f of faxes)
      process.stdout.write(
        `${f.id}\t${f.receivedAt.toISOString()}\t${f.remoteId ?? '-'}\t${caller(f)}\t${f.pages} page${f.pages === 1 ? '' : 's'}\t${f.result}\t${f.pdf ?? f.tiff ?? '-'}\n`,
      );
  return 0;
}

export function listSent(argv: ArchiveArgs): number {
  const archive = openArchive(argv);
  if (typeof archive === 'number') return archive;
  const jobs = archive ? archive.listSent({ limit: 500 }) : [];
  archive?.close();
  if (argv.json) process.stdout.write(`${JSON.stringify(jobs.map(sentJson), null, 2)}\n`);
  else
    for (const s of jobs)
      process.stdout.write(
        `${s.jobId}\t${s.finishedAt.toISOString()}\t${s.user}\t${s.recipientName ?? '-'}\t${s.number}\t${s.result}\t${s.pagesConfirmed}/${s.pages}\t${s.report ?? '-'}\n`,
      );
  return 0;
}

export function printReport(argv: ArchiveArgs & { job: number }): number {
  const archive = openArchive(argv);
  if (typeof archive === 'number') return archive;
  const sent = archive?.sentByJob(argv.job);
  archive?.close();
  if (!sent?.report) {
    process.stderr.write(`lpfax: job ${argv.job} has no transmission report in the archive.\n`);
    return 1;
  }
  process.stdout.write(`${sent.report}\n`);
  return 0;
}
