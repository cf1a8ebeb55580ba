-- Queue a seeker, unless their account is queued already (one seat in the queue per account).
-- KEYS: seekers hash, accounts hash. ARGV: ticket, encoded seeker, user id ("" for a guest).
if ARGV[3] ~= "" and redis.call("HSETNX", KEYS[2], ARGV[3], ARGV[1]) == 0 then
  return 0
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
return 1
