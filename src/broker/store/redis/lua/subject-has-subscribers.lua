#!lua flags=no-writes
-- Whether the subject has subscribers of its own (patterns reading its log, `prd`, are none).
-- KEYS[1] subject base, KEYS[2] accounting base (unused); ARGV[1] accounting mode (unused)
-- Returns 1 or 0.
return metaNum('subs') - metaNum('prd') > 0 and 1 or 0
