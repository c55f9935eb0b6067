import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually } from '../support/eventually.js';
import { RedisCluster, RedisServer, redisCli } from '../support/redis-server.js';

const run = promisify(execFile);

// The Redis the other suites of this folder start, stop and kill: it must do what they assume.
afterAll(() => RedisServer.killAll());

describe(RedisServer.name, () => {
  it('starts a redis-server of its own that answers, and flush() empties it', async () => {
    const server = await RedisServer.start();
    try {
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(await server.command('SET', 'greeting', 'hello')).toBe('OK');
      expect(await server.command('GET', 'greeting')).toBe('hello');
      await server.flush();
      expect(await server.command('DBSIZE')).toBe('0');
    } finally {
      await server.close();
    }
  });

  it('refuses connections once stopped or killed, and restart() serves again on the same port', async () => {
    const server = await RedisServer.start();
    try {
      await server.stop();
      await expect(redisCli(server.port, 'PING')).rejects.toThrow();
      await server.restart();
      expect(await redisCli(server.port, 'PING')).toBe('PONG');
      await server.kill();
      await expect(redisCli(server.port, 'PING')).rejects.toThrow();
      await server.restart();
      expect(await redisCli(server.port, 'PING')).toBe('PONG');
    } finally {
      await server.close();
    }
  });

  it('answers nothing while paused, and everything it was sent once resumed', async () => {
    const server = await RedisServer.start();
    try {
      server.pause();
      await expect(run('redis-cli', ['-p', String(server.port), 'SET', 'late', 'yes'], { timeout: 500 })).rejects.toThrow();
      server.resume();
      await eventually(async () => (await server.command('GET', 'late')) === 'yes');
    } finally {
      await server.close();
    }
  });

  it('stops even while paused', async () => {
    const server = await RedisServer.start();
    server.pause();
    await server.close();
    await expect(redisCli(server.port, 'PING')).rejects.toThrow();
  });

  it('keeps nothing across a restart without appendOnly (no snapshots)', async () => {
    const server = await RedisServer.start();
    try {
      await server.command('SET', 'kept', 'no');
      await server.restart();
      expect(await server.command('DBSIZE')).toBe('0');
    } finally {
      await server.close();
    }
  });

  it('with appendOnly, keeps every answered write across kill -9', async () => {
    const server = await RedisServer.start({ appendOnly: true });
    try {
      await server.command('SET', 'kept', 'yes');
      await server.kill();
      await server.restart();
      expect(await server.command('GET', 'kept')).toBe('yes');
    } finally {
      await server.close();
    }
  });
});

describe(RedisCluster.name, () => {
  it('is three masters that share the 16384 slots, each accepting writes to its own slots', async () => {
    const cluster = await RedisCluster.start();
    try {
      expect(cluster.nodes).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      for (const server of cluster.servers) {
        expect(await server.command('CLUSTER', 'INFO')).toMatch(/cluster_state:ok[\s\S]*cluster_slots_assigned:16384[\s\S]*cluster_size:3/);
      }
      // Each master accepts a key of its own slots, and redirects (MOVED) the others.
      for (const server of cluster.servers) {
        let written = false;
        for (let i = 0; !written; i += 1) written = (await server.command('SET', `key${i}`, 'x')) === 'OK';
      }
      expect(await Promise.all(cluster.servers.map((server) => server.command('DBSIZE')))).toEqual(['1', '1', '1']);
    } finally {
      await cluster.stop();
    }
  });
});
