-- The first answer of a player to a question wins, unless the question was closed.
-- KEYS[1] closed questions (set), KEYS[2] the question's answers (hash);
-- ARGV[1] question, ARGV[2] player, ARGV[3] answer, ARGV[4] ttl ms
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 'closed' end
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 0 then return 'duplicate' end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 'ok'
