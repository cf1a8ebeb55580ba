-- Take seekers off the queue, all or none (one may have left since the matcher read the queue).
-- KEYS: seekers hash, accounts hash. ARGV: the tickets. Returns 1 when all were there and are taken.
for _, ticket in ipairs(ARGV) do
  if redis.call("HEXISTS", KEYS[1], ticket) == 0 then
    return 0
  end
end
for _, ticket in ipairs(ARGV) do
  local seeker = cjson.decode(redis.call("HGET", KEYS[1], ticket))
  redis.call("HDEL", KEYS[1], ticket)
  if seeker.user_id ~= cjson.null and seeker.user_id ~= nil then
    local account = tostring(seeker.user_id)
    if redis.call("HGET", KEYS[2], account) == ticket then
      redis.call("HDEL", KEYS[2], account)
    end
  end
end
return 1
