import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../../config/gophermq-config.js';
import { SCRIPTS, type ScriptName } from './lua-scripts.js';

export type { ScriptName };

/** One connection to a Redis server, or to a Redis Cluster: the same commands work on both. */
export type RedisClient = Redis | Cluster;

/**
 * A client that never queues or retries a command: while Redis is unreachable a call fails at once,
 * and a call that gets no answer fails after `commandTimeoutMs`, so no request hangs. The client
 * reconnects by itself, backing off up to a second. Commands issued in the same turn of the event
 * loop share one round trip (auto-pipelining), per node on a cluster.
 */
export function createRedisClient(config: RedisConfig): RedisClient {
  const options: RedisOptions = {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: Math.max(config.commandTimeoutMs, 1000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  };
  const client = config.clusterNodes
    ? new Cluster(config.clusterNodes.split(',').map(seed), {
        redisOptions: options,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
      })
    : new Redis(config.url, options);
  defineScripts(client);
  return client;
}

function seed(hostPort: string): { host: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
}

/** Runs a script by EVALSHA (loading it on NOSCRIPT, as after a Redis restart): its keys, then its arguments. */
export type ScriptCall = (...keysAndArgs: Array<string | number>) => Promise<unknown>;

function defineScripts(client: RedisClient): void {
  for (const [name, { lua, numberOfKeys }] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys, lua });
}

export function scriptOf(client: RedisClient, name: ScriptName): ScriptCall {
  return (client as unknown as Record<ScriptName, ScriptCall>)[name].bind(client);
}
