/**
 * Lua scripts on one subject's keys. Every key of a subject starts with `<prefix>{<subject>}`, so a
 * script touches one hash slot and runs unchanged on Redis Cluster. Each script is atomic: limits
 * are checked and applied in one step, whichever instance runs it.
 *
 * Keys of subject B (= KEYS[1]):
 *   B:m      hash: first (seq at the log's head), end (next seq), bytes, subs, inf (messages in
 *            flight), wait (ms until which a fetch waits on this subject)
 *   B:l      list: the log, one entry per message, "<answerBytes>:<bytes>:<publishedMs>:<message id>";
 *            seq = first + index
 *   B:d      hash: message id → data. Message data never passes through Lua: a string entering a
 *            script costs Redis about 30 ms per MB, so data is written and read by plain commands
 *            (HSET just before the publish script; HMGET after a fetch), scripts see only ids.
 *   B:g      zset: message id → when it was trimmed. Its data is deleted GRACE_MS later, so a
 *            fetch that took it (on any instance) can still read it right after its script.
 *   B:p      zset: subscriber → position (its next seq, or its lowest unsettled one); the head is trimmed to the lowest
 *   B:a      zset: subscriber → last activity (ms), for idle expiry
 *   B:s:ID   hash: next, aw (ackWaitMs), md (maxDeliveries), dl (dead-letter subject), wu (waits until, ms)
 *   acknowledged subscribers only:
 *   B:f:ID   zset: seq in flight → deadline        B:v:ID  zset: seq available again → seq
 *   B:y:ID   zset: seq delayed by a nack → due      B:u:ID  zset: every unsettled seq → seq
 *   B:n:ID   hash: seq → deliveries                 B:dq    zset: subscriber → when it is next due
 * Time is Redis's clock (TIME), the same for every instance.
 */
