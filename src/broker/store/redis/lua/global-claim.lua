#!lua flags=allow-oom
-- Redis Cluster: what the counts sweep of one instance reads from the slots next: leases past their
-- time (their report never came), and the slots whose counts were read longest ago. Each is claimed
-- (pushed back by the lease time, or marked read now), so instances share the work.
-- KEYS[1] broker-wide base
-- ARGV[1] lease time (ms), ARGV[2] most leases, ARGV[3] most slots, ARGV[4] read slots not read
-- for this long (ms)
-- Returns {number of leases, lease id, its slot, …, slot, …}.
local leaseMs, maxLeases, maxSlots, age = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = clock()
local out = {0}
for _, lease in ipairs(redis.call('ZRANGEBYSCORE', G .. ':leases', '-inf', now, 'LIMIT', 0, maxLeases)) do
  local granted = redis.call('HGET', G .. ':lease', lease)
  if granted then
    redis.call('ZADD', G .. ':leases', now + leaseMs, lease)
    out[1] = out[1] + 1
    out[#out + 1] = lease
    out[#out + 1] = numbers(granted)[1]
  else
    redis.call('ZREM', G .. ':leases', lease)
  end
end
for _, slot in ipairs(redis.call('ZRANGEBYSCORE', G .. ':checked', '-inf', now - age, 'LIMIT', 0, maxSlots)) do
  redis.call('ZADD', G .. ':checked', now, slot)
  out[#out + 1] = slot
end
return out
