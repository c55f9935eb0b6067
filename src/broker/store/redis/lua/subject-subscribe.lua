#!lua
-- A new subscriber, placed at the end of the log (or at its start, for the subject's first); or,
-- for a name the subject already has, that subscriber, its activity refreshed.
-- KEYS[1] subject base, KEYS[2] accounting base (accounting.lua)
-- ARGV[1] accounting mode, ARGV[2] id, ARGV[3] ackWaitMs ('' for at most once), ARGV[4] maxDeliveries,
-- ARGV[5] deadLetterSubject, ARGV[6] maxAckPending ('' for at most once), ARGV[7] maxSubscribers
-- (checked on a single Redis), ARGV[8] the subject, ARGV[9] name ('' for none), ARGV[10] owner
-- of the name ('' for none), ARGV[11] '0' when a Cluster lease was refused (only a name may answer),
-- ARGV[12] the subject's retention rule ('' for none), ARGV[13] where it starts ('' new, 'all',
-- 'last', 's:<seq>', 't:<ms>'; other than '' only on a retained subject)
-- Returns {accounting, created, id}: created 1 when it started the subject's log, 0 when the log was
-- there, 2 for the existing subscriber of the name (id is its id); -1 when broker.max-subscribers
-- subscribers exist; -2 when its lease was given up; -3 when the name is another owner's; -4 when
-- the name's subscriber has other settings.
if leaseGivenUp() then return {{}, -2} end
assertTypes(M, 'hash', P, 'zset', I, 'zset', ACT, 'zset', NACT, 'zset', NM, 'hash', T, 'zset', L, 'list', G, 'zset', D, 'hash')
local id, aw, md, dl, mp, name, owner, dv = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[9], ARGV[10], ARGV[13]
local now = clock()
if name ~= '' then
  local existing = redis.call('HGET', NM, name)
  if existing then
    local h = redis.call('HMGET', key('s', existing), 'ow', 'aw', 'md', 'dl', 'mp', 'dv')
    -- The owner first: another owner learns nothing of the settings.
    if (h[1] or '') ~= owner then return {{}, -3} end
    if (h[2] or '') ~= aw or (h[3] or '') ~= md or (h[4] or '') ~= dl or (h[5] or '') ~= mp or (h[6] or '') ~= dv then return {{}, -4} end
    redis.call('ZADD', NACT, now, existing)
    return {{}, 2, existing}
  end
end
if ARGV[11] == '0' or (INLINE and held('subscribers') + 1 > tonumber(ARGV[7])) then return {{}, -1} end
local created = metaNum('subs') == 0
-- Its first subscriber of its own (patterns reading the log, `prd`, are none): listed again.
local listed = created or metaNum('subs') == metaNum('prd')
local rule = applyRule(ARGV[12])
if created and not rule then
  local from = math.max(held('nextLog'), 1, metaNum('end'))
  redis.call('PERSIST', M)
  redis.call('HSET', M, 'first', from, 'end', from, 'bytes', 0, 'subs', 0)
  -- A replaying pattern subscriber's own log (`<pattern> <id>`; a named one's id is the same each
  -- time): what an earlier log of that name took from each source (pattern-append.lua) is not this one's.
  if string.find(ARGV[8], ' ', 1, true) then redis.call('DEL', B .. ':fw') end
end
redis.call('HINCRBY', M, 'subs', 1)
local position = metaNum('end')
-- A retained subject: where deliver says, past what its rule dropped or has expired.
if rule then position = deliverPosition(dv) end
local s = key('s', id)
redis.call('HSET', s, 'next', position)
if aw ~= '' then redis.call('HSET', s, 'aw', aw, 'mp', mp) end
if md ~= '' then redis.call('HSET', s, 'md', md) end
if dv ~= '' then redis.call('HSET', s, 'dv', dv) end
if dl ~= '' then redis.call('HSET', s, 'dl', dl) end
redis.call('ZADD', P, position, id)
redis.call('ZADD', I, 0, id)
if name ~= '' then
  redis.call('HSET', s, 'nm', name, 'ow', owner)
  redis.call('HSET', NM, name, id)
  redis.call('ZADD', NACT, now, id)
  if INLINE then lowerIndex('named', now, ARGV[8]) end
else
  redis.call('ZADD', ACT, now, id)
end
tally('subscribers', 1)
-- Every subject with a log is listed in the idle index (its gauge counts subjects), named or not.
if INLINE then
  lowerIndex('idle', now, ARGV[8])
  listSubject(ARGV[8])
end
return {accounted(oldestPublished), listed and 1 or 0, id}
