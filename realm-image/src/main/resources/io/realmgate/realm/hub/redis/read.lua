-- Reads a channel's state and retained events after an id, atomically (RedisEngine).
-- KEYS: 1 epoch, 2 id counter, 3 log
-- ARGV: 1 first id wanted, 2 last id wanted (0: the newest), 3 most entries, 4 epoch to set if there is none
-- Returns {epoch, newest id, id1, data1, id2, data2, ...}.
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[4])
  epoch = ARGV[4]
end
local newest = tonumber(redis.call('GET', KEYS[2]) or '0')
local out = {epoch, newest}
local last = tonumber(ARGV[2])
local upTo = '+'
if last > 0 then
  upTo = last .. '-0'
end
if tonumber(ARGV[1]) <= newest then
  local entries = redis.call('XRANGE', KEYS[3], ARGV[1] .. '-0', upTo, 'COUNT', tonumber(ARGV[3]))
  for _, e in ipairs(entries) do
    local id = string.sub(e[1], 1, string.find(e[1], '-', 1, true) - 1)
    table.insert(out, tonumber(id))
    table.insert(out, e[2][2])
  end
end
return out
