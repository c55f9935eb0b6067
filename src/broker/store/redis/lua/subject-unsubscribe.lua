#!lua flags=allow-oom
-- Removes a subscriber and what it held; wakes its waiting fetches on every instance.
-- KEYS[1] subject base, KEYS[2] accounting base
-- ARGV[1] accounting mode, ARGV[2] id, ARGV[3] the subject, ARGV[4] wake channel
-- Returns {accounting, removed 0/1, end of the log if it was dropped (else 0)}.
local id, subject = ARGV[2], ARGV[3]
if redis.call('EXISTS', key('s', id)) == 0 then return {{}, 0, 0} end
wake('u', subject, id, clock())
local dropped = remove(id)
if dropped > 0 and INLINE then
  unlistIndex('idle', subject)
  unlistIndex('due', subject)
  unlistIndex('named', subject)
  if not ruleOf() then unlistIndex('subjects', subject) end
end
return {accounted(oldestPublished), 1, dropped}
