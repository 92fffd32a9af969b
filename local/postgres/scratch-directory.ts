import { access, constants, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** A RAM-backed directory present on almost every Linux machine. */
const SHARED_MEMORY_DIR = '/dev/shm';
/** Four clusters take about 200 MB; Docker's default 64 MB /dev/shm is too small and is skipped. */
const MINIMUM_FREE_BYTES = 1024 * 1024 * 1024;

/**
 * Where clusters keep their temporary directories: `preferred` when given (PG_TEST_TMPDIR), else /dev/shm
 * when it is a roomy tmpfs, else `os.tmpdir()`. Measured here, copying a fresh data directory takes
 * about 0.1 s on tmpfs against 0.3 to 0.8 s on the ext4 disk under a parallel build, and initdb gains too.
 *
 * @example
 * await chooseScratchRoot(undefined); // '/dev/shm' on a typical Linux host
 */
export async function chooseScratchRoot(preferred: string | undefined): Promise<string> {
  if (preferred) return preferred;
  try {
    await access(SHARED_MEMORY_DIR, constants.W_OK | constants.X_OK);
    const stats = await statfs(SHARED_MEMORY_DIR);
    if (stats.bavail * stats.bsize >= MINIMUM_FREE_BYTES) return SHARED_MEMORY_DIR;
  } catch {
    // No /dev/shm (not Linux, or a sandbox without it): use the ordinary temporary directory.
  }
  return tmpdir();
}
