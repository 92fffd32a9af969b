import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { CpuShare } from './cpu-share';

/** One process that starts, loads a function's code, and exits. */
export interface LoadSample {
  /** Start to exit, as the parent sees it. */
  readonly wallMs: number;
  /** The process's own CPU time, user and system, up to the end of the load. */
  readonly cpuMs: number;
  readonly peakRssMib: number;
}

/** A runtime start-up to time: the command, and what it loads before reporting. */
export interface LoadCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

// Each process reports its own CPU time and peak RSS on stderr as its last act, so nothing after the load counts.
const NODE_REPORT = 'const r=process.resourceUsage();process.stderr.write(JSON.stringify({cpuMs:(r.userCPUTime+r.systemCPUTime)/1000,rssKib:r.maxRSS}))';
const PYTHON_REPORT =
  'import resource as _r,json as _j,sys as _s;_u=_r.getrusage(_r.RUSAGE_SELF);_s.stderr.write(_j.dumps({"cpuMs":(_u.ru_utime+_u.ru_stime)*1000,"rssKib":_u.ru_maxrss}))';

/** Bare `node -e`, the baseline: the runtime starting with nothing to load, with `nodeArgs` (Lambda's, or none). */
export function bareNode(env?: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): LoadCommand {
  return { command: process.execPath, args: [...nodeArgs, '-e', NODE_REPORT], env };
}

/** Node importing the bundle (an ES module, as Lambda's runtime imports a .mjs handler), and nothing else. */
export function nodeImporting(bundle: string, env?: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): LoadCommand {
  return { command: process.execPath, args: [...nodeArgs, '--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(bundle).href)});${NODE_REPORT}`], env };
}

/** Bare `python3 -c`, the baseline of AWS's functions. */
export function barePython(python: string): LoadCommand {
  return { command: python, args: ['-c', PYTHON_REPORT] };
}

/** Python importing one of AWS's rotation functions (lambda_function.py: boto3, PyGreSQL), as Lambda's init does. */
export function pythonImporting(python: string, functionDir: string): LoadCommand {
  return { command: python, args: ['-c', `import sys;sys.path.insert(0,${JSON.stringify(functionDir)});import lambda_function;${PYTHON_REPORT}`] };
}

/** Runs one load to completion, under `share`'s CPU quota when given. */
export function measureLoad(load: LoadCommand, share?: CpuShare): LoadSample {
  const { command, args } = share?.wrap(load.command, load.args) ?? { command: load.command, args: [...load.args] };
  const started = performance.now();
  const run = spawnSync(command, args, { env: load.env ?? process.env, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  const report = /\{"cpuMs".*\}$/.exec(run.stderr.trim())?.[0];
  if (run.status !== 0 || report === undefined) throw new Error(`${load.command} exited ${run.status}: ${run.stderr.slice(-500)}`);
  const { cpuMs, rssKib } = JSON.parse(report) as { cpuMs: number; rssKib: number };
  return { wallMs, cpuMs, peakRssMib: rssKib / 1024 };
}
