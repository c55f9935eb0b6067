/** Stops the redis-server of redis-global-setup.ts. */
export default async function stopRedis(): Promise<void> {
  await (globalThis as { stopTestRedis?: () => Promise<void> }).stopTestRedis?.();
}
