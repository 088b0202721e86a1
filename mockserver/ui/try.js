// Calls the API from another origin: by default the same port under the other loopback name
// (127.0.0.1 <-> localhost), or the URL given as ?api=...
"use strict";
const params = new URLSearchParams(location.search);
const otherHost = location.hostname === "localhost" ? "127.0.0.1" : "localhost";
const API = params.get("api") || location.protocol + "//" + otherHost + ":" + location.port;
const KEY = params.get("key") || "pc_live_demo0000000000000001";
document.getElementById("api").textContent = API;

const CASES = {
  ok: ["GET", "/api/v1/designs", { "X-API-Key": KEY }],
  unauthorized: ["GET", "/api/v1/designs", {}],
  credits: ["POST", "/api/v1/generate?design=dsg_invoice", { "X-API-Key": KEY, "X-Mock-Error": "INSUFFICIENT_CREDITS" }],
  outage: ["GET", "/api/v1/designs?__mock_scenario=maintenance", { "X-API-Key": KEY }],
  generate: ["POST", "/api/v1/generate?design=dsg_invoice", { "X-API-Key": KEY }],
};

// Exposed for tests and the console: call(name) → {status, code, answeredBy, text}.
window.call = async function call(name) {
  const [method, path, headers] = CASES[name];
  const response = await fetch(API + path, { method, headers });
  const text = await response.text();
  let code = null;
  try { code = (JSON.parse(text).error || {}).code || null; } catch { code = "(not JSON)"; }
  const result = { status: response.status, code, answeredBy: response.headers.get("X-Mock-Answered-By"), text };
  const row = document.getElementById("results").insertRow(0);
  for (const value of [name, result.status, code || "", result.answeredBy || ""]) row.insertCell().textContent = value;
  return result;
};

for (const button of document.querySelectorAll("[data-case]")) {
  button.addEventListener("click", () => window.call(button.dataset.case));
}