const HELPERS = `
local B = KEYS[1]
local M, L, P, A, DQ = B .. ':m', B .. ':l', B .. ':p', B .. ':a', B .. ':dq'
local function key(kind, id) return B .. ':' .. kind .. ':' .. id end
local function clock() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local function metaNum(field) return tonumber(redis.call('HGET', M, field) or '0') end
local D, G = B .. ':d', B .. ':g'
local GRACE_MS = 5000
-- An entry is "<answerBytes>:<bytes>:<publishedMs>:<message id>".
local function parse(entry)
  local answer, bytes, published, id = string.match(entry, '^(%d+):(%d+):(%d+):(.*)$')
  return tonumber(answer), tonumber(bytes), tonumber(published), id
end

-- Drops the log's head up to the lowest position: each message once, when nobody holds it. Its
-- data goes GRACE_MS later (a reader may not have read it yet); data trimmed that long ago goes now.
-- At most TRIM_BATCH a call, so no script holds Redis long: the next call on the subject goes on.
local TRIM_BATCH = 1000 -- about 2 µs of Redis's CPU each
local function trim()
  local now = clock()
  local old = redis.call('ZRANGEBYSCORE', G, '-inf', now - GRACE_MS, 'LIMIT', 0, 2 * TRIM_BATCH)
  if #old > 0 then
    redis.call('HDEL', D, unpack(old))
    redis.call('ZREM', G, unpack(old))
  end
  local head = redis.call('ZRANGE', P, 0, 0, 'WITHSCORES')
  local first, last = metaNum('first'), metaNum('end')
  local to = math.min(head[2] and tonumber(head[2]) or last, first + TRIM_BATCH)
  if to <= first then return 0, 0, #old end
  local freed = redis.call('LPOP', L, to - first)
  local bytes = 0
  for i = 1, #freed do
    local _, size, _, id = parse(freed[i])
    bytes = bytes + size
    redis.call('ZADD', G, now, id)
  end
  redis.call('HSET', M, 'first', to)
  if bytes > 0 then redis.call('HINCRBY', M, 'bytes', -bytes) end
  return #freed, bytes, #old
end

-- Why the subject refuses a message of bytes under its own limits, or nil when it takes it.
local function refusalOf(bytes, maxMessages, maxBytes)
  local subs = redis.call('HMGET', M, 'subs', 'first', 'end', 'bytes')
  if tonumber(subs[1] or '0') == 0 then return 'no-subscriber' end
  if tonumber(subs[3]) - tonumber(subs[2]) + 1 > tonumber(maxMessages) or tonumber(subs[4]) + bytes > tonumber(maxBytes) then
    return 'subject-overflow'
  end
  return nil
end

local function floorOf(id, s)
  local low = redis.call('ZRANGE', key('u', id), 0, 0)[1]
  local next = tonumber(redis.call('HGET', s, 'next'))
  if low and tonumber(low) < next then return tonumber(low) end
  return next
end

-- When this subscriber is next due (a deadline or the end of a nack delay); returns the subject's
-- earliest (-1: none), which the caller tells the index every time: a mark here that the index was
-- told could outlive a call that never reached it (an instance killed in between).
local function reschedule(id)
  local f = redis.call('ZRANGE', key('f', id), 0, 0, 'WITHSCORES')[2]
  local y = redis.call('ZRANGE', key('y', id), 0, 0, 'WITHSCORES')[2]
  local due = f and tonumber(f)
  if y and (not due or tonumber(y) < due) then due = tonumber(y) end
  if due then redis.call('ZADD', DQ, due, id) else redis.call('ZREM', DQ, id) end
  local earliest = redis.call('ZRANGE', DQ, 0, 0, 'WITHSCORES')[2]
  if not earliest then return -1 end
  return tonumber(earliest)
end

-- Wakes the fetches waiting for subscriber id on any instance, if one waits: kind 'w' (it has
-- messages again) or 'u' (it is gone). The channel is the script's last argument.
local function wake(kind, subject, id, now)
  local waitsUntil = redis.call('HGET', key('s', id), 'wu')
  if waitsUntil and tonumber(waitsUntil) >= now then
    redis.call('PUBLISH', ARGV[#ARGV], kind .. '\\n' .. subject .. '\\n' .. id)
  end
end

-- Removes a subscriber; returns messages and bytes freed, the log's end when it was the subject's
-- last (0 otherwise), and how many of its messages were in flight.
local function remove(id, later)
  local s = key('s', id)
  local acked = redis.call('HEXISTS', s, 'aw') == 1
  redis.call('DEL', s)
  redis.call('ZREM', P, id)
  redis.call('ZREM', A, id)
  local inFlight = 0
  if acked then
    inFlight = redis.call('ZCARD', key('f', id))
    if inFlight > 0 then redis.call('HINCRBY', M, 'inf', -inFlight) end
    redis.call('UNLINK', key('f', id), key('v', id), key('y', id), key('u', id), key('n', id))
    redis.call('ZREM', DQ, id)
  end
  if redis.call('HINCRBY', M, 'subs', -1) > 0 then
    if later then return 0, 0, 0, inFlight end -- the caller trims once, after all its removals
    local messages, bytes = trim()
    return messages, bytes, 0, inFlight
  end
  -- The last one: the whole log goes at once; the seqs go on from its end if the subject returns.
  local last = metaNum('end')
  local messages, bytes = last - metaNum('first'), metaNum('bytes')
  redis.call('UNLINK', L, P, A, DQ, D, G)
  redis.call('HSET', M, 'first', last, 'bytes', 0)
  redis.call('HDEL', M, 'wait')
  redis.call('PEXPIRE', M, 3600000)
  return messages, bytes, last, inFlight
end
`;

const script = (body: string) => HELPERS + body;

/**
 * ARGV: id, start (seq of a new log), ackWaitMs ('' for at most once), maxDeliveries, deadLetterSubject.
 * Returns 1 when it started the subject's log (the first subscriber), else 0.
 */
export const SUBSCRIBE = script(`
local id, start, aw, md, dl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local created = metaNum('subs') == 0
if created then
  local from = math.max(start, metaNum('end'))
  redis.call('PERSIST', M)
  redis.call('HSET', M, 'first', from, 'end', from, 'bytes', 0, 'subs', 0)
end
redis.call('HINCRBY', M, 'subs', 1)
local position = metaNum('end')
local s = key('s', id)
redis.call('HSET', s, 'next', position)
if aw ~= '' then redis.call('HSET', s, 'aw', aw) end
if md ~= '' then redis.call('HSET', s, 'md', md) end
if dl ~= '' then redis.call('HSET', s, 'dl', dl) end
redis.call('ZADD', P, position, id)
redis.call('ZADD', A, clock(), id)
return created and 1 or 0
`);

/**
 * ARGV: id, subject, wake channel. Returns {removed 0/1, messages freed, bytes freed, end of the
 * log if it was dropped (else 0), in flight released}.
 */
