#!lua flags=no-writes
-- A subject's figures for the management API (store-inspection.ts says what each means), as they are:
-- nothing is expired, caught up or touched.
-- KEYS[1] subject base, KEYS[2] accounting base (unused); ARGV[1] accounting mode (unused)
-- Returns {0} when the subject has no log, else {1, subscribers, pending, pending bytes, in flight, retained}.
-- Patterns reading the log (`prd`, pattern-attach.lua) are no subscribers: a subject only patterns
-- read has no log of its own to show, as on the memory store, which never makes one.
local subs = metaNum('subs') - metaNum('prd')
local retained = redis.call('HEXISTS', M, 'ret') == 1
if subs == 0 and not retained then return {0} end
local pending = metaNum('end') - metaNum('first')
return {1, subs, pending, metaNum('bytes'), metaNum('inf'), retained and pending or 0}
