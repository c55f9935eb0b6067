#!lua flags=allow-oom
-- Lowers (or adds) a subject's entry in an index.
-- KEYS[1] broker-wide base
-- ARGV[1] index ('due', 'idle' or 'named'), ARGV[2] subject, ARGV[3] time (ms, or 'now': Redis's clock)
redis.call('ZADD', G .. ':' .. ARGV[1], 'LT', ARGV[3] == 'now' and clock() or ARGV[3], ARGV[2])
touched(ARGV[1] .. ':' .. ARGV[2])
return 1
