import { readFileSync } from 'node:fs';

/**
 * CPU accounting from /proc, to tell the server's own cost per request from the machine's noise: the bench
 * shares 2 cores with whatever else runs (other test suites), so each throughput round also says how much CPU
 * the rest of the machine took meanwhile, and what Postgres (the server's own backends) and Redis spent.
 */
const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU time (user + system) of one process so far, ms; NaN when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "(comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

const sumCpu = (pids: readonly number[]) =>
  pids.map(processCpuMs).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);

/** CPU time of the whole machine so far (all cores), ms: processes (user, system) and interrupts apart. */
export function machineCpuMs(): { processes: number; interrupts: number } {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = first.trim().split(/\s+/).map(Number);
  return {
    processes: ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (steal ?? 0)) * TICK_MS,
    interrupts: ((irq ?? 0) + (softirq ?? 0)) * TICK_MS,
  };
}

export interface CpuWindow {
  /** CPU ms of the server under test during the window. */
  serverMs: number;
  /** CPU ms of the server's Postgres backends. */
  postgresMs: number;
  /** CPU ms of redis-server (shared with anything else using it). */
  redisMs: number;
  /** CPU ms of every other process (not the above, not the load generator, not this one). */
  othersMs: number;
  /** Interrupt time (mostly loopback networking softirq), ms. */
  interruptsMs: number;
  wallMs: number;
}

export interface Watched {
  server: number;
  postgres?: readonly number[];
  redis?: number;
}

/** Start measuring; `end(loadGenMs)` closes the window given the load generator's own CPU time. */
export function cpuWindow(watched: Watched): { end(loadGenMs: number): CpuWindow } {
  const pg = watched.postgres ?? [];
  const redis = watched.redis ? [watched.redis] : [];
  const t0 = performance.now();
  const machine0 = machineCpuMs();
  const server0 = processCpuMs(watched.server);
  const pg0 = sumCpu(pg);
  const redis0 = sumCpu(redis);
  const self0 = process.cpuUsage();
  return {
    end(loadGenMs) {
      const self = process.cpuUsage(self0);
      const serverMs = processCpuMs(watched.server) - server0;
      const postgresMs = sumCpu(pg) - pg0;
      const redisMs = sumCpu(redis) - redis0;
      const machine = machineCpuMs();
      const known = serverMs + postgresMs + redisMs + loadGenMs + (self.user + self.system) / 1000;
      return {
        serverMs,
        postgresMs,
        redisMs,
        othersMs: Math.max(0, machine.processes - machine0.processes - known),
        interruptsMs: machine.interrupts - machine0.interrupts,
        wallMs: performance.now() - t0,
      };
    },
  };
}
