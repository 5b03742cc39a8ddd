// The live board: server-sent events update the rows in place; actions POST to the API.
// No framework and no build step. Callers' words are data from outside: they only ever
// go into textContent, never into HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  let csrf = "";
  let offset = 0; // server clock minus this browser's, in seconds
  let acting = null; // {kind, callId, opener, seen} while the dialog is open
  let live = false; // the event stream is open and this page is up to date

  // --- small helpers ------------------------------------------------------------------

  function node(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function small(text) {
    const frag = document.createDocumentFragment();
    frag.append(document.createElement("br"), node("small", text));
    return frag;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }

  function clock(epoch) {
    return new Date(epoch * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function serverNow() {
    return Date.now() / 1000 + offset;
  }

  function say(text) {
    $("notice").textContent = text;
  }

  // --- the calls table ----------------------------------------------------------------

  function actionButton(kind, label) {
    const b = node("button", label);
    b.type = "button";
    b.dataset.action = kind;
    return b;
  }

  function renderCall(c) {
    const tr = document.createElement("tr");
    tr.id = "call-" + c.call_id;
    tr.dataset.call = c.call_id;
    // What the action dialog shows and sends back as "expected" (the server refuses an
    // action on a call that has moved on since).
    tr.dataset.caller = c.caller;
    tr.dataset.step = c.step;
    tr.dataset.destination = c.destination;
    if (c.emergency) tr.classList.add("emergency");
    if (c.long_wait) tr.classList.add("long-wait");

    const flags = node("td", null, "flags");
    for (const label of c.labels) flags.append(node("span", label, "label"), " ");
    for (const f of c.caller_flags) flags.append(node("span", f, "caller-flag"), " ");

    const caller = node("td", c.caller);
    if (c.recent_calls > 1) caller.append(small(`${c.recent_calls} calls lately`));

    const step = node("td", c.step);
    if (c.talking) step.append(small("with a person"));

    const inIvr = node("td", duration(c.in_ivr_s), "since");
    inIvr.dataset.since = c.started_at;

    const inQueue = node("td", c.queue ? duration(c.queue.waited_s) : "–", "since");
    if (c.queue) inQueue.dataset.since = c.queue.joined_at;

    const said = node("td", c.heard ? c.heard.nbest[0] : "–", "said");
    if (c.heard) {
      if (c.heard.nbest.length > 1) said.append(small("or: " + c.heard.nbest.slice(1).join(" / ")));
      if (c.heard.confidence !== null) said.append(small(`confidence ${c.heard.confidence}`));
    }

    const decision = node("td", c.decision ? c.decision.destination || c.decision.action : "–");
    if (c.decision) {
      const conf = c.decision.confidence === null ? "" : `, ${c.decision.confidence}`;
      decision.append(small(`rule ${c.decision.rule}${conf}`));
      decision.title = c.decision.reason;
    }

    const queue = node("td", c.queue ? `${c.queue.queue} #${c.queue.position}` : "–");
    if (c.queue && c.queue.estimate_s !== null) queue.append(small(`about ${duration(c.queue.estimate_s)}`));

    const actions = node("td", null, "actions");
    if (c.emergency) {
      // Never taken off the emergency route from here (the server refuses it too).
      actions.append(small("emergency route: not moved from the board"));
    } else {
      actions.append(
        actionButton("route", "Re-route"), " ",
        actionButton("take", "Take"), " ",
        actionButton("priority", "Priority"),
      );
    }
    tr.append(flags, caller, step, inIvr, inQueue, said, decision, queue, actions);
    return tr;
  }

  // Replace a row without losing the keyboard user's place in it.
  function replaceKeepingFocus(old, fresh) {
    const focused = document.activeElement;
    const kind = old.contains(focused) && focused.dataset ? focused.dataset.action : null;
    old.replaceWith(fresh);
    if (kind) {
      const again = fresh.querySelector(`[data-action="${kind}"]`);
      if (again) again.focus();
    }
  }

  function upsertCall(c) {
    const fresh = renderCall(c);
    const old = $(fresh.id);
    if (old) replaceKeepingFocus(old, fresh);
    else $("call-rows").append(fresh);
  }

  function removeCall(callId) {
    const row = $("call-" + callId);
    if (!row) return;
    if (row.contains(document.activeElement)) $("calls").focus();
    row.remove();
  }

  function countCalls() {
    const n = $("call-rows").rows.length;
    $("call-count").textContent = `(${n})`;
    $("no-calls").hidden = n > 0;
  }

  function tick() {
    if (!live) return;  // frozen times are not mistaken for a live board
    const now = serverNow();
    for (const cell of document.querySelectorAll("td.since[data-since]")) {
      cell.firstChild.textContent = duration(now - Number(cell.dataset.since));
    }
  }

  // --- calls on other nodes (read-only: acted on from their own node's console) -------

  function renderOthers(others) {
    const body = $("other-rows");
    body.replaceChildren();
    for (const o of others) {
      const tr = document.createElement("tr");
      tr.id = "other-" + o.call_id;
      const since = node("td", duration(serverNow() - o.started_at), "since");
      since.dataset.since = o.started_at;
      const latest = node("td", o.last_event || "–");
      if (o.last_event_at !== null) latest.append(small(clock(o.last_event_at)));
      tr.append(node("td", o.node), node("td", o.caller), node("td", o.dialled), since,
        node("td", o.destination || "–"), latest);
      body.append(tr);
    }
    $("others-count").textContent = `(${others.length})`;
    $("no-others").hidden = others.length > 0;
  }

  // --- the queues panel ---------------------------------------------------------------

  function renderPanel(p) {
    const agents = $("agents");
    agents.replaceChildren();
    for (const a of p.agents) {
      const li = node("li", `${a.agent_id}: `);
      li.append(node("strong", a.status), ` (${a.queues.join(", ")})`);
      agents.append(li);
    }
    if (!p.agents.length) agents.append(node("li", "No app-run queues."));

    const queues = $("queues");
    queues.replaceChildren();
    for (const q of p.queues) {
      const wait = q.estimate_s === null ? "" : `, new caller waits about ${duration(q.estimate_s)}`;
      queues.append(node("li", `${q.name}: ${q.waiting.length} waiting${wait}`));
    }

    const focused = document.activeElement;
    const keep = focused && focused.closest && focused.closest("#callback-rows tr");
    const keepKey = keep ? [keep.dataset.call, focused.dataset.action] : null;
    const body = $("callback-rows");
    body.replaceChildren();
    for (const cb of p.callbacks) {
      const tr = document.createElement("tr");
      tr.dataset.call = cb.call_id;
      const state = node("td", cb.state);
      if (cb.late) state.append(" ", node("span", "LATE", "label"));
      const actions = node("td", null, "actions");
      actions.append(actionButton("cancel-callback", "Cancel"));
      // One being called now cannot be called sooner; cancelling stops any retry.
      if (cb.state !== "calling now") actions.append(" ", actionButton("callback-now", "Call now"));
      tr.append(node("td", cb.queue), node("td", clock(cb.promised_by)), node("td", cb.attempts), state, actions);
      body.append(tr);
      if (keepKey && keepKey[0] === cb.call_id) {
        const again = tr.querySelector(`[data-action="${keepKey[1]}"]`);
        if (again) again.focus();
      }
    }
  }

  // --- live updates -------------------------------------------------------------------

  // The board must never look live when it is not: a stale row hides a new emergency.
  function notLive(why) {
    live = false;
    document.body.classList.add("not-live");
    $("feed-state").textContent = `NOT LIVE: ${why}. Reload the page or sign in again.`;
  }

  function connect() {
    const source = new EventSource("/api/board/events");
    source.addEventListener("open", () => {
      live = true;
      document.body.classList.remove("not-live");
      $("feed-state").textContent = "Live";
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) notLive("the live updates stopped");
      else $("feed-state").textContent = "Reconnecting to live updates… (not live)";
    });
    source.addEventListener("signed-out", () => {
      source.close();
      notLive("you are signed out");
    });
    source.addEventListener("snapshot", (e) => {
      const data = JSON.parse(e.data);
      offset = data.now - Date.now() / 1000;
      const seen = new Set();
      for (const c of data.calls) { upsertCall(c); seen.add("call-" + c.call_id); }
      for (const row of Array.from($("call-rows").rows)) if (!seen.has(row.id)) removeCall(row.dataset.call);
      renderPanel(data.queues);
      renderOthers(data.others || []);
      countCalls();
    });
    source.addEventListener("calls", (e) => {
      const data = JSON.parse(e.data);
      offset = data.now - Date.now() / 1000;
      for (const c of data.changed) upsertCall(c);
      for (const id of data.removed) removeCall(id);
      countCalls();
    });
    source.addEventListener("queues", (e) => renderPanel(JSON.parse(e.data).queues));
    source.addEventListener("others", (e) => {
      const data = JSON.parse(e.data);
      offset = data.now - Date.now() / 1000;
      renderOthers(data.others);
    });
  }

  // --- talking to the API -------------------------------------------------------------

  async function send(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch { /* an empty body */ }
    if (!response.ok) {
      const err = new Error(data.error || `${response.status} ${response.statusText}`);
      err.status = response.status;
      throw err;
    }
    return data;
  }

  async function loadSession() {
    try {
      const data = await send("GET", "/api/session");
      csrf = data.csrf_token || "";
    } catch (err) {
      say(`Cannot read the session (${err.message}): actions will fail; sign in again.`);
    }
  }

  function describe(item) {
    return Object.entries(item).map(([k, v]) => `${k}: ${v}`).join(", ");
  }

  async function loadList(url, listId) {
    const list = $(listId);
    try {
      const data = await send("GET", url);
      const items = Array.isArray(data) ? data : (data.items || data.diverts || data.messages || []);
      list.replaceChildren(...items.map((i) => node("li", describe(i))));
      if (!items.length) list.append(node("li", "None."));
    } catch (err) {
      list.replaceChildren(node("li", `Cannot load: ${err.message}`));
    }
  }

  // The prepared messages an operator may switch on: labelled by what callers hear.
  async function loadMessagePrompts() {
    const select = $("message-prompt");
    try {
      const prompts = await send("GET", "/api/messages/prompts");
      const options = prompts.map((p) => {
        const label = p.text.length > 100 ? `${p.text.slice(0, 99)}…` : p.text;
        const option = node("option", label);
        option.value = p.id;
        option.title = `${p.id}: ${p.text}`;
        return option;
      });
      const none = node("option", options.length ? "Choose a message…" : "No prepared messages");
      none.value = "";
      select.replaceChildren(none, ...options);
    } catch (err) {
      const failed = node("option", `Cannot load the messages: ${err.message}`);
      failed.value = "";
      select.replaceChildren(failed);
    }
  }

  // "all" callers, a scope as the API writes it, or a place callers mention.
  function messageScope(value) {
    if (!value) return "all";
    return value.includes(":") ? value : `place:${value}`;
  }

  function untilIso(value) {
    return new Date(value).toISOString();
  }

  // --- the action dialog --------------------------------------------------------------

  const TITLES = {
    route: "Re-route the call",
    take: "Take the call to my phone",
    priority: "Raise the caller's priority",
    "cancel-callback": "Cancel the callback",
  };

  // What the board shows of a call now (null: not on the board, e.g. a callback).
  function seenOf(callId) {
    const row = $("call-" + callId);
    if (!row || row.dataset.step === undefined) return null;
    return { caller: row.dataset.caller, step: row.dataset.step, destination: row.dataset.destination };
  }

  // The dialog shows what the operator acts on; "changed" marks facts updated after a
  // refusal (the call moved on), so they read them again before confirming.
  function showSeen(seen, changed) {
    $("action-seen").hidden = seen === null;
    $("action-seen").classList.toggle("changed", Boolean(changed));
    if (seen === null) return;
    $("action-caller").textContent = seen.caller || "unknown";
    $("action-step").textContent = seen.step || "–";
    $("action-going").textContent = seen.destination || "not decided yet";
  }

  function openDialog(kind, callId, opener) {
    const seen = kind === "cancel-callback" ? null : seenOf(callId);
    acting = { kind, callId, opener, seen };
    $("action-title").textContent = TITLES[kind];
    $("action-call").textContent = `Call ${callId}`;
    showSeen(seen, false);
    $("field-destination").hidden = kind !== "route";
    $("field-flag").hidden = kind !== "priority";
    $("field-code").hidden = kind === "cancel-callback";
    $("action-reason").value = "";
    $("action-error").textContent = "";
    $("action-dialog").showModal();
    const first = kind === "route" ? "action-destination" : kind === "priority" ? "action-flag" : "action-reason";
    $(first).focus();
  }

  function closeDialog() {
    const opener = acting && acting.opener;
    acting = null;
    $("action-dialog").close();
    if (opener && opener.isConnected) opener.focus();
    else $("calls").focus();
  }

  function actionRequest(kind, callId, seen) {
    const code = $("action-code");
    const why = $("action-reason").value.trim();
    const id = encodeURIComponent(callId);
    const expected = seen ? { step: seen.step, destination: seen.destination } : undefined;
    switch (kind) {
      case "route":
        return [`/api/calls/${id}/route`, {
          destination: $("action-destination").value, reason_code: code.value, reason: why, expected,
        }];
      case "take":
        return [`/api/calls/${id}/take`, { reason_code: code.value, reason: why, expected }];
      case "priority":
        return [`/api/calls/${id}/priority`, { flag: $("action-flag").value, reason: why, expected }];
      default:
        return [`/api/callbacks/${id}/cancel`, { reason: why }];
    }
  }

  async function submitAction(event) {
    event.preventDefault();
    if (!acting) return;
    if (!$("action-reason").value.trim()) {
      $("action-error").textContent = "Say why: the reason is required.";
      $("action-reason").focus();
      return;
    }
    const { kind, callId, seen } = acting;
    const [url, body] = actionRequest(kind, callId, seen);
    $("action-submit").disabled = true;
    try {
      await send("POST", url, body);
      say(`${TITLES[kind]}: done for call ${callId}.`);
      closeDialog();
    } catch (err) {
      $("action-error").textContent = err.message;
      if (err.status === 409 && acting && acting.seen) {
        // The call moved on: show where it is now; confirming again acts on that.
        acting.seen = seenOf(callId) || acting.seen;
        showSeen(acting.seen, true);
      }
    } finally {
      $("action-submit").disabled = false;
    }
  }

  async function onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const row = button.closest("tr[data-call]");
    const kind = button.dataset.action;
    if (kind === "callback-now") {
      try {
        await send("POST", `/api/callbacks/${encodeURIComponent(row.dataset.call)}/now`, {});
        say(`Callback for call ${row.dataset.call} will be placed as soon as an agent is free.`);
      } catch (err) {
        say(`Call now failed: ${err.message}`);
      }
      return;
    }
    openDialog(kind, row.dataset.call, button);
  }

  async function submitForm(event, url, body, listUrl, listId) {
    event.preventDefault();
    try {
      await send("POST", url, body);
      say("Saved.");
      event.target.reset();
      loadList(listUrl, listId);
    } catch (err) {
      say(`Not saved: ${err.message}`);
    }
  }

  function start() {
    offset = Number(document.body.dataset.now) - Date.now() / 1000;
    document.addEventListener("click", onClick);
    $("action-form").addEventListener("submit", submitAction);
    $("action-cancel").addEventListener("click", closeDialog);
    $("action-dialog").addEventListener("cancel", (e) => { e.preventDefault(); closeDialog(); });
    $("divert-form").addEventListener("submit", (e) => submitForm(e, "/api/diverts", {
      source: $("divert-from").value,
      target: $("divert-to").value,
      until: untilIso($("divert-until").value),
      reason: $("divert-reason").value.trim(),
    }, "/api/diverts", "diverts"));
    $("message-form").addEventListener("submit", (e) => submitForm(e, "/api/messages", {
      prompt_id: $("message-prompt").value,
      scope: messageScope($("message-scope").value.trim()),
      until: untilIso($("message-until").value),
    }, "/api/messages", "messages"));
    $("sign-out").addEventListener("click", async () => {
      try { await send("DELETE", "/api/session"); } finally { window.location.assign("/login"); }
    });
    for (const cell of document.querySelectorAll(".time[data-at]")) {
      cell.textContent = clock(Number(cell.dataset.at));
    }
    loadSession();
    loadList("/api/diverts", "diverts");
    loadList("/api/messages", "messages");
    loadMessagePrompts();
    connect();
    setInterval(tick, 1000);
  }

  start();
})();
