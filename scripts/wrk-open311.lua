-- wrk script: GET /open311/v2/requests.json with filters, 50 per page, over pages 1..20 of the last 90 days.
local pages = 20
local codes = {"duong-o-ga,rac-thai", "den-chieu-sang,lan-chiem,ngap-nuoc", "duong-o-ga", "rac-thai,an-ninh-trat-tu,giao-thong"}
local statuses = {"open", "closed", "open,closed"}
math.randomseed(2026)
request = function()
  local path = string.format("/open311/v2/requests.json?service_code=%s&status=%s&page_size=50&page=%d",
    codes[math.random(#codes)], statuses[math.random(#statuses)], math.random(pages))
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d non2xx=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
