-- wrk: online verdicts. Each request is a new scan (its own id) of a random
-- badge at a random gate, in or out, sent with the fixture device's token.
-- BENCH_DIR names the folder the fixture wrote (tokens.txt, gates.txt,
-- device.txt).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

local tokens, gates, device, start = {}, {}, "", 0

function init(args)
  local dir = os.getenv("BENCH_DIR")
  for line in io.lines(dir .. "/tokens.txt") do tokens[#tokens + 1] = line end
  for line in io.lines(dir .. "/gates.txt") do gates[#gates + 1] = line end
  device = io.open(dir .. "/device.txt"):read("*l")
  math.randomseed(seed * 7919 + os.time())
  start = os.time()
end

local function uuid()
  return string.format("%08x-%04x-4%03x-%04x-%06x%06x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end

function request()
  local t = 2 * 3600 + (os.time() - start) + math.random(0, 5)
  local body = string.format(
    '{"id":"%s","token":"%s","gate_id":"%s","direction":"%s","at":"2030-03-10T%02d:%02d:%02dZ"}',
    uuid(), tokens[math.random(#tokens)], gates[math.random(#gates)],
    (math.random(2) == 1) and "in" or "out",
    math.floor(t / 3600), math.floor(t / 60) % 60, t % 60)
  return wrk.format("POST", "/api/scanner/v1/verdict",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. device }, body)
end
