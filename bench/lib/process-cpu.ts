// CPU time consumed by a set of processes (Linux /proc): a server and the PostgreSQL backends of
// its cluster. On a machine shared with other work, CPU per request is a steadier measure of
// cost than throughput: it does not change when a neighbour takes a core.
import fs from 'node:fs';
import path from 'node:path';

const TICKS_PER_SECOND = 100;

function statOf(pid: number): { ppid: number; cpuMs: number; exitedChildrenMs: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: fields are counted after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const children = Number(fields[13]) + Number(fields[14]);
    return { ppid: Number(fields[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND, exitedChildrenMs: (children * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The postmaster of the embedded cluster in `dataDir` (first line of postmaster.pid). */
export function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/**
 * CPU milliseconds used so far by `pids` and by every child of `postmaster` (its backends),
 * including the backends that have already exited (the postmaster's reaped children: a pool
 * closing idle connections would otherwise make the figure go down). Without `postmaster`, only `pids`.
 */
export function cpuMsOf(pids: number[], postmaster?: number): number {
  let total = 0;
  for (const pid of pids) total += statOf(pid)?.cpuMs ?? 0;
  if (postmaster !== undefined) for (const ms of postgresCpuMsByKind(postmaster).values()) total += ms;
  return total;
}

/** What a PostgreSQL process is, from its title: `backend` for a client connection, else its role (walwriter, checkpointer, autovacuum worker, …). */
function postgresKindOf(pid: number): string {
  try {
    const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    const m = /^postgres: (.+)$/.exec(title);
    if (!m) return 'postmaster';
    const role = m[1]!.trim();
    // A backend's title is "user database host(port) state".
    return /^\S+ \S+ [\d.:[\]a-f]+\(\d+\)/.test(role) || /^\S+ \S+ \[local\]/.test(role) ? 'backend' : role.replace(/\s+\d+$/, '');
  } catch {
    return 'gone';
  }
}

/**
 * CPU milliseconds so far of each kind of process of the cluster (backends, wal writer,
 * checkpointer, autovacuum, …): where PostgreSQL's share of a request goes besides the
 * statements. Processes that exited are counted under `exited`.
 */
export function postgresCpuMsByKind(postmaster: number): Map<string, number> {
  const out = new Map<string, number>([['exited', statOf(postmaster)?.exitedChildrenMs ?? 0]]);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const s = statOf(pid);
    if (!s || (s.ppid !== postmaster && pid !== postmaster)) continue;
    const kind = postgresKindOf(pid);
    out.set(kind, (out.get(kind) ?? 0) + s.cpuMs);
  }
  return out;
}
