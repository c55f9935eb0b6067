/**
 * `npm run bench`: starts the broker and a bare-Fastify baseline, runs every scenario against
 * both, and prints requests/s, messages/s, latency, errors, peak RSS and the broker's throughput as
 * a ratio of the baseline's. Ratios are the figures to quote: the machines are shared and noisy.
 *
 *   npm run bench                         default: about 3 minutes on 2 cores
 *   npm run bench -- --long               longer runs, more repetitions
 *   npm run bench -- --only=publish,fan-out --reps=5 --duration=5 --json=out.json
 *   npm run bench -- --broker=/path/to/other/dist/cli.js      measure another build
 *   npm run bench -- --cpu-prof=/tmp/prof                     profile both servers (node --cpu-prof)
 *   npm run bench -- --compare=/path/to/before/dist/cli.js    A/B: that build takes the baseline's place
 *   npm run bench -- --broker-env=GOPHERMQ_MONITORING_ENABLE=false --compare=dist/cli.js
 *   npm run bench -- --unpinned            do not pin the servers to the last CPU (Linux default: pinned)
 *   npm run bench -- --store=redis         the Redis store against the memory store, on a redis-server of its own
 *   npm run bench -- --peers               beside BullMQ and NATS JetStream: messages/s and server CPU per message
 *   npm run bench -- --only=cli-pub --cli-before=/path/to/before/dist/cli.js   that build's `gophermq pub` in turn with this one's
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RedisBench, REDIS_DEFAULT_SCENARIOS } from './redis-bench.js';
import { PeersBench } from './peers-bench.js';
import { pushScenario } from './push-scenario.js';
import { WILDCARD_SCENARIOS } from './wildcard-scenarios.js';
import { SCENARIOS, type Row, type ScenarioReport, type Settings } from './scenarios.js';
import { STREAM_SCENARIOS } from './stream-scenarios.js';
import { stopAllServers } from './servers.js';
import { fmt, markdownTable } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    only: { type: 'string' },
    reps: { type: 'string' },
    duration: { type: 'string' },
    broker: { type: 'string' },
    json: { type: 'string' },
    'cpu-prof': { type: 'string' },
    compare: { type: 'string' },
    'cli-before': { type: 'string' },
    'broker-env': { type: 'string' },
    'compare-env': { type: 'string' },
    unpinned: { type: 'boolean', default: false },
    store: { type: 'string' },
    peers: { type: 'boolean', default: false },
    messages: { type: 'string' },
    check: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.log(`usage: npm run bench -- [--long] [--only=a,b] [--reps=N] [--duration=S] [--broker=cli.js] [--json=file] [--cpu-prof=dir] [--check]
       [--compare=cli.js] [--broker-env=K=V,…] [--compare-env=K=V,…] [--unpinned] [--store=redis] [--peers [--messages=N]] [--cli-before=cli.js]
scenarios: ${[...SCENARIOS, pushScenario, ...STREAM_SCENARIOS, ...WILDCARD_SCENARIOS].map((scenario) => scenario.name).join(', ')}
--store=redis: the broker on the Redis store against the memory store (in the baseline's place),
  on a redis-server the bench starts; adds the scenarios batch-publish, round-trips, two-instances,
  cross-instance-long-poll; default: ${REDIS_DEFAULT_SCENARIOS.join(', ')}
--peers: the broker (memory store, Redis store) beside BullMQ on the same redis-server and NATS JetStream
  (nats-server -js, memory store), which the bench starts (Debian: apt-get install redis-server nats-server):
  N 16-byte messages published and consumed with acks, in batches of 100 (peers-batched) and one per
  request (peers-per-request, N/10 messages); messages/s and server CPU per message, read from
  /proc/<pid>/stat of every server process. --messages=N (default 100000); --reps, --unpinned apply.
--cli-before: cli-pub runs that build's \`gophermq pub\` in turn with this one's.
--check exits 1 when a target is missed.`);
  process.exit(0);
}

const long = flags.long;
const settings: Settings = {
  long,
  durationS: Number(flags.duration ?? (long ? 10 : 3)),
  reps: Number(flags.reps ?? (long ? 5 : 3)),
  warmupS: long ? 2 : 1,
  connections: 20,
  fanoutAmount: long ? 40_000 : 8000,
  longPollS: long ? 10 : 3,
  c1000S: long ? 20 : 5,
  start: {
    brokerCli: flags.broker ? resolve(flags.broker) : undefined,
    nodeArgs: flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags['cpu-prof'])}`] : undefined,
    env: parseEnv(flags['broker-env']),
    compareCli: flags.compare ? resolve(flags.compare) : undefined,
    compareEnv: parseEnv(flags['compare-env']),
    cpus: flags.unpinned ? undefined : pinServers(),
  },
  cliBefore: flags['cli-before'] ? resolve(flags['cli-before']) : undefined,
  log: (line) => console.error(line),
};

/**
 * On Linux, the servers run on the last CPU and this process (the load generator) on the others,
 * so the two do not take turns on one core: on a shared 2-core machine this makes the ratios
 * repeatable. Without taskset, or with --unpinned, the scheduler places them.
 */
