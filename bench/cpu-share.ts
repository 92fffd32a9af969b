import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU (Lambda developer guide, "Configuring
 * Lambda function memory"). 128 MB is then 7.2 % of a core.
 */
export const MB_PER_VCPU = 1769;

/** The share of one core a function of `memoryMb` gets. */
export function cpuFractionOf(memoryMb: number): number {
  return memoryMb / MB_PER_VCPU;
}

/** cgroup v1's CPU controller, where this machine mounts it. */
const CPU_CONTROLLER = '/sys/fs/cgroup/cpu';
/** The kernel's default CFS period; the quota is this share of it. */
const PERIOD_US = 100_000;

/** A CPU quota for the function's processes only: the database and the local endpoints, AWS's side, run unthrottled. */
export interface CpuShare {
  readonly memoryMb: number;
  /** The command that runs `command args` inside the quota from its first instruction (its init included). */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** Removes the group; its processes must have ended. */
  close(): void;
}

/** Whether cgroup v1 CPU quotas can be set here (Linux, root, the cpu controller mounted). */
export function cpuSharesAvailable(): string | undefined {
  if (!existsSync(path.join(CPU_CONTROLLER, 'cpu.cfs_quota_us'))) return `no cgroup v1 cpu controller at ${CPU_CONTROLLER}`;
  if (process.getuid?.() !== 0) return 'setting a CPU quota needs root';
  return undefined;
}

/**
 * A cgroup whose CFS quota is what Lambda gives `memoryMb`: `cpu.cfs_quota_us` = period × memory / 1,769. A process
 * joins it by writing its pid to `cgroup.procs` and then exec'ing the function, so even its start-up runs under the
 * quota, as a Lambda init does.
 */
export function lambdaCpuShare(memoryMb: number): CpuShare {
  const dir = path.join(CPU_CONTROLLER, `pg-rotator-bench-${process.pid}-${memoryMb}mb`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
  writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(PERIOD_US * cpuFractionOf(memoryMb)))));
  return {
    memoryMb,
    wrap: (command, args) => ({ command: '/bin/sh', args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args] }),
    close: () => {
      if (!existsSync(dir)) return;
      const left = readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim();
      if (left !== '') throw new Error(`cgroup ${dir} still holds processes ${left.replaceAll('\n', ', ')}`);
      rmdirSync(dir);
    },
  };
}
