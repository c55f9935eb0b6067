/**
 * Wildcard subscriptions (issue 20): the cost of patterns on a publish, and a `>` subscriber over
 * many subjects. Each compares the broker with itself in the same run, alternating shapes.
 */
import { forEachLimited } from './http-client.js';
import { jsonPost, runLoad, type LoadRun } from './load.js';
import { drain, errorsOf, subscribe, summarize, withServers, type Row, type Scenario, type Subscription } from './scenarios.js';
import { fmt, median } from './stats.js';

const PATTERNS = 10_000;
const SPREAD_SUBJECTS = 1000;

/** Publish to one subject with no pattern defined vs. with 10,000 patterns that do not match it. */
export const publishPatterns: Scenario = {
  name: 'publish-patterns',
  description: `publish with ${PATTERNS} non-matching patterns defined vs. none, a fixed number of publishes each, alternating`,
  async run(settings) {
    const runs = { none: [] as LoadRun[], many: [] as LoadRun[] };
    const { peakRss } = await withServers(settings, async ({ broker }) => {
      const plain = await subscribe(broker, 'bench.plain.one');
      const patterned = await subscribe(broker, 'bench.patterned.one');
      // Patterns under another prefix: the tree is searched at every publish, nothing matches.
      const patterns = Array.from({ length: PATTERNS }, (_, i) => (i % 2 === 0 ? `other.p${i}.*` : `other.*.p${i}.>`));
      const subscribed: Subscription[] = [];
      await forEachLimited(patterns, 32, async (pattern) => void subscribed.push(await subscribe(broker, pattern)));
      const once = async (shape: 'none' | 'many', amount: number) => {
        // The same broker both ways: the patterns are what one subject's publish is matched against.
        const [subject, subscription] = shape === 'none' ? ['bench.plain.one', plain] : ['bench.patterned.one', patterned];
        const run = await runLoad(broker, { amount, connections: settings.connections, requests: [jsonPost('/api/publish', { subject, data: ':(' })] });
        await drain(broker, [subscription]);
        return run;
      };
      for (const shape of ['none', 'many'] as const) await once(shape, Math.ceil(settings.fanoutAmount / 4));
      for (let rep = 0; rep < settings.reps; rep++) {
        for (const shape of rep % 2 === 0 ? (['none', 'many'] as const) : (['many', 'none'] as const)) {
          const run = await once(shape, settings.fanoutAmount * 2);
          runs[shape].push(run);
          settings.log(`  publish-patterns ${shape.padEnd(5)} rep ${rep + 1}: ${fmt.int(run.requestsPerS)} req/s, p99 ${fmt.ms(run.p99Ms)} ms, errors ${run.errors}`);
        }
      }
    });
    const ratio = median(runs.many.map((run, i) => run.requestsPerS / runs.none[i].requestsPerS));
    const rows: Row[] = [
      summarize('publish, no pattern defined', 'broker', runs.none, 1, 1, peakRss.broker),
      summarize(`publish, ${PATTERNS} non-matching patterns`, 'broker', runs.many, 1, ratio, peakRss.broker, `${fmt.ratio(ratio)} of no-pattern req/s`),
    ];
    return {
      name: this.name,
      rows,
      details: [],
      targets: [
        { target: `publish with ${PATTERNS} non-matching patterns ≥ 0.95 × publish with none`, measured: fmt.ratio(ratio), pass: ratio >= 0.95 },
        { target: 'publish-patterns: no errors', measured: errorsOf(rows), pass: rows.every((row) => row.errors === 0) },
      ],
    };
  },
};

/** A `>` subscriber over 1,000 subjects while publishes are spread over them: it gets every one. */
export const spreadPattern: Scenario = {
  name: 'pattern-spread',
  description: `publishes spread over ${SPREAD_SUBJECTS} subjects, one \`>\` subscriber (bench.spread.>) draining after each run`,
  async run(settings) {
    const runs: LoadRun[] = [];
    const got: number[] = [];
    const { peakRss } = await withServers(settings, async ({ broker }) => {
      const all = await subscribe(broker, 'bench.spread.>');
      const requests = Array.from({ length: SPREAD_SUBJECTS }, (_, i) => jsonPost('/api/publish', { subject: `bench.spread.s${i}`, data: ':(' }));
      for (let rep = 0; rep < settings.reps; rep++) {
        const run = await runLoad(broker, { amount: settings.fanoutAmount * 2, connections: settings.connections, requests });
        runs.push(run);
        got.push(await drain(broker, [all]));
        settings.log(`  pattern-spread rep ${rep + 1}: ${fmt.int(run.requestsPerS)} req/s, p99 ${fmt.ms(run.p99Ms)} ms, errors ${run.errors}, delivered ${got[rep]}`);
      }
    });
    const rows = [summarize(`publish over ${SPREAD_SUBJECTS} subjects, one \`>\` subscriber`, 'broker', runs, 1, 1, peakRss.broker)];
    const delivered = got.every((n, i) => n === runs[i].requests - runs[i].errors);
    return {
      name: this.name,
      rows,
      details: [],
      targets: [{ target: 'the `>` subscriber gets every accepted publish, none refused', measured: `${got.join(', ')} delivered; ${errorsOf(rows)}`, pass: delivered && rows[0].errors === 0 }],
    };
  },
};


export const WILDCARD_SCENARIOS: Scenario[] = [publishPatterns, spreadPattern];
