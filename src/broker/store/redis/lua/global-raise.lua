#!lua flags=allow-oom
-- Raises a subject's entry in an index, only if no request lowered it since its version was read.
-- KEYS[1] broker-wide base
-- ARGV[1] index, ARGV[2] subject, ARGV[3] version read with the candidates, ARGV[4] new time
-- (-1: remove), or 'later:<ms>' (Redis's now plus that: a subject whose script failed, tried again then)
-- Returns 1 if it changed the entry, else 0.
local field = ARGV[1] .. ':' .. ARGV[2]
if (redis.call('HGET', VER, field) or '0') ~= ARGV[3] then return 0 end
local to = ARGV[4]
if string.sub(to, 1, 6) == 'later:' then to = clock() + tonumber(string.sub(to, 7)) end
if to == '-1' then
  redis.call('ZREM', G .. ':' .. ARGV[1], ARGV[2])
  redis.call('HDEL', VER, field)
else
  redis.call('ZADD', G .. ':' .. ARGV[1], to, ARGV[2])
end
return 1
