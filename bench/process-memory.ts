import { readdirSync, readFileSync } from 'node:fs';

/**
 * Peak resident memory (VmHWM, Linux /proc) of the process whose command line contains `marker`, in MiB, while it
 * still runs: what Lambda's "Max Memory Used" reports for the function's environment.
 */
export function peakRssMibOf(marker: string): number | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // The function itself, not the shell that put it in its cgroup (exec keeps the pid) nor a parent naming it.
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kib !== undefined) return Number(kib) / 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}
