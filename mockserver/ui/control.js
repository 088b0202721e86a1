// The control page: only the admin API (/__mock/*), so everything here can be scripted too.
"use strict";
const $ = (id) => document.getElementById(id);
const session = () => $("session").value.trim() || "default";
const TOKEN = new URLSearchParams(location.search).get("__mock_token");

async function admin(method, path, body) {
  const init = { method, headers: { "X-Mock-Session": session() } };
  if (TOKEN) init.headers["X-Mock-Admin-Token"] = TOKEN;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch("/__mock/" + path, init);
  const envelope = await response.json();
  if (envelope.status !== "success") throw new Error(envelope.error.code + ": " + envelope.error.message);
  return envelope.data;
}

function say(text) { $("status").textContent = text; }
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; }

async function loadScenarios() {
  const data = await admin("GET", "scenarios");
  $("revision").textContent = "API revision " + data.apiRevision;
  const list = $("scenarios");
  list.replaceChildren();
  for (const scenario of data.scenarios) {
    const item = document.createElement("li");
    if (scenario.active) item.className = "active";
    const name = document.createElement("span");
    name.textContent = scenario.name;
    const desc = document.createElement("span");
    desc.className = "desc";
    desc.textContent = scenario.description;
    const use = document.createElement("button");
    use.type = "button";
    use.className = "secondary";
    use.textContent = scenario.active ? "Active" : "Use";
    use.disabled = scenario.active;
    use.dataset.scenario = scenario.name;
    use.setAttribute("aria-label", "Use scenario " + scenario.name);
    use.addEventListener("click", () => act(async () => {
      await admin("PUT", "scenario", { name: scenario.name });
      return "Scenario " + scenario.name + " active";
    }));
    item.append(name, desc, use);
    list.append(item);
  }
  $("problems").hidden = data.problems.length === 0;
  $("problems").textContent = data.problems.join("\n");
}

async function loadWorkspace() {
  const data = await admin("GET", "workspace");
  if (document.activeElement !== $("credits")) $("credits").value = data.credits;
  $("useApiKeys").checked = data.plan.useApiKeys;
  $("batchGenerate").checked = data.plan.batchGenerate;
  const list = $("credentials");
  list.replaceChildren();
  const rows = [...data.api_keys.map((k) => ["API key", k]), ...data.tokens.map((t) => ["Bearer token", t])];
  for (const [label, item] of rows) {
    const dt = document.createElement("dt");
    const expired = item.expires && Date.parse(item.expires) <= Date.now();
    dt.textContent = label + (item.expires ? (expired ? " (expired " : " (expires ") + item.expires.slice(0, 10) + ")" : "");
    const dd = document.createElement("dd");
    dd.textContent = item.value;
    list.append(dt, dd);
  }
}

async function loadRules() {
  const data = await admin("GET", "rules");
  const list = $("rules");
  list.replaceChildren();
  for (const rule of data.rules) {
    const item = document.createElement("li");
    const when = typeof rule.when === "string" ? rule.when : JSON.stringify(rule.when);
    item.textContent = rule.id + ": " + when + " → " + JSON.stringify(rule.reply) +
      " (used " + rule.used + (rule.times ? " of " + rule.times : "") + ")";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => act(async () => { await admin("DELETE", "rules/" + rule.id); return "Removed"; }));
    item.append(" ", remove);
    list.append(item);
  }
}

async function loadJournal() {
  const data = await admin("GET", "requests?limit=50");
  const body = $("journal");
  body.replaceChildren();
  for (const entry of data.requests.reverse()) {
    const row = body.insertRow();
    cell(row, entry.time.slice(11, 23));
    cell(row, entry.method);
    cell(row, entry.path, "path");
    cell(row, entry.fault || String(entry.status), "s" + String(entry.status)[0]);
    cell(row, entry.code || "");
    cell(row, entry.answeredBy);
  }
}

async function refresh() {
  try {
    await Promise.all([loadScenarios(), loadWorkspace(), loadRules(), loadJournal()]);
  } catch (error) {
    say(String(error.message || error));
  }
}

async function act(action) {
  try {
    say(await action());
  } catch (error) {
    say(String(error.message || error));
  }
  await refresh();
}

$("workspace").addEventListener("submit", (event) => {
  event.preventDefault();
  act(async () => {
    await admin("PATCH", "workspace", {
      credits: Number($("credits").value),
      plan: { useApiKeys: $("useApiKeys").checked, batchGenerate: $("batchGenerate").checked },
    });
    return "Workspace saved";
  });
});

$("fail").addEventListener("submit", (event) => {
  event.preventDefault();
  const when = { path: $("path").value.trim() };
  if ($("method").value) when.method = $("method").value;
  act(async () => {
    const data = await admin("POST", "rules", { when, times: Number($("times").value), reply: { error: $("code").value } });
    return "Injected " + $("code").value + " as " + data.ids[0];
  });
});

$("reset").addEventListener("click", () => act(async () => { await admin("POST", "reset"); return "Session reset"; }));
$("clear").addEventListener("click", () => act(async () => { await admin("DELETE", "requests"); return "Journal cleared"; }));
$("session").addEventListener("change", refresh);

(async () => {
  const [health, errors] = await Promise.all([admin("GET", "health"), admin("GET", "errors")]);
  $("version").textContent = health.version;
  for (const entry of errors.codes) {
    const option = document.createElement("option");
    option.value = entry.code;
    option.textContent = entry.status + " " + entry.code;
    $("code").append(option);
  }
  $("code").value = "INSUFFICIENT_CREDITS";
  await refresh();
  setInterval(refresh, 1000);
})();
