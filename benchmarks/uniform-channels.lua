-- wrk script: every request reads a channel drawn uniformly from CHANNELS synthetic channels (fixed seed): with a
-- million channels nearly every request misses the caches and reads PostgreSQL (scripts/benchmark-scale.sh).
local channels = tonumber(os.getenv("CHANNELS") or "1000000")
math.randomseed(tonumber(os.getenv("SEED") or "7"))

request = function()
  return wrk.format("GET", string.format("/videos?channel_id=UC%022d", math.random(1, channels)))
end
