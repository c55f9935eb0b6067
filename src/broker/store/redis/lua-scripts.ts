import { readFileSync } from 'node:fs';

/**
 * The Lua scripts, from the `.lua` files beside this one (the build copies them next to the
 * compiled code). A script's file starts with its `#!lua` line (Redis 7 flags: `allow-oom` on the
 * scripts that consume or free, so consumers can drain a Redis that is out of memory; `no-writes`
 * on the ones that only read), then its KEYS and ARGV; the helpers it shares with others come
 * between that line and its body when it is loaded.
 */
const read = (file: string) => readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');

/** The file's `#!lua` line first (Redis reads flags only there), then the helpers, then the rest. */
function compose(file: string, helpers: string[]): string {
  const text = read(file);
  const newline = text.indexOf('\n');
  if (!text.startsWith('#!lua')) throw new Error(`${file}: a script starts with its #!lua line`);
  return [text.slice(0, newline + 1), ...helpers.map(read), text.slice(newline + 1)].join('\n');
}

const onSubject = (file: string) => ({ lua: compose(file, ['accounting.lua', 'subject.lua']), numberOfKeys: 2 });
const onGlobal = (file: string) => ({ lua: compose(file, ['global.lua']), numberOfKeys: 1 });

/** Each script by the name the store calls it with. */
export const SCRIPTS = {
  gmqSubscribe: onSubject('subject-subscribe.lua'),
  gmqUnsubscribe: onSubject('subject-unsubscribe.lua'),
  gmqPublish: onSubject('subject-publish.lua'),
  gmqPending: onSubject('subject-pending.lua'),
  gmqFetch: onSubject('subject-fetch.lua'),
  gmqSettle: onSubject('subject-settle.lua'),
  gmqDue: onSubject('subject-due.lua'),
  gmqExpire: onSubject('subject-expire.lua'),
  gmqTrim: onSubject('subject-trim.lua'),
  gmqRetain: onSubject('subject-retain.lua'),
  gmqHasSubscribers: onSubject('subject-has-subscribers.lua'),
  gmqHasLog: onSubject('subject-has-log.lua'),
  gmqFigures: onSubject('subject-figures.lua'),
  gmqSubscribers: onSubject('subject-subscribers.lua'),
  gmqPeek: onSubject('subject-peek.lua'),
  gmqPurge: onSubject('subject-purge.lua'),
  gmqSubjects: onGlobal('global-subjects.lua'),
  gmqPatternAttach: onSubject('pattern-attach.lua'),
  gmqPatternPlace: onSubject('pattern-place.lua'),
  gmqPatternRead: onSubject('pattern-read.lua'),
  gmqPatternAppend: onSubject('pattern-append.lua'),
  gmqPatternAdvance: onSubject('pattern-advance.lua'),
  gmqPatternForget: onGlobal('global-pattern-forget.lua'),
  gmqLower: onGlobal('global-lower.lua'),
  gmqCandidates: onGlobal('global-candidates.lua'),
  gmqRaise: onGlobal('global-raise.lua'),
  gmqVersion: onGlobal('global-version.lua'),
  gmqStats: onGlobal('global-stats.lua'),
  gmqReserve: onGlobal('global-reserve.lua'),
  gmqReport: onGlobal('global-report.lua'),
  gmqClaim: onGlobal('global-claim.lua'),
  gmqSlotState: { lua: compose('slot-state.lua', []), numberOfKeys: 1 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
