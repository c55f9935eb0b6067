import { scriptOf, type RedisClient, type ScriptCall, type ScriptName } from './redis-client.js';

/** Runs a script by name: its keys, then its arguments (redis-client.ts defines them on the client). */
export type RunScript = (name: ScriptName, ...keysAndArgs: Array<string | number>) => Promise<unknown>;

/** One bound call per script, made on first use. */
export function scriptRunner(client: RedisClient): RunScript {
  const scripts = new Map<ScriptName, ScriptCall>();
  return (name, ...keysAndArgs) => {
    let script = scripts.get(name);
    if (!script) scripts.set(name, (script = scriptOf(client, name)));
    return script(...keysAndArgs);
  };
}
