/**
 * Runs the bundled function as a local Lambda worker, as Lambda's Node.js runtime runs it: plain `node` (with the
 * runtime's heap flags, which bench-support.ts passes), no tsx and no TypeScript, the handler's module imported once at
 * start (the init phase), then one invocation per request.
 *
 *   node bench/bundle-worker.mjs <bundle.mjs> [exportName] [marker]
 *
 * The line protocol is local/lambda/worker-protocol.ts's. `marker` is not read: it only makes this process's command
 * line unique, for the bench to find it in /proc (its CPU time and peak RSS).
 */
import { Console } from 'node:console';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [modulePath, exportName = 'handler'] = process.argv.slice(2);
// stdout carries the protocol; the function's log goes to stderr, as Lambda's goes to CloudWatch.
const protocol = process.stdout;
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

const handler = (await import(pathToFileURL(modulePath).href))[exportName];

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  const { event, context } = JSON.parse(line);
  let answer;
  try {
    const remaining = () => Math.max(0, context.deadlineMs - Date.now());
    answer = { result: (await handler(event, { ...context, getRemainingTimeInMillis: remaining })) ?? null };
  } catch (error) {
    // What Lambda's runtime reports: errorType from the error's name.
    answer = { errorType: error instanceof Error ? error.name : 'Error', errorMessage: error instanceof Error ? error.message : String(error) };
  }
  protocol.write(`${JSON.stringify(answer)}\n`);
}
process.exit(0);
