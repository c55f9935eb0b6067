#!lua flags=no-writes
-- Subjects whose entry in an index is at or before a time, earliest first.
-- KEYS[1] broker-wide base
-- ARGV[1] index, ARGV[2] until (ms, or 'now' for Redis's clock), ARGV[3] limit
-- Returns {Redis's now (ms), earliest entry or -1, subject, version, …}.
local now = clock()
local index = G .. ':' .. ARGV[1]
local upto = ARGV[2] == 'now' and now or tonumber(ARGV[2])
local earliest = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')[2]
local out = {now, earliest and tonumber(earliest) or -1}
for _, subject in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', upto, 'LIMIT', 0, tonumber(ARGV[3]))) do
  out[#out + 1] = subject
  out[#out + 1] = redis.call('HGET', VER, ARGV[1] .. ':' .. subject) or '0'
end
return out
