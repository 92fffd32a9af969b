/**
 * The function's real runtime with one change: its Secrets Manager client's transport stops every call, signed,
 * before it leaves the process, with an error named ReachedSecretsManager. An input that trips it passed every validation on the way;
 * one that does not was refused before any I/O. Nothing else is stubbed: the entry points, the schemas, the error
 * translation, the logger are the deployed code. Every log line is kept for leak checks.
 */
import type { Runtime } from '../../../lambda/runtime';
import { createRuntime } from '../../../lambda/runtime';
import { LOCAL_AWS } from '../../../local/stack';

export const TRIPWIRE = 'ReachedSecretsManager';

export interface TripwireRuntime {
  readonly runtime: Runtime;
  readonly log: string[];
  /** Calls stopped so far. */
  trips(): number;
}

export function tripwireRuntime(env: Readonly<Record<string, string>> = {}): TripwireRuntime {
  const log: string[] = [];
  let trips = 0;
  const tripwire = async (): Promise<never> => {
    trips += 1;
    const error = new Error('stopped by the test before leaving the process');
    error.name = TRIPWIRE;
    throw error;
  };
  // Port 9 (discard) on loopback: were the tripwire ever bypassed, nothing would answer there.
  const runtime = createRuntime(
    { PGSSLMODE: 'verify-full', SECRETS_MANAGER_ENDPOINT: 'http://127.0.0.1:9', ...env },
    { secretsManager: { ...LOCAL_AWS, maxAttempts: 1, transport: tripwire }, writeLog: (line) => log.push(line) },
  );
  return { runtime, log, trips: () => trips };
}
