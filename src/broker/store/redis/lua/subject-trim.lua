#!lua flags=allow-oom
-- Trims what an earlier script left (at most TRIM_BATCH a call), and deletes the data trimmed over
-- GRACE_MS ago (at most 2 × TRIM_BATCH a call).
-- KEYS[1] subject base, KEYS[2] accounting base; ARGV[1] accounting mode
-- Returns {accounting, messages freed, data deleted, data left to delete}.
local messages, deleted = trim()
return {accounted(oldestPublished), messages, deleted, redis.call('ZCARD', G)}
