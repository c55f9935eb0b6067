-- Shared by every script on one subject's keys; each script is atomic, whichever instance runs it.
-- KEYS[1] B: the subject's base key <prefix>{<tag>} (redis-keys.ts); every key of the subject
-- starts with it, so a script touches one hash slot and runs unchanged on Redis Cluster:
--   B:m     hash: first (seq at the log's head), end (next seq), bytes, subs, inf (messages in
--           flight), wait (ms until which a fetch waits on this subject), wk (a wake of waiting
--           fetches was sent that no fetch script has run after yet: wakePublished)
--   B:l     list: the log, one entry per message, "<answerBytes>:<bytes>:<publishedMs>:<message id>";
--           seq = first + index
--   B:d     hash: message id -> data. Message data never passes through Lua (a string entering a
--           script costs Redis about 30 ms per MB): written by HSET just before the publish
--           script, read by HMGET after a fetch; scripts see only ids.
--   B:g     zset: message id -> when it was trimmed; its data is deleted GRACE_MS later, so a fetch
--           that took it (on any instance) can still read it right after its script
--   B:p     zset: subscriber -> position (its next seq, or its lowest unsettled one)
--   B:a     zset: subscriber without a name -> last activity (ms), for idle expiry
--   B:an    zset: named subscriber -> last activity (ms): their own order, as their own timeout
--   B:nm    hash: name -> subscriber id. Names are client data: they are hash fields, never in a key
--   B:i     zset: subscriber -> 0, for the management API's listing by id (ZRANGE BYLEX)
--   B:s:ID  hash: next, aw (ackWaitMs), md (maxDeliveries), dl (dead-letter subject),
--           mp (maxAckPending), wu (waits until, ms), nm (its name), ow (who owns the name)
--   acknowledged subscribers only:
--   B:f:ID  zset: seq in flight -> deadline        B:v:ID  zset: seq available again -> seq
--   B:y:ID  zset: seq delayed by a nack -> due      B:u:ID  zset: every unsettled seq -> seq
--   B:n:ID  hash: seq -> deliveries                 B:dq    zset: subscriber -> when it is next due
--   retained subjects (config.yaml retention) only:
--   B:m     also: ret (the subject's rule, "<maxAgeMs>:<maxMessages>:<maxBytes>:<discard>"; its
--           presence makes the subject retained), lt (publish time of its newest message)
--   B:t     zset: seq (16 digits, so that equal times keep seq order) -> publish time (ms, Redis's
--           clock, never before the previous message's): fromTime by ZRANGEBYSCORE, O(log n)
--   B:s:ID  also: dv (where it started: '' new, 'all', 'last', 's:<seq>', 't:<ms>')
-- Subscriber ids are UUIDs (checked before any call). Time is Redis's clock (TIME).
local B = KEYS[1]
local M, L, P, ACT, DQ, D, G = B .. ':m', B .. ':l', B .. ':p', B .. ':a', B .. ':dq', B .. ':d', B .. ':g'
local NACT, NM, T, I = B .. ':an', B .. ':nm', B .. ':t', B .. ':i'
-- The activity zset of a subscriber, by its name field (false: none).
local function activityOf(name) if name then return NACT end return ACT end
-- An index entry that keeps a subject listed but is never due (the last ms a JS Date can hold).
local NEVER = 8640000000000000
local function key(kind, id) return B .. ':' .. kind .. ':' .. id end
local function clock() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local function metaNum(field) return tonumber(redis.call('HGET', M, field) or '0') end
local GRACE_MS = 5000

-- Fails the script, before it writes anything, when a key it would write holds another type than
-- the one given after it (`M, 'hash', P, 'zset', …`; absent keys are fine). Redis keeps what a
-- script wrote before the command that failed: a subscribe stopped halfway by one corrupt key left a
-- subscriber nobody has, holding every later publish.
local function assertTypes(...)
  local expected = {...}
  for i = 1, #expected, 2 do
    local found = redis.call('TYPE', expected[i])['ok']
    if found ~= 'none' and found ~= expected[i + 1] then
      return error('WRONGTYPE ' .. expected[i] .. ' holds a ' .. found .. ', not a ' .. expected[i + 1])
    end
  end
end

-- An entry is "<answerBytes>:<bytes>:<publishedMs>:<message id>".
local function parse(entry)
  local answer, bytes, published, id = string.match(entry, '^(%d+):(%d+):(%d+):(.*)$')
  return tonumber(answer), tonumber(bytes), tonumber(published), id
end

-- Publish time of the log's oldest message, or nil when the log is empty.
local function oldestPublished()
  local head = redis.call('LINDEX', L, 0)
  if not head then return nil end
  local _, _, published = parse(head)
  return published
end

-- Drops the log's head up to the lowest position: each message once, when nobody holds it. Its
-- data goes GRACE_MS later (a reader may not have read it yet); data trimmed that long ago goes now.
-- At most TRIM_BATCH a call, so no script holds Redis long: the next call on the subject goes on.
-- Returns how many messages it freed and how much trimmed data it deleted.
local TRIM_BATCH = 1000 -- about 2 µs of Redis's CPU each
local function trim()
  local now = clock()
  local old = redis.call('ZRANGEBYSCORE', G, '-inf', now - GRACE_MS, 'LIMIT', 0, 2 * TRIM_BATCH)
  if #old > 0 then
    redis.call('HDEL', D, unpack(old))
    redis.call('ZREM', G, unpack(old))
  end
  -- A retained subject's rule drops its messages (dropFront), not its readers.
  if redis.call('HEXISTS', M, 'ret') == 1 then return 0, #old end
  local head = redis.call('ZRANGE', P, 0, 0, 'WITHSCORES')
  local first, last = metaNum('first'), metaNum('end')
  local to = math.min(head[2] and tonumber(head[2]) or last, first + TRIM_BATCH)
  if to <= first then return 0, #old end
  local freed = redis.call('LPOP', L, to - first)
  local bytes = 0
  for i = 1, #freed do
    local _, size, _, id = parse(freed[i])
    bytes = bytes + size
    redis.call('ZADD', G, now, id)
  end
  redis.call('HSET', M, 'first', to)
  if bytes > 0 then redis.call('HINCRBY', M, 'bytes', -bytes) end
  trimmed = trimmed + #freed
  tally('messages', -#freed)
  tally('bytes', -bytes)
  headMoved = true
  return #freed, #old
end

-- Why the subject refuses a message of `bytes` under its own limits, or nil when it takes it.
local function refusalOf(bytes, maxMessages, maxBytes)
  local subs = redis.call('HMGET', M, 'subs', 'first', 'end', 'bytes')
  if tonumber(subs[1] or '0') == 0 then return 'no-subscriber' end
  if tonumber(subs[3]) - tonumber(subs[2]) + 1 > tonumber(maxMessages) or tonumber(subs[4]) + bytes > tonumber(maxBytes) then
    return 'subject-overflow'
  end
  return nil
end

local function floorOf(id, s)
  local low = redis.call('ZRANGE', key('u', id), 0, 0)[1]
  local next = tonumber(redis.call('HGET', s, 'next'))
  if low and tonumber(low) < next then return tonumber(low) end
  return next
end

-- When this subscriber is next due (a deadline or the end of a nack delay); returns the subject's
-- earliest (-1: none), which the redelivery index is told every time: a mark here that the index was
-- told could outlive a call that never reached it (an instance killed in between).
local function reschedule(id)
  local f = redis.call('ZRANGE', key('f', id), 0, 0, 'WITHSCORES')[2]
  local y = redis.call('ZRANGE', key('y', id), 0, 0, 'WITHSCORES')[2]
  local due = f and tonumber(f)
  if y and (not due or tonumber(y) < due) then due = tonumber(y) end
  if due then redis.call('ZADD', DQ, due, id) else redis.call('ZREM', DQ, id) end
  local earliest = redis.call('ZRANGE', DQ, 0, 0, 'WITHSCORES')[2]
  if not earliest then return -1 end
  return tonumber(earliest)
end

-- Wakes the fetches waiting for subscriber id on any instance, if one waits: kind 'w' (it may take
-- messages again) or 'u' (it is gone). The channel is the script's last argument.
local function wake(kind, subject, id, now)
  local waitsUntil = redis.call('HGET', key('s', id), 'wu')
  if waitsUntil and tonumber(waitsUntil) >= now then
    redis.call('PUBLISH', ARGV[#ARGV], kind .. '\n' .. subject .. '\n' .. id)
  end
end

-- Tells every instance that the log has new messages, while a fetch waits on it: once per burst.
-- The `wk` mark says a wake went out and no fetch script has run on the subject since; every fetch
-- that was waiting then is woken by it (its own instance wakes it, the others hear the channel) and
-- runs its script after this publish, so it sees these messages as well: another wake would tell
-- nobody anything. A fetch script clears the mark (a fetch that waits anew has looked first), so
-- the first publish after it wakes at once, with no delay. `message` goes on `channel`.
local function wakePublished(channel, message)
  local h = redis.call('HMGET', M, 'wait', 'wk')
  if h[1] and not h[2] and tonumber(h[1]) >= clock() then
    redis.call('PUBLISH', channel, message)
    redis.call('HSET', M, 'wk', 1)
  end
end

-- Removes a subscriber and counts what it released; returns the log's end when it was the
-- subject's last (0 otherwise), whose log is then dropped unless the subject is retained. `later`: the caller trims once, after all its removals.
local function remove(id, later)
  local s = key('s', id)
  local h = redis.call('HMGET', s, 'aw', 'nm')
  local acked = h[1] ~= false
  redis.call('DEL', s)
  redis.call('ZREM', P, id)
  redis.call('ZREM', I, id)
  redis.call('ZREM', activityOf(h[2]), id)
  if h[2] then redis.call('HDEL', NM, h[2]) end
  tally('subscribers', -1)
  if acked then
    local inFlight = redis.call('ZCARD', key('f', id))
    if inFlight > 0 then
      redis.call('HINCRBY', M, 'inf', -inFlight)
      tally('inflight', -inFlight)
    end
    redis.call('UNLINK', key('f', id), key('v', id), key('y', id), key('u', id), key('n', id))
    redis.call('ZREM', DQ, id)
  end
  local left = redis.call('HINCRBY', M, 'subs', -1)
  if left > 0 then
    if not later then trim() end
    -- Only patterns read the log now (`prd`, pattern-attach.lua): the subject has no subscriber of
    -- its own, so it leaves the subscriber indexes (its end is answered) and keeps its log for them.
    if left == metaNum('prd') then return metaNum('end') end
    return 0
  end
  -- A retained subject's log outlives its subscribers; it leaves the subscriber indexes (its end is
  -- answered, as for a dropped log, so the caller unlists it).
  if redis.call('HEXISTS', M, 'ret') == 1 then return metaNum('end') end
  -- The last one: the whole log goes at once; the seqs go on from its end if the subject returns.
  local last = metaNum('end')
  tally('messages', -(last - metaNum('first')))
  tally('bytes', -metaNum('bytes'))
  headMoved = true
  redis.call('UNLINK', L, P, ACT, NACT, NM, DQ, D, G, I)
  redis.call('HSET', M, 'first', last, 'bytes', 0)
  redis.call('HDEL', M, 'wait', 'wk')
  redis.call('PEXPIRE', M, 3600000)
  if last > held('nextLog') then redis.call('HSET', AL, 'nextLog', last) end
  return last
end

-- Retained subjects ------------------------------------------------------------------------------

-- The subject's rule, or false when it retains nothing; read once per script.
local ruleRead
local function ruleOf()
  if ruleRead == nil then
    ruleRead = false
    local text = redis.call('HGET', M, 'ret')
    if text then
      local age, count, size, discard = string.match(text, '^(%d+):(%d+):(%d+):(%a+)$')
      ruleRead = {maxAgeMs = tonumber(age), maxMessages = tonumber(count), maxBytes = tonumber(size), discard = discard}
    end
  end
  return ruleRead
end

-- The rule the caller found for the subject in its config ('' for none): a retained subject's log
-- is made here if it has none (its seqs after every seq handed out before), and kept.
-- Set when applyRule made the log: the subject is listed then (the management API's index).
local logMade = false
local function applyRule(text)
  if text == '' then return false end
  if not redis.call('HGET', M, 'first') then
    logMade = true
    local from = math.max(held('nextLog'), 1, metaNum('end'))
    redis.call('HSET', M, 'first', from, 'end', from, 'bytes', 0, 'subs', metaNum('subs'))
  end
  redis.call('PERSIST', M)
  local previous = redis.call('HGET', M, 'ret')
  if previous ~= text then
    redis.call('HSET', M, 'ret', text)
    -- A log made by a pattern reader (pattern-attach.lua) before the subject's first retained
    -- publish is a retained subject's log from now: listed, as one made here (listing is idempotent).
    if not previous then logMade = true end
  end
  ruleRead = nil
  return ruleOf()
end

local function seqMember(seq) return string.format('%016d', seq) end

-- Drops the `count` oldest messages of a retained log (their data GRACE_MS later, as trim's), counted
-- by reason (none: a purge, not counted as a retention drop). Readers positioned at them are not visited: each is caught up when next touched.
local function dropFront(count, reason)
  if count <= 0 then return end
  local now = clock()
  local freed = redis.call('LPOP', L, count)
  local bytes = 0
  for i = 1, #freed do
    local _, size, _, id = parse(freed[i])
    bytes = bytes + size
    redis.call('ZADD', G, now, id)
  end
  redis.call('ZREMRANGEBYRANK', T, 0, #freed - 1)
  redis.call('HINCRBY', M, 'first', #freed)
  if bytes > 0 then redis.call('HINCRBY', M, 'bytes', -bytes) end
  trimmed = trimmed + #freed
  tally('messages', -#freed)
  tally('bytes', -bytes)
  redis.call('HINCRBY', AL, 'retained', -#freed)
  if bytes > 0 then redis.call('HINCRBY', AL, 'retainedBytes', -bytes) end
  if reason then redis.call('HINCRBY', AL, 'rd:' .. reason, #freed) end
  headMoved = true
end

-- Drops up to `limit` messages past max-age; returns the seq of the oldest message a reader may get
-- now (expired ones not dropped yet are skipped) and how many expired ones are left.
local function expireAged(limit)
  local rule = ruleOf()
  if not rule or rule.maxAgeMs == 0 then return metaNum('first'), 0 end
  local expired = redis.call('ZCOUNT', T, '-inf', clock() - rule.maxAgeMs)
  local now = math.min(expired, limit)
  dropFront(now, 'age')
  return metaNum('first') + expired - now, expired - now
end

-- Unsettled seqs in chunks: unpack has a bound on its arguments.
local function eachChunk(list, call)
  for from = 1, #list, 1000 do call({unpack(list, from, math.min(from + 999, #list))}) end
end

-- A subscriber of a retained subject whose position its rule dropped (below `from`): an at-most-once
-- one reads from `from`; an acknowledged one forgets its unsettled seqs below it (no longer in
-- flight, never delivered again nor dead-lettered) and never gets the rest.
local function catchUp(id, from)
  local s = key('s', id)
  local h = redis.call('HMGET', s, 'next', 'aw')
  if not h[1] then return end
  local moved = false
  if h[2] then
    local U = key('u', id)
    local old = redis.call('ZRANGEBYSCORE', U, '-inf', '(' .. from)
    if #old > 0 then
      local F = key('f', id)
      local inFlight = 0
      for _, seq in ipairs(old) do inFlight = inFlight + redis.call('ZREM', F, seq) end
      eachChunk(old, function(chunk)
        redis.call('ZREM', U, unpack(chunk))
        redis.call('ZREM', key('v', id), unpack(chunk))
        redis.call('ZREM', key('y', id), unpack(chunk))
        redis.call('HDEL', key('n', id), unpack(chunk))
      end)
      if inFlight > 0 then
        redis.call('HINCRBY', M, 'inf', -inFlight)
        tally('inflight', -inFlight)
      end
      moved = true
    end
  end
  if tonumber(h[1]) < from then
    redis.call('HSET', s, 'next', from)
    moved = true
  end
  if moved then redis.call('ZADD', P, floorOf(id, s), id) end
end

-- Where a reader starts in a retained subject by its deliver policy (`all`, `last`, `s:<seq>`,
-- `t:<ms>`), past what the rule dropped or has expired; anything else (or no match): the end.
local function deliverPosition(dv)
  local live = expireAged(TRIM_BATCH)
  local position = metaNum('end')
  if dv == 'all' then position = live
  elseif dv == 'last' then position = math.max(live, position - 1)
  elseif string.sub(dv, 1, 2) == 's:' then position = math.min(math.max(tonumber(string.sub(dv, 3)), live), position)
  elseif string.sub(dv, 1, 2) == 't:' then
    local found = redis.call('ZRANGEBYSCORE', T, string.sub(dv, 3), '+inf', 'LIMIT', 0, 1)[1]
    if found then position = math.max(tonumber(found), live) end
  end
  return position
end
