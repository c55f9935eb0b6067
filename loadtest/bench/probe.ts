/**
 * Preloaded (`node --import`) into every server the benchmark starts, the broker and the baseline
 * alike: answers IPC requests with the process's memory and CPU figures, so the benchmark measures
 * the server from inside without changing its code. `gc: true` collects first (needs --expose-gc).
 */
export interface ProbeRequest {
  probe: 'stats';
  seq: number;
  gc?: boolean;
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
}

const collect = (globalThis as { gc?: () => void }).gc;

if (process.send) {
  process.on('message', (message: ProbeRequest) => {
    if (message?.probe !== 'stats') return;
    if (message.gc && collect) {
      // Twice: the first pass can leave weakly held and finalizable objects for the second.
      collect();
      collect();
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
    };
    process.send!(stats);
  });
  // The probe must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
