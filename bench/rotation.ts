/**
 * `npm run bench [-- --rotations N] [--aws-reference DIR] [--python PATH] [--sslmode MODE] [--secrets-manager-latency-ms N] [--bundle DIR]`
 * `npm run bench -- --cold [--rounds N] [--aws-reference DIR] [--python PATH] [--memory 128,256,512,1024] [--rss-steps N] [--bundle DIR]`
 *
 * Warm (the default, bench/warm.ts): times full four-step rotations through the local stack (RotateSecret → Lambda
 * Invoke → each step) for each strategy on a throwaway PostgreSQL with TLS, and counts what each rotation costs:
 * Secrets Manager calls, database connections (from the server's own log_connections lines, so retries and failed
 * probes count), and the CPU time of the function's process (Linux /proc). Every function runs as Lambda runs it, in
 * its own warm process: pg-rotator as its esbuild bundle under plain node with the flags Lambda's Node.js runtime
 * passes for its memory size (bench/bundle-worker.mjs, bench-support.ts's lambdaNodeArgs), AWS's as Python.
 *
 * Cold (--cold, bench/cold.ts): what a container's first invocation costs. The code's size, the module load (a fresh
 * process importing the function, against the bare runtime), a full rotation whose first step starts a fresh process
 * (init plus four steps) and the warm one after it, and peak RSS. With --memory (root, cgroup v1), the same rotations
 * under the CPU share Lambda gives each memory size (1,769 MB is one vCPU), in milliseconds and GB-seconds; then the
 * peak RSS of one warm process through --rss-steps steps, with and without --enable-source-maps.
 *
 * With --aws-reference, DIR holds AWS's Python rotation functions (a checkout of
 * aws-samples/aws-secrets-manager-rotation-lambdas); the single-user and multi-user PostgreSQL functions then run
 * through the same stack, against the same server with the same TLS (verify-full; see aws-reference-worker.py for
 * how they find the CA), for the same work, side by side. They need a python3 with boto3 and PyGreSQL (Debian:
 * python3-boto3 python3-pygresql).
 *
 * The local Secrets Manager answers in about a millisecond; --secrets-manager-latency-ms holds every answer to a
 * rotation function back by that much, to show how each function's time grows with its distance to the service
 * (a function that waits on fewer calls in a row grows more slowly).
 *
 * --bundle DIR runs a bundle directory built elsewhere instead of this tree's (rotation.mjs and orchestrator.mjs, as
 * scripts/function-bundle.ts writes them): another commit's, for before and after figures on the same machine.
 */
import { parseArgs } from 'node:util';
import { DEPLOYED_NODE_OPTIONS } from '../infra/constructs/function-environment';
import { runColdBench } from './cold';
import { runWarmBench } from './warm';

const { values: args } = parseArgs({
  options: {
    cold: { type: 'boolean', default: false },
    rotations: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '7' },
    'aws-reference': { type: 'string' },
    python: { type: 'string', default: 'python3' },
    // pg-rotator's PGSSLMODE; verify-full is what a deployment uses, and what AWS's functions do on RDS.
    sslmode: { type: 'string', default: 'verify-full' },
    'secrets-manager-latency-ms': { type: 'string', default: '0' },
    memory: { type: 'string' },
    'rss-steps': { type: 'string', default: '200' },
    bundle: { type: 'string' },
  },
});

if (args.cold) {
  await runColdBench({
    rounds: Number(args.rounds),
    awsReference: args['aws-reference'],
    python: args.python,
    sslmode: args.sslmode,
    memoryMb: args.memory === undefined ? [] : args.memory.split(',').map(Number),
    rssSteps: Number(args['rss-steps']),
    nodeOptions: DEPLOYED_NODE_OPTIONS,
    bundle: args.bundle,
  });
} else {
  await runWarmBench({
    rotations: Number(args.rotations),
    awsReference: args['aws-reference'],
    python: args.python,
    sslmode: args.sslmode,
    secretsManagerLatencyMs: Number(args['secrets-manager-latency-ms']),
    bundle: args.bundle,
  });
}
