#!lua flags=no-writes
-- Whether the subject has a log to list: subscribers of its own (patterns reading it, `prd`, are
-- none), or it is retained.
-- KEYS[1] subject base, KEYS[2] accounting base (unused); ARGV[1] accounting mode (unused)
-- Returns 1 or 0.
if metaNum('subs') - metaNum('prd') > 0 or redis.call('HEXISTS', M, 'ret') == 1 then return 1 end
return 0