export const UNSUBSCRIBE = script(`
if redis.call('EXISTS', key('s', ARGV[1])) == 0 then return {0, 0, 0, 0, 0} end
wake('u', ARGV[2], ARGV[1], clock())
local messages, bytes, dropped, inFlight = remove(ARGV[1])
return {1, messages, bytes, dropped, inFlight}
`);

/**
 * Runs just after `HSET B:d <id> <data> …` of the same messages, on the same connection.
 * ARGV: maxPendingPerSubject, maxPendingBytesPerSubject, wake channel, wake message, then for each
 * message in publish order: entry, bytes, message id. Returns each message's outcome: 'ok',
 * 'no-subscriber' or 'subject-overflow' (its data then deleted). Tells waiting fetches (on any
 * instance) once.
 */
export const PUBLISH = script(`
local outcomes = {}
local published = false
for i = 5, #ARGV, 3 do
  local bytes, id = tonumber(ARGV[i + 1]), ARGV[i + 2]
  local refusal = refusalOf(bytes, ARGV[1], ARGV[2])
  -- Its data was written just before; if the subject's log was dropped in between (its last
  -- subscriber left), the data went with it: the publish found no subscriber.
  if not refusal and redis.call('HEXISTS', D, id) == 0 then refusal = 'no-subscriber' end
  if refusal then
    redis.call('HDEL', D, id)
    outcomes[#outcomes + 1] = refusal
  else
    redis.call('RPUSH', L, ARGV[i])
    redis.call('HINCRBY', M, 'end', 1)
    redis.call('HINCRBY', M, 'bytes', bytes)
    outcomes[#outcomes + 1] = 'ok'
    published = true
  end
end
local waits = redis.call('HGET', M, 'wait')
if published and waits and tonumber(waits) >= clock() then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return outcomes
`);

/**
 * ARGV: bytes, maxPendingPerSubject, maxPendingBytesPerSubject. Why a message the broker-wide limits
 * refused is refused, as the memory store answers: 'no-subscriber', then 'subject-overflow' if the
 * subject's own limits refuse it too, else 'overflow'.
 */
export const REFUSAL = script(`
return refusalOf(tonumber(ARGV[1]), ARGV[2], ARGV[3]) or 'overflow'
`);

/** ARGV: id. Pending messages of a subscriber, or -1 for no such subscriber. */
export const PENDING = script(`
local s = key('s', ARGV[1])
local h = redis.call('HMGET', s, 'next', 'aw')
if not h[1] then return -1 end
local pending = metaNum('end') - tonumber(h[1])
if h[2] then pending = pending + redis.call('ZCARD', key('v', ARGV[1])) end
return pending
`);

/**
 * ARGV: id, max, budget (answer bytes), waitMs (how long the caller waits if nothing is pending),
 * atLeastOne ('1': take one message even past the budget). Returns {remaining, messages freed,
 * bytes freed, due hint, redelivered (-1 for an at-most-once subscriber), budget used, message id,
 * seq, deliveries, …}, or -1 for no such subscriber. The caller reads the data of the ids from B:d,
 * and asks again for more than FETCH_BATCH messages (redis-message-store.ts).
 */
