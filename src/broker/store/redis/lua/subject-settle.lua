#!lua flags=allow-oom
-- Acks, nacks and extends of an acknowledged subscriber's messages in flight. 'settle' acks
-- messages handed to the dead-letter subject, without counting as activity.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] op ('ack', 'nack', 'extend', 'settle'), ARGV[3] id,
-- ARGV[4] delayMs (nack), ARGV[5] the subject, then the seqs, then (last) the wake channel
-- Returns {accounting, count, due hint, exhausted: seq, message id, dead-letter subject, …};
-- count -1 for no such subscriber, -2 for an at-most-once one.
local op, id, delayMs, subject = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local s = key('s', id)
local h = redis.call('HMGET', s, 'aw', 'md', 'dl', 'nm')
if redis.call('EXISTS', s) == 0 then return {{}, -1, -1} end
if not h[1] then return {{}, -2, -1} end
local F, V, Y, U, N = key('f', id), key('v', id), key('y', id), key('u', id), key('n', id)
assertTypes(ACT, 'zset', NACT, 'zset', P, 'zset', M, 'hash', L, 'list', G, 'zset', D, 'hash', T, 'zset', F, 'zset', V, 'zset', Y, 'zset', U, 'zset', N, 'hash', DQ, 'zset')
local now = clock()
if op ~= 'settle' then redis.call('ZADD', activityOf(h[4]), now, id) end
-- On a retained subject, what its rule dropped is forgotten first: an ack of it counts none.
if ruleOf() then catchUp(id, (expireAged(TRIM_BATCH))) end
local out = {0, -1}
local maxDeliveries = h[2] and tonumber(h[2])
-- A fetch waiting for this subscriber may take something now: messages available again, or room
-- under maxAckPending.
local room = false
-- A message handed on stays in flight until the caller settles it: the same seq again in this call must not count.
local handedOn = {}
for i = 6, #ARGV - 1 do
  local seq = ARGV[i]
  if not handedOn[seq] and redis.call('ZSCORE', F, seq) then
    out[1] = out[1] + 1
    if op == 'ack' or op == 'settle' then
      redis.call('ZREM', F, seq); redis.call('ZREM', U, seq); redis.call('HDEL', N, seq)
      redis.call('HINCRBY', M, 'inf', -1)
      tally('inflight', -1)
      room = true
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
      tally('inflight', -1)
      room = true
      if delayMs > 0 then redis.call('ZADD', Y, now + delayMs, seq) else redis.call('ZADD', V, seq, seq) end
    end
  end
end
if room then wake('w', subject, id, now) end
redis.call('ZADD', P, floorOf(id, s), id)
out[2] = reschedule(id)
if INLINE and out[2] >= 0 then lowerIndex('due', out[2], subject) end
trim()
local answer = {accounted(oldestPublished)}
for i = 1, #out do answer[i + 1] = out[i] end
return answer
