#!lua
-- Wildcard subscriptions: moves a pattern's position in a subject's log past what it forwarded
-- (never back), freeing what nobody holds; or, when the pattern has no subscriber, takes it off the
-- log, dropping the log (as subject.lua's remove) when it was the last reader.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] the pattern, ARGV[3] the seq it reads next, ARGV[4] '1': detach
-- Returns {accounting, 1 when the log was dropped}.
local member = 'p:' .. ARGV[2]
if not redis.call('ZSCORE', P, member) then return {accounted(oldestPublished), 0} end
if ARGV[4] ~= '1' then
  redis.call('ZADD', P, 'GT', tonumber(ARGV[3]), member)
  trim()
  return {accounted(oldestPublished), 0}
end
redis.call('ZREM', P, member)
redis.call('HINCRBY', M, 'prd', -1)
if redis.call('HINCRBY', M, 'subs', -1) > 0 or redis.call('HEXISTS', M, 'ret') == 1 then
  trim()
  return {accounted(oldestPublished), 0}
end
local last = metaNum('end')
tally('messages', -(last - metaNum('first')))
tally('bytes', -metaNum('bytes'))
headMoved = true
redis.call('UNLINK', L, P, ACT, NACT, NM, DQ, D, G)
redis.call('HSET', M, 'first', last, 'bytes', 0)
redis.call('HDEL', M, 'wait', 'wk')
redis.call('PEXPIRE', M, 3600000)
if last > held('nextLog') then redis.call('HSET', AL, 'nextLog', last) end
return {accounted(oldestPublished), 1}
