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
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    // A group of settings inside a section (broker.tls) has a row per member (broker.tls.cert-file).
    const keysOf = (prefix: string, values: Record<string, unknown>): Array<{ key: string; value: unknown }> =>
      Object.entries(values).flatMap(([name, value]) => {
        const key = `${prefix}.${kebab(name)}`;
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? keysOf(key, value as Record<string, unknown>) : [{ key, value }];
      });
    const settings = Object.entries(defaults).flatMap(([section, values]) => keysOf(kebab(section), values));

    it.each(settings)('has $key with its environment variable and default', ({ key, value }) => {
      const row = rowFor(key);
      expect(row).toBeDefined();
      const [, env, defaultCell] = row!;
      // A list setting (auth.tokens) has no variable: its cell says config.yaml only.
      if (env !== '*(config.yaml only)*') expect(envNameToKey(env)).toBe(key);
      expect(defaultCell === '*(empty)*' ? '' : defaultCell.split(' ')[0]).toBe(String(value));
    });

    it('lists no setting the code does not have', () => {
      const keys = new Set(settings.map(({ key }) => key));
      const documented = rows.filter((cells) => /^(logger|broker|monitoring|redis|auth|rate-limit|push)\./.test(cells[0])).map((cells) => cells[0]);
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

/** The README's examples of one section, in order: each `curl` (its bearer token, if any) with the answer the `# ` line after it promises. */
function examplesOf(heading: string): Array<{ path: string; body: string | undefined; expected: string; token?: string }> {
  const start = readme.indexOf(`\n${heading}\n`);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block.replaceAll('\\\n', ' '));
  return blocks.flatMap((block) => {
    const lines = block.split('\n');
    return lines.flatMap((command, i) => {
      // A GET has no -d: its path, quoted or not, and no body.
      const request = /curl -s localhost:8082(\S+) .*-d '([^']*)'/.exec(command) ?? /curl -s '?localhost:8082([^\s']+)'?$/.exec(command);
      const token = /-H 'authorization: Bearer (\S+)'/.exec(command)?.[1];
      const answer = lines[i + 1];
      return request && answer?.startsWith('# ') ? [{ path: request[1], body: request[2], expected: answer.slice(2), token }] : [];
    });
  });
}

/** Runs the examples in order; each subscribe's id, as shown, stands for the one the broker gave. */
async function runExamples(broker: TestBroker, examples: ReturnType<typeof examplesOf>): Promise<void> {
  let shownId = '';
  let realId = '';
  for (const { path, body, expected, token } of examples) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
    const answer = body === undefined ? await get(broker, path, headers) : await broker.post(path, realId ? body.replaceAll(shownId, realId) : body, { headers });
    if (path === '/api/subscribe' && answer.status === 200) [shownId, realId] = [JSON.parse(expected).id, answer.body.id];
    // A publish time cannot be shown as it will be: the README writes <publish time>.
    const shown = JSON.stringify(answer.body)
      .replaceAll(realId || '\0', shownId)
      .replace(/"time":"[^"]*"/g, '"time":"<publish time>"')
      .replace(/"lastActiveAt":"[^"]*"/g, '"lastActiveAt":"<time>"');
    expect([path, shown]).toEqual([path, expected]);
  }
}

async function get(broker: TestBroker, path: string, headers: Record<string, string>) {
  const response = await fetch(broker.url + path, { headers });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('README API examples', () => {
  it('management API: each answer is the one the README shows, run in order against a fresh broker', async () => {
    const examples = examplesOf('## Management API');
    expect(examples.map(({ path }) => path)).toEqual([
      ...['/api/subscribe', '/api/publish/batch', '/api/admin/subjects?prefix=orders.&limit=100', '/api/admin/subjects/orders.created'],
      ...['/api/admin/peek', '/api/admin/purge', '/api/admin/unsubscribe'],
    ]);
    await TestBroker.using({}, (broker) => runExamples(broker, examples));
  });

  it('chain: each answer is the one the README shows, run in order against a fresh broker', async () => {
    const examples = examplesOf('## The API');
    expect(examples.map(({ path }) => path)).toEqual([
      ...['/api/subscribe', '/api/publish', '/api/publish/batch', '/api/fetch', '/api/unsubscribe'],
      // Named subscribers: the same id twice, then 409 for other settings.
      ...['/api/subscribe', '/api/subscribe', '/api/subscribe'],
      // Acknowledged delivery, with a subscriber of its own (whose id replaces the first one's).
      ...['/api/subscribe', '/api/publish/batch', '/api/fetch', '/api/ack', '/api/nack', '/api/fetch', '/api/extend'],
      // Acks carried on the next fetch; the lean answer.
      '/api/fetch',
      ...['/api/publish/batch', '/api/fetch', '/api/fetch'],
    ]);
    await TestBroker.using({}, (broker) => runExamples(broker, examples));
  });

  it('wildcard subscriptions: each answer is the one the README shows, run in order against a fresh broker', async () => {
    const examples = examplesOf('## Wildcard subscriptions');
    expect(examples.map(({ path }) => path)).toEqual([
      ...['/api/subscribe', '/api/publish', '/api/publish', '/api/fetch', '/api/publish'],
      // Replay of retained subjects, with the retained subjects' config.yaml.
      ...['/api/publish', '/api/publish', '/api/publish', '/api/subscribe', '/api/fetch', '/api/subscribe'],
    ]);
    const retention = readme.slice(readme.indexOf('## Retained subjects and replay'));
    const broker = await TestBroker.start({}, /```yaml\n([\s\S]*?)```/.exec(retention)![1]);
    try {
      await runExamples(broker, examples);
    } finally {
      await broker.close();
    }
  });

  it('retained subjects: each answer is the one the README shows, against a broker with its config.yaml example', async () => {
    const heading = '## Retained subjects and replay';
    const section = readme.slice(readme.indexOf(heading));
    const configYaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const examples = examplesOf(heading);
    expect(examples.map(({ path }) => path)).toEqual([
      ...['/api/publish', '/api/publish', '/api/subscribe', '/api/fetch', '/api/subscribe', '/api/fetch', '/api/subscribe', '/api/fetch'],
      '/api/subscribe',
    ]);
    const broker = await TestBroker.start({}, configYaml);
    try {
      await runExamples(broker, examples);
    } finally {
      await broker.close();
    }
  });

  it('access control: each answer is the one the README shows, against a broker with its config.yaml example', async () => {
    const heading = '## Access control and rate limits';
    const section = readme.slice(readme.indexOf(heading));
    const configYaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const examples = examplesOf(heading);
    expect(examples.map(({ path }) => path)).toEqual([
      ...['/api/subscribe', '/api/subscribe', '/api/publish', '/api/publish', '/api/publish/batch', '/api/fetch', '/api/fetch'],
      ...['/api/publish', '/api/publish'],
    ]);
    const broker = await TestBroker.start({}, configYaml);
    try {
      await runExamples(broker, examples);
    } finally {
      await broker.close();
    }
  });

  it('webhook subscriptions: each answer is the one the README shows, against a broker with its config.yaml example', async () => {
    const heading = '## Webhook subscriptions';
    const section = readme.slice(readme.indexOf(heading));
    const configYaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const examples = examplesOf(heading);
    expect(examples.map(({ path }) => path)).toEqual(['/api/subscribe', '/api/subscribe', '/api/subscribe']);
    const broker = await TestBroker.start({}, configYaml);
    try {
      await runExamples(broker, examples);
    } finally {
      await broker.close();
    }
  });
});
