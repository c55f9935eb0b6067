#!lua flags=allow-oom
-- Deadlines passed and nack delays over, for up to a budget of messages: each deadline's message is
-- available again, or, past maxDeliveries, held in flight for the caller to hand on. Tells the
-- instances which subscribers have messages again.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] budget, ARGV[3] the subject, ARGV[4] wake channel
-- Returns {accounting, subject's next due or -1, handled, exhausted: id, seq, message id, dead-letter subject, …}.
local budget, subject, channel = tonumber(ARGV[2]), ARGV[3], ARGV[4]
local now = clock()
local out = {-1, 0}
local ids = redis.call('ZRANGEBYSCORE', DQ, '-inf', now, 'LIMIT', 0, 100)
-- A retained subject's dropped messages are never redelivered nor dead-lettered: forgotten first.
local live = ruleOf() and expireAged(TRIM_BATCH)
for _, id in ipairs(ids) do
  if live then catchUp(id, live) end
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
      tally('inflight', -1)
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
  if available then redis.call('PUBLISH', channel, 'w\n' .. subject .. '\n' .. id) end
  if out[2] >= budget then break end
end
local earliest = redis.call('ZRANGE', DQ, 0, 0, 'WITHSCORES')[2]
if earliest then out[1] = tonumber(earliest) end
local answer = {accounted(oldestPublished)}
for i = 1, #out do answer[i + 1] = out[i] end
return answer
