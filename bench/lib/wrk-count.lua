-- Sends the pre-built requests of $WRK_FILE (each "<length>\n<raw HTTP request>") in order, one wrk thread,
-- and reports on stderr when $WRK_COUNT responses have arrived: "WRKDONE <responses> <microseconds from the
-- first request to the last counted response> <requests sent> <non-200 responses>". The Node side then ends
-- wrk with SIGINT (wrk itself would sleep out -d), and done() prints the latency percentiles (microseconds).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now_us()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end

local reqs = {}
local total = tonumber(os.getenv("WRK_COUNT"))
local sent, got, bad, first = 0, 0, 0, nil

function init(args)
  local f = assert(io.open(os.getenv("WRK_FILE"), "rb"))
  while true do
    local len = f:read("*l")
    if not len then break end
    reqs[#reqs + 1] = f:read(tonumber(len))
  end
  f:close()
end

function request()
  if not first then first = now_us() end
  sent = sent + 1
  return reqs[((sent - 1) % #reqs) + 1]
end

function response(status, headers, body)
  got = got + 1
  if status ~= 200 then bad = bad + 1 end
  if got == total then
    io.stderr:write(string.format("WRKDONE %d %d %d %d\n", got, now_us() - first, sent, bad))
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.stderr:write(string.format("WRKLAT %d %d %d %d %d %d %d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
