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
    expect(config.monitoring).toEqual({ enable: true, port: 9001 });
  });

  it('reads config.yaml from the working directory', () => {
    const cwd = folderWith('broker:\n  port: 9999\n  max-pending: 50\nmonitoring:\n  enable: false\n  port: ":9100"\n');
    const config = loadConfig({ cwd, env: {} });
    expect(config.broker.port).toBe(9999);
    expect(config.broker.maxPending).toBe(50);
    expect(config.monitoring).toEqual({ enable: false, port: 9100 });
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
    expect(config.monitoring).toEqual({ enable: false, port: 9002 });
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

  it('accept the largest allowed answer budget and body limit', () => {
    const largest = String(256 * 1024 * 1024);
    const config = loadConfig({ cwd: folderWith(), env: { GOPHERMQ_BROKER_MAX__FETCH__BYTES: largest, GOPHERMQ_BROKER_BODY__LIMIT__BYTES: largest } });
    expect(config.broker).toMatchObject({ maxFetchBytes: 256 * 1024 * 1024, bodyLimitBytes: 256 * 1024 * 1024 });
  });
});
