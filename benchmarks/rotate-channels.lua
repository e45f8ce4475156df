-- wrk script: each request reads a different demo channel (ids from benchmarks/channels.txt).
local ids = {}
for line in io.lines("benchmarks/channels.txt") do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/videos?channel_id=" .. ids[(n % #ids) + 1])
end
