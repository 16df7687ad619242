// CPU time of the processes under test (Linux /proc), so that a scenario's cost can be read as
// CPU-milliseconds per request: throughput on a shared 2-core machine swings with whatever else
// runs, while the CPU each request costs the server and PostgreSQL does not.
import fs from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of one process in ms, or 0 when it is gone (or not on Linux). */
function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(name));
    } catch {
      // the process ended while listing
    }
  }
  return out;
}

/** The postmaster's pid from its data directory (first line of postmaster.pid). */
export function postmasterPid(pgDataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(`${pgDataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  serverMs: number;
  /** CPU so far of each process of the cluster, by pid. */
  postgres: Map<number, number>;
}

/** CPU used so far by the server process and by each process of the PostgreSQL cluster (postmaster and its children). */
export function sampleCpu(serverPid: number | undefined, postmaster: number | undefined): CpuSample {
  const postgres = new Map<number, number>();
  if (postmaster) {
    for (const pid of [postmaster, ...childrenOf(postmaster)]) postgres.set(pid, processCpuMs(pid));
  }
  return { serverMs: serverPid ? processCpuMs(serverPid) : 0, postgres };
}

/**
 * CPU used between two samples. Per process: an autovacuum worker that ran for minutes and
 * exits in between must not subtract its whole life from the total (a process that ends in
 * between loses only its last moments; one born in between counts whole).
 */
export function cpuBetween(before: CpuSample, after: CpuSample): { serverMs: number; postgresMs: number } {
  let postgresMs = 0;
  for (const [pid, ms] of after.postgres) postgresMs += ms - (before.postgres.get(pid) ?? 0);
  return { serverMs: after.serverMs - before.serverMs, postgresMs };
}

/** CPU-ms per request from the CPU a scenario used. */
export function cpuPerRequest(used: { serverMs: number; postgresMs: number }, requests: number): { serverCpuMsPerRequest: number; postgresCpuMsPerRequest: number } {
  const per = (ms: number) => (requests > 0 ? Math.round((ms / requests) * 1000) / 1000 : 0);
  return { serverCpuMsPerRequest: per(used.serverMs), postgresCpuMsPerRequest: per(used.postgresMs) };
}

/** The 1-minute load average, reported with every figure. */
export function loadAverage(): number {
  try {
    return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return -1;
  }
}
