#!lua flags=allow-oom
-- Redis Cluster: the counts of some slots as their scripts (or a look at the slot) gave them, and
-- the leases they include. A slot's counts replace the older ones (by version), so a report lost or
-- late is corrected by any later one; a lease stops counting once its slot's counts include it.
-- KEYS[1] broker-wide base
-- ARGV[1] n, then n slots' counts: slot, v, the SLOT_COUNTS (global.lua) in order, oldest publish
-- time (or -1); then the lease ids to drop
-- Returns 1.
local n = tonumber(ARGV[1])
local counts = #SLOT_COUNTS
local stride = counts + 3
local now = clock()
for k = 0, n - 1 do
  local at = 2 + stride * k
  local slot, v = ARGV[at], tonumber(ARGV[at + 1])
  local old = numbers(redis.call('HGET', G .. ':slots', slot) or '0')
  if v > old[1] then
    local text = tostring(v)
    for c = 1, counts do
      local value, before = tonumber(ARGV[at + 1 + c]), old[c + 1] or 0
      if value ~= before then redis.call('HINCRBY', LEDGER, SLOT_COUNTS[c], value - before) end
      text = text .. ' ' .. value
    end
    redis.call('HSET', G .. ':slots', slot, text)
    local oldest = ARGV[at + 2 + counts]
    if oldest == '-1' then redis.call('ZREM', G .. ':heads', slot) else redis.call('ZADD', G .. ':heads', oldest, slot) end
  end
  redis.call('ZADD', G .. ':checked', now, slot)
end
for i = 2 + stride * n, #ARGV do
  local lease = redis.call('HGET', G .. ':lease', ARGV[i])
  if lease then
    local c = numbers(lease)
    for f = 1, 4 do
      if c[f + 1] ~= 0 then redis.call('HINCRBY', LEDGER, COUNTS[f], -c[f + 1]) end
    end
    redis.call('HDEL', G .. ':lease', ARGV[i])
    redis.call('ZREM', G .. ':leases', ARGV[i])
  end
end
return 1
