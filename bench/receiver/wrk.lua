-- Pre-signed requests for wrk, one per line in the file named by WRK_REQUESTS: method, then tab-separated
-- "name: value" headers, a tab and the body. Each request is sent once, in order (the last one repeats if the
-- file runs out; the harness checks that it did not). done() prints what the harness reads, as one JSON line.
local requests = {}
local next_index = 1

function init(args)
  local file = assert(io.open(os.getenv("WRK_REQUESTS"), "r"))
  for line in file:lines() do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do fields[#fields + 1] = field end
    local headers = {}
    for i = 1, #fields - 1 do
      local name, value = string.match(fields[i], "^([^:]+): (.*)$")
      headers[name] = value
    end
    requests[#requests + 1] = wrk.format("POST", "/webhooks", headers, fields[#fields])
  end
  file:close()
end

function request()
  local r = requests[next_index]
  if next_index < #requests then next_index = next_index + 1 end
  return r
end

function done(summary, latency, requests_)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(99)))
end
