// Suggestions mined from operators' moves: each with its evidence (the calls, what the
// callers said, where the engine and the operator sent them); accept → the draft.
"use strict";

(() => {
  const { $, node, say, api, when } = window.Admin;

  function evidence(calls) {
    const details = node("details");
    details.append(node("summary", `Evidence: ${calls.length} call(s)`));
    const table = node("table", null, "evidence");
    const head = node("tr");
    for (const title of ["When", "The caller said", "Sent to", "Moved to"]) {
      const th = node("th", title);
      th.scope = "col";
      head.append(th);
    }
    const thead = node("thead");
    thead.append(head);
    const body = node("tbody");
    for (const c of calls) {
      const tr = node("tr");
      tr.append(node("td", when(c.at)), node("td", c.said ? `“${c.said}”` : "–"),
        node("td", c.from || "–"), node("td", c.to || "–"));
      body.append(tr);
    }
    table.append(thead, body);
    details.append(table);
    return details;
  }

  function item(s) {
    const li = node("li", null, "suggestion");
    const title = node("h2", s.headline);
    const facts = node("dl", null, "decision");
    for (const [label, value] of [["Add", `“${s.text}”`], ["As", s.kind], ["To", s.target],
      ["Calls", String(s.count)], ["Why", s.why]]) {
      facts.append(node("dt", label), node("dd", value));
    }
    const button = node("button", "Accept into the draft");
    button.type = "button";
    button.dataset.key = s.key;
    button.setAttribute("aria-describedby", `state-${s.key}`);
    const state = node("p", s.in_draft ? "Already in the draft." : "", "state");
    state.id = `state-${s.key}`;
    state.setAttribute("role", "status");
    button.disabled = Boolean(s.in_draft);
    li.append(title, facts, evidence(s.calls || []), button, state);
    return li;
  }

  async function load() {
    try {
      const data = await api("GET", "/api/rules/suggestions");
      const list = data.suggestions;
      $("suggestions").replaceChildren(...list.map(item));
      $("suggestions-state").textContent = list.length
        ? `${list.length} suggestion(s).`
        : "No suggestions: operators' moves do not point to a change yet.";
    } catch (err) {
      $("suggestions-state").textContent = `Cannot load the suggestions: ${err.message}`;
    }
  }

  async function accept(button) {
    const state = $(`state-${button.dataset.key}`);
    button.disabled = true;
    try {
      const answer = await api("POST", "/api/rules/suggestions/accept", { key: button.dataset.key });
      const problems = (answer.errors || []).length;
      state.textContent = `Accepted into the draft's ${answer.file} (not live)`
        + (problems ? `; the draft now has ${problems} problem(s) to fix.` : ".");
      say("Added to the draft. Review, replay and publish it from the draft page.");
    } catch (err) {
      state.textContent = err.status === 409 ? `Already in the draft: ${err.message}` : `Not accepted: ${err.message}`;
      button.disabled = err.status === 409;
    }
  }

  $("suggestions").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-key]");
    if (button) accept(button);
  });
  load();
})();
