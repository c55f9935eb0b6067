#!lua flags=no-writes
-- Whether the subject's log is there: it has subscribers, or it is retained.
-- KEYS[1] subject base, KEYS[2] accounting base (unused); ARGV[1] accounting mode (unused)
-- Returns 1 or 0.
if metaNum('subs') > 0 or redis.call('HEXISTS', M, 'ret') == 1 then return 1 end
return 0
