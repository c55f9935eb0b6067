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

      // A fixed number of scrapes, not a time window: on a loaded machine a window held too few.
      const SCRAPES_PER_CLIENT = 25;
      const readsBefore = (await MetricsScrape.of(url)).value('gophermq_store_call_duration_seconds_count', { operation: 'stats' });
      const scriptsBefore = await scriptsRun();
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let scrape = 0; scrape < SCRAPES_PER_CLIENT; scrape++) {
            const figures = await MetricsScrape.of(url);
            expect(figures.value('gophermq_subscribers')).toBe(1000);
            expect(figures.value('gophermq_messages_held')).toBe(100);
          }
        }),
      );
      const elapsedS = (Date.now() - started) / 1000;
      const scripts = (await scriptsRun()) - scriptsBefore;
      const reads = (await MetricsScrape.of(url)).value('gophermq_store_call_duration_seconds_count', { operation: 'stats' }) - readsBefore;
      // One read of the figures per second (the interval) however many scrapes came, and Redis's
      // scripts are those reads plus the store's own sweeps (a few a second), far fewer than the 100 scrapes.
      expect(reads).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
      expect(scripts).toBeLessThan(Math.min(4 * SCRAPES_PER_CLIENT, 10 + 6 * elapsedS));
    });
  });
});
