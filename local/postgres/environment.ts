import { z } from 'zod';
import { DEFAULT_MAJOR, isSupportedMajor, SUPPORTED_MAJORS, type PostgresMajor } from './binaries.js';
import { HarnessError } from './errors.js';

// Unset and empty mean the same ("PG_MAJOR= npm test" should not fail on '').
const optionalText = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

const HarnessEnvironmentSchema = z.object({
  PG_MAJOR: optionalText
    .transform((value) => (value === undefined ? DEFAULT_MAJOR : Number(value)))
    .refine((value): value is PostgresMajor => Number.isInteger(value) && isSupportedMajor(value), {
      message: `must be one of ${SUPPORTED_MAJORS.join(', ')}`,
    }),
  PG_TEST_URL: optionalText.refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
    message: 'must be a postgres:// or postgresql:// URL',
  }),
  PG_TEST_CA_FILE: optionalText,
  PG_TEST_CONTAINERS: optionalText
    .refine((value) => value === undefined || value === '0' || value === '1', { message: 'must be 0 or 1' })
    .transform((value) => value === '1'),
  PG_TEST_TMPDIR: optionalText,
});

/**
 * The harness's environment variables:
 * - `PG_MAJOR` (14 to 18, default 18): which PostgreSQL the local clusters run.
 * - `PG_TEST_URL`: a superuser URL of an existing server to use instead of local clusters.
 * - `PG_TEST_CA_FILE`: PEM of the CA that signed that server's certificate (enables its TLS tests).
 * - `PG_TEST_CONTAINERS=1`: use `@testcontainers/postgresql` when a container runtime answers.
 * - `PG_TEST_TMPDIR`: where the clusters' temporary directories go (default /dev/shm or the OS temp dir).
 */
export type HarnessEnvironment = z.infer<typeof HarnessEnvironmentSchema>;

/**
 * Reads and checks the harness's environment once. Errors name the variable and never echo its value,
 * because PG_TEST_URL carries a password.
 *
 * @example
 * const { PG_MAJOR } = readHarnessEnvironment(process.env); // 18 when unset
 */
export function readHarnessEnvironment(env: NodeJS.ProcessEnv = process.env): HarnessEnvironment {
  const result = HarnessEnvironmentSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new HarnessError('INVALID_ENVIRONMENT', problems.join('; '));
}
