import { readFile } from 'node:fs/promises';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { InvalidInputError, PgRotatorError } from '../lambda/errors';
import type { Response } from '../lambda/requests/envelope';
import { errorInfo } from '../lambda/requests/error-info';
import type { OrchestratorRequestInput } from '../lambda/requests/orchestrator-request';
import { InvocationError } from './client-errors';
import type { CliCommand } from './cli-args';
import { parseCli, USAGE } from './cli-args';
import { createPgRotatorClient } from './pg-rotator-client';
import { statusTable } from './status-table';

/** Where the CLI reads and writes; the real process's by default, a test's in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readStdin: () => Promise<string>;
  /** Replaces the Lambda client the CLI would build from --region and --endpoint-url. */
  readonly lambda?: Pick<LambdaClient, 'send'>;
}

/**
 * Exit statuses of the CLI. `findings` and `incomplete` are the status command's: a secret is stuck or overdue (a
 * secret with rotation turned off alone is not, since that may be intended), or the listing stopped before the end
 * and what it saw is healthy, so health cannot be asserted.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, invocation: 3, findings: 4, incomplete: 5 } as const;

/**
 * The `pg-rotator` command: parses arguments, sends one request through the typed client and prints the response
 * envelope as JSON, or the status table. Returns the exit status: 0 ok, 1 the function answered ok:false, 2 usage
 * or validation error (printed as an envelope-shaped error), 3 the invocation failed, 4 and 5 (status) see
 * {@link EXIT}.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCli(argv, io.env);
  } catch (error) {
    return failLocally(io, error, EXIT.usage);
  }
  if (command.kind === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  const { options } = command;
  const client = createPgRotatorClient({
    functionName: options.functionName as string,
    ...(io.lambda ? { lambda: io.lambda } : {}),
    lambdaConfig: { ...(options.region ? { region: options.region } : {}), ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}) },
    ...(options.caller ? { caller: options.caller } : {}),
  });
  try {
    const request = command.kind === 'request' ? command.request : await readRequest(command.file, io, options.dryRun);
    const response = await client.send(request as OrchestratorRequestInput);
    if (command.kind === 'request' && command.view === 'status-table' && response.kind === 'status' && response.result !== null) {
      io.stdout(statusTable(response.result));
    } else {
      io.stdout(`${JSON.stringify(response, null, 2)}\n`);
    }
    return exitStatus(response);
  } catch (error) {
    return failLocally(io, error, error instanceof InvocationError || !(error instanceof PgRotatorError) ? EXIT.invocation : EXIT.usage);
  }
}

function exitStatus(response: Response): number {
  if (!response.ok) return EXIT.failed;
  if (response.kind !== 'status' || response.result === null) return EXIT.ok;
  const { counts, complete } = response.result;
  if (counts.stuck > 0 || counts.overdue > 0) return EXIT.findings;
  return complete ? EXIT.ok : EXIT.incomplete;
}

async function readRequest(file: string, io: CliIo, dryRun: boolean): Promise<Record<string, unknown>> {
  const text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    throw new InvalidInputError('--file', 'does not hold valid JSON');
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidInputError('--file', 'must hold a JSON object');
  }
  // --dry-run applies to a request read from a file too: the safe way to preview a rollback before sending it.
  return dryRun && (request as Record<string, unknown>).kind === 'action' ? { ...request, dryRun: true } : (request as Record<string, unknown>);
}

function failLocally(io: CliIo, error: unknown, status: number): number {
  const info = errorInfo(error);
  io.stdout(`${JSON.stringify({ ok: false, error: info }, null, 2)}\n`);
  io.stderr(`pg-rotator: ${info.code}: ${info.message}${status === EXIT.usage ? ' (see --help)' : ''}\n`);
  return status;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
