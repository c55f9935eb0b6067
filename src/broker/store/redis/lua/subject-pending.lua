#!lua flags=allow-oom
-- Pending messages of a subscriber: new ones, and for an acknowledged one those available again.
-- On a retained subject, what its rule dropped is forgotten first (as a fetch would), and
-- expired messages are dropped (a batch) or not counted.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] id
-- Returns {accounting, count}, count -1 for no such subscriber.
local id = ARGV[2]
local s = key('s', id)
if redis.call('EXISTS', s) == 0 then return {{}, -1} end
local live = metaNum('first')
if ruleOf() then
  live = expireAged(TRIM_BATCH)
  catchUp(id, live)
end
local h = redis.call('HMGET', s, 'next', 'aw')
local pending = metaNum('end') - math.max(tonumber(h[1]), live)
if h[2] then pending = pending + redis.call('ZCARD', key('v', id)) end
return {accounted(oldestPublished), pending}
