import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { GopherMqConfig, RetentionRuleConfig, TokenConfig } from './gophermq-config.js';

export const ENV_PREFIX = 'GOPHERMQ_';
export const CONFIG_FILE_NAME = 'config.yaml';

/** A setting that cannot be used; the message names every bad key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** Folder searched for config.yaml (default: the working directory). */
  cwd?: string;
  /** Explicit config file; it must exist. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the one line about ignored GOPHERMQ_ variables goes (default: stderr). */
  warn?: (line: string) => void;
}

type Section = Record<string, unknown>;
interface RawSetting {
  value: unknown;
  origin: string;
}
interface SettingSlot {
  section: Section;
  property: string;
}

/** The client commands' own variables (`gophermq pub --url`, `--token`): no broker setting, and no warning either. */
const COMMAND_LINE_VARIABLES = new Set(['GOPHERMQ_URL', 'GOPHERMQ_TOKEN']);

/** Builds the configuration from defaults, config.yaml and GOPHERMQ_ variables, and validates it once. */
export function loadConfig(sources: ConfigSources = {}): GopherMqConfig {
  const config = new GopherMqConfig();
  const { slots, groups } = settingSlots(config);
  const problems: string[] = [];
  const settings = new Map<string, RawSetting>();

  const filePath = sources.file ?? join(sources.cwd ?? process.cwd(), CONFIG_FILE_NAME);
  if (sources.file || existsSync(filePath)) {
    for (const [key, value] of readConfigFile(filePath, groups, problems)) {
      settings.set(key, { value, origin: filePath });
    }
  }
  // Others set GOPHERMQ_ variables too (Kubernetes: GOPHERMQ_PORT=tcp://… for a Service named
  // gophermq), so a name that is no setting is passed over, unlike an unknown key in the file.
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(sources.env ?? process.env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || COMMAND_LINE_VARIABLES.has(name)) continue;
    const key = envNameToKey(name);
    if (slots.has(key)) settings.set(key, { value, origin: name });
    else ignored.push(name);
  }
  if (ignored.length > 0) {
    const warn = sources.warn ?? ((line: string) => console.warn(line));
    warn(`gophermq: ignoring environment variables that name no setting: ${ignored.sort().join(', ')}`);
  }

  for (const [key, { value, origin }] of settings) {
    applySetting(slots.get(key), key, value, origin, problems);
  }
  problems.push(...flattenErrors(validateSync(config)));
  if (problems.length === 0) problems.push(...authProblems(config), ...shutdownProblems(config), ...tlsProblems(config), ...retentionProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** What each entry's fields cannot say alone: names and secrets unique, someone able to get in. */
function authProblems({ auth, broker }: GopherMqConfig): string[] {
  const problems: string[] = [];
  const names = new Set<string>(auth.adminToken ? [ADMIN_TOKEN_NAME] : []);
  const hashes = new Set<string>();
  auth.tokens.forEach(({ name, sha256 }, i) => {
    if (names.has(name)) problems.push(`auth.tokens[${i}].name: "${name}" is taken${name === ADMIN_TOKEN_NAME ? ' by auth.admin-token' : ''}`);
    if (hashes.has(sha256.toLowerCase())) problems.push(`auth.tokens[${i}].sha256: the same secret as an earlier token`);
    names.add(name);
    hashes.add(sha256.toLowerCase());
  });
  if (!auth.enable) return problems;
  if (names.size === 0) problems.push('auth.enable: no token would be accepted: list auth.tokens in config.yaml or set GOPHERMQ_AUTH_ADMIN__TOKEN');
  if (broker.store === 'redis' && auth.subscriberIdSecret === '') {
    problems.push('auth.subscriber-id-secret: required with broker.store: redis, the same on every broker, so that subscriber ids work on all of them and after a restart');
  }
  return problems;
}

/** broker.shutdown-timeout counts from the signal: the drain's delay and idle grace must fit in it. */
function shutdownProblems({ broker }: GopherMqConfig): string[] {
  if (broker.drainDelay + broker.drainIdleGrace < broker.shutdownTimeout) return [];
  return [
    `broker.drain-delay, broker.drain-idle-grace: together (${broker.drainDelay} + ${broker.drainIdleGrace} s) they must be shorter than broker.shutdown-timeout (${broker.shutdownTimeout} s), which counts from the signal`,
  ];
}

/** A certificate needs its key and a key its certificate; the files themselves are read at start (tls-files.ts). */
function tlsProblems({ broker, monitoring }: GopherMqConfig): string[] {
  return ([['broker.tls', broker.tls], ['monitoring.tls', monitoring.tls]] as const).flatMap(([key, { certFile, keyFile }]) => {
    if ((certFile === '') === (keyFile === '')) return [];
    const [given, absent, file] = certFile !== '' ? ['cert-file', 'key-file', certFile] : ['key-file', 'cert-file', keyFile];
    return [`${key}.${absent}: required with ${key}.${given} (${file}): set both, or neither for plain HTTP`];
  });
}

/** What a rule's fields cannot say alone: it limits something. */
function retentionProblems({ retention }: GopherMqConfig): string[] {
  return retention.flatMap(({ maxAge, maxMessages, maxBytes }, i) =>
    maxAge === 0 && maxMessages === 0 && maxBytes === 0 ? [`retention[${i}]: max-age, max-messages and max-bytes are all 0: the rule would keep every message forever`] : [],
  );
}

/** The name of the token given by auth.admin-token. */
export const ADMIN_TOKEN_NAME = 'admin';

/** GOPHERMQ_BROKER_MAX__PENDING -> broker.max-pending, as the original mapped names. */
export function envNameToKey(name: string): string {
  return name
    .slice(ENV_PREFIX.length)
    .toLowerCase()
    .split('__')
    .map((part) => part.replaceAll('_', '.'))
    .join('-');
}

function readConfigFile(path: string, groups: Map<string, string[]>, problems: string[]): Array<[string, unknown]> {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message.split('\n')[0]}`);
    return [];
  }
  if (document == null) return [];
  if (!isPlainObject(document)) {
    problems.push(`${path}: must be a mapping of sections (logger, broker, monitoring)`);
    return [];
  }
  const entries: Array<[string, unknown]> = [];
  // A group of settings (broker.tls) is a mapping inside its section: its keys are flattened too.
  const flatten = (prefix: string, body: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(body)) {
      const name = `${prefix}.${key}`;
      const members = groups.get(name);
      if (members === undefined) entries.push([name, value]);
      else if (isPlainObject(value)) flatten(name, value);
      else problems.push(`${name}: must be a mapping of ${members.join(', ')} (from ${path})`);
    }
  };
  for (const [section, body] of Object.entries(document)) {
    if (isPlainObject(body) && !Object.hasOwn(LIST_ELEMENTS, section)) flatten(section, body);
    else entries.push([section, body]);
  }
  return entries;
}

/**
 * Every setting by its key (`broker.max-pending`, `broker.tls.cert-file`), read off the config's own
 * fields: a plain map, so names such as `constructor` or `__proto__` find nothing rather than
 * something of Object's. And the groups of settings inside a section (`broker.tls`), with the keys of
 * their members.
 */
function settingSlots(config: GopherMqConfig): { slots: Map<string, SettingSlot>; groups: Map<string, string[]> } {
  const slots = new Map<string, SettingSlot>();
  const groups = new Map<string, string[]>();
  const add = (prefix: string, section: Section) => {
    for (const [property, value] of Object.entries(section)) {
      const key = `${prefix}.${camelToKebab(property)}`;
      if (isPlainObject(value)) {
        groups.set(key, Object.keys(value).map(camelToKebab));
        add(key, value);
      } else {
        slots.set(key, { section, property });
      }
    }
  };
  for (const [sectionName, section] of Object.entries(config) as Array<[string, Section]>) {
    // A section that is itself a list (retention) is one setting.
    if (Array.isArray(section)) slots.set(camelToKebab(sectionName), { section: config as unknown as Section, property: sectionName });
    else add(camelToKebab(sectionName), section);
  }
  return { slots, groups };
}

function applySetting(slot: SettingSlot | undefined, key: string, raw: unknown, origin: string, problems: string[]) {
  if (!slot) {
    problems.push(`${key}: unknown setting (from ${origin})`);
    return;
  }
  const { section, property } = slot;
  const elementClass = LIST_ELEMENTS[key];
  if (elementClass) {
    const list = listOf(elementClass, raw, key, origin, problems);
    if (list) section[property] = list;
    return;
  }
  const value = coerce(raw, section[property], key);
  if (value === undefined) {
    problems.push(`${key}: cannot use ${JSON.stringify(raw)} (from ${origin})`);
    return;
  }
  section[property] = value;
}

/** Settings that are lists of entries, by the class of their entries: only config.yaml can give them. */
const LIST_ELEMENTS: Record<string, new () => object> = { 'auth.tokens': TokenConfig, retention: RetentionRuleConfig };

/** A YAML list of mappings as entries of their class, their kebab-case keys as its fields (validated later, with the rest). */
function listOf(elementClass: new () => object, raw: unknown, key: string, origin: string, problems: string[]): object[] | undefined {
  if (!Array.isArray(raw)) {
    problems.push(`${key}: must be a list, given in config.yaml (from ${origin})`);
    return undefined;
  }
  return raw.map((entry: unknown, i) => {
    const element = new elementClass() as Record<string, unknown>;
    if (!isPlainObject(entry)) {
      problems.push(`${key}[${i}]: must be a mapping of ${Object.keys(element).map(camelToKebab).join(', ')} (from ${origin})`);
      return element;
    }
    for (const [name, value] of Object.entries(entry)) {
      const property = kebabToCamel(name);
      if (Object.hasOwn(element, property)) element[property] = value;
      else problems.push(`${key}[${i}].${name}: unknown setting (from ${origin})`);
    }
    return element;
  });
}

/** Turns a YAML or environment value into the type of the default it replaces. */
function coerce(raw: unknown, fallback: unknown, key: string): unknown {
  // A list of strings (push.allowed-urls): a YAML list, or comma-separated in the environment.
  if (Array.isArray(fallback)) {
    if (Array.isArray(raw)) return raw.every((entry) => typeof entry === 'string') ? raw : undefined;
    return typeof raw === 'string' ? raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '') : undefined;
  }
  if (typeof fallback === 'number') {
    if (typeof raw === 'number') return raw;
    if (typeof raw !== 'string') return undefined;
    const text = key === 'monitoring.port' ? raw.trim().replace(/^:/, '') : raw.trim();
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  }
  if (typeof fallback === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    return undefined;
  }
  return typeof raw === 'string' ? raw : undefined;
}

function flattenErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const name = /^\d+$/.test(error.property) ? `[${error.property}]` : `.${camelToKebab(error.property)}`;
    const key = parent ? `${parent}${name}` : camelToKebab(error.property);
    const got = SECRET_KEYS.has(key) ? `${String(error.value).length} characters` : JSON.stringify(error.value);
    const own = Object.values(error.constraints ?? {}).map((text) => `${key}: ${text.replace(/^\S+ /, '')} (got ${got})`);
    return [...own, ...flattenErrors(error.children ?? [], key)];
  });
}

/** Settings whose value is never printed. */
const SECRET_KEYS = new Set(['auth.admin-token', 'auth.subscriber-id-secret', 'monitoring.token', 'push.signing-secret']);

function camelToKebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function kebabToCamel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
