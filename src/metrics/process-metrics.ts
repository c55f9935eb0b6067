import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

/**
 * prom-client's Node process metrics (event-loop lag, heap, GC, CPU). They describe the process, not
 * one app, and start observers that are never stopped, so they are collected once per process and
 * shared by every app in it (tests start several).
 */
export function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}
