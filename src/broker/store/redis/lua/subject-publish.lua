#!lua
-- Appends messages to the log, each on its own: refused by the subject (no subscriber, its own
-- limits) or by the broker-wide limits, or taken. Runs just after `HSET B:d <id> <data> …` of the
-- messages it may take, on the same connection. Tells waiting fetches (on any instance) once.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] maxPendingPerSubject, ARGV[3] maxPendingBytesPerSubject,
-- ARGV[4] maxPending, ARGV[5] maxPendingBytes (both checked on a single Redis), ARGV[6] wake channel,
-- ARGV[7] wake message, then per message in publish order: entry, bytes, message id, granted
-- ('1', or on a Cluster '0' when the broker-wide ledger refused it room)
-- Returns {accounting, outcome, …}: 'ok', 'no-subscriber', 'subject-overflow' or 'overflow' per
-- message (a refused one's data deleted), or {{}, 'lease'} when the lease was given up.
if leaseGivenUp() then
  for i = 8, #ARGV, 4 do redis.call('HDEL', D, ARGV[i + 2]) end
  return {{}, 'lease'}
end
local roomMessages, roomBytes = math.huge, math.huge
if INLINE then
  roomMessages = tonumber(ARGV[4]) - held('messages')
  roomBytes = tonumber(ARGV[5]) - held('bytes')
end
local outcomes = {}
local emptyBefore = metaNum('first') == metaNum('end')
local published = false
for i = 8, #ARGV, 4 do
  local bytes, id, granted = tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  local refusal = refusalOf(bytes, ARGV[2], ARGV[3])
  if not refusal and (granted ~= '1' or roomMessages < 1 or roomBytes < bytes) then refusal = 'overflow' end
  -- Its data was written just before; if the subject's log was dropped in between (its last
  -- subscriber left), the data went with it: the publish found no subscriber.
  if not refusal and redis.call('HEXISTS', D, id) == 0 then refusal = 'no-subscriber' end
  if refusal then
    redis.call('HDEL', D, id)
    outcomes[#outcomes + 1] = refusal
  else
    redis.call('RPUSH', L, ARGV[i])
    redis.call('HINCRBY', M, 'end', 1)
    redis.call('HINCRBY', M, 'bytes', bytes)
    tally('messages', 1)
    tally('bytes', bytes)
    roomMessages, roomBytes = roomMessages - 1, roomBytes - bytes
    if emptyBefore and not published then headMoved = true end
    outcomes[#outcomes + 1] = 'ok'
    published = true
  end
end
local waits = redis.call('HGET', M, 'wait')
if published and waits and tonumber(waits) >= clock() then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
return {accounted(oldestPublished), unpack(outcomes)}
