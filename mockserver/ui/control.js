// The control page: only the admin API (/__mock/*), so everything here can be scripted too.
"use strict";
const $ = (id) => document.getElementById(id);
const session = () => $("session").value.trim() || "default";
const TOKEN = new URLSearchParams(location.search).get("__mock_token");
const JOURNAL_LIMIT = 200;  // the newest requests fetched per poll: enough to read, cheap to poll
const POLL_MS = 1000;

// An admin call: the HTTP status and the envelope (null when the answer is not the admin envelope).
async function call(method, path, body) {
  const init = { method, headers: { "X-Mock-Session": session() } };
  if (TOKEN) init.headers["X-Mock-Admin-Token"] = TOKEN;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch("/__mock/" + path, init);
  let envelope = null;
  try { envelope = await response.json(); } catch { /* not JSON: said below */ }
  return { status: response.status, envelope };
}

async function admin(method, path, body) {
  const { status, envelope } = await call(method, path, body);
  if (!envelope || typeof envelope !== "object") throw new Error("HTTP " + status + " from /__mock/" + path);
  if (envelope.status !== "success") throw new Error(envelope.error.code + ": " + envelope.error.message);
  return envelope.data;
}

function say(text) { $("status").textContent = text; $("status").title = text; }

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// --- scenarios, workspace, rules -------------------------------------------------------------------

