-- Shared by the scripts on the broker-wide keys, all in one hash slot:
-- KEYS[1] G = <prefix>{~} (no subject's tag is `~`: redis-keys.ts).
--   G:ledger  hash: messages, bytes, subscribers, inflight held over all subjects (on a Cluster:
--             the last reported counts of every slot, plus the leases still out), nextLog; and the
--             retention figures retained, retainedBytes, rd:<reason> (on a Cluster: the sum of the
--             slots' last reported ones; leases never hold them)
--   G:idle    zset: subject -> a time at or before its least recently active subscriber without
--             a name (a far future one when it has only named ones: every subject with a log is
--             listed, the subjects gauge counts them)
--   G:named   zset: subject -> a time at or before its least recently active named subscriber
--   G:due     zset: subject -> a time at or before its next redelivery
--   G:ret     zset: retained subject with a max-age -> a time at or before its oldest message expires
--   G:subjects zset: subject -> 0 for every subject with a log (subscribers, or retained), for the
--             management API's listing by subject (ZRANGE BYLEX); on a Cluster an entry may outlive
--             its log for a while (it is skipped, and removed, when listed)
--   G:ver     hash: "<index>:<subject>" -> a new version (from the counter G:vseq,
--             so a version is never reused) whenever a request lowers or adds an entry
--   G:heads   zset: the oldest message's publish time, per subject base (single Redis) or per
--             slot (Cluster)
--   Cluster only:
--   G:slots   hash: slot -> "v <SLOT_COUNTS…>", the newest counts reported
--   G:lease   hash: lease id -> "slot messages bytes subscribers inflight", room granted and not
--             yet seen in its slot's counts
--   G:leases  zset: lease id -> when it expires (its slot is then looked at: global-claim.lua)
--   G:checked zset: slot -> when its counts were last read from the slot itself
-- An index entry may be early, never late: requests only lower it, and the sweep that raises it
-- does so only if no request touched it meanwhile (the version).
local G = KEYS[1]
local LEDGER, VER = G .. ':ledger', G .. ':ver'
local function ledger(field) return tonumber(redis.call('HGET', LEDGER, field) or '0') end
local function clock() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local function touched(field) redis.call('HSET', VER, field, redis.call('INCR', G .. ':vseq')) end
-- What a lease holds, in its order.
local COUNTS = {'messages', 'bytes', 'subscribers', 'inflight'}
-- What a slot reports, in its order (accounting.lua's SLOT_COUNTS, slot-state.lua).
local SLOT_COUNTS = {'messages', 'bytes', 'subscribers', 'inflight', 'retained', 'retainedBytes', 'rd:age', 'rd:messages', 'rd:bytes'}
-- "a b c …" as numbers.
local function numbers(text)
  local out = {}
  for word in string.gmatch(text, '%S+') do out[#out + 1] = tonumber(word) end
  return out
end
