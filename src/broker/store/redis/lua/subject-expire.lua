#!lua flags=allow-oom
-- Removes up to a limit of the subscribers idle since before a time; one with a fetch waiting
-- counts as active. Trims once, after them.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] idleSince (ms), ARGV[3] limit, ARGV[4] the subject
-- Returns {accounting, earliest activity left or -1, end of the log if it was dropped (else 0), id, …}.
local idleSince, limit, subject = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local now = clock()
local out = {-1, 0}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', ACT, '-inf', '(' .. idleSince, 'LIMIT', 0, limit)) do
  local waitsUntil = redis.call('HGET', key('s', id), 'wu')
  if waitsUntil and tonumber(waitsUntil) >= now then
    redis.call('ZADD', ACT, now, id)
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
end
local earliest = redis.call('ZRANGE', ACT, 0, 0, 'WITHSCORES')[2]
if earliest then out[1] = tonumber(earliest) end
local answer = {accounted(oldestPublished)}
for i = 1, #out do answer[i + 1] = out[i] end
return answer
