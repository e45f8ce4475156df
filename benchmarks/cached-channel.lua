-- wrk script: the URL's own path every time (one channel), with a caller's bearer token when TOKENS_FILE is set.
dofile("benchmarks/bearer.lua")

request = function()
  return wrk.format("GET", nil, bearer())
end
