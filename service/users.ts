/**
 * `lpfax user add NAME [--admin] [--password-stdin] [--replace]`, `lpfax user remove NAME`,
 * `lpfax user list`: the web page's users file (lib/users), at UsersFile in lpfax.conf
 * (LPFAX_USERS stands in for the default). The password is read from the terminal without echo,
 * or as the first line of standard input with --password-stdin; it never appears in argv.
 */
import { statSync } from 'node:fs';
import { loadFaxSettings } from '../lib/config/index.js';
import { UsersError, UsersFile } from '../lib/users/index.js';

export interface UserArgs {
  config?: string;
  action: string;
  name?: string;
  admin?: boolean;
  passwordStdin?: boolean;
  replace?: boolean;
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

/** Asks on the terminal with echo off. */
async function askHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY)
    throw new UsersError('bad-password', 'no terminal to ask for the password: use --password-stdin');
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  let text = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            input.off('data', onData);
            return resolve(text);
          }
          if (ch === '\u0003') {
            input.off('data', onData);
            return reject(new UsersError('bad-password', 'interrupted'));
          }
          if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
          else text += ch;
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
}

/** The owner of the spool: the service user, who must be able to read a users file root makes. */
function serviceOwner(spool: string): { uid: number; gid: number } | undefined {
  try {
    const s = statSync(spool);
    return { uid: s.uid, gid: s.gid };
  } catch {
    return undefined;
  }
}

export async function userCommand(argv: UserArgs): Promise<number> {
  const env = argv.config ? { ...process.env, LPFAX_CONFIG: argv.config } : process.env;
  const loaded = loadFaxSettings({ env });
  if (!loaded.ok) {
    process.stderr.write(`lpfax: ${loaded.error.message}\n`);
    return 78;
  }
  const settings = loaded.value.settings;
  const users = new UsersFile(settings.web.usersFile);
  try {
    switch (argv.action) {
      case 'add': {
        const name = argv.name ?? '';
        let password: string;
        if (argv.passwordStdin) password = await firstLine(process.stdin);
        else {
          password = await askHidden(`Password for ${name}: `);
          if ((await askHidden('Again: ')) !== password)
            throw new UsersError('bad-password', 'the two passwords differ');
        }
        const user = await users.add(name, password, {
          admin: argv.admin,
          replace: argv.replace,
          owner: serviceOwner(settings.service.spoolDir),
        });
        process.stdout.write(
          `${argv.replace ? 'Set' : 'Added'} ${user.admin ? 'admin ' : ''}user ${user.name} in ${users.path}\n`,
        );
        return 0;
      }
      case 'remove':
        users.remove(argv.name ?? '');
        process.stdout.write(`Removed user ${argv.name} from ${users.path}\n`);
        return 0;
      case 'list':
        for (const u of users.list()) process.stdout.write(`${u.name}${u.admin ? '\tadmin' : ''}\n`);
        return 0;
      default:
        process.stderr.write(`lpfax: user ${argv.action}: not add, remove or list\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsersError) {
      process.stderr.write(`lpfax: ${e.message}\n`);
      return e.kind === 'unreadable' ? 1 : 2;
    }
    throw e;
  }
}
