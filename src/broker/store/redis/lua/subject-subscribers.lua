#!lua flags=no-writes
-- A page of a subject's subscribers ordered by id, with their settings and figures, as they are.
-- KEYS[1] subject base, KEYS[2] accounting base (unused)
-- ARGV[1] accounting mode (unused), ARGV[2] the id after which the page starts ('' from the first),
-- ARGV[3] limit (at most 1000; one more is read, to tell whether more follow)
-- Returns {0} when the subject has no log, else {1, more (1/0), then per subscriber: id, name or '',
-- ackWaitMs or '', maxDeliveries or '', deadLetterSubject or '', maxAckPending or '', pending,
-- in flight, last activity (ms)}.
-- Patterns reading the log (`prd`) are no subscribers (subject-figures.lua).
if metaNum('subs') - metaNum('prd') == 0 and redis.call('HEXISTS', M, 'ret') == 0 then return {0} end
local limit = tonumber(ARGV[3])
local from = ARGV[2] == '' and '-' or '(' .. ARGV[2]
local ids = redis.call('ZRANGE', I, from, '+', 'BYLEX', 'LIMIT', 0, limit + 1)
local out = {1, #ids > limit and 1 or 0}
local first, last = metaNum('first'), metaNum('end')
for n = 1, math.min(#ids, limit) do
  local id = ids[n]
  local h = redis.call('HMGET', key('s', id), 'next', 'nm', 'aw', 'md', 'dl', 'mp')
  if h[1] then
    local pending = last - math.max(tonumber(h[1]), first)
    local inFlight = 0
    if h[3] then
      pending = pending + redis.call('ZCOUNT', key('v', id), first, '+inf')
      inFlight = redis.call('ZCARD', key('f', id))
    end
    local active = redis.call('ZSCORE', activityOf(h[2]), id) or '0'
    out[#out + 1] = id
    out[#out + 1] = h[2] or ''
    out[#out + 1] = h[3] or ''
    out[#out + 1] = h[4] or ''
    out[#out + 1] = h[5] or ''
    out[#out + 1] = h[6] or ''
    out[#out + 1] = pending
    out[#out + 1] = inFlight
    out[#out + 1] = tonumber(active)
  end
end
return out
