import { open, stat } from 'node:fs/promises';
import { HarnessError } from './errors.js';
import { lastLines } from './run-command.js';

/** A position in a server log: what was logged before it is not returned by {@link readLogSince}. */
export interface LogMark {
  readonly logFile: string;
  readonly offset: number;
}

/**
 * Marks the current end of a server log. postgres writes a statement's log line before it executes the
 * statement (`log_statement`), so a line for anything a test awaited is in the file when the call returns.
 *
 * @example
 * const mark = await markLog(server.logFile);
 * await client.query('select 1');
 * (await readLogSince(mark)).includes('select 1'); // true
 */
export async function markLog(logFile: string): Promise<LogMark> {
  try {
    return { logFile, offset: (await stat(logFile)).size };
  } catch (cause) {
    throw new HarnessError('LOG_UNAVAILABLE', `cannot read the server log ${logFile}`, { cause });
  }
}

/** What the server logged after `mark`, as UTF-8 text. Other tests' lines are included: filter by name. */
export async function readLogSince(mark: LogMark): Promise<string> {
  return readLogRange(mark.logFile, mark.offset);
}

/** The last `lines` lines of a server log, or '' if it cannot be read; for error messages. */
export async function readLogTail(logFile: string, lines = 20): Promise<string> {
  try {
    return lastLines(await readLogRange(logFile, 0), lines);
  } catch {
    return '';
  }
}

async function readLogRange(logFile: string, offset: number): Promise<string> {
  let handle;
  try {
    handle = await open(logFile, 'r');
  } catch (cause) {
    throw new HarnessError('LOG_UNAVAILABLE', `cannot read the server log ${logFile}`, { cause });
  }
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, size - offset);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
