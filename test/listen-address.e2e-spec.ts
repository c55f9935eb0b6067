import { BrokerProcess } from './support/broker-process.js';

afterEach(() => BrokerProcess.killAll());

/**
 * The start-up log says what was bound, not where it might be reached: with broker.host 0.0.0.0 an
 * operator reading "listening on http://127.0.0.1:…" would think the broker is on loopback only.
 */
describe('the start-up log names the address bound', () => {
  it.each(['0.0.0.0', '127.0.0.1'])('broker.host %s: the API and /metrics lines name it, with the scheme', async (host) => {
    const broker = await BrokerProcess.start({ BROKER_HOST: host });
    try {
      const api = await broker.log('GopherMQ broker listening');
      expect(api.msg).toBe(`GopherMQ broker listening on http://${host}:${broker.port}`);
      expect(api).toMatchObject({ address: host, port: broker.port, url: `http://${host}:${broker.port}` });
      const metrics = await broker.log('metrics on ');
      expect(metrics.msg).toMatch(new RegExp(`^metrics on http://${host.replaceAll('.', '\\.')}:\\d+/metrics$`));
      // Fastify's own lines (one per interface for 0.0.0.0) say where it can be reached, not that it listens there.
      const listening = broker.logs.filter((entry) => /listening/i.test(entry.msg));
      expect(listening.map((entry) => entry.msg)).toEqual([api.msg]);
    } finally {
      broker.child.kill('SIGTERM');
    }
    expect(await broker.exited).toBe(0);
  });
});
