-- Take a room's lease when nobody holds it; each grant bumps the room's epoch (the fence).
-- KEYS[1] lease, KEYS[2] epoch, KEYS[3] info (the room must exist); ARGV[1] node, ARGV[2] ttl ms
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch, 'PX', ARGV[2])
return epoch
