-- wrk script for Vigil's HTTP benchmarks (bench/service_load.sh, bench/stream_load.py).
--
--   wrk ... -s bench/wrk_json.lua URL -- BODIES_FILE   POST each line of BODIES_FILE (one JSON
--                                                      body per line), cycling through them
--   wrk ... -s bench/wrk_json.lua URL                  GET URL (e.g. /healthz, the no-op route)
--   wrk ... -s bench/wrk_json.lua URL -- BODIES_FILE MS  as the first, each connection waiting MS
--                                                      milliseconds before each request (a
--                                                      bounded load: about connections*1000/MS req/s)
--
-- At the end it prints one JSON line: requests, req/s, latency percentiles in ms, errors
-- (non-2xx answers count under errors.status). Each wrk thread cycles through the bodies from
-- its own starting point, so threads do not send the same body at the same moment.
local bodies = {}
local i = 0
local thread_count = 0
local pause_ms = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count * 7919)
end

function init(args)
  pause_ms = tonumber(args[2] or "0") or 0
  local path = args[1]
  if path ~= nil and #path > 0 then
    for line in io.lines(path) do
      if #line > 0 then bodies[#bodies + 1] = line end
    end
    if #bodies == 0 then error("no bodies in " .. path) end
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    i = (offset or 0) % #bodies
  else
    wrk.method = "GET"
  end
end

function request()
  if #bodies == 0 then return wrk.format() end
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end

function delay()
  return pause_ms
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local function ms(us) return string.format("%.3f", us / 1000) end
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"req_per_s":%.1f,' ..
    '"latency_ms":{"mean":%s,"p50":%s,"p90":%s,"p99":%s,"p999":%s,"max":%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, secs, summary.requests / secs,
    ms(latency.mean), ms(latency:percentile(50)), ms(latency:percentile(90)),
    ms(latency:percentile(99)), ms(latency:percentile(99.9)), ms(latency.max),
    e.connect, e.read, e.write, e.status, e.timeout))
end