function pinServers(): string | undefined {
  const last = os.cpus().length - 1;
  if (last < 1 || spawnSync('taskset', ['-a', '-pc', `0-${last - 1}`, String(process.pid)]).status !== 0) {
    console.error('(taskset not available or only one CPU: running unpinned)');
    return undefined;
  }
  return String(last);
}

function parseEnv(list: string | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  return Object.fromEntries(list.split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

if (flags.store !== undefined && (flags.store !== 'redis' || flags.compare)) {
  console.error('--store takes only "redis", and does not go with --compare (the memory store is its comparison)');
  process.exit(2);
}
const messages = Number(flags.messages ?? 100_000);
if (flags.peers && (flags.store !== undefined || flags.compare)) {
  console.error('--peers runs the broker on both stores itself: it does not go with --store or --compare');
  process.exit(2);
}
if (!Number.isInteger(messages) || messages < 1 || (flags.messages !== undefined && !flags.peers)) {
  console.error('--messages takes a whole number of messages, ≥ 1, and goes with --peers');
  process.exit(2);
}
const redis = flags.store === 'redis' ? await RedisBench.start(settings) : undefined;
let peers: PeersBench | undefined;
try {
  peers = flags.peers ? await PeersBench.start(settings, messages) : undefined;
} catch (error) {
  console.error(`the peers bench could not start: ${(error as Error).message}`);
  await stopAllServers();
  process.exit(1);
}
if (peers) console.error('Peers mode: the broker on the memory and the Redis store, BullMQ on the same redis-server, JetStream on a memory stream');
else if (redis) console.error(`Redis store mode: "redis" rows are the broker on the Redis store at ${redis.redis.url}, "memory" rows the same build on the memory store`);
else if (settings.start.compareCli) console.error(`A/B mode: "baseline" rows are the broker at ${settings.start.compareCli}, not bare Fastify`);
const serverName = (row: Row) => (redis ? { broker: 'redis', baseline: 'memory' }[row.server] : row.server);

const scenarios = peers ? peers.scenarios() : redis ? [...SCENARIOS, pushScenario, ...STREAM_SCENARIOS, ...WILDCARD_SCENARIOS, ...redis.scenarios()] : [...SCENARIOS, pushScenario, ...STREAM_SCENARIOS, ...WILDCARD_SCENARIOS];
const only = flags.only?.split(',').map((name) => name.trim()) ?? (redis ? REDIS_DEFAULT_SCENARIOS : undefined);
const unknown = only?.filter((name) => !scenarios.some((scenario) => scenario.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((scenario) => scenario.name).join(', ')}`);
  await peers?.stop();
  await stopAllServers();
  process.exit(2);
}
const selected = scenarios.filter((scenario) => !only || only.includes(scenario.name));

const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
if (selected.some((scenario) => scenario.name === 'c1000') && Number.isFinite(fdLimit) && fdLimit < 2500) {
  console.error(`warning: ulimit -n is ${fdLimit}; the 1,000-client scenario needs about 2,100 file descriptors`);
}

const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${fmt.mib(os.totalmem())} MiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
console.error(`GopherMQ benchmark (${long ? 'long' : 'default'}): ${machine}`);
console.error(
  (peers
    ? `${settings.reps} runs of each system in each form, after a warm-up run of a tenth the size; medians reported; `
    : `runs of ${settings.durationS} s, ${settings.reps} repetitions per server, ${settings.connections} connections; medians reported; `) +
    (settings.start.cpus ? `servers pinned to CPU ${settings.start.cpus}, load generator on the others\n` : 'unpinned\n'),
);

const started = Date.now();
const reports: ScenarioReport[] = [];
try {
  for (const scenario of selected) {
    console.error(`▶ ${scenario.name}: ${scenario.description}`);
    const scenarioStarted = Date.now();
    await redis?.beforeScenario(scenario.name);
    reports.push(await scenario.run(settings));
    console.error(`  (${((Date.now() - scenarioStarted) / 1000).toFixed(0)} s)\n`);
  }
} finally {
  await peers?.stop();
  await stopAllServers();
  await redis?.stop();
}

const rows: Row[] = reports.flatMap((report) => report.rows);
const table = [
  ['scenario', 'server', 'req/s', 'msg/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'CPU µs/req', 'peak RSS MiB', redis ? 'vs memory' : 'vs baseline'],
  ...rows.map((row) => [
    row.scenario,
    serverName(row),
    fmt.int(row.requestsPerS),
    fmt.int(row.messagesPerS),
    fmt.ms(row.p50Ms),
    fmt.ms(row.p99Ms),
    fmt.ms(row.maxMs),
    String(row.errors),
    Number.isFinite(row.serverCpuUsPerRequest) ? row.serverCpuUsPerRequest.toFixed(1) : '–',
    fmt.mib(row.peakRssBytes),
    row.server === 'broker' ? fmt.ratio(row.ratio) : '',
  ]),
];
const targets = redis ? redis.targets(reports) : reports.flatMap((report) => report.targets);
const targetTable = [['target', 'measured', 'result'], ...targets.map((target) => [target.target, target.measured, target.pass ? 'pass' : 'MISS'])];

console.log(`## GopherMQ benchmark, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  `\`npm run bench${long || redis || peers ? ' --' : ''}${long ? ' --long' : ''}${redis ? ' --store=redis' : ''}${peers ? ` --peers${flags.messages ? ` --messages=${messages}` : ''}` : ''}\` on ${machine}; ${peers ? `${settings.reps} runs of each system, the median reported` : `${settings.reps} × ${settings.durationS} s per server, ${settings.connections} connections`}` +
    `${settings.start.cpus ? `, servers pinned to CPU ${settings.start.cpus}` : ''}.\n`,
);
if (rows.length > 0) console.log(markdownTable(table));
for (const note of rows.filter((row) => row.note && row.server === 'broker')) console.log(`\n- ${note.scenario}: ${note.note}`);
for (const details of reports.flatMap((report) => report.details)) console.log(`\n${markdownTable(details)}`);
if (redis) console.log(`\nRedis's work per request under load (Redis store, medians over its load runs): under load, commands of concurrent requests share reads, so reads/req is below the round trips one request waits for; see the round-trips table for those:\n\n${markdownTable(redis.perRequestTable())}`);
console.log(`\n${markdownTable(targetTable)}`);
console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);

if (flags.json) {
  writeFileSync(flags.json, JSON.stringify({ date: new Date().toISOString(), machine, settings: { ...settings, log: undefined }, reports }, null, 2));
}
if (flags.check && targets.some((target) => !target.pass)) process.exit(1);
