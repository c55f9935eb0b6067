#!lua flags=no-writes
-- The next messages of a subscriber (due again first, lowest seq first, then new ones), or the
-- oldest of the subject's log, without taking them: nothing is written.
-- KEYS[1] subject base, KEYS[2] accounting base (unused)
-- ARGV[1] accounting mode (unused), ARGV[2] subscriber id ('' for the subject's oldest), ARGV[3] max (at most 100)
-- Returns {-1} for no such subscriber or subject, else {retained (1/0), then per message: seq,
-- message id, publish time (ms)}. The caller reads the data of the ids from B:d.
local id, max = ARGV[2], tonumber(ARGV[3])
local first, last = metaNum('first'), metaNum('end')
local retained = redis.call('HEXISTS', M, 'ret') == 1
local seqs = {}
if id == '' then
  -- Patterns reading the log (`prd`) are no subscribers (subject-figures.lua).
  if metaNum('subs') - metaNum('prd') == 0 and not retained then return {-1} end
  for seq = first, math.min(last, first + max) - 1 do seqs[#seqs + 1] = seq end
else
  local h = redis.call('HMGET', key('s', id), 'next', 'aw')
  if not h[1] then return {-1} end
  if h[2] then
    for _, seq in ipairs(redis.call('ZRANGEBYSCORE', key('v', id), first, '+inf', 'LIMIT', 0, max)) do seqs[#seqs + 1] = tonumber(seq) end
  end
  for seq = math.max(tonumber(h[1]), first), last - 1 do
    if #seqs >= max then break end
    seqs[#seqs + 1] = seq
  end
end
local out = {retained and 1 or 0}
for _, seq in ipairs(seqs) do
  local _, _, published, messageId = parse(redis.call('LINDEX', L, seq - first))
  out[#out + 1] = seq
  out[#out + 1] = messageId
  out[#out + 1] = published
end
return out
