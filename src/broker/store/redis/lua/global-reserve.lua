#!lua
-- Redis Cluster: reserves broker-wide room before a subject's script adds to it (its slot cannot
-- be reached from here). What is granted is counted at once and held as a lease per slot, until the
-- slot's counts that include it are reported (global-report.lua), or the lease expires and its
-- slot is read, the lease given up there first (global-claim.lua, slot-state.lua).
-- KEYS[1] broker-wide base
-- ARGV[1] lease id (the slot is appended: one lease per slot), ARGV[2] lease time (ms),
-- ARGV[3] kind: 'messages' | 'subscriber' | 'inflight', ARGV[4] its limit (maxPending; maxSubscribers;
-- maxInFlight), then for 'messages': ARGV[5] maxPendingBytes and per message: slot, bytes, 'r' when
-- its subject is retained (else '-');
-- for 'subscriber': ARGV[5] slot, ARGV[6] subject (listed for idle expiry now);
-- for 'inflight': ARGV[5] slot, ARGV[6] how many are wanted
-- Returns {grants, Redis's now}: for messages a list, in order, of '1' (granted), '0' (no room) or,
-- for a retained message that does not fit, 'p<messages>:<bytes>': the room that is left (at most
-- what it needs), granted to it, so that its script takes it if what its rule drops makes up the rest
-- (subject-publish.lua); for a subscriber '1' or '0'; for in flight the number granted.
local id, leaseMs, kind, limit = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local now = clock()
local bySlot, slots = {}, {}
local function grant(slot, field, amount)
  if not bySlot[slot] then
    bySlot[slot] = {messages = 0, bytes = 0, subscribers = 0, inflight = 0}
    slots[#slots + 1] = slot
  end
  bySlot[slot][field] = bySlot[slot][field] + amount
  redis.call('HINCRBY', LEDGER, field, amount)
end
local answer
if kind == 'messages' then
  local maxBytes = tonumber(ARGV[5])
  local messages, bytes = ledger('messages'), ledger('bytes')
  local granted = {}
  for i = 6, #ARGV, 3 do
    local slot, size, retained = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2] == 'r'
    if messages + 1 <= limit and bytes + size <= maxBytes then
      messages, bytes = messages + 1, bytes + size
      grant(slot, 'messages', 1)
      grant(slot, 'bytes', size)
      granted[#granted + 1] = '1'
    elseif retained then
      -- Its drops are known only to its script, in another slot: it gets what is left, and the
      -- script takes the message only if its own drops free the rest.
      local m, b = math.max(0, math.min(1, limit - messages)), math.max(0, math.min(size, maxBytes - bytes))
      messages, bytes = messages + m, bytes + b
      if m > 0 then grant(slot, 'messages', m) end
      if b > 0 then grant(slot, 'bytes', b) end
      granted[#granted + 1] = 'p' .. m .. ':' .. b
    else
      granted[#granted + 1] = '0'
    end
  end
  answer = granted
elseif kind == 'subscriber' then
  answer = '0'
  if ledger('subscribers') + 1 <= limit then
    grant(ARGV[5], 'subscribers', 1)
    answer = '1'
    redis.call('ZADD', G .. ':idle', 'LT', now, ARGV[6])
    touched('idle:' .. ARGV[6])
  end
else
  answer = math.max(0, math.min(tonumber(ARGV[6]), limit - ledger('inflight')))
  if answer > 0 then grant(ARGV[5], 'inflight', answer) end
end
for _, slot in ipairs(slots) do
  local c = bySlot[slot]
  local lease = id .. ':' .. slot
  redis.call('HSET', G .. ':lease', lease, slot .. ' ' .. c.messages .. ' ' .. c.bytes .. ' ' .. c.subscribers .. ' ' .. c.inflight)
  redis.call('ZADD', G .. ':leases', now + leaseMs, lease)
end
return {answer, now}
