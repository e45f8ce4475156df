-- Shared by the wrk scripts: with TOKENS_FILE set (one bearer token per line, one per caller), each request carries
-- the next of them in turn, so the load comes from that many callers as in Production; without it, no header. (In
-- turn, not at random: the scripts' own random sequence of channels stays the same with tokens or without.)
local tokens = {}
local file = os.getenv("TOKENS_FILE")
if file and file ~= "" then
  for line in io.lines(file) do
    if line ~= "" then tokens[#tokens + 1] = "Bearer " .. line end
  end
end

local turn = 0

function bearer()
  if #tokens == 0 then return nil end
  turn = turn % #tokens + 1
  return { Authorization = tokens[turn] }
end