async function loadScenarios() {
  const data = await admin("GET", "scenarios");
  $("revision").textContent = "API revision " + data.apiRevision;
  const list = $("scenarios");
  const items = [];
  for (const scenario of data.scenarios) {
    const use = el("button", {
      type: "button", class: "secondary small", "aria-label": "Use scenario " + scenario.name,
      text: scenario.active ? "Active" : "Use",
    });
    // Not `disabled`: the button keeps the keyboard focus when it becomes the active one.
    if (scenario.active) use.setAttribute("aria-disabled", "true");
    use.dataset.scenario = scenario.name;
    use.addEventListener("click", () => {
      if (scenario.active) return;
      act(async () => {
        await admin("PUT", "scenario", { name: scenario.name });
        return "Scenario " + scenario.name + " active";
      });
    });
    const item = el("li", { class: scenario.active ? "active" : "", title: scenario.description || "" },
      use, el("span", { class: "name", text: scenario.name }),
      el("span", { class: "desc", text: scenario.description || "" }));
    items.push([scenario.name + "|" + scenario.active + "|" + scenario.description, item]);
  }
  // Rebuilt only when something changed, so a focused button keeps its focus between polls.
  const signature = items.map(([key]) => key).join("\n");
  if (list.dataset.signature !== signature) {
    const focused = document.activeElement && list.contains(document.activeElement)
      ? document.activeElement.dataset.scenario : null;
    list.replaceChildren(...items.map(([, item]) => item));
    list.dataset.signature = signature;
    if (focused) {
      const again = list.querySelector(`button[data-scenario="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }
  const active = data.scenarios.find((scenario) => scenario.active);
  $("scenario-about").textContent = active ? active.name + ": " + (active.description || "") : "";
  $("problems").hidden = data.problems.length === 0;
  $("problems").textContent = data.problems.join("\n");
}

async function loadWorkspace() {
  const data = await admin("GET", "workspace");
  if (document.activeElement !== $("credits")) $("credits").value = data.credits;
  if (document.activeElement !== $("useApiKeys")) $("useApiKeys").checked = data.plan.useApiKeys;
  if (document.activeElement !== $("batchGenerate")) $("batchGenerate").checked = data.plan.batchGenerate;
  const rows = [...data.api_keys.map((k) => ["API key", k]), ...data.tokens.map((t) => ["Bearer token", t])];
  $("credential-count").textContent = "(" + rows.length + ")";
  const signature = JSON.stringify(rows);
  const list = $("credentials");
  if (list.dataset.signature === signature) return;  // keep a selection the user is copying
  list.dataset.signature = signature;
  list.replaceChildren();
  for (const [label, item] of rows) {
    const expired = item.expires && Date.parse(item.expires) <= clockNow();
    const when = item.expires ? (expired ? " (expired " : " (expires ") + item.expires.slice(0, 10) + ")" : "";
    list.append(el("dt", { text: label + (item.name ? " " + item.name : "") + when }), el("dd", { text: item.value }));
  }
}

async function loadRules() {
  const data = await admin("GET", "rules");
  const signature = JSON.stringify(data.rules);
  const list = $("rules");
  $("no-rules").hidden = data.rules.length > 0;
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  list.replaceChildren();
  for (const rule of data.rules) {
    const when = typeof rule.when === "string" ? rule.when : JSON.stringify(rule.when);
    const remove = el("button", {
      type: "button", class: "secondary small", text: "Remove", "aria-label": "Remove rule " + rule.id,
    });
    remove.addEventListener("click", () => act(async () => {
      await admin("DELETE", "rules/" + encodeURIComponent(rule.id));
      return "Removed " + rule.id;
    }));
    const used = "used " + rule.used + (rule.times ? " of " + rule.times : "");
    list.append(el("li", {},
      el("span", { class: "rule-text", text: rule.id + ": " + when + " → " + JSON.stringify(rule.reply) + " (" + used + ")" }),
      remove));
  }
}

// --- guidance ----------------------------------------------------------------------------------------

function findingKey(finding) { return finding.id + "|" + finding.requests.map((ref) => ref.id).join(","); }

function refText(ref) {
  const outcome = ref.fault || [ref.status, ref.code].filter((part) => part !== null).join(" ");
  const waited = ref.waited === null ? "" : " after " + ref.waited + " s";
  return "#" + ref.id + " " + ref.time.slice(11, 23) + " " + ref.method + " " + ref.path + waited + " → " + outcome;
}

async function loadGuidance() {
  const data = await admin("GET", "guidance");
  const list = $("guidance");
  const signature = data.findings.map(findingKey).join("\n") + "|" + data.total;
  $("guidance-none").hidden = data.findings.length > 0;
  $("guidance-count").textContent = data.total ? "(" + data.total + ")" : "";
  $("h-guidance").closest("section").classList.toggle("has-findings", data.total > 0);
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  const open = new Set([...list.querySelectorAll("details[open]")].map((node) => node.dataset.key));
  const items = data.findings.slice().reverse().map((finding) => {
    const details = el("details", {},
      el("summary", {},
        el("span", { class: "finding-id", text: finding.id }), " ",
        el("span", { class: "finding-request", text: finding.request })),
      el("p", { class: "finding-detail", text: finding.client + ": " + finding.detail }),
      el("p", { class: "finding-rule", text: finding.rule }),
      el("ol", { class: "finding-refs" }, ...finding.requests.map((ref) => el("li", { text: refText(ref) }))),
      el("p", { class: "finding-fix" }, el("strong", { text: "Fix: " }), finding.fix));
    details.dataset.key = findingKey(finding);
    if (open.has(details.dataset.key)) details.open = true;
    return el("li", {}, details);
  });
  if (data.dropped) items.push(el("li", { class: "help", text: "and " + data.dropped + " older, not kept" }));
  list.replaceChildren(...items);
}

// --- clock --------------------------------------------------------------------------------------------

// The session clock as last read: its `now` (ms) at the browser time `readAt`; null: no clock endpoint.
let clock = null;

function clockNow() { return clock ? clock.now + (Date.now() - clock.readAt) : Date.now(); }

function formatOffset(seconds) {
  if (!seconds) return "";
  const sign = seconds < 0 ? "−" : "+";
  let rest = Math.round(Math.abs(seconds));
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]]) {
    if (rest >= size) { parts.push(Math.floor(rest / size) + unit); rest %= size; }
  }
  return sign + (parts.join(" ") || "0s");
}

function showClock() {
  const badge = $("clock-badge");
  $("clock-controls").disabled = clock === null;
  document.querySelector(".clock-now").hidden = clock === null;
  if (clock === null) {
    $("clock-now").textContent = "";
    $("clock-now").removeAttribute("datetime");
    $("clock-offset").textContent = "";
    badge.textContent = "Clock not available";
    badge.classList.remove("moved");
    return;
  }
  const now = new Date(clockNow()).toISOString();
  const shown = now.slice(0, 19).replace("T", " ") + " UTC";
  const offset = formatOffset(clock.offsetSeconds);
  $("clock-now").textContent = shown;
  $("clock-now").setAttribute("datetime", now);
  $("clock-offset").textContent = offset ? "(" + offset + " from real time)" : "(real time)";
  badge.textContent = "Clock " + shown + (offset ? " (" + offset + ")" : "");
  badge.classList.toggle("moved", Boolean(offset));
}

function takeClock(data) {
  clock = { now: Date.parse(data.now), offsetSeconds: Number(data.offsetSeconds) || 0, readAt: Date.now() };
  $("clock-missing").hidden = true;
  showClock();
}

// Without a clock endpoint (a server from before it), asked again only every CLOCK_RETRY_MS.
const CLOCK_RETRY_MS = 30000;
let clockMissingSince = 0;

async function loadClock(force) {
  if (!force && clock === null && clockMissingSince && Date.now() - clockMissingSince < CLOCK_RETRY_MS) return;
  let answer;
  try {
    answer = await call("GET", "clock");
  } catch (error) {
    answer = { status: 0, envelope: null, error };
  }
  const { status, envelope } = answer;
  if (status === 200 && envelope && envelope.status === "success" && envelope.data && envelope.data.now) {
    takeClock(envelope.data);
    clockMissingSince = 0;
    return;
  }
  clock = null;
  clockMissingSince = Date.now();
  const why = envelope && envelope.error ? envelope.error.code + ": " + envelope.error.message
    : status ? "HTTP " + status : "no answer";
  $("clock-missing").textContent = "Clock not available on this server (" + why + ").";
  $("clock-missing").hidden = false;
  showClock();
}

async function moveClock(body, done) {
  const { status, envelope } = await call("POST", "clock", body);
  if (status === 200 && envelope && envelope.status === "success") {
    takeClock(envelope.data);
    return done;
  }
  if (envelope && envelope.error) throw new Error(envelope.error.code + ": " + envelope.error.message);
  throw new Error("Clock not available on this server (HTTP " + status + ").");
}

// --- the journal --------------------------------------------------------------------------------------

// Rows by entry key, newest first in the table. Rows are added and removed, never rebuilt: an open
// details view stays as it is while the journal refreshes.
const shown = new Map();
let newerCount = 0;
let journalFull = false;  // the journal holds more than the JOURNAL_LIMIT fetched

const keyOf = (entry) => entry.id + "@" + entry.time;

function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
  }
  const text = params.toString();
  return text ? "?" + text : "";
}

function statusText(entry) { return entry.fault ? "fault: " + entry.fault : String(entry.status); }
function statusClass(entry) { return entry.fault ? "fault" : "s" + String(entry.status)[0]; }

function globToRegExp(glob) {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === "*" && glob[i + 1] === "*") { source += ".*"; i++; }
    else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp("^" + source + "$");
}

// The filter as a predicate on entries: method; status "404", "4xx", "4" or "fault"; code (part of
// it, any case); path (part of it, or a glob when it has * or ?).
function currentFilter() {
  const method = $("f-method").value;
  const status = $("f-status").value.trim().toLowerCase().replace(/x+$/, "");
  const code = $("f-code").value.trim().toUpperCase();
  const path = $("f-path").value.trim();
  const glob = /[*?]/.test(path) ? globToRegExp(path) : null;
  return (entry) => {
    if (method && entry.method !== method) return false;
    if (status && !statusText(entry).startsWith(status)) return false;
    if (code && !(entry.code || "").includes(code)) return false;
    if (glob ? !glob.test(entry.path) : path && !entry.path.includes(path)) return false;
    return true;
  };
}

function applyFilter() {
  const keep = currentFilter();
  let visible = 0;
  for (const item of shown.values()) {
    item.row.hidden = !keep(item.entry);
    item.details.hidden = item.row.hidden || !item.open;
    if (!item.row.hidden) visible++;
  }
  $("journal-none").hidden = shown.size === 0 || visible > 0;
  const filtered = FILTERS.some((id) => $(id).value);
  $("f-clear").hidden = !filtered;
  const count = shown.size + (shown.size === 1 ? " request" : " requests") + (journalFull ? " (the newest)" : "");
  $("journal-count").textContent = shown.size === 0 ? "" : filtered ? visible + " of " + count + " shown" : count;
  $("journal-empty").hidden = shown.size > 0;
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function bodyView(text, length, truncated, binary) {
  if (binary) return el("p", { class: "help", text: "Binary content, " + length + " bytes (not shown)." });
  if (!text && !length) return el("p", { class: "help", text: "(empty body)" });
  const note = truncated
    ? el("p", { class: "help", text: "First " + text.length + " characters of " + length + " bytes kept." })
    : null;
  return el("div", {}, el("pre", { class: "body", tabindex: "0", text: truncated ? text : pretty(text) }), note);
}

function headersView(headers, cut) {
  const names = Object.keys(headers || {});
  if (names.length === 0) return el("p", { class: "help", text: "(no headers)" });
  const list = el("dl", { class: "kv" });
  for (const name of names) list.append(el("dt", { text: name }), el("dd", { text: String(headers[name]) }));
  return el("div", {}, list, cut ? el("p", { class: "help", text: "Some headers were too long to keep." }) : null);
}

function facts(pairs) {
  const list = el("dl", { class: "kv facts" });
  for (const [name, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(el("dt", { text: name }), el("dd", { text: String(value) }));
  }
  return list;
}

function detailsView(entry) {
  const request = el("div", { class: "part" },
    el("h3", { text: "Request" }),
    el("p", { class: "line" }, el("strong", { text: entry.method }), " ",
      el("code", { text: entry.path + queryString(entry.query) })),
    el("h4", { text: "Headers" }), headersView(entry.headers, entry.headersTruncated),
    el("h4", { text: "Body" }), bodyView(entry.body, entry.bodyLength, entry.bodyTruncated, false));

  const response = entry.response;
  const answer = el("div", { class: "part answer" },
    el("h3", { text: "Answer" }),
    el("p", { class: "line" }, el("strong", { class: statusClass(entry), text: statusText(entry) }),
      entry.code ? " " : null, entry.code ? el("code", { text: entry.code }) : null));
  if (entry.fault) {
    answer.append(el("p", { class: "help", text: "A connection fault: no HTTP answer was sent (" + entry.fault + ")." }));
  }
  if (response) {
    answer.append(el("h4", { text: "Headers" }), headersView(response.headers),
      el("h4", { text: "Body" }),
      bodyView(response.body, response.bodyLength, response.bodyTruncated, response.binary));
  } else if (!entry.fault) {
    answer.append(el("p", { class: "help", text: "This server does not record the answer's headers and body." }));
  }

  const by = el("div", { class: "part" },
    el("h3", { text: "What answered it" }),
    facts([["answered by", entry.answeredBy], ["scenario", entry.scenario], ["operation", entry.operation],
      ["API revision", entry.revision], ["duration", entry.durationMs + " ms"], ["time", entry.time],
      ["id", entry.id]]));
  if (entry.answeredBy === "simulator") {
    const closest = entry.closestRule;
    by.append(el("h4", { text: "Closest rule" }), closest
      ? facts([["rule", closest.rule], ["why it did not", closest.why]])
      : el("p", { class: "help", text: "No rule in this session came close: the simulator answered." }));
  }
  return el("div", { class: "details-grid" }, request, answer, by);
}

function toggle(item, open) {
  item.open = open === undefined ? !item.open : open;
  item.button.setAttribute("aria-expanded", String(item.open));
  item.row.classList.toggle("open", item.open);
  if (item.open && !item.rendered) {
    item.details.firstChild.replaceChildren(detailsView(item.entry));
    item.rendered = true;
  }
  item.details.hidden = !item.open || item.row.hidden;
}

function makeRow(entry) {
  const key = keyOf(entry);
  const detailsId = "details-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
  const target = entry.path + queryString(entry.query);
  const button = el("button", { type: "button", class: "open", "aria-expanded": "false", "aria-controls": detailsId,
    title: "Show what was sent and answered" },
  el("span", { class: "caret", "aria-hidden": "true" }), el("span", { class: "method", text: entry.method }), " ",
  el("span", { class: "target", text: target }));
  const row = el("tr", { class: "entry" },
    el("td", { class: "time", text: entry.time.slice(11, 23) }),
    el("td", { class: "request" }, button),
    el("td", { class: statusClass(entry), text: statusText(entry) }),
    el("td", { class: "code", text: entry.code || "" }),
    el("td", { text: entry.answeredBy }),
    el("td", { class: "num", text: String(Math.round(entry.durationMs)) }));
  const details = el("tr", { class: "details", id: detailsId }, el("td", { colspan: "6", tabindex: "-1" }));
  details.hidden = true;
  const item = { entry, row, details, button, open: false, rendered: false };
  row.addEventListener("click", (event) => {
    if (event.target.closest("button") !== button && String(getSelection())) return;  // selecting text
    toggle(item);
  });
  // Escape closes an open request from its button or from inside its details, and leaves the focus on the button.
  const close = (event) => {
    if (event.key === "Escape" && item.open) { toggle(item, false); button.focus(); }
  };
  button.addEventListener("keydown", close);
  details.addEventListener("keydown", close);
  return [key, item];
}

function clearJournalView() {
  for (const item of shown.values()) { item.row.remove(); item.details.remove(); }
  shown.clear();
  newerCount = 0;
  $("newer").hidden = true;
  applyFilter();
}

async function loadJournal() {
  const data = await admin("GET", "requests?limit=" + JOURNAL_LIMIT);
  const entries = data.requests;  // oldest first
  journalFull = entries.length >= JOURNAL_LIMIT;
  const keys = new Set(entries.map(keyOf));
  // Gone from the journal (cleared, or older than the newest JOURNAL_LIMIT): dropped, unless open.
  for (const [key, item] of shown) {
    if (!keys.has(key) && !item.open) { item.row.remove(); item.details.remove(); shown.delete(key); }
  }
  const fresh = entries.filter((entry) => !shown.has(keyOf(entry)));
  if (fresh.length > 0) {
    const scroller = $("journal-scroll");
    const body = $("journal");
    // Hold still what the reader is looking at: an open request, or any scrolled-to row.
    const anchor = [...shown.values()].find((item) => item.open && !item.row.hidden)?.row
      || (scroller.scrollTop > 0 ? [...body.rows].find((row) => !row.hidden && row.offsetTop >= scroller.scrollTop) : null);
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    const fragment = document.createDocumentFragment();
    for (const entry of fresh.reverse()) {  // newest first
      const [key, item] = makeRow(entry);
      shown.set(key, item);
      fragment.append(item.row, item.details);
    }
    body.prepend(fragment);
    applyFilter();
    if (anchor) {
      scroller.scrollTop += anchor.getBoundingClientRect().top - before;
      if (scroller.scrollTop > 0) {
        newerCount += fresh.length;
        $("newer").textContent = "↑ " + newerCount + " newer request" + (newerCount === 1 ? "" : "s");
        $("newer").hidden = false;
      }
    }
  } else {
    applyFilter();
  }
}

// --- refreshing and acting ---------------------------------------------------------------------------------

let polling = null;

async function refresh() {
  try {
    await Promise.all([loadScenarios(), loadWorkspace(), loadRules(), loadJournal(), loadClock(), loadGuidance()]);
  } catch (error) {
    say(String(error.message || error));
  }
}

// One poll at a time: the next starts a second after the last ended; none while the tab is hidden.
async function poll() {
  clearTimeout(polling);
  if (!document.hidden) await refresh();
  polling = setTimeout(poll, POLL_MS);
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

$("clock-advance").addEventListener("submit", (event) => {
  event.preventDefault();
  const by = $("advance-by").value.trim();
  act(() => moveClock({ advance: by }, "Clock advanced by " + by));
});
$("clock-set").addEventListener("submit", (event) => {
  event.preventDefault();
  const moment = $("set-to").value.trim();
  act(() => moveClock({ set: moment }, "Clock set to " + moment));
});
$("clock-reset").addEventListener("click", () => act(() => moveClock({ reset: true }, "Clock back to real time")));

$("reset").addEventListener("click", () => act(async () => {
  await admin("POST", "reset");
  clearJournalView();
  return "Session reset";
}));
$("guidance-clear").addEventListener("click", () => act(async () => {
  await admin("DELETE", "guidance");
  return "Guidance findings cleared";
}));
$("clear").addEventListener("click", () => act(async () => {
  await admin("DELETE", "requests");
  clearJournalView();
  return "Journal cleared";
}));
$("session").addEventListener("change", () => { clearJournalView(); clockMissingSince = 0; refresh(); });

const FILTERS = ["f-method", "f-path", "f-status", "f-code"];
for (const id of FILTERS) {
  $(id).addEventListener("input", applyFilter);
  $(id).addEventListener("keydown", (event) => {
    if (event.key === "Escape" && $(id).value) { $(id).value = ""; applyFilter(); }
  });
}
$("f-clear").addEventListener("click", () => {
  for (const id of FILTERS) $(id).value = "";
  applyFilter();
  $("f-path").focus();
});
$("newer").addEventListener("click", () => {
  $("journal-scroll").scrollTop = 0;
  $("newer").hidden = true;
  newerCount = 0;
});
$("journal-scroll").addEventListener("scroll", () => {
  if ($("journal-scroll").scrollTop === 0) { $("newer").hidden = true; newerCount = 0; }
});
document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
setInterval(() => { if (clock) showClock(); }, 1000);  // the clock ticks between polls

(async () => {
  try {
    const [health, errors] = await Promise.all([admin("GET", "health"), admin("GET", "errors")]);
    $("version").textContent = health.version;
    $("revision").title = "The docs revision of the API this session is answered by: " + (health.apiRevisionLabel || "");
    for (const entry of errors.codes) {
      $("code").append(el("option", { value: entry.code, text: entry.status + " " + entry.code }));
      $("codes").append(el("option", { value: entry.code }));
    }
    $("code").value = "INSUFFICIENT_CREDITS";
  } catch (error) {
    say(String(error.message || error));
  }
  await poll();
})();
