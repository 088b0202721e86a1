-- Mixed load for the soak run: API reads and writes, errors that state causes (402, 404),
-- and deliberate 5xx (an X-Mock-Error override, the maintenance scenario's 503 page).
-- Counts 5xx answers that nothing asked for.
-- With script arguments `sessions BYTES RUN` (wrk ... -- sessions 65536 3) it sends instead a
-- large body in a new session each time (X-Mock-Session soak-RUN-N): sessions must be evicted.
local key = "pc_live_demo0000000000000001"
local mix = {
  {"GET", "/api/v1/designs"},
  {"GET", "/api/v1/designs/dsg_invoice"},
  {"POST", "/api/v1/generate?design=dsg_invoice", '{"data": {"customer_name": "Soak"}}'},
  {"GET", "/api/v1/preview?design=dsg_shipping_label&page=1"},
  {"GET", "/api/v1/tools"},
  {"GET", "/api/v1/assets?limit=5"},
  {"POST", "/api/v1/designs", '{"name": "x", "tools": [{"tool": "add_page"}]}'},
  {"GET", "/api/v1/nowhere"},
  {"POST", "/api/v1/designs", '{"name": '},
  {"GET", "/api/v1/designs", nil, {["X-Mock-Error"] = "S3_ERROR"}},
  {"GET", "/api/v1/designs?__mock_scenario=maintenance"},
  {"GET", "/api/v1/batch/job_missing/status"},
}
local counter = 0
local sessions, big, run = false, nil, "0"
unexpected = 0
deliberate = 0
threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  if args[1] == "sessions" then
    sessions = true
    big = '{"name": "' .. string.rep("x", tonumber(args[2]) or 65536) .. '"}'
    run = args[3] or "0"
  end
end

request = function()
  counter = counter + 1
  if sessions then
    local headers = {["X-API-Key"] = key, ["Content-Type"] = "application/json",
      ["X-Mock-Session"] = "soak-" .. run .. "-" .. counter}
    return wrk.format("POST", "/api/v1/designs", headers, big)
  end
  local item = mix[(counter % #mix) + 1]
  local headers = {["X-API-Key"] = key, ["Content-Type"] = "application/json"}
  if item[4] then
    for name, value in pairs(item[4]) do headers[name] = value end
  end
  return wrk.format(item[1], item[2], headers, item[3])
end

response = function(status, headers, body)
  if status >= 500 then
    local by = headers["x-mock-answered-by"] or ""
    if by:find("^override") or by:find("^maintenance") then
      deliberate = deliberate + 1
    else
      unexpected = unexpected + 1
    end
  end
end

done = function(summary, latency, requests)
  local bad, asked = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    asked = asked + thread:get("deliberate")
  end
  io.write(string.format("UNEXPECTED_5XX %d\nDELIBERATE_5XX %d\nSOCKET_ERRORS %d\n", bad, asked,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
