// @ts-check
/**
 * `npm run test:matrix [-- 16 18]`: runs the database suites once per PostgreSQL major, sequentially, with
 * PG_MAJOR set (default: 14 15 16 17 18), prints a summary per major and exits non-zero if any failed.
 *
 * Which test files are database suites: every `test/**\/*.test.ts` file that
 *   - imports the harness API `test/support/postgres` (found by reading its import specifiers), or
 *   - is named `*.db.test.ts` (the opt-in for a suite that reaches the database only through a helper).
 * Everything else does not depend on the server version and runs once, in `npm test`.
 *
 * A database suite whose behaviour does not depend on the server's version either may say so with a line
 * `@matrix once: <why>` in its text; it then runs once, in `npm test` (PostgreSQL 18), and the matrix prints it with
 * its reason. Each such line must say which other suite covers its database side on every major.
 *
 * The runs carry PG_MATRIX_RUN=true (test/support/matrix.ts), so that a suite can leave out the parts of it that
 * depend on no server version, as the fault-injection suite leaves out Secrets Manager's faults.
 *
 * The matrix always uses local clusters: PG_TEST_URL would pin every run to one server, so it is refused.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL_MAJORS = ['14', '15', '16', '17', '18'];
const HARNESS_IMPORT = /\bfrom\s+['"][^'"]*\/support\/postgres(?:\.js)?['"]/;
// The reason runs to the end of its comment paragraph (a blank comment line or the comment's end).
const ONCE = /@matrix once: ([\s\S]+?)(?:\n\s*\*?\s*\n|\*\/)/;

/** @returns {Promise<{ suites: string[], once: { file: string, why: string }[] }>} database suites, relative to the repository root */
async function findDatabaseSuites() {
  const entries = await readdir(path.join(ROOT, 'test'), { recursive: true });
  const suites = [];
  const once = [];
  for (const entry of entries.sort()) {
    if (!entry.endsWith('.test.ts')) continue;
    const file = path.join('test', entry);
    const text = await readFile(path.join(ROOT, file), 'utf8');
    if (!entry.endsWith('.db.test.ts') && !HARNESS_IMPORT.test(text)) continue;
    const why = ONCE.exec(text)?.[1];
    if (why === undefined) suites.push(file);
    else once.push({ file, why: why.replace(/\n\s*\*\s?/g, ' ').trim() });
  }
  return { suites, once };
}

/**
 * @typedef {object} MajorResult
 * @property {string} major
 * @property {number} exitCode vitest's exit code
 * @property {number} seconds
 * @property {number} passed
 * @property {number} failed
 * @property {number} skipped
 * @property {string[]} failures each failed test: its file, name and the first line of its message
 */

/**
 * @param {string} major
 * @param {string[]} suites
 * @returns {Promise<MajorResult>}
 */
async function runMajor(major, suites) {
  const reportDir = await mkdtemp(path.join(tmpdir(), `pg-rotator-matrix-${major}-`));
  const reportFile = path.join(reportDir, 'report.json');
  const startedAt = performance.now();
  console.log(`\n=== PostgreSQL ${major}: ${suites.length} database suite(s) ===`);
  const exitCode = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${reportFile}`,
        ...suites,
      ],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PG_MAJOR: major, PG_MATRIX_RUN: 'true' } },
    );
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const counts = await readCounts(reportFile);
  await rm(reportDir, { recursive: true, force: true });
  return { major, exitCode: /** @type {number} */ (exitCode), seconds, ...counts };
}

/** @param {string} reportFile */
async function readCounts(reportFile) {
  try {
    const report = JSON.parse(await readFile(reportFile, 'utf8'));
    return {
      passed: Number(report.numPassedTests ?? 0),
      failed: Number(report.numFailedTests ?? 0),
      skipped: Number(report.numPendingTests ?? 0) + Number(report.numTodoTests ?? 0),
      failures: failuresOf(report),
    };
  } catch {
    // vitest died before writing its report; the exit code already says the run failed.
    return { passed: 0, failed: 0, skipped: 0, failures: [] };
  }
}

/**
 * The failed tests, for the summary: CI keeps only the end of a long log, and four majors' output pushes a failure
 * of the first one far above it.
 * @param {any} report vitest's JSON report
 */
function failuresOf(report) {
  const failures = [];
  for (const file of report.testResults ?? []) {
    const relative = path.relative(ROOT, String(file.name ?? ''));
    for (const test of file.assertionResults ?? []) {
      if (test.status !== 'failed') continue;
      const message = String(test.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300);
      failures.push(`${relative} > ${test.fullName}: ${message}`);
    }
    // A file that failed outside its tests (a hook, an import) has no failed test to name.
    if (file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed')) {
      failures.push(`${relative}: ${String(file.message ?? 'failed outside its tests').split('\n')[0].slice(0, 300)}`);
    }
  }
  return failures;
}

async function main() {
  const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL_MAJORS;
  const unknown = majors.filter((major) => !ALL_MAJORS.includes(major));
  if (unknown.length > 0) {
    console.error(`usage: npm run test:matrix [-- ${ALL_MAJORS.join(' ')}]; unknown major(s): ${unknown.join(', ')}`);
    return 2;
  }
  if (process.env.PG_TEST_URL) {
    console.error('test:matrix starts local clusters of each major; unset PG_TEST_URL to run it');
    return 2;
  }
  const { suites, once } = await findDatabaseSuites();
  for (const { file, why } of once) console.log(`runs once, in npm test (PostgreSQL 18): ${file}: ${why}`);
  if (suites.length === 0) {
    console.error('no database suites found (test files importing test/support/postgres or named *.db.test.ts)');
    return 1;
  }

  const results = [];
  for (const major of majors) results.push(await runMajor(major, suites));

  console.log('\n=== test:matrix summary ===');
  for (const result of results) {
    const status = result.exitCode === 0 ? 'PASS' : 'FAIL';
    // vitest also exits non-zero for unhandled errors and failed setup, which no test is counted for.
    const note =
      result.exitCode !== 0 && result.failed === 0
        ? `  (vitest exit ${result.exitCode}: errors outside tests, see above)`
        : '';
    console.log(
      `PostgreSQL ${result.major.padEnd(2)}  ${status}  ${String(result.passed).padStart(4)} passed` +
        `  ${String(result.failed).padStart(3)} failed  ${String(result.skipped).padStart(3)} skipped` +
        `  ${result.seconds.toFixed(1).padStart(5)} s${note}`,
    );
    for (const failure of result.failures) console.log(`  failed: ${failure}`);
  }
  return results.every((result) => result.exitCode === 0) ? 0 : 1;
}

process.exitCode = await main();
