/** One attempt of one delivery action. Programs are run with argv arrays, never a shell. */
import { execa } from 'execa';
import { chmod, copyFile, link, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReceivedFax } from '../archive/index.js';
import type {
  ActionOutcome,
  DeliveryAction,
  FolderAction,
  HookAction,
  MailAction,
  PrintAction,
} from './actions.js';
import { expandPattern, factsEnvironment, faxSubject, pagesText, senderOf } from './facts.js';
import { buildMail, type MailMessage } from './mime.js';

export const DEFAULT_FOLDER_PATTERN = '%Y-%m-%d_%H%M%S_%r.pdf';
const DEFAULT_HOOK_SECONDS = 60;
/** The PATH a hook gets: it runs with the facts, not with the service's environment. */
const HOOK_PATH = '/usr/local/bin:/usr/bin:/bin';

function message(e: unknown): string {
  const err = e as { shortMessage?: string; stderr?: string; message?: string };
  const stderr =
    typeof err.stderr === 'string' && err.stderr.trim() ? `: ${err.stderr.trim().slice(-300)}` : '';
  return (err.shortMessage ?? err.message ?? String(e)) + stderr;
}

function mailText(fax: ReceivedFax): string {
  const rows: [string, string | null][] = [
    ['From', senderOf(fax)],
    ['Caller ID', fax.callerId],
    ['Subaddress', fax.subaddress],
    ['Received', fax.receivedAt.toString()],
    ['Pages', pagesText(fax.pages)],
    ['Result', fax.failureSentence ?? fax.result],
    ['Rate', fax.bitRate ? `${fax.bitRate} bit/s` : null],
    ['Coding', fax.coding ? `${fax.coding}${fax.ecm ? ', ECM' : ''}` : null],
    ['Resolution', fax.resolution],
  ];
  const lines = rows.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}: ${v}`);
  if (!fax.pdf) lines.push('', 'There is no PDF of this fax; it is kept in the fax archive.');
  return lines.join('\n') + '\n';
}

/** Hands a message to the local MTA: `sendmail -t -oi` (recipients from the To header, a lone dot is text). */
export async function sendMail(mail: MailMessage, sendmail = '/usr/sbin/sendmail'): Promise<void> {
  await execa(sendmail, ['-t', '-oi'], { input: buildMail(mail), timeout: 60_000 });
}

/** Prints a file on a CUPS queue with `lp` (argv only); returns the job's request id. */
export async function printFile(
  queue: string,
  file: string,
  title: string,
  options: { lp?: string; env?: Record<string, string>; user?: string } = {},
): Promise<string | undefined> {
  const user = options.user ? ['-U', options.user] : [];
  const { stdout } = await execa(options.lp ?? 'lp', [...user, '-d', queue, '-t', title, '--', file], {
    env: { ...options.env, LANG: 'C' },
    timeout: 60_000,
  });
  return /request id is (\S+)/.exec(stdout)?.[1];
}

export async function mailFax(fax: ReceivedFax, action: MailAction): Promise<ActionOutcome> {
  try {
    const attachments = fax.pdf
      ? [{ fileName: `fax-${fax.id}.pdf`, contentType: 'application/pdf', data: await readFile(fax.pdf) }]
      : [];
    await sendMail(
      { to: action.to, from: action.from, subject: faxSubject(fax), text: mailText(fax), attachments },
      action.sendmail,
    );
    return { ok: true, done: `mailed to ${action.to.join(', ')}` };
  } catch (e) {
    return { ok: false, kind: 'mail-failed', message: message(e) };
  }
}

/**
 * Copies the PDF under the pattern's name without ever replacing a file: a private temp copy,
 * then a hard link to the first free name (`name`, `name-1`, …), so a reader of the folder never
 * sees half a file.
 */
export async function copyFaxToFolder(fax: ReceivedFax, action: FolderAction): Promise<ActionOutcome> {
  if (!fax.pdf) return { ok: false, kind: 'no-file', message: 'the fax has no PDF to copy' };
  const temp = join(action.dir, `.lpfax-${fax.id}-${process.pid}.part`);
  try {
    const name = expandPattern(action.pattern ?? DEFAULT_FOLDER_PATTERN, fax);
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    await copyFile(fax.pdf, temp);
    await chmod(temp, action.mode ?? 0o600);
    for (let n = 0; ; n++) {
      const target = join(action.dir, n === 0 ? name : `${stem}-${n}${ext}`);
      try {
        await link(temp, target);
        return { ok: true, done: `copied to ${target}` };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 999) throw e;
      }
    }
  } catch (e) {
    return { ok: false, kind: 'folder-failed', message: message(e) };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

export async function printFax(fax: ReceivedFax, action: PrintAction): Promise<ActionOutcome> {
  if (!fax.pdf) return { ok: false, kind: 'no-file', message: 'the fax has no PDF to print' };
  try {
    const job = await printFile(action.queue, fax.pdf, faxSubject(fax), action);
    return { ok: true, done: `printed on ${action.queue}${job ? ` as ${job}` : ''}` };
  } catch (e) {
    return { ok: false, kind: 'print-failed', message: message(e) };
  }
}

export async function runHook(fax: ReceivedFax, action: HookAction): Promise<ActionOutcome> {
  const [program, ...args] = action.command;
  if (!program) return { ok: false, kind: 'hook-failed', message: 'the hook has no program' };
  try {
    await execa(program, args, {
      shell: false,
      extendEnv: false,
      env: { PATH: HOOK_PATH, LANG: 'C.UTF-8', ...factsEnvironment(fax) },
      stdin: 'ignore',
      timeout: (action.timeoutSeconds ?? DEFAULT_HOOK_SECONDS) * 1000,
      killSignal: 'SIGTERM',
      forceKillAfterDelay: 2000,
    });
    return { ok: true, done: `ran ${program}` };
  } catch (e) {
    if ((e as { timedOut?: boolean }).timedOut)
      return {
        ok: false,
        kind: 'hook-timed-out',
        message: `${program} did not finish within ${action.timeoutSeconds ?? DEFAULT_HOOK_SECONDS} s and was killed`,
      };
    return { ok: false, kind: 'hook-failed', message: message(e) };
  }
}

export function runAction(fax: ReceivedFax, action: DeliveryAction): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'mail':
      return mailFax(fax, action);
    case 'folder':
      return copyFaxToFolder(fax, action);
    case 'print':
      return printFax(fax, action);
    case 'hook':
      return runHook(fax, action);
  }
}
