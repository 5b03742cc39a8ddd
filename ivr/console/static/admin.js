// What every admin page's script shares: the API call with the session's CSRF token,
// small DOM helpers, the notice line, line-numbered error lists and a Decision shown
// as a list. No framework, no build step; text from the server only ever goes into
// textContent (callers' words and admins' YAML are data, never HTML).
"use strict";

window.Admin = (() => {
  const $ = (id) => document.getElementById(id);
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";

  function node(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function say(text) {
    $("notice").textContent = text;
  }

  // An API refusal: the status and the JSON body ({"error", "errors"?, ...}) kept whole,
  // since a 409 from publish carries what the page must show.
  class ApiError extends Error {
    constructor(status, data) {
      super(data.error || `the server answered ${status}`);
      this.status = status;
      this.data = data;
    }
  }

  // body: undefined, a FormData (sent as multipart), or anything JSON.
  async function api(method, url, body) {
    const headers = { "X-CSRF-Token": csrf };
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, { method, credentials: "same-origin", headers, body: payload });
    } catch (err) {
      throw new ApiError(0, { error: `the server cannot be reached (${err.message})` });
    }
    let data = {};
    try { data = await response.json(); } catch { /* an empty or non-JSON body */ }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  // "rules.yaml:12: message" → {file, line, message}; a message without a place keeps
  // file and line empty.
  function parseError(text) {
    const m = /^([^:\s][^:]*?):(\d+):\s*(.*)$/s.exec(text);
    if (m) return { file: m[1], line: Number(m[2]), message: m[3] };
    const f = /^([\w./-]+\.(?:ya?ml|csv)):\s*(.*)$/s.exec(text);
    if (f) return { file: f[1], line: 0, message: f[2] };
    return { file: "", line: 0, message: text };
  }

  // Fill <ul> `list` with the errors; each with a place is a link, and `go(file, line)`
  // is called when it is followed (by click or Enter).
  function showErrors(list, errors, go) {
    list.replaceChildren();
    for (const text of errors) {
      const e = parseError(text);
      const li = node("li");
      if (e.file && go) {
        const where = e.line ? `${e.file}, line ${e.line}` : e.file;
        const a = node("a", where);
        a.href = "#editor";
        a.dataset.file = e.file;
        a.dataset.line = String(e.line);
        a.addEventListener("click", (event) => {
          event.preventDefault();
          go(e.file, e.line);
        });
        li.append(a, `: ${e.message}`);
      } else {
        li.textContent = text;
      }
      list.append(li);
    }
  }

  function when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  // A datetime-local value ("2026-11-24T11:00") goes as it is: the server reads a time
  // without an offset as UK time, the force's, whatever this browser's zone is.
  function isoFromLocal(value) {
    return value || "";
  }

  function percent(share) {
    return `${(100 * Number(share || 0)).toFixed(1)}%`;
  }

  // A Decision's fields, as the page shows them, in order.
  const DECISION_FIELDS = [
    ["where", "Goes to"],
    ["rule", "Rule"],
    ["reason", "Reason"],
    ["intent", "Intent"],
    ["confidence", "Confidence"],
    ["ruleset_version", "Ruleset version"],
  ];

  // "Force Control Room (fcr)": the name admins use, and the id the rules files use.
  // A danger check (`otherwise`: where a "no" goes) reads as the question and both answers.
  function where(d) {
    const id = d.destination || "";
    const label = d.destination_label || "";
    const to = label && label !== id ? `${label} (${id})` : id;
    if (d.otherwise) return `danger check: yes → ${to}; no → ${where(d.otherwise)}`;
    if (d.action === "route" || !d.action) return to;
    return to ? `${d.action}: ${to}` : d.action;
  }

  function fieldValue(d, key) {
    if (key === "where") return where(d);
    const v = d[key];
    if (key === "ruleset_version" && v === null) return "the draft (not published)";
    if (v === null || v === undefined || v === "") return "–";
    return String(v);
  }

  // The version always differs between a draft and the live rules: not a difference
  // in what happens to the call, so never marked.
  const COMPARED = new Set(["where", "rule", "reason", "intent", "confidence"]);

  // <dl> of decision `d`; rows whose value differs from `other` are marked in words
  // ("differs") and by a border, never by colour alone.
  function decisionList(d, other) {
    const dl = node("dl", null, "decision");
    for (const [key, label] of DECISION_FIELDS) {
      if (!(key in d) && key !== "where") continue;
      const value = fieldValue(d, key);
      const differs = other !== undefined && COMPARED.has(key) && value !== fieldValue(other, key);
      const dt = node("dt", label);
      const dd = node("dd", value);
      if (differs) {
        dt.classList.add("differs");
        dd.classList.add("differs");
        dd.append(node("span", " (differs)", "differs-tag"));
      }
      dl.append(dt, dd);
    }
    const explanation = d.explanation || [];
    if (explanation.length) {
      dl.append(node("dt", "Why"));
      const dd = node("dd");
      const ol = node("ol", null, "explanation");
      for (const line of explanation) ol.append(node("li", line));
      dd.append(ol);
      dl.append(dd);
    }
    return dl;
  }

  return { $, node, say, api, ApiError, parseError, showErrors, when, isoFromLocal, percent, decisionList, where };
})();
