#!lua flags=no-writes
-- A subject's index entry's version, to raise it later only if no request lowered it meanwhile.
-- KEYS[1] broker-wide base; ARGV[1] index, ARGV[2] subject
return redis.call('HGET', VER, ARGV[1] .. ':' .. ARGV[2]) or '0'
