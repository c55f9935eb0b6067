#!lua flags=no-writes
-- A page of subjects with a log (G:subjects), ordered by subject (bytes).
-- KEYS[1] broker-wide base
-- ARGV[1] prefix ('' for all), ARGV[2] the subject after which the page starts ('' from the first),
-- ARGV[3] how many to read
-- Returns the subjects.
local prefix, after, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local from = prefix == '' and '-' or '[' .. prefix
if after ~= '' and after >= prefix then from = '(' .. after end
-- No UTF-8 string holds the byte 255: every subject starting with the prefix sorts below prefix..255.
local to = prefix == '' and '+' or '[' .. prefix .. '\255'
return redis.call('ZRANGE', G .. ':subjects', from, to, 'BYLEX', 'LIMIT', 0, count)
