#!lua
-- Wildcard subscriptions: the messages of a subject's log a pattern has not forwarded yet, from its
-- position (or the log's front, if retention dropped what was there), at most `max`.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] the pattern, ARGV[3] max
-- Returns {accounting, seq of the first entry (-1: the pattern is no reader of this log), entry…}.
local position = redis.call('ZSCORE', P, 'p:' .. ARGV[2])
if not position then return {accounted(oldestPublished), -1} end
local first, last = metaNum('first'), metaNum('end')
local from = math.max(tonumber(position), first)
local to = math.min(last, from + tonumber(ARGV[3]))
local out = {accounted(oldestPublished), from}
if to > from then
  local entries = redis.call('LRANGE', L, from - first, to - first - 1)
  for i = 1, #entries do out[#out + 1] = entries[i] end
end
return out
