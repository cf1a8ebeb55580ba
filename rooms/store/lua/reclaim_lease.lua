-- A node that restarted takes back the leases its previous life held, without waiting for them to
-- lapse; the new epoch fences that previous life should it still be writing.
-- KEYS[1] lease, KEYS[2] epoch; ARGV[1] node, ARGV[2] ttl ms
local holder = redis.call('GET', KEYS[1])
if not holder or string.sub(holder, 1, #ARGV[1] + 1) ~= ARGV[1] .. '|' then return false end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch, 'PX', ARGV[2])
return epoch
