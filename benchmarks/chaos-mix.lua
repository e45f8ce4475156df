-- wrk script for `make chaos`: 80 % reads of stored channels (benchmarks/channels.txt), 20 % channels nobody has read
-- yet (UCchaos + a number unique to this phase: the YouTube stand-in knows them all). Counts 2xx / 5xx (and 500s among them) / other.
local stored = {}
for line in io.lines("benchmarks/channels.txt") do stored[#stored + 1] = line end
local phase = tonumber(os.getenv("PHASE") or "0")
local threads = {}

function setup(thread) threads[#threads + 1] = thread end

function init(args)
  next_new, ok, failed, internal, other = phase * 1000000, 0, 0, 0, 0
end

function request()
  local id
  if math.random() < 0.2 then
    next_new = next_new + 1
    id = string.format("UCchaos%017d", next_new)
  else
    id = stored[math.random(#stored)]
  end
  return wrk.format("GET", "/videos?channel_id=" .. id)
end

function response(status)
  if status == 500 then internal = internal + 1 end
  if status >= 500 then failed = failed + 1 elseif status < 300 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local t = threads[1]
  io.write(string.format("CHAOS %d %d %d %d %d %.1f\n", summary.requests, t:get("ok"), t:get("failed"), t:get("internal"),
    t:get("other"), latency:percentile(99) / 1000))
end
