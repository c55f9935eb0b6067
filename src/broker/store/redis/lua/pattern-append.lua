#!lua
-- Wildcard subscriptions: appends messages forwarded from one subject's log to a pattern's log
-- (an ordinary subject log keyed by the pattern), each at most once: B:fw records, per source
-- subject, the last seq of it the log took, so a forward repeated (an instance killed before it
-- advanced the pattern's position in the source, or two instances forwarding at once) skips what
-- it took. The pattern's log has the per-subject limits of any log: at the first message it has no
-- room for it stops ('full'), and the rest stays in the source's log (back-pressure: the source
-- fills, and refuses publishes, while a pattern subscriber stalls).
-- Runs just after `HSET B:d <id> <data> …` of the messages, on the same connection and slot.
-- KEYS[1] the pattern's base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] maxPendingPerSubject, ARGV[3] maxPendingBytesPerSubject,
-- ARGV[4] maxPending, ARGV[5] maxPendingBytes (both checked on a single Redis), ARGV[6] wake
-- channel, ARGV[7] wake message, ARGV[8] the source subject, then per message in seq order: its
-- seq in the source's log, its entry (id '<message id> <source subject>', the B:d field of its
-- data), bytes, granted ('1', or on a Cluster '0' when the broker-wide ledger refused it room)
-- Returns {accounting, 'ok' | 'full' | 'gone' (the pattern has no subscriber) | 'lease', the last
-- seq of the source this log took (0: none)}.
local FW = B .. ':fw'
if leaseGivenUp() then
  for i = 9, #ARGV, 4 do local _, _, _, id = parse(ARGV[i + 1]) redis.call('HDEL', D, id) end
  return {{}, 'lease', 0}
end
assertTypes(M, 'hash', L, 'list', D, 'hash', FW, 'hash')
local source = ARGV[8]
local last = tonumber(redis.call('HGET', FW, source) or '0')
if metaNum('subs') == 0 then
  -- Its log went with its last subscriber: the data just written has nobody.
  for i = 9, #ARGV, 4 do local _, _, _, id = parse(ARGV[i + 1]) redis.call('HDEL', D, id) end
  return {{}, 'gone', last}
end
local roomMessages, roomBytes = math.huge, math.huge
if INLINE then
  roomMessages = tonumber(ARGV[4]) - held('messages') - counted.messages
  roomBytes = tonumber(ARGV[5]) - held('bytes') - counted.bytes
end
local outcome = 'ok'
local emptyBefore = metaNum('first') == metaNum('end')
local took = 0
for i = 9, #ARGV, 4 do
  local seq, entry, bytes, granted = tonumber(ARGV[i]), ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  local _, _, _, id = parse(entry)
  if seq <= last then
    -- Taken before: its data, written again the same, stays for the entry that has it.
  elseif outcome ~= 'ok' then
    redis.call('HDEL', D, id)
  else
    local length, kept = metaNum('end') - metaNum('first'), metaNum('bytes')
    if length + 1 > tonumber(ARGV[2]) or kept + bytes > tonumber(ARGV[3]) or granted ~= '1' or roomMessages < 1 or roomBytes < bytes then
      outcome = 'full'
      redis.call('HDEL', D, id)
    else
      redis.call('RPUSH', L, entry)
      redis.call('HINCRBY', M, 'end', 1)
      redis.call('HINCRBY', M, 'bytes', bytes)
      tally('messages', 1)
      tally('bytes', bytes)
      roomMessages, roomBytes = roomMessages - 1, roomBytes - bytes
      last = seq
      took = took + 1
    end
  end
end
if took > 0 then
  redis.call('HSET', FW, source, last)
  if emptyBefore then headMoved = true end
  wakePublished(ARGV[6], ARGV[7])
end
return {accounted(oldestPublished), outcome, last}
