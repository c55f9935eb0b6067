/**
 * Preloaded (`node --import`) into every server the benchmark starts, the broker and the baseline
 * alike: answers IPC requests with the process's memory and CPU figures, so the benchmark measures
 * the server from inside without changing its code. `gc: true` collects first (needs --expose-gc).
 */
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
export interface ProbeRequest {
  probe: 'stats';
  seq: number;
  gc?: boolean;
  /** Start (or restart) measuring the event loop's delays: the longest turn from now on. */
  resetLoopDelay?: boolean;
}

export interface ProbeStats {
  probe: 'stats';
  seq: number;
  rssBytes: number;
  /** Peak resident set size since the process started. */
  maxRssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Memory of ArrayBuffers (typed arrays' data), outside the V8 heap: part of externalBytes. */
  arrayBuffersBytes: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  /** False when `gc: true` was asked for but the process lacks --expose-gc. */
  collected: boolean;
  /** Longest and 99th-percentile delay of a 1 ms timer since `resetLoopDelay`: how long a turn of the event loop blocked. NaN before. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  /**
   * The gap between two ticks of a 1 ms interval in which the main thread ran longest, since
   * `resetLoopDelay`: on a shared machine a long delay can be the process waiting for a core
   * (wall time, little CPU); this is the turn the broker itself spent. NaN before.
   */
  busiestTurnCpuMs: number;
  busiestTurnWallMs: number;
}

const collect = (globalThis as { gc?: () => void }).gc;
/** Off until asked for, so that the throughput benchmarks do not pay for its timer. */
let loopDelay: IntervalHistogram | undefined;
let busiest: BusiestTurn | undefined;

/**
 * Ticks every millisecond; keeps the gap between ticks in which the main thread ran longest. On
 * Linux the main thread's own run time comes from /proc/thread-self/schedstat (the process's CPU
 * would count the GC's and the profiler's threads too, which run beside it); elsewhere the
 * process's CPU stands in.
 */
class BusiestTurn {
  cpuMs = 0;
  wallMs = 0;
  private lastWall = performance.now();
  private lastRunMs = mainThreadRunMs();

  constructor() {
    setInterval(() => this.tick(), 1).unref();
  }

  reset(): void {
    this.cpuMs = 0;
    this.wallMs = 0;
    this.lastWall = performance.now();
    this.lastRunMs = mainThreadRunMs();
  }

  private tick(): void {
    const wall = performance.now();
    const runMs = mainThreadRunMs();
    const cpuMs = runMs - this.lastRunMs;
    // Only a gap of a turn or more (past 2 ms) is a turn; shorter ones are the timer's own rhythm.
    if (wall - this.lastWall > 2 && cpuMs > this.cpuMs) {
      this.cpuMs = cpuMs;
      this.wallMs = wall - this.lastWall;
    }
    this.lastWall = wall;
    this.lastRunMs = runMs;
  }
}

let schedstat = existsSync('/proc/thread-self/schedstat');

/** Milliseconds the main thread has run (schedstat's first field is nanoseconds on a CPU). */
function mainThreadRunMs(): number {
  if (schedstat) {
    try {
      return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]) / 1e6;
    } catch {
      schedstat = false;
    }
  }
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

if (process.send) {
  process.on('message', (message: ProbeRequest) => {
    if (message?.probe !== 'stats') return;
    if (message.gc && collect) {
      // Twice: the first pass can leave weakly held and finalizable objects for the second.
      collect();
      collect();
    }
    if (message.resetLoopDelay) {
      loopDelay ??= monitorEventLoopDelay({ resolution: 1 });
      loopDelay.enable();
      loopDelay.reset();
      busiest ??= new BusiestTurn();
      busiest.reset();
    }
    const memory = process.memoryUsage();
    const usage = process.resourceUsage();
    const stats: ProbeStats = {
      probe: 'stats',
      seq: message.seq,
      rssBytes: memory.rss,
      maxRssBytes: usage.maxRSS * 1024,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      arrayBuffersBytes: memory.arrayBuffers,
      cpuUserUs: usage.userCPUTime,
      cpuSystemUs: usage.systemCPUTime,
      collected: Boolean(message.gc && collect),
      loopDelayMaxMs: loopDelay ? loopDelay.max / 1e6 : NaN,
      loopDelayP99Ms: loopDelay ? loopDelay.percentile(99) / 1e6 : NaN,
      busiestTurnCpuMs: busiest ? busiest.cpuMs : NaN,
      busiestTurnWallMs: busiest ? busiest.wallMs : NaN,
    };
    process.send!(stats);
  });
  // The probe must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
