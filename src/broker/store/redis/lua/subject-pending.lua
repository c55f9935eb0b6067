#!lua flags=no-writes
-- Pending messages of a subscriber: new ones, and for an acknowledged one those available again.
-- KEYS[1] subject base, KEYS[2] accounting base (unused)
-- ARGV[1] accounting mode (unused), ARGV[2] id
-- Returns the count, or -1 for no such subscriber.
local s = key('s', ARGV[2])
local h = redis.call('HMGET', s, 'next', 'aw')
if not h[1] then return -1 end
local pending = metaNum('end') - tonumber(h[1])
if h[2] then pending = pending + redis.call('ZCARD', key('v', ARGV[2])) end
return pending
