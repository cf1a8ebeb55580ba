-- Write a room value only for the current owner.
-- KEYS[1] epoch key, KEYS[2] target key; ARGV[1] writer's epoch, ARGV[2] value, ARGV[3] ttl ms
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
