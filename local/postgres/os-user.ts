import { chown } from 'node:fs/promises';
import { HarnessError } from './errors.js';
import { runCommand } from './run-command.js';

/** The operating-system account that owns the data directory and runs initdb and postgres. */
export interface ServerUser {
  readonly username: string;
  readonly uid: number;
  readonly gid: number;
}

/** The account the harness uses when it runs as root; Debian's postgresql package creates the same one. */
export const SERVER_USERNAME = 'postgres';

/**
 * Decides which account runs the server. initdb and postgres refuse to run as root ("cannot be run as
 * root"), so as root the server runs as {@link SERVER_USERNAME}, created with `useradd` when missing.
 * As any other user it returns `undefined`: the server runs as the current user.
 *
 * @example
 * const user = await resolveServerUser(); // { username: 'postgres', uid: 101, gid: 104 } when root
 */
export async function resolveServerUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUpUser(SERVER_USERNAME);
  if (existing) return existing;
  await createSystemUser(SERVER_USERNAME);
  const created = await lookUpUser(SERVER_USERNAME);
  if (!created) {
    throw new HarnessError('OS_USER', `user ${SERVER_USERNAME} still does not exist after useradd`);
  }
  return created;
}

/**
 * Gives a file or directory the harness created to the server user, so the server can use it
 * (postgres also insists that its data directory and private key belong to the account it runs as).
 */
export async function giveToServerUser(file: string, user: ServerUser | undefined): Promise<void> {
  if (user) await chown(file, user.uid, user.gid);
}

async function lookUpUser(username: string): Promise<ServerUser | undefined> {
  // `id` asks NSS, so accounts from LDAP or sssd count too, unlike a parse of /etc/passwd.
  try {
    const [uid, gid] = await Promise.all([
      runCommand('id', ['-u', username]),
      runCommand('id', ['-g', username]),
    ]);
    return { username, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

async function createSystemUser(username: string): Promise<void> {
  const groupExists = await runCommand('getent', ['group', username]).then(
    () => true,
    () => false,
  );
  const groupArgs = groupExists ? ['--gid', username] : ['--user-group'];
  try {
    const accountArgs = ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin'];
    await runCommand('useradd', [...accountArgs, ...groupArgs, username]);
  } catch (cause) {
    // Another test run may have created it in the meantime; the caller looks the user up again.
    if (await lookUpUser(username)) return;
    throw new HarnessError(
      'OS_USER',
      `running as root, and could not create the system user ${username} that postgres must run as ` +
        `(create it by hand, or run the tests as a non-root user)`,
      { cause },
    );
  }
}
