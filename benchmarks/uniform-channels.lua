-- wrk script: every request reads a channel drawn uniformly from CHANNELS synthetic channels (fixed seed): with a
-- million channels nearly every request misses the caches and reads PostgreSQL (scripts/benchmark-scale.sh).
local channels = tonumber(os.getenv("CHANNELS") or "1000000")
local prefix = os.getenv("PATH_PREFIX") or "" -- "/ceiling": the baseline's lean read path
dofile("benchmarks/bearer.lua") -- TOKENS_FILE: a caller's token on each request
math.randomseed(tonumber(os.getenv("SEED") or "7"))

request = function()
  return wrk.format("GET", string.format("%s/videos?channel_id=UC%022d", prefix, math.random(1, channels)), bearer())
end
