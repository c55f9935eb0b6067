#!lua flags=allow-oom
-- Takes a subscriber's next messages, oldest first, within a byte budget; for an acknowledged
-- subscriber, those due again first, each then in flight until its deadline, at most its
-- maxAckPending and the broker-wide broker.max-in-flight in flight at once. Allowed while Redis is
-- out of memory: consuming is how memory comes back.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] id, ARGV[3] max, ARGV[4] budget (answer bytes), ARGV[5] waitMs
-- (how long the caller waits if nothing is taken), ARGV[6] atLeastOne ('1': one message even past
-- the budget), ARGV[7] in-flight room: broker.max-in-flight on a single Redis, the lease's grant on
-- a Cluster, ARGV[8] the subject, ARGV[9] most of its messages in flight after this take (0: its
-- maxAckPending; else the smaller of the two: a stream's maxInFlight), ARGV[10] '1': the lean
-- answer (seqs beside data, each message's data once: it weighs its answer bytes and LEAN_EXTRA,
-- a pattern's entry what it weighs in the object form, as in the memory store)
-- Returns {accounting, remaining, due hint (-1: none), redelivered (-1: an at-most-once subscriber),
-- budget used, retained (1: a retained subject), then message id, seq, deliveries, publish time
-- (ms) per message}; {{}, -1} for no such subscriber,
-- {{}, -2} when the lease was given up. The caller reads the data of the ids from B:d, and asks
-- again for more than one script's batch.
if leaseGivenUp() then return {{}, -2} end
local id, max, budget, waitMs, atLeastOne = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'
local s = key('s', id)
local h = redis.call('HMGET', s, 'next', 'aw', 'mp', 'nm')
if not h[1] then return {{}, -1} end
assertTypes(ACT, 'zset', NACT, 'zset', P, 'zset', M, 'hash', L, 'list', G, 'zset', D, 'hash', T, 'zset', key('n', id), 'hash', key('f', id), 'zset', key('u', id), 'zset', key('v', id), 'zset')
local now = clock()
redis.call('ZADD', activityOf(h[4]), now, id)
-- This fetch sees every message published so far: the next publish wakes again (wakePublished).
redis.call('HDEL', M, 'wk')
local rule = ruleOf()
local live = metaNum('first')
if rule then
  -- Expired messages are dropped (a batch) or skipped: a fetch never answers one older than max-age.
  live = expireAged(TRIM_BATCH)
  catchUp(id, live)
  h = redis.call('HMGET', s, 'next', 'aw', 'mp', 'nm')
end
local first, last = metaNum('first'), metaNum('end')
local next = tonumber(h[1])
local out = {0, -1, 0, 0, rule and 1 or 0}
-- On a retained subject every answer carries messages, with their time.
local extra = rule and 82 or 48
-- The lean answer's seq, deliveries (and time) beside the data: message-store.ts LEAN_ENTRY_OVERHEAD.
local lean = ARGV[10] == '1'
local leanExtra = rule and 47 or 20
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
      local answer, _, published, messageId = parse(chunk[i])
      if not fits(rule and (lean and answer + leanExtra or 2 * answer + extra) or answer) then stop = true break end
      out[#out + 1] = messageId; out[#out + 1] = next + count; out[#out + 1] = 0; out[#out + 1] = published
      count = count + 1
    end
    if stop or #chunk == 0 then break end
  end
  next = next + count
  redis.call('HSET', s, 'next', next)
  redis.call('ZADD', P, next, id)
  out[1] = last - math.max(next, live)
  out[3] = -1
else
  local deadline = now + tonumber(h[2])
  local F, V, U, N = key('f', id), key('v', id), key('u', id), key('n', id)
  local room = tonumber(ARGV[7])
  if INLINE then room = room - held('inflight') - counted.inflight end
  local bound = tonumber(h[3]) or 1000
  local own = tonumber(ARGV[9]) or 0
  if own > 0 and own < bound then bound = own end
  room = math.min(room, bound - redis.call('ZCARD', F))
  if room < max then max = math.max(room, 0) end
  local function take(seq, entry)
    local answer, _, published, messageId = parse(entry)
    -- A pattern's entry (its message id is '<id> <subject>', redis-pattern-forwarder.ts) carries its
    -- whole weight in `messages` already: counted once, as the memory store does.
    local weight
    if string.find(messageId, ' ', 1, true) then weight = answer
    elseif lean then weight = answer + leanExtra
    else weight = 2 * answer + extra end
    if not fits(weight) then return false end
    local deliveries = redis.call('HINCRBY', N, seq, 1)
    if deliveries > 1 then out[3] = out[3] + 1 end
    redis.call('ZADD', F, deadline, seq)
    redis.call('ZADD', U, seq, seq)
    count = count + 1
    out[#out + 1] = messageId; out[#out + 1] = seq; out[#out + 1] = deliveries; out[#out + 1] = published
    return true
  end
  local taking = true
  while taking and count < max do
    local seq = redis.call('ZRANGE', V, 0, 0)[1]
    if not seq then break end
    seq = tonumber(seq)
    taking = take(seq, redis.call('LINDEX', L, seq - first))
    if taking then redis.call('ZREM', V, seq) end
  end
  while taking and count < max and next < last do
    taking = take(next, redis.call('LINDEX', L, next - first))
    if taking then next = next + 1 end
  end
  redis.call('HSET', s, 'next', next)
  if count > 0 then
    redis.call('HINCRBY', M, 'inf', count)
    tally('inflight', count)
  end
  out[1] = redis.call('ZCARD', V) + last - math.max(next, live)
  if count > 0 then
    out[2] = reschedule(id)
    if INLINE then lowerIndex('due', out[2], ARGV[8]) end
  end
end
out[4] = used
if count == 0 and waitMs > 0 then
  -- It will wait: publishes until then tell the instances, and expiry counts it as active.
  redis.call('HSET', s, 'wu', now + waitMs)
  if metaNum('wait') < now + waitMs then redis.call('HSET', M, 'wait', now + waitMs) end
end
trim()
local answer = {accounted(oldestPublished)}
for i = 1, #out do answer[i + 1] = out[i] end
return answer
