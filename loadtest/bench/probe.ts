/**
 * Preloaded (`node --import`) into every server the benchmark starts, the broker and the baseline
 * alike: answers IPC requests with the process's memory and CPU figures, so the benchmark measures
 * the server from inside without changing its code. `gc: true` collects first (needs --expose-gc).
 */
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
  cpuUserUs: number;
  cpuSystemUs: number;
  /** False when `gc: true` was asked for but the process lacks --expose-gc. */
  collected: boolean;
  /** Longest and 99th-percentile delay of a 1 ms timer since `resetLoopDelay`: how long a turn of the event loop blocked. NaN before. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

const collect = (globalThis as { gc?: () => void }).gc;
/** Off until asked for, so that the throughput benchmarks do not pay for its timer. */
let loopDelay: IntervalHistogram | undefined;

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
      cpuUserUs: usage.userCPUTime,
      cpuSystemUs: usage.systemCPUTime,
      collected: Boolean(message.gc && collect),
      loopDelayMaxMs: loopDelay ? loopDelay.max / 1e6 : NaN,
      loopDelayP99Ms: loopDelay ? loopDelay.percentile(99) / 1e6 : NaN,
    };
    process.send!(stats);
  });
  // The probe must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
