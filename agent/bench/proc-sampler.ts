import { readFileSync, readdirSync } from 'node:fs';

/**
 * Samples a process tree through /proc while it runs: the root's own peak RSS (VmHWM, kept by the
 * kernel, so a 50 ms poll loses nothing but the last 50 ms before exit) and CPU time, the same for
 * every descendant (grouped by command name: the dump tool, zstd, …), and the CPU the database
 * server spent meanwhile. Descendants are found by scanning /proc for parent pids (this kernel has
 * no /proc/<pid>/task/<tid>/children).
 */

/** USER_HZ: /proc reports CPU times in clock ticks of 10 ms on Linux. */
const msPerTick = 10;
const sampleEveryMs = 50;
/** A full /proc scan for new descendants every tick for the first seconds, then every 4th tick. */
const eagerScanMs = 3000;

export interface ProcStat {
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime, in ms. */
  readonly cpuMs: number;
  /** cutime + cstime (reaped children), in ms. */
  readonly childCpuMs: number;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid = field 4, utime..cstime = fields 14..17.
  const n = (field: number): number => Number(fields[field - 3]);
  return {
    comm: text.slice(open + 1, close),
    ppid: n(4),
    cpuMs: (n(14) + n(15)) * msPerTick,
    childCpuMs: (n(16) + n(17)) * msPerTick,
  };
}

/** Peak (VmHWM) and current (VmRSS) resident set size in kB, or undefined when the process is gone. */
function readRssKb(pid: number): { peak: number; now: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const peak = /VmHWM:\s+(\d+) kB/.exec(status);
    const now = /VmRSS:\s+(\d+) kB/.exec(status);
    return peak && now ? { peak: Number(peak[1]), now: Number(now[1]) } : undefined;
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
    .map(Number);
}

/** Busy and total jiffies of all CPUs since boot (/proc/stat). */
export function readSystemCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Waits until the machine is quiet (other work below `maxBusy` of all CPUs over a 500 ms window),
 * at most `timeoutMs`; returns the busy share of the last window. Other jobs on a shared machine
 * would otherwise take the CPU the measured commands need.
 */
export async function waitForQuiet(maxBusy = 0.15, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = readSystemCpu();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = readSystemCpu();
    const busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busy <= maxBusy || Date.now() >= deadline) return busy;
  }
}

/** The CPU time (ms) of this process's reaped children: grows by a child's whole tree when it is waited for. */
export function reapedChildrenCpuMs(): number {
  return readStat(process.pid)?.childCpuMs ?? 0;
}

export interface ProcessGroupUsage {
  /** Command name as in /proc/<pid>/comm (e.g. `mariadb-dump`, `zstd`, `pg_dump`). */
  readonly comm: string;
  readonly processes: number;
  /** Largest VmHWM of one of these processes, in kB. */
  readonly peakRssKb: number;
  readonly cpuMs: number;
  /** When one of them was first seen, in ms since sampling started. */
  readonly firstSeenMs: number;
}

export interface TreeUsage {
  /** The root's own peak RSS (VmHWM) in kB: not including its children. */
  readonly rootPeakRssKb: number;
  /** The root's own CPU time (user + system) in ms, as last sampled. */
  readonly rootCpuMs: number;
  readonly descendants: readonly ProcessGroupUsage[];
  /**
   * CPU time the database server processes used while the tree ran, in ms: the growth of each
   * server process's CPU, plus what server processes that ended meanwhile used (PostgreSQL
   * backends: counted through the postmaster's reaped-children time).
   */
  readonly serverCpuMs: number;
  /** CPU time of the bench process itself (the sampler) meanwhile, in ms. */
  readonly benchCpuMs: number;
  /** CPU time of the side processes (the S3 server) meanwhile, in ms; 0 when there are none. */
  readonly sideCpuMs: number;
  /** The root's resident set size over time: [ms since start, kB]. */
  readonly rootRssTimeline: readonly (readonly [number, number])[];
  /** Share of all CPUs busy while the tree ran (0..1), machine-wide. */
  readonly systemBusy: number;
  /** CPU time all processes on the machine used while the tree ran, in ms. */
  readonly systemBusyMs: number;
  readonly samples: number;
}

interface Tracked {
  comm: string;
  firstCpuMs: number;
  lastCpuMs: number;
  peakRssKb: number;
  firstSeenMs: number;
}

interface TrackedServer {
  comm: string;
  /** Existed when sampling started (else it started during the run). */
  atStart: boolean;
  firstCpuMs: number;
  lastCpuMs: number;
  firstChildCpuMs: number;
  lastChildCpuMs: number;
  /** Its stat could be read at the last tick. */
  alive: boolean;
}

export class ProcSampler {
  readonly #root: number;
  readonly #serverComms: ReadonlySet<string>;
  readonly #descendants = new Map<number, Tracked>();
  readonly #server = new Map<number, TrackedServer>();
  readonly #benchCpuStart = process.cpuUsage();
  readonly #rootRssTimeline: [number, number][] = [];
  readonly #started = performance.now();
  readonly #systemStart = readSystemCpu();
  readonly #timer: NodeJS.Timeout;
  /** Side processes (not in the tree, not the database: the S3 server) and their CPU at the start. */
  readonly #sideStart: ReadonlyMap<number, number>;
  #rootPeakRssKb = 0;
  #rootCpuMs = 0;
  #ticks = 0;

