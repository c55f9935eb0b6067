/**
 * Lua scripts on the broker-wide keys, all in one hash slot (`<prefix>{~}`):
 *   G:ledger  hash: messages, bytes, subscribers held over all subjects; nextLog (seq of a new log)
 *   G:idle    zset: subject → a time at or before its least recently active subscriber
 *   G:due     zset: subject → a time at or before its next redelivery
 *   G:ver     hash: "idle:<subject>" / "due:<subject>" → a new version (from the counter G:vseq, so
 *             a version is never reused) whenever a request lowers or adds an entry
 * The broker-wide limits cannot be checked in a subject's script (another hash slot on a cluster):
 * a publish reserves its room here first, then writes to the subject, and gives the room back if
 * the subject refuses. An index entry may be early, never late: requests only lower it, and the
 * sweep that raises it does so only if no request touched it meanwhile (the version).
 */
const HELPERS = `
local G = KEYS[1]
local LEDGER, VER = G .. ':ledger', G .. ':ver'
local function ledger(field) return tonumber(redis.call('HGET', LEDGER, field) or '0') end
local function clock() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local function touched(field) redis.call('HSET', VER, field, redis.call('INCR', G .. ':vseq')) end
`;

const script = (body: string) => HELPERS + body;

/**
 * ARGV: maxPending, maxPendingBytes, then the bytes of each message in order. Reserves room for
 * each message that fits, in order; returns a string of '1' (reserved) and '0' (overflow).
 */
export const RESERVE_MESSAGES = script(`
local maxPending, maxBytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local messages, bytes = ledger('messages'), ledger('bytes')
local granted, reserved, reservedBytes = {}, 0, 0
for i = 3, #ARGV do
  local size = tonumber(ARGV[i])
  if messages + reserved + 1 <= maxPending and bytes + reservedBytes + size <= maxBytes then
    reserved, reservedBytes = reserved + 1, reservedBytes + size
    granted[#granted + 1] = '1'
  else
    granted[#granted + 1] = '0'
  end
end
if reserved > 0 then
  redis.call('HINCRBY', LEDGER, 'messages', reserved)
  redis.call('HINCRBY', LEDGER, 'bytes', reservedBytes)
end
return table.concat(granted)
`);

/**
 * ARGV: maxSubscribers, subject. Reserves a subscriber and lists the subject for idle expiry (now,
 * on Redis's clock). Returns the seq a new log of the subject starts at, or -1 when the limit is
 * reached.
 */
export const RESERVE_SUBSCRIBER = script(`
if ledger('subscribers') + 1 > tonumber(ARGV[1]) then return -1 end
redis.call('HINCRBY', LEDGER, 'subscribers', 1)
redis.call('ZADD', G .. ':idle', 'LT', clock(), ARGV[2])
touched('idle:' .. ARGV[2])
return math.max(ledger('nextLog'), 1)
`);

/**
 * ARGV: messages freed, bytes freed, subscribers removed, end of a log dropped (0: none).
 * Gives back what a subject's script freed.
 */
export const RELEASE = script(`
if ARGV[1] ~= '0' then redis.call('HINCRBY', LEDGER, 'messages', -tonumber(ARGV[1])) end
if ARGV[2] ~= '0' then redis.call('HINCRBY', LEDGER, 'bytes', -tonumber(ARGV[2])) end
if ARGV[3] ~= '0' then redis.call('HINCRBY', LEDGER, 'subscribers', -tonumber(ARGV[3])) end
if tonumber(ARGV[4]) > ledger('nextLog') then redis.call('HSET', LEDGER, 'nextLog', ARGV[4]) end
return 1
`);

/** ARGV: index ('due' or 'idle'), subject, time ('now': Redis's clock). Lowers (or adds) the subject's entry. */
export const LOWER = script(`
redis.call('ZADD', G .. ':' .. ARGV[1], 'LT', ARGV[3] == 'now' and clock() or ARGV[3], ARGV[2])
touched(ARGV[1] .. ':' .. ARGV[2])
return 1
`);

/**
 * ARGV: index, until (ms, or 'now' for Redis's clock), limit. Subjects whose entry is at or before
 * `until`, earliest first: {Redis's now (ms), earliest entry or -1, subject, version, …}.
 */
export const CANDIDATES = script(`
local now = clock()
local index = G .. ':' .. ARGV[1]
local upto = ARGV[2] == 'now' and now or tonumber(ARGV[2])
local earliest = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')[2]
local out = {now, earliest and tonumber(earliest) or -1}
for _, subject in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', upto, 'LIMIT', 0, tonumber(ARGV[3]))) do
  out[#out + 1] = subject
  out[#out + 1] = redis.call('HGET', VER, ARGV[1] .. ':' .. subject) or '0'
end
return out
`);

/**
 * ARGV: index, subject, version read with the candidates, new time (-1: remove). Raises the
 * entry only if no request lowered it since; returns 1 if it did.
 */
export const RAISE = script(`
local field = ARGV[1] .. ':' .. ARGV[2]
if (redis.call('HGET', VER, field) or '0') ~= ARGV[3] then return 0 end
if ARGV[4] == '-1' then
  redis.call('ZREM', G .. ':' .. ARGV[1], ARGV[2])
  redis.call('HDEL', VER, field)
else
  redis.call('ZADD', G .. ':' .. ARGV[1], ARGV[4], ARGV[2])
end
return 1
`);

/** ARGV: index, subject. The entry's version, to raise it later only if no request lowered it meanwhile. */
export const VERSION = script(`
return redis.call('HGET', VER, ARGV[1] .. ':' .. ARGV[2]) or '0'
`);

/** ARGV: most subjects to list. {messages, bytes, subscribers, subjects listed for expiry, subject, …}. */
export const TOTALS = script(`
local out = {ledger('messages'), ledger('bytes'), ledger('subscribers'), redis.call('ZCARD', G .. ':idle')}
for _, subject in ipairs(redis.call('ZRANGE', G .. ':idle', 0, tonumber(ARGV[1]) - 1)) do out[#out + 1] = subject end
return out
`);
