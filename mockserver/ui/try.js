// Calls the API from another origin: by default the same port under the other loopback name
// (127.0.0.1 <-> localhost), or the URL given as ?api=...
"use strict";
const params = new URLSearchParams(location.search);
const otherHost = location.hostname === "localhost" ? "127.0.0.1" : "localhost";
const API = params.get("api") || location.protocol + "//" + otherHost + ":" + location.port;
const KEY = params.get("key") || "pc_live_demo0000000000000001";
document.getElementById("api").textContent = API;

const GENERATE = "generate";  // the route depends on the docs revision the API answers with
const CASES = {
  ok: ["GET", "/api/v1/designs", { "X-API-Key": KEY }],
  unauthorized: ["GET", "/api/v1/designs", {}],
  credits: ["POST", GENERATE, { "X-API-Key": KEY, "X-Mock-Error": "INSUFFICIENT_CREDITS" }],
  outage: ["GET", "/api/v1/designs?__mock_scenario=maintenance", { "X-API-Key": KEY }],
  generate: ["POST", GENERATE, { "X-API-Key": KEY }],
};

// Revisions A, B1 and B2 generate through a query-string route, C1 and C2 through a path route. The
// revision is asked for on every call: switching scenario can change it. Without the admin API
// (--no-admin, or an admin token) the newest revision's route is used.
async function generatePath() {
  let revision = "C2";
  try {
    revision = (await (await fetch(API + "/__mock/health")).json()).data.apiRevision || revision;
  } catch { /* keep the default */ }
  return ["A", "B1", "B2"].includes(revision)
    ? "/api/v1/generate?design=dsg_invoice"
    : "/api/v1/designs/dsg_invoice/generate";
}

// Exposed for tests and the console: call(name) → {status, code, answeredBy, text}.
window.call = async function call(name) {
  const [method, route, headers] = CASES[name];
  const path = route === GENERATE ? await generatePath() : route;
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