  /**
   * Starts sampling `root`; `serverComms` name the database server's processes (e.g. `mariadbd`);
   * `sidePids` are other long-lived processes the run makes work (the S3 server), counted apart.
   */
  constructor(root: number, serverComms: readonly string[], sidePids: readonly number[] = []) {
    this.#root = root;
    this.#serverComms = new Set(serverComms);
    this.#sideStart = new Map(sidePids.map((pid) => [pid, readStat(pid)?.cpuMs ?? 0]));
    this.#scan(true);
    this.#timer = setInterval(() => this.#tick(), sampleEveryMs);
  }

  #tick(): void {
    this.#ticks++;
    const elapsed = performance.now() - this.#started;
    if (elapsed < eagerScanMs || this.#ticks % 4 === 0) this.#scan(false);
    const stat = readStat(this.#root);
    if (stat) this.#rootCpuMs = stat.cpuMs;
    const rss = readRssKb(this.#root);
    if (rss !== undefined) {
      this.#rootPeakRssKb = Math.max(this.#rootPeakRssKb, rss.peak);
      this.#rootRssTimeline.push([Math.round(elapsed), rss.now]);
    }
    for (const [pid, tracked] of this.#descendants) {
      const childStat = readStat(pid);
      if (childStat && childStat.comm === tracked.comm) tracked.lastCpuMs = childStat.cpuMs;
      const childRss = readRssKb(pid);
      if (childRss !== undefined) tracked.peakRssKb = Math.max(tracked.peakRssKb, childRss.peak);
    }
    for (const [pid, tracked] of this.#server) {
      const serverStat = readStat(pid);
      tracked.alive = serverStat !== undefined && serverStat.comm === tracked.comm;
      if (serverStat && tracked.alive) {
        tracked.lastCpuMs = serverStat.cpuMs;
        tracked.lastChildCpuMs = serverStat.childCpuMs;
      }
    }
  }

  /** Finds descendants of the root (and server processes) that are not tracked yet. */
  #scan(initial: boolean): void {
    const elapsed = performance.now() - this.#started;
    const parents = new Map<number, { ppid: number; stat: ProcStat }>();
    for (const pid of allPids()) {
      const stat = readStat(pid);
      if (stat) parents.set(pid, { ppid: stat.ppid, stat });
    }
    const isDescendant = (pid: number): boolean => {
      for (let current = parents.get(pid)?.ppid, depth = 0; current && depth < 32; depth++) {
        if (current === this.#root) return true;
        current = parents.get(current)?.ppid;
      }
      return false;
    };
    for (const [pid, { stat }] of parents) {
      if (this.#serverComms.has(stat.comm)) {
        if (!this.#server.has(pid)) {
          // A server process that exists at the start counts from its current CPU time; new ones from 0.
          this.#server.set(pid, {
            comm: stat.comm,
            atStart: initial,
            firstCpuMs: initial ? stat.cpuMs : 0,
            lastCpuMs: stat.cpuMs,
            firstChildCpuMs: stat.childCpuMs,
            lastChildCpuMs: stat.childCpuMs,
            alive: true,
          });
        }
      } else if (!this.#descendants.has(pid) && isDescendant(pid)) {
        this.#descendants.set(pid, {
          comm: stat.comm,
          firstCpuMs: 0,
          lastCpuMs: stat.cpuMs,
          peakRssKb: readRssKb(pid)?.peak ?? 0,
          firstSeenMs: elapsed,
        });
      }
    }
  }

  /** Stops sampling (call when the root has exited) and summarizes. */
  stop(): TreeUsage {
    clearInterval(this.#timer);
    this.#tick();
    const systemEnd = readSystemCpu();
    const groups = new Map<string, ProcessGroupUsage>();
    for (const tracked of this.#descendants.values()) {
      const group = groups.get(tracked.comm);
      groups.set(tracked.comm, {
        comm: tracked.comm,
        processes: (group?.processes ?? 0) + 1,
        peakRssKb: Math.max(group?.peakRssKb ?? 0, tracked.peakRssKb),
        cpuMs: (group?.cpuMs ?? 0) + tracked.lastCpuMs - tracked.firstCpuMs,
        firstSeenMs: Math.min(group?.firstSeenMs ?? Infinity, tracked.firstSeenMs),
      });
    }
    // Processes that started and ended during the run were reaped by a server process that existed
    // at the start (the postmaster): their CPU is in its reaped-children time, so count them there.
    let serverCpuMs = 0;
    for (const tracked of this.#server.values()) {
      if (tracked.atStart) {
        serverCpuMs +=
          tracked.lastCpuMs - tracked.firstCpuMs + tracked.lastChildCpuMs - tracked.firstChildCpuMs;
      } else if (tracked.alive) {
        serverCpuMs += tracked.lastCpuMs;
      }
    }
    const bench = process.cpuUsage(this.#benchCpuStart);
    let sideCpuMs = 0;
    for (const [pid, startCpuMs] of this.#sideStart) {
      const stat = readStat(pid);
      if (stat) sideCpuMs += stat.cpuMs - startCpuMs;
    }
    const total = systemEnd.total - this.#systemStart.total;
    return {
      rootPeakRssKb: this.#rootPeakRssKb,
      rootCpuMs: this.#rootCpuMs,
      descendants: [...groups.values()].sort((a, b) => b.cpuMs - a.cpuMs),
      serverCpuMs,
      benchCpuMs: (bench.user + bench.system) / 1000,
      sideCpuMs,
      rootRssTimeline: this.#rootRssTimeline,
      systemBusy: total > 0 ? (systemEnd.busy - this.#systemStart.busy) / total : 0,
      systemBusyMs: (systemEnd.busy - this.#systemStart.busy) * msPerTick,
      samples: this.#ticks,
    };
  }
}