export const FETCH = script(`
local id, max, budget, waitMs, atLeastOne = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
local s = key('s', id)
local h = redis.call('HMGET', s, 'next', 'aw')
if not h[1] then return -1 end
local now = clock()
redis.call('ZADD', A, now, id)
local first, last = metaNum('first'), metaNum('end')
local next = tonumber(h[1])
local out = {0, 0, 0, -1, 0, 0}
local count, used = 0, 0
local function fits(weight)
  if used + weight > budget and (count > 0 or not atLeastOne) then return false end
  used = used + weight
  return true
end
if not h[2] then
  local available = math.min(max, last - next)
  while count < available do
    local chunk = redis.call('LRANGE', L, next + count - first, next + count - first + math.min(available - count, 32) - 1)
    local stop = false
    for i = 1, #chunk do
      local answer, _, _, messageId = parse(chunk[i])
      if not fits(answer) then stop = true break end
      count = count + 1
      out[#out + 1] = messageId; out[#out + 1] = 0; out[#out + 1] = 0
    end
    if stop or #chunk == 0 then break end
  end
  next = next + count
  redis.call('HSET', s, 'next', next)
  redis.call('ZADD', P, next, id)
  out[1] = last - next
  out[5] = -1
else
  local deadline = now + tonumber(h[2])
  local F, V, U, N = key('f', id), key('v', id), key('u', id), key('n', id)
  out[5] = 0
  local function take(seq, entry)
    local answer, _, _, messageId = parse(entry)
    if not fits(2 * answer + 48) then return false end
    local deliveries = redis.call('HINCRBY', N, seq, 1)
    if deliveries > 1 then out[5] = out[5] + 1 end
    redis.call('ZADD', F, deadline, seq)
    redis.call('ZADD', U, seq, seq)
    count = count + 1
    out[#out + 1] = messageId; out[#out + 1] = seq; out[#out + 1] = deliveries
    return true
  end
  local room = true
  while room and count < max do
    local seq = redis.call('ZRANGE', V, 0, 0)[1]
    if not seq then break end
    seq = tonumber(seq)
    room = take(seq, redis.call('LINDEX', L, seq - first))
    if room then redis.call('ZREM', V, seq) end
  end
  while room and count < max and next < last do
    room = take(next, redis.call('LINDEX', L, next - first))
    if room then next = next + 1 end
  end
  redis.call('HSET', s, 'next', next)
  redis.call('HINCRBY', M, 'inf', count)
  out[1] = redis.call('ZCARD', V) + last - next
  if count > 0 then out[4] = reschedule(id) end
end
out[6] = used
if count == 0 and waitMs > 0 then
  -- It will wait: publishes until then tell the instances, and expiry counts it as active.
  redis.call('HSET', s, 'wu', now + waitMs)
  if metaNum('wait') < now + waitMs then redis.call('HSET', M, 'wait', now + waitMs) end
end
local messages, bytes = trim()
out[2], out[3] = messages, bytes
return out
`);

/**
 * The settling operations. ARGV: op ('ack', 'nack', 'extend', 'settle'), id, delayMs, subject, seq…,
 * wake channel.
 * 'settle' acks messages handed to the dead-letter subject without counting as activity.
 * Returns {count, messages freed, bytes freed, due hint, exhausted: seq, message id, dead-letter subject, …};
 * count -1 for no such subscriber, -2 for an at-most-once one.
 */
export const SETTLE = script(`
local op, id, delayMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
local s = key('s', id)
local h = redis.call('HMGET', s, 'aw', 'md', 'dl')
if redis.call('EXISTS', s) == 0 then return {-1, 0, 0, -1} end
if not h[1] then return {-2, 0, 0, -1} end
local now = clock()
if op ~= 'settle' then redis.call('ZADD', A, now, id) end
local F, V, Y, U, N = key('f', id), key('v', id), key('y', id), key('u', id), key('n', id)
local out = {0, 0, 0, -1}
local maxDeliveries = h[2] and tonumber(h[2])
local available = false
-- A message handed on stays in flight until the caller settles it: the same seq again in this call must not count.
local handedOn = {}
for i = 5, #ARGV - 1 do
  local seq = ARGV[i]
  if not handedOn[seq] and redis.call('ZSCORE', F, seq) then
    out[1] = out[1] + 1
    if op == 'ack' or op == 'settle' then
      redis.call('ZREM', F, seq); redis.call('ZREM', U, seq); redis.call('HDEL', N, seq)
      redis.call('HINCRBY', M, 'inf', -1)
    elseif op == 'extend' then
      redis.call('ZADD', F, now + tonumber(h[1]), seq)
    elseif maxDeliveries and tonumber(redis.call('HGET', N, seq)) >= maxDeliveries then
      -- Delivered maxDeliveries times: held in flight while the caller hands it on, then settled.
      redis.call('ZADD', F, now + 30000, seq)
      handedOn[seq] = true
      out[#out + 1] = seq
      out[#out + 1] = select(4, parse(redis.call('LINDEX', L, tonumber(seq) - metaNum('first'))))
      out[#out + 1] = h[3] or ''
    else
      redis.call('ZREM', F, seq)
      redis.call('HINCRBY', M, 'inf', -1)
      if delayMs > 0 then redis.call('ZADD', Y, now + delayMs, seq) else
        redis.call('ZADD', V, seq, seq)
        available = true
      end
    end
  end
end
if available then wake('w', ARGV[4], id, now) end
redis.call('ZADD', P, floorOf(id, s), id)
out[4] = reschedule(id)
local messages, bytes = trim()
out[2], out[3] = messages, bytes
return out
`);

