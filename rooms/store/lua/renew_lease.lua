-- Extend our own lease; 0 when it lapsed or belongs to another grant.
-- KEYS[1] lease; ARGV[1] 'node|epoch', ARGV[2] ttl ms
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
