-- Where a subject's script counts what it changes, and how it knows the broker-wide limits.
-- Prepended to every script on a subject's keys (after subject.lua).
--
-- KEYS[2] A: where the subject is counted.
--   On a single Redis: the broker-wide base <prefix>{~}. The broker-wide ledger and indexes then
--   change in the same script as the subject, so the counts cannot drift from what is stored,
--   whatever fails or is killed, and the limits are checked here.
--   On a Redis Cluster: the ledger of the subject's hash slot, <prefix>{~<n>} (same slot as KEYS[1]),
--   exact for the subjects of that slot; the broker reports it to the broker-wide ledger
--   (global-report.lua), and limits were reserved there first, as a lease (global-reserve.lua).
-- ARGV[1]: 'i' on a single Redis; on a Cluster 'l' followed by the lease id of what this script may
--   add ('l' alone: it adds nothing that needs one).
--
--   A:ledger hash: messages, bytes, subscribers, inflight, nextLog (seq of a subject's new log),
--            retained, retainedBytes, rd:age, rd:messages, rd:bytes (retained messages and bytes,
--            messages dropped by retention per reason: subject.lua's dropFront),
--            v (Cluster: version of the counts, one more at every change)
--   A:heads  zset: subject base key -> publish time (ms) of its oldest message, for the oldest-age gauge
--   A:dead   zset (Cluster): lease id -> when it was given up; a script holding it adds nothing
local A = KEYS[2]
local AL, AH = A .. ':ledger', A .. ':heads'
local INLINE = ARGV[1] == 'i'
local LEASE = string.sub(ARGV[1], 2)
local counted = {messages = 0, bytes = 0, subscribers = 0, inflight = 0}
-- Cluster: the fields of a slot's ledger the broker-wide one sums (global-report.lua), in the order
-- they are answered; the same list is in slot-state.lua and global.lua. The retention figures are
-- changed outside `counted`, but only with a drop (dropFront moves the head) or a message added
-- (counted), so a script that changes them always answers the counts.
local SLOT_COUNTS = {'messages', 'bytes', 'subscribers', 'inflight', 'retained', 'retainedBytes', 'rd:age', 'rd:messages', 'rd:bytes'}
local headMoved = false
-- Messages this script trimmed from the head of the log (subject.lua's trim).
local trimmed = 0

local function held(field) return tonumber(redis.call('HGET', AL, field) or '0') end
local function tally(field, by) counted[field] = counted[field] + by end

-- Cluster: the broker-wide ledger gave this script's lease up (it took too long to come): add nothing.
local function leaseGivenUp()
  return LEASE ~= '' and redis.call('ZSCORE', A .. ':dead', LEASE) ~= false
end

-- On a single Redis, the idle and redelivery indexes change here too (global.lua says how they work).
local function lowerIndex(index, time, subject)
  redis.call('ZADD', A .. ':' .. index, 'LT', time, subject)
  redis.call('HSET', A .. ':ver', index .. ':' .. subject, redis.call('INCR', A .. ':vseq'))
end
-- The management API's listing of subjects with a log (global.lua's G:subjects), on a single Redis.
local function listSubject(subject) redis.call('ZADD', A .. ':subjects', 0, subject) end
local function unlistIndex(index, subject)
  redis.call('ZREM', A .. ':' .. index, subject)
  redis.call('HDEL', A .. ':ver', index .. ':' .. subject)
end

-- Applies what the script counted (`counted`, which a script checking room adds to held()), once, after its other writes (so a script that fails half-way
-- counts nothing). `oldest` gives the subject's oldest publish time, or nil for an empty log.
-- Returns {messages trimmed} and, on a Cluster when anything changed, the slot's counts for the
-- broker-wide ledger: {trimmed, v, then the SLOT_COUNTS in order, oldest publish time or -1}.
local function accounted(oldest)
  local changed = headMoved
  for field, by in pairs(counted) do
    if by ~= 0 then
      redis.call('HINCRBY', AL, field, by)
      changed = true
    end
  end
  if headMoved then
    local head = oldest()
    if head then redis.call('ZADD', AH, head, KEYS[1]) else redis.call('ZREM', AH, KEYS[1]) end
  end
  if INLINE or not changed then return {trimmed} end
  local v = redis.call('HINCRBY', AL, 'v', 1)
  local h = redis.call('HMGET', AL, unpack(SLOT_COUNTS))
  local out = {trimmed, v}
  for i = 1, #SLOT_COUNTS do out[#out + 1] = tonumber(h[i] or '0') end
  local first = redis.call('ZRANGE', AH, 0, 0, 'WITHSCORES')[2]
  out[#out + 1] = first and tonumber(first) or -1
  return out
end
