#!lua flags=allow-oom
-- Redis Cluster: the counts of one slot's subjects, read on the slot's node, for the broker-wide
-- ledger. Given a lease, gives it up first: a script that still comes with it adds nothing, so the
-- counts read here include all that lease will ever add.
-- KEYS[1] the slot's accounting base <prefix>{~<n>}
-- ARGV[1] lease id to give up, or ''
-- Returns {v, messages, bytes, subscribers, inflight, retained, retainedBytes, rd:age, rd:messages,
-- rd:bytes, oldest publish time or -1}: as accounting.lua's accounted() (its SLOT_COUNTS) answers them.
local A = KEYS[1]
local AL = A .. ':ledger'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] ~= '' then
  redis.call('ZADD', A .. ':dead', now, ARGV[1])
  -- A script cannot come with a lease an hour old: its call timed out long before.
  redis.call('ZREMRANGEBYSCORE', A .. ':dead', '-inf', now - 3600000)
end
local h = redis.call('HMGET', AL, 'v', 'messages', 'bytes', 'subscribers', 'inflight', 'retained', 'retainedBytes', 'rd:age', 'rd:messages', 'rd:bytes')
local out = {}
for i = 1, #h do out[i] = tonumber(h[i] or '0') end
local oldest = redis.call('ZRANGE', A .. ':heads', 0, 0, 'WITHSCORES')[2]
out[#out + 1] = oldest and tonumber(oldest) or -1
return out
