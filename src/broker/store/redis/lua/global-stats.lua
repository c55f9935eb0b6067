#!lua flags=no-writes
-- The store-wide figures of the gauges, in one call whatever the number of subjects.
-- KEYS[1] broker-wide base
-- Returns {messages, bytes, subscribers, inflight, subjects listed for expiry, oldest message's
-- publish time (ms) or -1, Redis's now (ms), retained messages, retained bytes, messages dropped by
-- retention for age, messages, bytes, patterns registered (redis-patterns.ts)} (on a Cluster all as the slots last reported them, global-report.lua).
local oldest = redis.call('ZRANGE', G .. ':heads', 0, 0, 'WITHSCORES')[2]
return {ledger('messages'), ledger('bytes'), ledger('subscribers'), ledger('inflight'), redis.call('ZCARD', G .. ':idle'), oldest and tonumber(oldest) or -1, clock(),
  ledger('retained'), ledger('retainedBytes'), ledger('rd:age'), ledger('rd:messages'), ledger('rd:bytes'),
  redis.call('ZCARD', G .. ':patterns')}
