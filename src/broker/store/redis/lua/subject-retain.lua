#!lua flags=allow-oom
-- The age sweep's call on one retained subject: drops up to TRIM_BATCH messages past its max-age;
-- a retained subject left with neither messages nor subscribers is forgotten (its seqs go on from
-- its end if it comes back), once no trimmed data is left to delete.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] the subject
-- Returns {accounting, when it is next due in the age index (-1: not listed; -2: not listed, and the
-- subject forgotten: on a Cluster the caller unlists it), more expired now (1/0)}.
local rule = ruleOf()
if not rule or rule.maxAgeMs == 0 then return {accounted(oldestPublished), -1, 0} end
local _, left = expireAged(TRIM_BATCH)
local next = -1
local oldest = redis.call('ZRANGE', T, 0, 0, 'WITHSCORES')[2]
if oldest then
  next = tonumber(oldest) + rule.maxAgeMs
elseif metaNum('subs') == 0 and redis.call('ZCARD', G) == 0 then
  local last = metaNum('end')
  redis.call('UNLINK', L, P, ACT, NACT, NM, DQ, T)
  redis.call('HDEL', M, 'ret', 'lt', 'wait', 'wk')
  redis.call('HSET', M, 'first', last, 'bytes', 0)
  redis.call('PEXPIRE', M, 3600000)
  if last > held('nextLog') then redis.call('HSET', AL, 'nextLog', last) end
  -- Forgotten: unlisted here on a single Redis, by the caller on a Cluster (next = -2).
  if INLINE then unlistIndex('subjects', ARGV[2]) else next = -2 end
elseif metaNum('subs') == 0 then
  -- Trimmed data still to delete (GRACE_MS): looked at again then.
  next = clock() + GRACE_MS
end
return {accounted(oldestPublished), next, left > 0 and 1 or 0}
