#!lua
-- Wildcard subscriptions: takes a pattern off the registry of patterns with subscribers, unless it
-- was registered again since the caller looked (its score, the time of its latest subscribe, moved).
-- KEYS[1] the broker-wide base
-- ARGV[1] the pattern, ARGV[2] its score as the caller read it
-- Returns 1 when it was forgotten (the registry's version is then one more), else 0.
local R = KEYS[1] .. ':patterns'
local score = redis.call('ZSCORE', R, ARGV[1])
if not score or score ~= ARGV[2] then return 0 end
redis.call('ZREM', R, ARGV[1])
redis.call('INCR', R .. ':v')
return 1
