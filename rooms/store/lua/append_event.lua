-- Append a numbered event to the room's capped history, only for the current owner.
-- KEYS[1] epoch key, KEYS[2] history (sorted set by seq); ARGV[1] epoch, ARGV[2] seq, ARGV[3] event,
-- ARGV[4] how many events to keep, ARGV[5] ttl ms
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[4]) - 1)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
