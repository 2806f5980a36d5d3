-- Appends one event to a channel, atomically: the realm's redis engine (RedisEngine, docs/decisions.md).
-- KEYS: 1 epoch, 2 channel set, 3 id counter, 4 log (a stream, entry ids ID-0), 5 retained bytes
-- ARGV: 1 channel name, 2 data, 3 retained events, 4 retained bytes, 5 retained age in ms (0: none),
--       6 max channels, 7 epoch to set if there is none, 8 pub/sub channel
-- Returns {id, epoch, events trimmed by this append, channels}, or {-1, epoch, 0, channels} when a new
-- channel would exceed the max channels.
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  -- No epoch: Redis holds none of the realm's history (new, flushed or restarted empty).
  redis.call('SET', KEYS[1], ARGV[7])
  epoch = ARGV[7]
end
local channels = redis.call('SCARD', KEYS[2])
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then
  if channels >= tonumber(ARGV[6]) then
    return {-1, epoch, 0, channels}
  end
  redis.call('SADD', KEYS[2], ARGV[1])
  channels = channels + 1
end
local id = redis.call('INCR', KEYS[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('XADD', KEYS[4], id .. '-0', 'd', ARGV[2], 't', now)
local bytes = redis.call('INCRBY', KEYS[5], string.len(ARGV[2]))
local count = redis.call('XLEN', KEYS[4])
local maxEvents = tonumber(ARGV[3])
local maxBytes = tonumber(ARGV[4])
local maxAge = tonumber(ARGV[5])
local trimmed = 0
while count > 0 do
  local oldest = redis.call('XRANGE', KEYS[4], '-', '+', 'COUNT', 1)[1]
  local fields = oldest[2] -- d, data, t, time
  if not (count > maxEvents or bytes > maxBytes or (maxAge > 0 and now - tonumber(fields[4]) > maxAge)) then
    break
  end
  redis.call('XDEL', KEYS[4], oldest[1])
  bytes = redis.call('INCRBY', KEYS[5], -string.len(fields[2]))
  count = count - 1
  trimmed = trimmed + 1
end
if maxAge > 0 then
  -- Nothing published for the whole age: every event has aged out, so the log goes with it.
  redis.call('PEXPIRE', KEYS[4], maxAge)
  redis.call('PEXPIRE', KEYS[5], maxAge)
end
-- Published inside the script: every pod hears the events of a channel in id order.
redis.call('PUBLISH', ARGV[8], epoch .. ' ' .. id .. ' ' .. ARGV[2])
return {id, epoch, trimmed, channels}
