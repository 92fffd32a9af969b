import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { binaryEnvironment, type PostgresBinaries } from './binaries.js';
import type { CertificateAndKey } from './certificates.js';
import { giveToServerUser, type ServerUser } from './os-user.js';
import { runCommand } from './run-command.js';
import type { SuperuserCredentials } from './server-facts.js';
import type { TlsFiles } from './server-settings.js';

/**
 * Creates a directory only the server user can enter (postgres demands 0700 or 0750 on its data directory,
 * and the Unix socket, log and key files live in these directories too).
 */
export async function makeServerDirectory(dir: string, user: ServerUser | undefined): Promise<void> {
  await mkdir(dir, { mode: 0o700 });
  await giveToServerUser(dir, user);
}

/** What {@link initDataDirectory} creates. */
export interface InitDataDirectoryOptions {
  readonly binaries: PostgresBinaries;
  readonly user: ServerUser | undefined;
  /** Must not exist yet; its parent must belong to the server user. */
  readonly dataDir: string;
  readonly superuser: SuperuserCredentials;
}

/**
 * Runs initdb: C locale (the binaries carry no other locale data), UTF-8, scram-sha-256 for every
 * connection, and the superuser password from a 0600 file that is deleted straight after, so the password
 * never appears in `ps` or in initdb's output. `--no-sync` because the cluster is thrown away.
 *
 * @example
 * await initDataDirectory({ binaries, user, dataDir: '/tmp/run/template', superuser });
 */
export async function initDataDirectory(options: InitDataDirectoryOptions): Promise<void> {
  const { binaries, user, dataDir, superuser } = options;
  const passwordFile = path.join(path.dirname(dataDir), `.pwfile-${path.basename(dataDir)}`);
  await writeFile(passwordFile, `${superuser.password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await giveToServerUser(passwordFile, user);
    await runCommand(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${superuser.username}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      { user, env: binaryEnvironment(binaries) },
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Copies an initialised data directory, keeping owner and modes (`cp -a`). About five times faster than
 * a second initdb, which is why a run initialises one template and copies it for every variant.
 */
export async function copyDataDirectory(source: string, target: string, user: ServerUser | undefined): Promise<void> {
  // Run as the server user so every copied file belongs to it, whether or not the harness runs as root.
  await runCommand('cp', ['-a', source, target], { user });
}

/** Writes pg_hba.conf into a data directory. */
export async function writeHbaFile(dataDir: string, contents: string, user: ServerUser | undefined): Promise<void> {
  const file = path.join(dataDir, 'pg_hba.conf');
  await writeFile(file, contents, { mode: 0o600 });
  await giveToServerUser(file, user);
}

/**
 * Writes a server certificate and key next to the data directory. postgres refuses a key that is not
 * 0600 (or 0640 owned by root) and owned by itself: "private key file has group or world access".
 */
export async function writeTlsFiles(
  dir: string,
  certificate: CertificateAndKey,
  user: ServerUser | undefined,
): Promise<TlsFiles> {
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  await writeFile(certFile, certificate.certPem, { mode: 0o644 });
  await writeFile(keyFile, certificate.keyPem, { mode: 0o600 });
  await Promise.all([giveToServerUser(certFile, user), giveToServerUser(keyFile, user)]);
  return { certFile, keyFile };
}
