/**
 * Runs a JS/TS module's exported handler as a command worker of the local Lambda endpoint:
 *
 *   tsx local/lambda/worker-main.ts <module> [exportName]      (exportName defaults to `handler`)
 *
 * Reads requests from stdin and writes responses to stdout as `worker-protocol.ts` describes; the handler's
 * console output goes to stderr. Register it with `typescriptWorker()` from `worker-command.ts`.
 */
import { z } from 'zod';
import { loadHandler, redirectConsoleToStderr, runWorker } from './worker-runtime';

const ArgsSchema = z.tuple([z.string().min(1), z.string().min(1).default('handler')]);

const args = ArgsSchema.safeParse(process.argv.slice(2));
if (!args.success) {
  console.error('usage: tsx local/lambda/worker-main.ts <module> [exportName]');
  // EX_USAGE; the endpoint reports the exit as Runtime.ExitError.
  process.exit(64);
}
const [modulePath, exportName] = args.data;
redirectConsoleToStderr();
await runWorker(await loadHandler(modulePath, exportName));
// stdin closed: the endpoint is done with this worker. Exit even if the handler keeps handles open (a warm
// database pool, a timer), as Lambda ends an environment regardless of what it holds.
process.exit(0);
