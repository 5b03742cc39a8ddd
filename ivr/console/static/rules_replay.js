// Replay the draft over the logged calls: start a job, follow it with a <progress> bar
// (polling GET /api/rules/replays/{id}), cancel it, then show what changed: the old →
// new table, the changed calls with both explanations, and the calls operators moved.
// The job's id rides in the address (#replay=ID), so a reload follows the same job.
"use strict";

(() => {
  const { $, node, say, api, when, isoFromLocal, percent, decisionList, where } = window.Admin;
  const POLL_MS = 1000;
  let job = null; // the id being followed
  let timer = null;

  const JUDGEMENTS = [
    ["now_right", "now right", "the draft sends them where the operator did"],
    ["still_wrong", "still wrong", "neither the live rules nor the draft send them there"],
    ["newly_wrong", "newly wrong", "the live rules sent them there; the draft does not"],
  ];

  function follow(id) {
    job = id;
    history.replaceState(null, "", `#replay=${encodeURIComponent(id)}`);
    $("replay-running").hidden = false;
    $("replay-result").hidden = true;
    $("replay-start").disabled = true;
    $("replay-cancel").disabled = false;
    poll();
  }

  function stopped(message) {
    clearTimeout(timer);
    job = null;
    $("replay-start").disabled = false;
    $("replay-cancel").disabled = true;
    say(message);
  }

  async function poll() {
    if (job === null) return;
    let state;
    try {
      state = await api("GET", `/api/rules/replays/${encodeURIComponent(job)}`);
    } catch (err) {
      stopped(`Cannot follow the replay: ${err.message}`);
      return;
    }
    const bar = $("replay-bar");
    bar.max = Math.max(state.total, 1);
    bar.value = state.done;
    $("replay-count").textContent = `${state.done} of ${state.total} decisions replayed (${state.state}).`;
    if (state.state === "running") {
      timer = setTimeout(poll, POLL_MS);
    } else if (state.state === "done") {
      stopped("The replay has finished.");
      show(state.result);
    } else if (state.state === "cancelled") {
      stopped("The replay was cancelled: what it had replayed is below.");
      if (state.result) show(state.result);
    } else {
      stopped(`The replay failed${state.error ? `: ${state.error}` : "."}`);
    }
  }

  async function start(event) {
    event.preventDefault();
    const body = {};
    const from = isoFromLocal($("replay-from").value);
    const to = isoFromLocal($("replay-to").value);
    if (from) body.from = from;
    if (to) body.to = to;
    try {
      const answer = await api("POST", "/api/rules/draft/replay", body);
      say("Replaying…");
      follow(answer.id);
    } catch (err) {
      say(`Not started: ${err.message}`);
    }
  }

  async function cancel() {
    if (job === null) return;
    try {
      await api("DELETE", `/api/rules/replays/${encodeURIComponent(job)}`);
      say("Cancelling…");
    } catch (err) {
      say(`Not cancelled: ${err.message}`);
    }
  }

  function tableRows(table) {
    const rows = [...table].sort((a, b) => (a.from === a.to) - (b.from === b.to) || b.count - a.count);
    return rows.map((r) => {
      const tr = node("tr", null, r.from === r.to ? "same" : "moved");
      const to = node("td", r.to);
      to.append(node("small", r.from === r.to ? " (same)" : " (moved)"));
      tr.append(node("td", r.from), to, node("td", r.count));
      return tr;
    });
  }

  function said(call) {
    const words = call.heard ?? call.said ?? "";
    return words ? `“${words}”` : "(nothing said)";
  }

  function changedCall(call) {
    const li = node("li");
    const details = node("details");
    const summary = node("summary", `${when(call.at)} ${said(call)}: ${where(call.old)} → ${where(call.new)}`);
    const sides = node("div", null, "side-by-side");
    for (const [title, d, other] of [["Live rules", call.old, call.new], ["Draft", call.new, call.old]]) {
      const side = node("div");
      side.append(node("h4", title), decisionList(d, other));
      sides.append(side);
    }
    details.append(summary, sides, node("p", `Call ${call.call_id}`, "hint"));
    li.append(details);
    return li;
  }

  function overriddenCall(call) {
    const text = `${when(call.at)} ${said(call)}: the operator sent it to ${call.operator_sent}; `
      + `live rules: ${where(call.old)}; draft: ${where(call.new)}`;
    return node("li", call.judgement ? `${call.judgement}: ${text}` : text);
  }

  function show(result) {
    const notes = [];
    if (result.approximate) notes.push(`${result.approximate} rebuilt approximately from older rows`);
    if (result.skipped) notes.push(`${result.skipped} skipped (no readable time)`);
    if (result.failed) notes.push(`${result.failed} the draft could not decide`);
    if (result.cancelled) notes.push("cancelled before the end");
    $("replay-summary").textContent = `${result.decisions} decisions replayed; ${result.changed} `
      + `would change (${percent(result.moved_share)})${notes.map((n) => `; ${n}`).join("")}.`;
    $("replay-rows").replaceChildren(...tableRows(result.table));
    if (!result.table.length) {
      const empty = node("td", "No calls in the period.");
      empty.colSpan = 3;
      $("replay-rows").append(node("tr"));
      $("replay-rows").lastChild.append(empty);
    }
    const counts = result.overrides;
    $("replay-override-counts").replaceChildren(...JUDGEMENTS.map(([key, label, why]) => {
      const li = node("li");
      li.append(node("strong", `${label}: ${counts[key]}`), ` (${why})`);
      return li;
    }));
    $("replay-overrides").replaceChildren(...(counts.calls || []).map(overriddenCall));
    $("replay-changes").replaceChildren(...result.changes.map(changedCall));
    if (!result.changes.length) $("replay-changes").append(node("li", "No call would change."));
    else if (result.changed > result.changes.length) {
      $("replay-changes").append(node("li", `… and ${result.changed - result.changes.length} more.`));
    }
    $("replay-result").hidden = false;
    $("replay-summary").focus();
  }

  $("replay-form").addEventListener("submit", start);
  $("replay-cancel").addEventListener("click", cancel);
  const resumed = /^#replay=(.+)$/.exec(window.location.hash);
  if (resumed) follow(decodeURIComponent(resumed[1]));
})();
