import { readFileSync } from 'node:fs';
import { envNameToKey } from '../src/config/config.loader.js';
import { GopherMqConfig } from '../src/config/gophermq-config.js';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { TestBroker } from './support/test-broker.js';

/** The README's tables must say what the code does: every setting and every broker metric. */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the README's markdown tables, as their cells with the backticks removed. */
const rows = readme
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim().replaceAll('`', '')));

function rowFor(firstCell: string): string[] | undefined {
  return rows.find((cells) => cells[0] === firstCell);
}

describe('README', () => {
  describe('configuration table', () => {
    const defaults = new GopherMqConfig() as unknown as Record<string, Record<string, unknown>>;
    const settings = Object.entries(defaults).flatMap(([section, values]) =>
      Object.entries(values).map(([name, value]) => ({ key: `${section}.${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value })),
    );

    it.each(settings)('has $key with its environment variable and default', ({ key, value }) => {
      const row = rowFor(key);
      expect(row).toBeDefined();
      const [, env, defaultCell] = row!;
      expect(envNameToKey(env)).toBe(key);
      expect(defaultCell.split(' ')[0]).toBe(String(value));
    });

    it('lists no setting the code does not have', () => {
      const keys = new Set(settings.map(({ key }) => key));
      const documented = rows.filter((cells) => /^(logger|broker|monitoring|redis)\./.test(cells[0])).map((cells) => cells[0]);
      expect(documented.filter((key) => !keys.has(key))).toEqual([]);
    });
  });

  describe('metrics tables', () => {
    it('list exactly the gophermq_ series the broker exports', async () => {
      await TestBroker.using({}, async (broker) => {
        const scrape = await MetricsScrape.of(broker.get(MetricsServer).url);
        const exported = scrape.families().filter((name) => name.startsWith('gophermq_')).sort();
        const documented = rows.map((cells) => cells[0]).filter((name) => name.startsWith('gophermq_')).sort();
        expect(documented).toEqual(exported);
      });
    });
  });
});

/** The README's API examples, in order: each `curl` with the answer the `# ` line after it promises (a block may hold several). */
function apiExamples(): Array<{ path: string; body: string; expected: string }> {
  const api = readme.slice(readme.indexOf('## The API'), readme.indexOf('\n## ', readme.indexOf('## The API') + 1));
  const blocks = [...api.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block.replaceAll('\\\n', ' '));
  return blocks.flatMap((block) => {
    const lines = block.split('\n');
    return lines.flatMap((command, i) => {
      const request = /curl -s localhost:8082(\S+) .*-d '([^']*)'/.exec(command);
      const answer = lines[i + 1];
      return request && answer?.startsWith('# ') ? [{ path: request[1], body: request[2], expected: answer.slice(2) }] : [];
    });
  });
}

describe('README API examples', () => {
  it('chain: each answer is the one the README shows, run in order against a fresh broker', async () => {
    const examples = apiExamples();
    expect(examples.map(({ path }) => path)).toEqual([
      ...['/api/subscribe', '/api/publish', '/api/publish/batch', '/api/fetch', '/api/unsubscribe'],
      // Acknowledged delivery, with a subscriber of its own (whose id replaces the first one's).
      ...['/api/subscribe', '/api/publish/batch', '/api/fetch', '/api/ack', '/api/nack', '/api/fetch', '/api/extend'],
    ]);
    await TestBroker.using({}, async (broker) => {
      let shownId = '';
      let realId = '';
      for (const { path, body, expected } of examples) {
        const answer = await broker.post(path, realId ? body.replaceAll(shownId, realId) : body);
        if (path === '/api/subscribe') [shownId, realId] = [JSON.parse(expected).id, answer.body.id];
        expect([path, JSON.stringify(answer.body).replaceAll(realId, shownId)]).toEqual([path, expected]);
      }
    });
  });
});
