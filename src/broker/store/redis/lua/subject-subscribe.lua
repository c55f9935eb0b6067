#!lua
-- A new subscriber, placed at the end of the log (or at its start, for the subject's first).
-- KEYS[1] subject base, KEYS[2] accounting base (accounting.lua)
-- ARGV[1] accounting mode, ARGV[2] id, ARGV[3] ackWaitMs ('' for at most once), ARGV[4] maxDeliveries,
-- ARGV[5] deadLetterSubject, ARGV[6] maxAckPending ('' for at most once), ARGV[7] maxSubscribers
-- (checked on a single Redis), ARGV[8] the subject
-- Returns {accounting, created}: created 1 when it started the subject's log, 0 when the log was
-- there; -1 when broker.max-subscribers subscribers exist; -2 when its lease was given up.
if leaseGivenUp() then return {{}, -2} end
if INLINE and held('subscribers') + 1 > tonumber(ARGV[7]) then return {{}, -1} end
local id, aw, md, dl, mp = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local created = metaNum('subs') == 0
if created then
  local from = math.max(held('nextLog'), 1, metaNum('end'))
  redis.call('PERSIST', M)
  redis.call('HSET', M, 'first', from, 'end', from, 'bytes', 0, 'subs', 0)
end
redis.call('HINCRBY', M, 'subs', 1)
local position = metaNum('end')
local s = key('s', id)
redis.call('HSET', s, 'next', position)
if aw ~= '' then redis.call('HSET', s, 'aw', aw, 'mp', mp) end
if md ~= '' then redis.call('HSET', s, 'md', md) end
if dl ~= '' then redis.call('HSET', s, 'dl', dl) end
local now = clock()
redis.call('ZADD', P, position, id)
redis.call('ZADD', ACT, now, id)
tally('subscribers', 1)
if INLINE then lowerIndex('idle', now, ARGV[8]) end
return {accounted(oldestPublished), created and 1 or 0}
