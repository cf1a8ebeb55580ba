-- Give up our own lease (clean shutdown, room ended); another grant's lease is left alone.
-- KEYS[1] lease; ARGV[1] 'node|epoch'
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
