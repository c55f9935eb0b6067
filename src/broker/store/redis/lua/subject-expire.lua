#!lua flags=allow-oom
-- Removes up to a limit of the subscribers idle since before a time, of one kind: without a name,
-- or named; one with a fetch waiting counts as active. Trims once, after them.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] idleSince (ms), ARGV[3] limit, ARGV[4] the subject, ARGV[5] '1'
-- for named subscribers
-- Returns {accounting, earliest activity left of that kind (-1: none; NEVER: none, but the subject
-- still has subscribers, so it stays listed in the idle index), end of the log if it was dropped
-- (else 0), id, …}.
local idleSince, limit, subject, named = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5] == '1'
local activity = named and NACT or ACT
local now = clock()
local out = {-1, 0}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', activity, '-inf', '(' .. idleSince, 'LIMIT', 0, limit)) do
  local waitsUntil = redis.call('HGET', key('s', id), 'wu')
  if waitsUntil and tonumber(waitsUntil) >= now then
    redis.call('ZADD', activity, now, id)
  else
    local dropped = remove(id, true)
    if dropped > 0 then out[2] = dropped end
    out[#out + 1] = id
  end
end
if metaNum('subs') > 0 then trim() end
if out[2] > 0 and INLINE then
  unlistIndex('idle', subject)
  unlistIndex('due', subject)
  unlistIndex('named', subject)
  if not ruleOf() then unlistIndex('subjects', subject) end
end
local earliest = redis.call('ZRANGE', activity, 0, 0, 'WITHSCORES')[2]
if earliest then out[1] = tonumber(earliest) elseif not named and metaNum('subs') - metaNum('prd') > 0 then out[1] = NEVER end
local answer = {accounted(oldestPublished)}
for i = 1, #out do answer[i + 1] = out[i] end
return answer
