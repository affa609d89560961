-- One route of make load, a template that bench/load.py fills with Python's
-- printf-style formatting (so a percent sign of Lua's own is written twice):
-- each connection its own headers (a session), its own path or a random one of the
-- route's, and a count of answers that are not the status expected.
local paths = %(paths)s
local headers = %(headers)s
local bodies = %(bodies)s
local method = "%(method)s"
local expected = %(expected)d
local per_connection = %(per_connection)s
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  unexpected = 0
  local n = #headers
  mine = headers[((id - 1) %% n) + 1]
  body = bodies[((id - 1) %% math.max(#bodies, 1)) + 1]
  own_path = paths[((id - 1) %% #paths) + 1]
  math.randomseed(id * 7919)
end

function request()
  local path = own_path
  if not per_connection then path = paths[math.random(#paths)] end
  return wrk.format(method, path, mine, body)
end

function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"max": %%d, "unexpected": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"timeout": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad, e.connect, e.read, e.write, e.timeout))
end
