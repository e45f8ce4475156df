-- wrk script for `make stress-test`: a mix of warm reads (a few hot channels), reads spread over every demo
-- channel, and a few cold channels nobody has asked for (fetched from YouTube, or 202/503/404 when it cannot).
-- Prints a status-code breakdown at the end.
local ids = {}
for line in io.lines("benchmarks/channels.txt") do ids[#ids + 1] = line end
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  counts = {}
  n = 0
  math.randomseed(os.time() + id * 7919)
end

local function cold_id()
  local chars = {}
  for i = 1, 22 do
    local k = math.random(#alphabet)
    chars[i] = alphabet:sub(k, k)
  end
  return "UC" .. table.concat(chars)
end

function request()
  n = n + 1
  local roll = math.random(100)
  local channel
  if roll <= 70 then
    channel = ids[math.random(10)]          -- warm: ten hot channels
  elseif roll <= 99 then
    channel = ids[math.random(#ids)]        -- many distinct channels
  else
    channel = cold_id()                     -- cold: unknown to the database
  end
  return wrk.format("GET", "/videos?channel_id=" .. channel)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, count in pairs(c) do total[status] = (total[status] or 0) + count end
  end
  io.write("Status codes:")
  for status, count in pairs(total) do io.write(string.format(" %d=%d", status, count)) end
  io.write("\n")
  io.write(string.format("Latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("Throughput %.0f requests/s; errors: %d connect, %d read, %d write, %d timeout, %d non-2xx/3xx\n",
    summary.requests / (summary.duration / 1e6), summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status))
end
