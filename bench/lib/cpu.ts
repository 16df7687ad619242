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
  postgresMs: number;
}

/** CPU used so far by the server process and by the PostgreSQL cluster (postmaster and its children). */
export function sampleCpu(serverPid: number | undefined, postmaster: number | undefined): CpuSample {
  const serverMs = serverPid ? processCpuMs(serverPid) : 0;
  let postgresMs = 0;
  if (postmaster) {
    postgresMs = processCpuMs(postmaster);
    for (const child of childrenOf(postmaster)) postgresMs += processCpuMs(child);
  }
  return { serverMs, postgresMs };
}

/** CPU-ms per request between two samples (backends that exit in between are not counted). */
export function cpuPerRequest(before: CpuSample, after: CpuSample, requests: number): { serverCpuMsPerRequest: number; postgresCpuMsPerRequest: number } {
  const per = (ms: number) => (requests > 0 ? Math.round((ms / requests) * 1000) / 1000 : 0);
  return { serverCpuMsPerRequest: per(after.serverMs - before.serverMs), postgresCpuMsPerRequest: per(after.postgresMs - before.postgresMs) };
}

/** The 1-minute load average, reported with every figure. */
export function loadAverage(): number {
  try {
    return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return -1;
  }
}
