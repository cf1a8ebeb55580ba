-- Write fields of a room hash only for the current owner.
-- KEYS[1] epoch key, KEYS[2] hash; ARGV[1] writer's epoch, ARGV[2] ttl ms, then field, value pairs
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
