import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { MetricsScrape } from '../metrics-scrape.js';
import { redisCli } from '../support/redis-server.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { runRedisUrl, sharedStore } from './shared-store.js';

/** Scripts Redis has run so far (every store call is one, by EVALSHA). */
async function scriptsRun(): Promise<number> {
  const stats = await redisCli(Number(new URL(runRedisUrl()).port), 'INFO', 'commandstats');
  return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((total, [, calls]) => total + Number(calls), 0);
}

describe('the store-wide gauges on the Redis store', () => {
  it('cost Redis one call per monitoring.store-stats-interval-ms, whatever the number of subjects and the scrape rate', async () => {
    await TestBroker.using(sharedStore({ MONITORING_STORE__STATS__INTERVAL__MS: '1000' }), async (broker) => {
      const subjects = Array.from({ length: 1000 }, () => uniqueSubject('gauge'));
      await Promise.all(subjects.map((subject) => broker.subscribe(subject)));
      await Promise.all(subjects.slice(0, 100).map((subject) => broker.publish(subject, 'held')));
      const url = broker.get(MetricsServer).url;

      const scriptsBefore = await scriptsRun();
      const until = Date.now() + 2000;
      let scrapes = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (Date.now() < until) {
            const scrape = await MetricsScrape.of(url);
            expect(scrape.value('gophermq_subscribers')).toBe(1000);
            expect(scrape.value('gophermq_messages_held')).toBe(100);
            scrapes += 1;
          }
        }),
      );
      const scripts = (await scriptsRun()) - scriptsBefore;
      expect(scrapes).toBeGreaterThan(40);
      // Two seconds: about three reads of the figures, plus the store's own sweeps (a few a second).
      expect(scripts).toBeLessThan(20);
      const reads = (await MetricsScrape.of(url)).value('gophermq_store_call_duration_seconds_count', { operation: 'stats' });
      expect(reads).toBeLessThanOrEqual(4);
    });
  });
});
