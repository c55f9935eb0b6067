#!lua
-- Wildcard subscriptions (redis-pattern-forwarder.ts): makes each pattern a subject matches a reader
-- of the subject's log, at its end, unless it is one already. A reader holds the log as a
-- subscriber does (the messages after its position stay until they are forwarded to the pattern's
-- log) and counts in `subs` (so the subject takes a publish and keeps its log), not as a subscriber:
-- `prd` counts the pattern readers among `subs`, which the management API's figures leave out.
-- Runs just before the publish script, on the same connection and slot.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode (on a Cluster 'l' alone: it adds nothing leased), ARGV[2] the subject,
-- ARGV[3…] the patterns (their readers are 'p:<pattern>' in B:p; subscriber ids are UUIDs)
-- Returns {accounting, how many it attached}.
assertTypes(M, 'hash', P, 'zset')
local attached = 0
for i = 3, #ARGV do
  local member = 'p:' .. ARGV[i]
  if not redis.call('ZSCORE', P, member) then
    if metaNum('subs') == 0 and not redis.call('HGET', M, 'ret') then
      -- A new log, its seqs after every seq handed out before (as subject-subscribe.lua's).
      local from = math.max(held('nextLog'), 1, metaNum('end'))
      redis.call('PERSIST', M)
      redis.call('HSET', M, 'first', from, 'end', from, 'bytes', 0, 'subs', 0)
    end
    redis.call('HINCRBY', M, 'subs', 1)
    redis.call('HINCRBY', M, 'prd', 1)
    redis.call('ZADD', P, metaNum('end'), member)
    attached = attached + 1
  end
end
return {accounted(oldestPublished), attached}
