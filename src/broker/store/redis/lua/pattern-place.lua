#!lua
-- A replaying pattern subscriber (deliver other than new, pattern-replay.ts): makes its own log a
-- reader of a retained subject's log it matches, placed where `deliver` says in that subject, as
-- subject-subscribe.lua places a subscriber of the subject, unless it reads the log already. Run for
-- every such subject before the log is registered, so no publish attaches it at the end first
-- (pattern-attach.lua adds a reader only where there is none). Counted as pattern-attach.lua counts.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode (on a Cluster 'l' alone: it adds nothing leased), ARGV[2] the subject,
-- ARGV[3] the reading log (`<pattern> <id>`; its reader is 'p:<log>' in B:p), ARGV[4] the subject's
-- retention rule (never ''), ARGV[5] where it starts ('all', 'last', 't:<ms>'; 's:<seq>' as the
-- memory store takes it, though the broker refuses a start by seq on a pattern)
-- Returns {accounting, 1 when placed, 0 when it read the log already, 1 when it made the subject's
-- log again (an empty retained subject's had gone; on a single Redis listed here, on a Cluster by the caller)}.
assertTypes(M, 'hash', P, 'zset', T, 'zset', L, 'list')
local member, dv = 'p:' .. ARGV[3], ARGV[5]
if redis.call('ZSCORE', P, member) then return {accounted(oldestPublished), 0, 0} end
applyRule(ARGV[4])
local position = deliverPosition(dv)
redis.call('HINCRBY', M, 'subs', 1)
redis.call('HINCRBY', M, 'prd', 1)
redis.call('ZADD', P, position, member)
if logMade and INLINE then listSubject(ARGV[2]) end
return {accounted(oldestPublished), 1, logMade and 1 or 0}
