/**
 * The CPU time a process has used, read from /proc/<pid>/stat (Linux): the one measure that is the
 * same for every server the peers bench compares, a Node broker, redis-server and nats-server alike
 * (all of a process's threads count; its children do not).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of utime and stime (almost always 100, i.e. 10 ms a tick). */
const TICKS_PER_S = (() => {
  const answer = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return Number.isFinite(answer) && answer > 0 ? answer : 100;
})();

/** The resolution of processCpuUs, in µs: a run should use many of these for its figure to mean anything. */
export const PROC_CPU_RESOLUTION_US = 1e6 / TICKS_PER_S;

/** User + system CPU time of `pid` so far, in µs; throws if there is no such process (or no /proc). */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the line (utime, stime) are the 12th and 13th after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / TICKS_PER_S;
}

/** processCpuUs of several processes, summed. */
export function totalCpuUs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + processCpuUs(pid), 0);
}
