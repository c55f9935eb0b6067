import { RedisCluster, RedisServer } from './redis-server.js';

/**
 * A Redis Cluster of three masters for the tests of the describe block that calls this: started
 * before them, stopped after. Returns how to get it (it exists once the block's tests run).
 */
export function useRedisCluster(): () => RedisCluster {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    RedisServer.killAll();
  });
  return () => cluster!;
}
