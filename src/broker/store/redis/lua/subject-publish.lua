#!lua
-- Appends messages to the log, each on its own: refused by the subject (no subscriber, its own
-- limits) or by the broker-wide limits, or taken. Runs just after `HSET B:d <id> <data> …` of the
-- messages it may take, on the same connection. Tells waiting fetches (on any instance) once, and
-- not again until a fetch script has run (wakePublished).
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] maxPendingPerSubject, ARGV[3] maxPendingBytesPerSubject,
-- ARGV[4] maxPending, ARGV[5] maxPendingBytes (both checked on a single Redis), ARGV[6] wake channel,
-- ARGV[7] wake message, ARGV[8] the subject's retention rule ('' for none: subject.lua's applyRule),
-- ARGV[9] the subject, then per message in publish order: entry, bytes, message id, granted ('1'; on a
-- Cluster '0' when the broker-wide ledger had no room for it, or for a message of a retained subject
-- 'p<messages>:<bytes>', the room that was left: global-reserve.lua)
-- Returns {accounting, outcome, …}: 'ok', 'no-subscriber', 'subject-overflow' or 'overflow' per
-- message (a refused one's data deleted), then on a Cluster 'ret:<ms>' when a retained subject's
-- age index needs an entry then, and 'made' when this publish made a retained subject's log; or {{}, 'lease'} when the lease was given up.
-- A retained subject takes a message with no subscriber and ignores the per-subject limits: its
-- rule drops the oldest to make room (discard old, counted in the broker-wide room checked here)
-- or refuses it ('overflow': discard new, or larger than max-bytes); its publish time is Redis's
-- clock, never before the previous message's.
-- Broker-wide room: on a single Redis, the limits less what is held. On a Cluster, what the
-- ledger granted the message (its lease), plus what this script freed and has not used: what its
-- rule dropped (the message's own drops, expired ones, the drops of earlier messages of the run
-- that had a whole grant) and grants of messages it refused. So the slot never holds more than
-- before the script plus its lease, and a retained message is taken when its drops make up what
-- the broker-wide limit lacks, as in memory.
if leaseGivenUp() then
  for i = 10, #ARGV, 4 do redis.call('HDEL', D, ARGV[i + 2]) end
  return {{}, 'lease'}
end
local rule = applyRule(ARGV[8])
if rule then expireAged(TRIM_BATCH) end
local roomMessages, roomBytes
if INLINE then
  roomMessages = tonumber(ARGV[4]) - held('messages') - counted.messages
  roomBytes = tonumber(ARGV[5]) - held('bytes') - counted.bytes
else
  -- What the expired drops above freed; leases come per message.
  roomMessages, roomBytes = -counted.messages, -counted.bytes
end
-- Cluster: the caller wrote the data of a retained subject's messages whatever their grant.
local completes = ARGV[8] ~= ''
-- The broker-wide room leased to one message (Cluster; none on a single Redis), and whether it may
-- be taken with less than all it needs.
local function leased(granted, bytes)
  if INLINE then return 0, 0, true end
  if granted == '1' then return 1, bytes, true end
  local m, b = string.match(granted, '^p(%d+):(%d+)$')
  if m then return tonumber(m), tonumber(b), true end
  return 0, 0, completes
end
local outcomes = {}
local emptyBefore = metaNum('first') == metaNum('end')
local published = false
local countOver, drop, dropBytes = 0, 0, 0
-- Cluster: when the age index needs this subject listed (the caller lists it).
local listAt
-- How many of the oldest a retained message needs dropped, and their bytes; nil when it is refused.
local function roomFor(bytes)
  if rule.maxBytes > 0 and bytes > rule.maxBytes then return nil end
  local length, kept = metaNum('end') - metaNum('first'), metaNum('bytes')
  countOver = rule.maxMessages > 0 and math.max(0, length + 1 - rule.maxMessages) or 0
  drop, dropBytes = 0, 0
  while drop < countOver or (rule.maxBytes > 0 and kept - dropBytes + bytes > rule.maxBytes) do
    local chunk = redis.call('LRANGE', L, drop, drop + 31)
    for j = 1, #chunk do
      if not (drop < countOver or (rule.maxBytes > 0 and kept - dropBytes + bytes > rule.maxBytes)) then break end
      local _, size = parse(chunk[j])
      drop, dropBytes = drop + 1, dropBytes + size
    end
  end
  if drop > 0 and rule.discard == 'new' then return nil end
  return true
end
for i = 10, #ARGV, 4 do
  local bytes, id, granted = tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  local leaseMessages, leaseBytes, may = leased(granted, bytes)
  roomMessages, roomBytes = roomMessages + leaseMessages, roomBytes + leaseBytes
  local refusal
  if rule then
    drop, dropBytes, countOver = 0, 0, 0
    if not roomFor(bytes) then refusal = 'overflow' end
  else
    refusal = refusalOf(bytes, ARGV[2], ARGV[3])
  end
  if not refusal and (not may or roomMessages + drop < 1 or roomBytes + dropBytes < bytes) then refusal = 'overflow' end
  -- Its data was written just before; if the subject's log was dropped in between (its last
  -- subscriber left), the data went with it: the publish found no subscriber.
  if not refusal and redis.call('HEXISTS', D, id) == 0 then refusal = 'no-subscriber' end
  if refusal then
    redis.call('HDEL', D, id)
    outcomes[#outcomes + 1] = refusal
  else
    local entry = ARGV[i]
    if rule then
      dropFront(countOver, 'messages')
      dropFront(drop - countOver, 'bytes')
      roomMessages, roomBytes = roomMessages + drop, roomBytes + dropBytes
      local answer, size, _, messageId = parse(entry)
      local ms = math.max(clock(), metaNum('lt'))
      entry = answer .. ':' .. size .. ':' .. ms .. ':' .. messageId
      redis.call('HSET', M, 'lt', ms)
      redis.call('ZADD', T, ms, seqMember(metaNum('end')))
      redis.call('HINCRBY', AL, 'retained', 1)
      redis.call('HINCRBY', AL, 'retainedBytes', bytes)
      if metaNum('first') == metaNum('end') and rule.maxAgeMs > 0 then
        -- The log was empty: its oldest message is this one, due in the age index then.
        if INLINE then lowerIndex('ret', ms + rule.maxAgeMs, ARGV[9]) else listAt = ms + rule.maxAgeMs end
      end
    end
    redis.call('RPUSH', L, entry)
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
if published then wakePublished(ARGV[6], ARGV[7]) end
if listAt then outcomes[#outcomes + 1] = 'ret:' .. listAt end
-- A retained subject's log made by this publish is listed (on a Cluster by the caller: 'made').
if logMade then
  if INLINE then listSubject(ARGV[9]) else outcomes[#outcomes + 1] = 'made' end
end
return {accounted(oldestPublished), unpack(outcomes)}
