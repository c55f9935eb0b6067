import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { ConfigError, envNameToKey, loadConfig } from './config.loader.js';
import { GopherMqConfig } from './gophermq-config.js';

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function folderWith(yaml?: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'gophermq-config-'));
  folders.push(folder);
  if (yaml !== undefined) writeFileSync(join(folder, 'config.yaml'), yaml);
  return folder;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  it('uses the documented defaults without file or environment', () => {
    const config = loadConfig({ cwd: folderWith(), env: {} });
    expect(config.logger.level).toBe('info');
    expect(config.broker).toMatchObject({ port: 8082, maxPending: 100_000, maxPendingBytes: 64 * 1024 * 1024, subscriberIdleTimeout: 3600 });
    expect(config.monitoring).toEqual({ enable: true, port: 9001, host: '', tls: { certFile: '', keyFile: '' }, storeStatsIntervalMs: 1000, token: '' });
    expect(config.auth).toMatchObject({ enable: false, tokens: [], adminToken: '' });
    expect(config.rateLimit).toEqual({ max: 0, windowMs: 1000 });
  });

  it('reads config.yaml from the working directory', () => {
    const cwd = folderWith('broker:\n  port: 9999\n  max-pending: 50\nmonitoring:\n  enable: false\n  port: ":9100"\n');
    const config = loadConfig({ cwd, env: {} });
    expect(config.broker.port).toBe(9999);
    expect(config.broker.maxPending).toBe(50);
    expect(config.monitoring).toEqual({ enable: false, port: 9100, host: '', tls: { certFile: '', keyFile: '' }, storeStatsIntervalMs: 1000, token: '' });
  });

  it('lets GOPHERMQ_ variables override the file, with the original name mapping', () => {
    const cwd = folderWith('broker:\n  max-pending: 50\n');
    const warn = jest.fn();
    const config = loadConfig({
      cwd,
      warn,
      env: { GOPHERMQ_BROKER_MAX__PENDING: '70', GOPHERMQ_MONITORING_PORT: ':9002', GOPHERMQ_MONITORING_ENABLE: 'false', GOPHERMQ_LOGGER_LEVEL: 'debug', OTHER: 'x' },
    });
    expect(config.broker.maxPending).toBe(70);
    expect(config.monitoring).toEqual({ enable: false, port: 9002, host: '', tls: { certFile: '', keyFile: '' }, storeStatsIntervalMs: 1000, token: '' });
    expect(config.logger.level).toBe('debug');
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ['GOPHERMQ_BROKER_MAX__PENDING', 'broker.max-pending'],
    ['GOPHERMQ_BROKER_MAX__PENDING__BYTES', 'broker.max-pending-bytes'],
    ['GOPHERMQ_MONITORING_PORT', 'monitoring.port'],
    ['GOPHERMQ_LOGGER_LEVEL', 'logger.level'],
  ])('maps %s to %s', (name, key) => {
    expect(envNameToKey(name)).toBe(key);
  });

  it('names every bad key and its source, and refuses to start', () => {
    const problems = problemsOf(() =>
      loadConfig({
        cwd: folderWith('broker:\n  max-pending: 0\n  max-pendng: 5\n'),
        env: { GOPHERMQ_BROKER_PORT: 'eighty', GOPHERMQ_LOGGER_LEVEL: 'loud' },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^broker\.port: cannot use "eighty" \(from GOPHERMQ_BROKER_PORT\)/),
        expect.stringMatching(/^broker\.max-pendng: unknown setting \(from .*config\.yaml\)/),
        expect.stringMatching(/^broker\.max-pending: must not be less than 1/),
        expect.stringMatching(/^logger\.level: /),
      ]),
    );
  });

  it('passes over GOPHERMQ_ variables that name no setting (as Kubernetes sets for a Service) with one warning line', () => {
    const warn = jest.fn();
    const config = loadConfig({
      cwd: folderWith(),
      warn,
      env: {
        GOPHERMQ_SERVICE_HOST: '10.0.0.7',
        GOPHERMQ_SERVICE_PORT: '8082',
        GOPHERMQ_PORT: 'tcp://10.0.0.7:8082',
        GOPHERMQ_PORT_8082_TCP: 'tcp://10.0.0.7:8082',
        GOPHERMQ_PORT_8082_TCP_ADDR: '10.0.0.7',
        GOPHERMQ_BROKER_MAX__PENDING: '70',
      },
    });
    expect(config.broker.maxPending).toBe(70);
    expect(config.broker.port).toBe(8082);
    expect(warn.mock.calls).toEqual([
      [
        'gophermq: ignoring environment variables that name no setting: GOPHERMQ_PORT, GOPHERMQ_PORT_8082_TCP, ' +
          'GOPHERMQ_PORT_8082_TCP_ADDR, GOPHERMQ_SERVICE_HOST, GOPHERMQ_SERVICE_PORT',
      ],
    ]);
  });

  it('still refuses a known variable with a bad value, whatever else is ignored', () => {
    const problems = problemsOf(() =>
      loadConfig({ cwd: folderWith(), warn: () => {}, env: { GOPHERMQ_BROKER_PORT: 'tcp://10.0.0.7:8082', GOPHERMQ_SERVICE_HOST: 'x' } }),
    );
    expect(problems).toEqual(['broker.port: cannot use "tcp://10.0.0.7:8082" (from GOPHERMQ_BROKER_PORT)']);
  });

  it.each([
    'GOPHERMQ_BROKER_CONSTRUCTOR',
    'GOPHERMQ_CONSTRUCTOR',
    'GOPHERMQ_CONSTRUCTOR_NAME',
    'GOPHERMQ___PROTO__',
    'GOPHERMQ_BROKER___PROTO__',
    'GOPHERMQ_TOSTRING',
    'GOPHERMQ_BROKER_TO__STRING',
    'GOPHERMQ_BROKER_HAS__OWN__PROPERTY',
    'GOPHERMQ_LOGGER_VALUE__OF',
  ])('treats %s, named like an Object property, as no setting', (name) => {
    const warn = jest.fn();
    const config = loadConfig({ cwd: folderWith(), warn, env: { [name]: 'x' } });
    expect(config).toEqual(new GopherMqConfig());
    expect(warn.mock.calls).toEqual([[`gophermq: ignoring environment variables that name no setting: ${name}`]]);
  });

  it.each([
    ['constructor:\n  name: x\n', 'constructor.name'],
    ['__proto__:\n  constructor: x\n', '__proto__.constructor'],
    ['broker:\n  constructor: x\n', 'broker.constructor'],
    ['broker:\n  __proto__: 5\n', 'broker.__proto__'],
    ['broker:\n  toString: x\n', 'broker.toString'],
    ['broker:\n  hasOwnProperty: x\n', 'broker.hasOwnProperty'],
  ])('reports %j in config.yaml as an unknown setting', (yaml, key) => {
    const problems = problemsOf(() => loadConfig({ cwd: folderWith(yaml), env: {} }));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${key.replace(/\./g, '\\.')}: unknown setting \\(from .*config\\.yaml\\)$`))]);
  });

  it('reports a config.yaml that is not YAML', () => {
    const problems = problemsOf(() => loadConfig({ cwd: folderWith('broker: [unclosed'), env: {} }));
    expect(problems[0]).toMatch(/config\.yaml: /);
  });

  it('requires an explicitly named file to exist', () => {
    expect(() => loadConfig({ file: '/nonexistent/gophermq.yaml', env: {} })).toThrow(ConfigError);
  });
});

describe('TLS settings', () => {
  it('reads broker.tls and monitoring.tls as mappings in config.yaml, or as GOPHERMQ_BROKER_TLS_CERT__FILE and the like', () => {
    const cwd = folderWith('broker:\n  tls:\n    cert-file: api.pem\n    key-file: api.key\nmonitoring:\n  tls:\n    cert-file: m.pem\n    key-file: m.key\n');
    const config = loadConfig({ cwd, env: { GOPHERMQ_MONITORING_TLS_KEY__FILE: 'other.key' } });
    expect(config.broker.tls).toEqual({ certFile: 'api.pem', keyFile: 'api.key' });
    expect(config.monitoring.tls).toEqual({ certFile: 'm.pem', keyFile: 'other.key' });
    expect(envNameToKey('GOPHERMQ_BROKER_TLS_CERT__FILE')).toBe('broker.tls.cert-file');
  });

  it('needs both files or neither, naming the one missing', () => {
    expect(problemsOf(() => loadConfig({ cwd: folderWith(), env: { GOPHERMQ_BROKER_TLS_KEY__FILE: 'api.key', GOPHERMQ_MONITORING_TLS_CERT__FILE: 'm.pem' } }))).toEqual([
      'broker.tls.cert-file: required with broker.tls.key-file (api.key): set both, or neither for plain HTTP',
      'monitoring.tls.key-file: required with monitoring.tls.cert-file (m.pem): set both, or neither for plain HTTP',
    ]);
  });

  it.each([
    ['broker:\n  tls: api.pem\n', /^broker\.tls: must be a mapping of cert-file, key-file \(from .*config\.yaml\)$/],
    ['broker:\n  tls:\n    cert: api.pem\n', /^broker\.tls\.cert: unknown setting \(from .*config\.yaml\)$/],
    ['broker:\n  tls:\n    cert-file: 443\n    key-file: api.key\n', /^broker\.tls\.cert-file: cannot use 443 \(from .*config\.yaml\)$/],
  ])('reports %j', (yaml, problem) => {
    expect(problemsOf(() => loadConfig({ cwd: folderWith(yaml), env: {} }))).toEqual([expect.stringMatching(problem)]);
  });
});

describe('size settings', () => {
  it.each([
    ['GOPHERMQ_BROKER_MAX__FETCH__BYTES', String(256 * 1024 * 1024 + 1), 'broker.max-fetch-bytes'],
    ['GOPHERMQ_BROKER_BODY__LIMIT__BYTES', String(256 * 1024 * 1024 + 1), 'broker.body-limit-bytes'],
    ['GOPHERMQ_BROKER_MAX__FETCH__BYTES', '1023', 'broker.max-fetch-bytes'],
    ['GOPHERMQ_BROKER_MAX__PENDING__BYTES', String(2 ** 53), 'broker.max-pending-bytes'],
  ])('refuse %s=%s: no answer may outgrow what V8 can serialize', (name, value, key) => {
    expect(problemsOf(() => loadConfig({ cwd: folderWith(), env: { [name]: value } }))[0]).toMatch(new RegExp(`^${key.replaceAll('.', '\\.')}: must not be`));
  });

  it.each([
    ['GOPHERMQ_BROKER_SHUTDOWN__TIMEOUT', '3601', 'broker.shutdown-timeout'],
    ['GOPHERMQ_BROKER_SHUTDOWN__TIMEOUT', '3000000', 'broker.shutdown-timeout'],
    ['GOPHERMQ_BROKER_REQUEST__TIMEOUT', '3601', 'broker.request-timeout'],
  ])('refuse %s=%s: past an hour, and past what a Node timer can wait', (name, value, key) => {
    expect(problemsOf(() => loadConfig({ cwd: folderWith(), env: { [name]: value } }))).toEqual([
      expect.stringMatching(new RegExp(`^${key.replaceAll('.', '\\.')}: must not be greater than 3600`)),
    ]);
  });

  it('accept an hour of shutdown and of request time', () => {
    const config = loadConfig({ cwd: folderWith(), env: { GOPHERMQ_BROKER_SHUTDOWN__TIMEOUT: '3600', GOPHERMQ_BROKER_REQUEST__TIMEOUT: '3600' } });
    expect(config.broker).toMatchObject({ shutdownTimeout: 3600, requestTimeout: 3600 });
  });

  it('refuse a drain delay and idle grace that do not fit in broker.shutdown-timeout, which counts from the signal', () => {
    const env = { GOPHERMQ_BROKER_DRAIN__DELAY: '8', GOPHERMQ_BROKER_DRAIN__IDLE__GRACE: '2' };
    expect(problemsOf(() => loadConfig({ cwd: folderWith(), env }))).toEqual([
      'broker.drain-delay, broker.drain-idle-grace: together (8 + 2 s) they must be shorter than broker.shutdown-timeout (10 s), which counts from the signal',
    ]);
    expect(loadConfig({ cwd: folderWith(), env: { ...env, GOPHERMQ_BROKER_SHUTDOWN__TIMEOUT: '11' } }).broker).toMatchObject({ drainDelay: 8, drainIdleGrace: 2 });
  });

  it.each([
    ['GOPHERMQ_BROKER_WRITE__TIMEOUT', '0', 'broker.write-timeout'],
    ['GOPHERMQ_BROKER_WRITE__TIMEOUT', '3601', 'broker.write-timeout'],
    ['GOPHERMQ_BROKER_DRAIN__IDLE__GRACE', '61', 'broker.drain-idle-grace'],
    ['GOPHERMQ_BROKER_DRAIN__DELAY', '-1', 'broker.drain-delay'],
  ])('refuse %s=%s, out of its bounds', (name, value, key) => {
    expect(problemsOf(() => loadConfig({ cwd: folderWith(), env: { [name]: value } }))[0]).toMatch(new RegExp(`^${key.replaceAll('.', '\\.')}: must not be`));
  });

  it('accept the largest allowed answer budget and body limit', () => {
    const largest = String(256 * 1024 * 1024);
    const config = loadConfig({ cwd: folderWith(), env: { GOPHERMQ_BROKER_MAX__FETCH__BYTES: largest, GOPHERMQ_BROKER_BODY__LIMIT__BYTES: largest } });
    expect(config.broker).toMatchObject({ maxFetchBytes: 256 * 1024 * 1024, bodyLimitBytes: 256 * 1024 * 1024 });
  });

  describe('auth and rate-limit', () => {
    const HASH = 'a'.repeat(64);
    const tokensYaml = (...entries: string[]) => `auth:\n  enable: true\n  tokens:\n${entries.map((entry) => `    - ${entry.replaceAll('\n', '\n      ')}`).join('\n')}\n`;

    it('reads tokens from config.yaml, their kebab-case keys as fields', () => {
      const cwd = folderWith(tokensYaml(`name: orders\nsha256: ${HASH}\npublish: [orders.>]\nsubscribe: ["orders.*"]\nrate-limit-max: 50`));
      const config = loadConfig({ cwd, env: { GOPHERMQ_RATE__LIMIT_MAX: '100', GOPHERMQ_RATE__LIMIT_WINDOW__MS: '500' } });
      expect(config.auth.tokens).toEqual([expect.objectContaining({ name: 'orders', sha256: HASH, publish: ['orders.>'], subscribe: ['orders.*'], rateLimitMax: 50 })]);
      expect(config.rateLimit).toEqual({ max: 100, windowMs: 500 });
    });

    it('reads manage (false unless given), and refuses one that is not a boolean, naming it', () => {
      const config = loadConfig({ cwd: folderWith(tokensYaml(`name: ops\nsha256: ${HASH}\nmanage: true`, `name: app\nsha256: ${HASH.replace('a', 'b')}`)), env: {} });
      expect(config.auth.tokens.map(({ name, manage }) => [name, manage])).toEqual([['ops', true], ['app', false]]);
      const problems = problemsOf(() => loadConfig({ cwd: folderWith(tokensYaml(`name: ops\nsha256: ${HASH}\nmanage: "maybe"`)), env: {} }));
      expect(problems).toEqual([expect.stringMatching(/^auth\.tokens\[0\]\.manage: /)]);
    });

    it('takes monitoring.token from GOPHERMQ_MONITORING_TOKEN; a short one, or one with spaces, is refused without being printed', () => {
      expect(loadConfig({ cwd: folderWith(), env: { GOPHERMQ_MONITORING_TOKEN: 'scrape-0123456789abcdef' } }).monitoring.token).toBe('scrape-0123456789abcdef');
      for (const token of ['scrape-012345', 'scrape 0123456789abcdef']) {
        expect(problemsOf(() => loadConfig({ cwd: folderWith(), env: { GOPHERMQ_MONITORING_TOKEN: token } }))).toEqual([
          `monitoring.token: must be empty or at least 16 characters without spaces (got ${token.length} characters)`,
        ]);
      }
    });

    it('takes the admin token from GOPHERMQ_AUTH_ADMIN__TOKEN', () => {
      const config = loadConfig({ cwd: folderWith(), env: { GOPHERMQ_AUTH_ENABLE: 'true', GOPHERMQ_AUTH_ADMIN__TOKEN: 'a-long-enough-secret' } });
      expect(config.auth).toMatchObject({ enable: true, adminToken: 'a-long-enough-secret', tokens: [] });
    });

    it('names the key of each bad token entry, and never prints a secret', () => {
      const cwd = folderWith(
        tokensYaml(
          `name: ok\nsha256: ${HASH}\npublish: [">"]`,
          `name: "bad name"\nsha256: xyz\npublish: ["orders.>.x"]\nsubscribe: orders\nrate-limit-max: -1\nsecret: hunter2`,
          'just a string',
        ),
      );
      const problems = problemsOf(() => loadConfig({ cwd, env: { GOPHERMQ_AUTH_ADMIN__TOKEN: 'short secret' } }));
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^auth\.tokens\[1\]\.secret: unknown setting/),
          expect.stringMatching(/^auth\.tokens\[2\]: must be a mapping of name, sha256, publish, subscribe, rate-limit-max/),
        ]),
      );
      const validation = problemsOf(() => loadConfig({ cwd: folderWith(tokensYaml(`name: "bad name"\nsha256: xyz\npublish: ["orders.>.x"]\nsubscribe: orders\nrate-limit-max: -1`)), env: { GOPHERMQ_AUTH_ADMIN__TOKEN: 'short secret' } }));
      expect(validation).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^auth\.tokens\[0\]\.name: must be 1 to 64 letters/),
          expect.stringMatching(/^auth\.tokens\[0\]\.sha256: must be 64 hex digits/),
          expect.stringMatching(/^auth\.tokens\[0\]\.publish: must be a list of subject patterns .*\(got \["orders\.>\.x"\]\)/),
          expect.stringMatching(/^auth\.tokens\[0\]\.subscribe: must be a list of subject patterns/),
          expect.stringMatching(/^auth\.tokens\[0\]\.rate-limit-max: must not be less than 0/),
          'auth.admin-token: must be empty or at least 16 characters without spaces (got 12 characters)',
        ]),
      );
      expect(validation.join('\n')).not.toContain('short secret');
    });

    it('refuses auth.tokens from the environment: a list only config.yaml can give', () => {
      expect(problemsOf(() => loadConfig({ cwd: folderWith(), env: { GOPHERMQ_AUTH_TOKENS: 'x' } }))).toEqual([
        'auth.tokens: must be a list, given in config.yaml (from GOPHERMQ_AUTH_TOKENS)',
      ]);
    });

    it('refuses duplicate names and secrets, and auth without any token', () => {
      const cwd = folderWith(tokensYaml(`name: a\nsha256: ${HASH}`, `name: a\nsha256: ${'b'.repeat(64)}`, `name: admin\nsha256: ${HASH.toUpperCase()}`));
      expect(problemsOf(() => loadConfig({ cwd, env: { GOPHERMQ_AUTH_ADMIN__TOKEN: 'a-long-enough-secret' } }))).toEqual([
        'auth.tokens[1].name: "a" is taken',
        'auth.tokens[2].name: "admin" is taken by auth.admin-token',
        'auth.tokens[2].sha256: the same secret as an earlier token',
      ]);
      expect(problemsOf(() => loadConfig({ cwd: folderWith(), env: { GOPHERMQ_AUTH_ENABLE: 'true' } }))).toEqual([
        expect.stringMatching(/^auth\.enable: no token would be accepted/),
      ]);
    });

    it('requires auth.subscriber-id-secret with auth on a Redis store, where several brokers share subscribers', () => {
      const env = { GOPHERMQ_AUTH_ENABLE: 'true', GOPHERMQ_AUTH_ADMIN__TOKEN: 'a-long-enough-secret', GOPHERMQ_BROKER_STORE: 'redis' };
      expect(problemsOf(() => loadConfig({ cwd: folderWith(), env }))).toEqual([expect.stringMatching(/^auth\.subscriber-id-secret: required with broker\.store: redis/)]);
      expect(loadConfig({ cwd: folderWith(), env: { ...env, GOPHERMQ_AUTH_SUBSCRIBER__ID__SECRET: 'x'.repeat(32) } }).auth.subscriberIdSecret).toBe('x'.repeat(32));
    });
  });
});

describe('push settings', () => {
  it('are off by default: no allowed URL, no signature, a 10 s time-out', () => {
    expect(loadConfig({ cwd: folderWith(), env: {} }).push).toEqual({ allowedUrls: [], signingSecret: '', timeoutMs: 10_000 });
  });

  it('read push.allowed-urls as a list in config.yaml, or comma-separated from GOPHERMQ_PUSH_ALLOWED__URLS', () => {
    const yaml = 'push:\n  allowed-urls: ["https://hooks.internal/", "http://10.0.0.5:8080/events/"]\n  timeout-ms: 2500\n';
    expect(loadConfig({ cwd: folderWith(yaml), env: {} }).push).toMatchObject({ allowedUrls: ['https://hooks.internal/', 'http://10.0.0.5:8080/events/'], timeoutMs: 2500 });
    const env = { GOPHERMQ_PUSH_ALLOWED__URLS: 'https://a.example/, https://b.example/hooks/', GOPHERMQ_PUSH_SIGNING__SECRET: 'a-signing-secret-of-length' };
    expect(loadConfig({ cwd: folderWith(), env }).push).toMatchObject({ allowedUrls: ['https://a.example/', 'https://b.example/hooks/'], signingSecret: 'a-signing-secret-of-length' });
  });

  it('refuse a bad value, naming the key (and the bad entry), never printing the secret', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ GOPHERMQ_PUSH_ALLOWED__URLS: 'https://hooks.internal/a' }, 'push.allowed-urls: [0] must end with / (a prefix is whole path segments)'],
      [{ GOPHERMQ_PUSH_ALLOWED__URLS: 'https://ok.example/,ftp://files.example/' }, 'push.allowed-urls: [1] must be an http:// or https:// URL'],
      [{ GOPHERMQ_PUSH_ALLOWED__URLS: 'https://user:pw@hooks.internal/' }, 'push.allowed-urls: [0] must not hold a user or password'],
      [{ GOPHERMQ_PUSH_ALLOWED__URLS: 'https://hooks.internal/?a=1' }, 'push.allowed-urls: [0] must not hold a query or fragment'],
      [{ GOPHERMQ_PUSH_ALLOWED__URLS: 'https://hooks.internal/%2e%2e/' }, 'push.allowed-urls: [0] must not hold percent-encoded'],
      [{ GOPHERMQ_PUSH_ALLOWED__URLS: 'hooks.internal/' }, 'push.allowed-urls: [0] must be an http:// or https:// URL'],
      [{ GOPHERMQ_PUSH_TIMEOUT__MS: '50' }, 'push.timeout-ms: must not be less than 100'],
      [{ GOPHERMQ_PUSH_TIMEOUT__MS: 'soon' }, 'push.timeout-ms: cannot use "soon"'],
      [{ GOPHERMQ_PUSH_SIGNING__SECRET: 'short' }, 'push.signing-secret: must be empty or at least 16 characters without spaces (got 5 characters)'],
    ];
    for (const [env, problem] of cases) {
      const problems = problemsOf(() => loadConfig({ cwd: folderWith(), env }));
      expect([env, problems.join('\n')]).toEqual([env, expect.stringContaining(problem)]);
      expect(problems.join('\n')).not.toContain('short"');
    }
    expect(problemsOf(() => loadConfig({ cwd: folderWith('push:\n  allowed-urls: [1, 2]\n'), env: {} })).join('\n')).toContain('push.allowed-urls: cannot use [1,2]');
  });
});
