-- wrk script: channel popularity follows Zipf's law (s = 1) over CHANNELS synthetic channels, fixed seed, so every
-- run asks for the same sequence. Channel n is 'UC' .. n zero-padded to 22 digits (scripts/benchmark-scale.sh).
local channels = tonumber(os.getenv("CHANNELS") or "1000000")
local prefix = os.getenv("PATH_PREFIX") or "" -- "/ceiling": the baseline's lean read path
dofile("benchmarks/bearer.lua") -- TOKENS_FILE: a caller's token on each request
local gamma = 0.5772156649015329
math.randomseed(tonumber(os.getenv("SEED") or "42"))

-- Exact cumulative probabilities for the head of the distribution, the continuous approximation for the tail.
local head = math.min(channels, 10000)
local harmonic = 0
local cumulative = {}
for k = 1, head do harmonic = harmonic + 1 / k; cumulative[k] = harmonic end
local total = harmonic
if channels > head then total = math.log(channels) + gamma + 1 / (2 * channels) end

local function rank()
  local target = math.random() * total
  if target <= cumulative[head] then
    local lo, hi = 1, head
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cumulative[mid] < target then lo = mid + 1 else hi = mid end
    end
    return lo
  end
  return math.min(channels, math.max(head + 1, math.floor(math.exp(target - gamma))))
end

-- Spread popular ranks over the id space (a bijection when the multiplier shares no factor with CHANNELS).
local function channel(r) return ((r - 1) * 2654435761) % channels + 1 end

request = function()
  return wrk.format("GET", string.format("%s/videos?channel_id=UC%022d", prefix, channel(rank())), bearer())
end