/**
 * Deadlines passed and nack delays over, for up to ARGV[3] messages. ARGV: wake channel, (unused), budget, subject.
 * Returns {subject's next due or -1, handled, exhausted: id, seq, message id, dead-letter subject, …}
 * and tells the instances which subscribers have messages again.
 */
export const DUE = script(`
local channel, tag, budget = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = clock()
local out = {-1, 0}
local ids = redis.call('ZRANGEBYSCORE', DQ, '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(ids) do
  local s = key('s', id)
  local h = redis.call('HMGET', s, 'md', 'dl')
  local F, V, Y, N = key('f', id), key('v', id), key('y', id), key('n', id)
  local available = false
  local maxDeliveries = h[1] and tonumber(h[1])
  for _, seq in ipairs(redis.call('ZRANGEBYSCORE', F, '-inf', now, 'LIMIT', 0, math.max(budget - out[2], 1))) do
    out[2] = out[2] + 1
    if maxDeliveries and tonumber(redis.call('HGET', N, seq)) >= maxDeliveries then
      redis.call('ZADD', F, now + 30000, seq)
      out[#out + 1] = id; out[#out + 1] = seq
      out[#out + 1] = select(4, parse(redis.call('LINDEX', L, tonumber(seq) - metaNum('first'))))
      out[#out + 1] = h[2] or ''
    else
      redis.call('ZREM', F, seq)
      redis.call('HINCRBY', M, 'inf', -1)
      redis.call('ZADD', V, seq, seq)
      available = true
    end
  end
  for _, seq in ipairs(redis.call('ZRANGEBYSCORE', Y, '-inf', now, 'LIMIT', 0, math.max(budget - out[2], 1))) do
    out[2] = out[2] + 1
    redis.call('ZREM', Y, seq)
    redis.call('ZADD', V, seq, seq)
    available = true
  end
  reschedule(id)
  if available then redis.call('PUBLISH', channel, 'w\\n' .. ARGV[4] .. '\\n' .. id) end
  if out[2] >= budget then break end
end
local earliest = redis.call('ZRANGE', DQ, 0, 0, 'WITHSCORES')[2]
if earliest then out[1] = tonumber(earliest) end
return out
`);

/**
 * Removes up to ARGV[2] subscribers idle since before ARGV[1] (ms); one with a fetch waiting
 * counts as active. Returns {earliest activity left or -1, messages freed, bytes freed,
 * subscribers left, in flight released, end of the log if it was dropped (else 0), id, …}.
 */
export const EXPIRE = script(`
local idleSince, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = clock()
local out = {-1, 0, 0, 0, 0, 0}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', A, '-inf', '(' .. idleSince, 'LIMIT', 0, limit)) do
  local waitsUntil = redis.call('HGET', key('s', id), 'wu')
  if waitsUntil and tonumber(waitsUntil) >= now then
    redis.call('ZADD', A, now, id)
  else
    local messages, bytes, dropped, inFlight = remove(id, true)
    out[2], out[3], out[5] = out[2] + messages, out[3] + bytes, out[5] + inFlight
    if dropped > 0 then out[6] = dropped end
    out[#out + 1] = id
  end
end
out[4] = metaNum('subs')
if out[4] > 0 then
  local messages, bytes = trim()
  out[2], out[3] = out[2] + messages, out[3] + bytes
end
local earliest = redis.call('ZRANGE', A, 0, 0, 'WITHSCORES')[2]
if earliest then out[1] = tonumber(earliest) end
return out
`);

/** For the gauges: {oldest message's publish time (ms) or -1, messages in flight}. */
export const HEAD = script(`
local head = redis.call('LINDEX', L, 0)
local inFlight = metaNum('inf')
if not head then return {-1, inFlight} end
local _, _, published = parse(head)
return {published, inFlight}
`);

/** Whether the subject has subscribers (0/1): whether its log is gone. */
export const HAS_SUBSCRIBERS = script(`
return metaNum('subs') > 0 and 1 or 0
`);

/**
 * Trims what an earlier script left (at most TRIM_BATCH a call), and deletes the data trimmed over
 * GRACE_MS ago (at most 2 × TRIM_BATCH a call). Returns {messages freed, bytes freed, data deleted,
 * data left to delete}.
 */
export const TRIM = script(`
local messages, bytes, deleted = trim()
return {messages, bytes, deleted, redis.call('ZCARD', G)}
`);
