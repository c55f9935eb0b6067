#!lua flags=allow-oom
-- Redis Cluster: the counts of one slot's subjects, read on the slot's node, for the broker-wide
-- ledger. Given a lease, gives it up first: a script that still comes with it adds nothing, so the
-- counts read here include all that lease will ever add.
-- KEYS[1] the slot's accounting base <prefix>{~<n>}
-- ARGV[1] lease id to give up, or ''
-- Returns {v, messages, bytes, subscribers, inflight, oldest publish time or -1}.
local A = KEYS[1]
local AL = A .. ':ledger'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] ~= '' then
  redis.call('ZADD', A .. ':dead', now, ARGV[1])
  -- A script cannot come with a lease an hour old: its call timed out long before.
  redis.call('ZREMRANGEBYSCORE', A .. ':dead', '-inf', now - 3600000)
end
local h = redis.call('HMGET', AL, 'v', 'messages', 'bytes', 'subscribers', 'inflight')
local oldest = redis.call('ZRANGE', A .. ':heads', 0, 0, 'WITHSCORES')[2]
return {tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0'), tonumber(h[4] or '0'), tonumber(h[5] or '0'), oldest and tonumber(oldest) or -1}
