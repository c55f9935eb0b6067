#!lua flags=allow-oom
-- One step of a purge (store-inspection.ts): drops what subscribers could fetch now (new messages,
-- and those due again; messages in flight and delayed by a nack stay), for one subscriber or for
-- the subject's subscribers in id order from a cursor; on a retained subject purged whole, its log
-- first (dropped from the front, not counted as retention drops), then each subscriber is caught up.
-- A step does at most about WORK of work (subscribers, and their seqs due again), so none holds Redis
-- long: the caller calls again with the cursor it answers until it answers ''.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] subscriber id ('' for the whole subject), ARGV[3] cursor ('' for
-- the first subscriber; a subscriber id: the next step goes on after it), ARGV[4] upto (the log's end when the purge
-- began; -1 on the first step, which reads it)
-- Returns {-1} for no such subject or subscriber, else {accounting, purged in this step, more (1: call
-- again), the cursor to call again with, upto}.
local WORK = 1000
local id, cursor, upto = ARGV[2], ARGV[3], tonumber(ARGV[4])
local retained = redis.call('HEXISTS', M, 'ret') == 1
-- A subject only patterns read (`prd`) has no log to purge: what it holds is theirs, not yet forwarded.
if id == '' and metaNum('subs') - metaNum('prd') == 0 and not retained then return {-1} end
if id ~= '' and redis.call('EXISTS', key('s', id)) == 0 then return {-1} end
if upto < 0 then upto = metaNum('end') end
local work, purged = 0, 0

-- Drops one subscriber's pending messages below upto, within the work left; returns false when its
-- seqs due again did not all fit (the next step does the rest of them).
local function purgeOne(one)
  local s = key('s', one)
  local h = redis.call('HMGET', s, 'next', 'aw')
  if not h[1] then return true end
  local first = metaNum('first')
  if retained then catchUp(one, first) h = redis.call('HMGET', s, 'next', 'aw') end
  local done = true
  if h[2] then
    local V = key('v', one)
    local due = redis.call('ZRANGEBYSCORE', V, '-inf', '(' .. upto, 'LIMIT', 0, math.max(1, WORK - work))
    work = work + #due
    if #due > 0 then
      eachChunk(due, function(chunk)
        redis.call('ZREM', V, unpack(chunk))
        redis.call('ZREM', key('u', one), unpack(chunk))
        redis.call('HDEL', key('n', one), unpack(chunk))
      end)
      for _, seq in ipairs(due) do if tonumber(seq) >= first then purged = purged + 1 end end
      if redis.call('ZCOUNT', V, '-inf', '(' .. upto) > 0 then done = false end
    end
  end
  local next = tonumber(h[1])
  if next < upto then
    purged = purged + upto - math.max(next, first)
    redis.call('HSET', s, 'next', upto)
  end
  redis.call('ZADD', P, h[2] and floorOf(one, s) or math.max(next, upto), one)
  work = work + 1
  return done
end

if id ~= '' then
  local done = purgeOne(id)
  if not retained then trim() end
  return {accounted(oldestPublished), purged, done and 0 or 1, '', upto}
end
if retained and metaNum('first') < upto then
  -- The log first, TRIM_BATCH a step; then the subscribers.
  local count = math.min(upto - metaNum('first'), TRIM_BATCH)
  dropFront(count)
  return {accounted(oldestPublished), count, 1, '', upto}
end
local PAGE = 100
local ids = redis.call('ZRANGE', I, cursor == '' and '-' or '(' .. cursor, '+', 'BYLEX', 'LIMIT', 0, PAGE)
local reached, stopped = cursor, false
for _, one in ipairs(ids) do
  if work >= WORK then stopped = true break end
  -- Its seqs due again that did not fit go on in the next step, from the one before it.
  if not purgeOne(one) then stopped = true break end
  reached = one
end
if not retained then trim() end
local more = (stopped or #ids == PAGE) and 1 or 0
return {accounted(oldestPublished), purged, more, reached, upto}
