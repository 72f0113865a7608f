-- Prints wrk's summary as one JSON line (wrk itself does not report the 95th percentile),
-- with how the page cache answered (the X-Gloss-Page-Cache header: hit, stale, miss).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  hit, stale, miss = 0, 0, 0
end

function response(status, headers, body)
  local outcome = headers["X-Gloss-Page-Cache"]
  if outcome == "hit" then
    hit = hit + 1
  elseif outcome == "stale" then
    stale = stale + 1
  elseif outcome == "miss" then
    miss = miss + 1
  end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local hits, stales, misses = 0, 0, 0
  for _, thread in ipairs(threads) do
    hits = hits + thread:get("hit")
    stales = stales + thread:get("stale")
    misses = misses + thread:get("miss")
  end
  io.write(string.format(
    '{"requests": %d, "rps": %.2f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "errors": %d, '
      .. '"cache_hit": %d, "cache_stale": %d, "cache_miss": %d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    hits, stales, misses
  ))
end
