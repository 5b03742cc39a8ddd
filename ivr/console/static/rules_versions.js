// The versions page: the history (the live one marked in words), a readable unified diff
// between any two, and a rollback with a comment and an explicit confirmation.
"use strict";

(() => {
  const { $, node, say, api, when, showErrors } = window.Admin;
  let target = null; // the version being rolled back to
  let opener = null; // the button that opened the dialog, focused again after it

  function option(value, label) {
    const o = node("option", label);
    o.value = value;
    return o;
  }

  function row(v, live) {
    const tr = node("tr");
    const version = node("td", String(v.version));
    if (v.version === live) {
      tr.classList.add("live");
      version.append(" ", node("strong", "(live)", "label"));
    }
    const actions = node("td", null, "actions");
    if (v.version !== live) {
      const b = node("button", `Roll back to ${v.version}…`);
      b.type = "button";
      b.dataset.rollback = String(v.version);
      actions.append(b);
    }
    tr.append(version, node("td", when(v.at)), node("td", v.author), node("td", v.kind),
      node("td", v.comment || "–"), actions);
    return tr;
  }

  async function load() {
    let data;
    try {
      data = await api("GET", "/api/rules/versions");
    } catch (err) {
      $("live-version").textContent = `Cannot load the versions: ${err.message}`;
      return;
    }
    const live = data.live;
    $("live-version").textContent = live === null
      ? "The live rules are not a stored version (yet)."
      : `Version ${live} is live.`;
    $("version-rows").replaceChildren(...data.versions.map((v) => row(v, live)));
    if (!data.versions.length) $("version-rows").append(node("tr", "No versions stored yet."));
    const choices = () => [option("live", "the live rules"),
      ...data.versions.map((v) => option(String(v.version), `version ${v.version}`))];
    const [a, b] = [$("diff-a"), $("diff-b")];
    const [was, wasB] = [a.value, b.value];
    a.replaceChildren(...choices());
    b.replaceChildren(...choices());
    // By default: the version before the live one → the live rules.
    a.value = was || (data.versions[1] ? String(data.versions[1].version) : "live");
    b.value = wasB || "live";
  }

  function diffLine(line) {
    let cls = "";
    if (line.startsWith("+++") || line.startsWith("---")) cls = "file";
    else if (line.startsWith("@@")) cls = "hunk";
    else if (line.startsWith("+")) cls = "add";
    else if (line.startsWith("-")) cls = "del";
    return node("span", `${line}\n`, cls);
  }

  async function diff(event) {
    event.preventDefault();
    const [a, b] = [$("diff-a").value, $("diff-b").value];
    $("diff-state").textContent = "Comparing…";
    let data;
    try {
      data = await api("GET", `/api/rules/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    } catch (err) {
      $("diff-state").textContent = `Cannot compare: ${err.message}`;
      return;
    }
    const out = $("diff");
    out.replaceChildren();
    $("diff-state").textContent = data.files.length
      ? `${data.files.length} file(s) differ between ${a} and ${b}. Lines starting “-” are only in ${a}, “+” only in ${b}.`
      : `No differences between ${a} and ${b}.`;
    for (const f of data.files) {
      out.append(node("h3", `${f.path} (${f.change})`));
      const pre = node("pre", null, "diff");
      pre.tabIndex = 0; // scrollable by keyboard
      pre.setAttribute("aria-label", `Differences in ${f.path}`);
      pre.append(...f.diff.split("\n").map(diffLine));
      if (f.lines_left_out) pre.append(node("span", `… ${f.lines_left_out} more lines\n`, "hunk"));
      out.append(pre);
    }
  }

  function ask(button) {
    target = Number(button.dataset.rollback);
    opener = button;
    $("rollback-title").textContent = `Roll back to version ${target}`;
    $("rollback-which").textContent = `version ${target}'s files`;
    $("rollback-comment").value = "";
    $("rollback-sure").checked = false;
    $("rollback-errors").replaceChildren();
    $("rollback-dialog").showModal();
    $("rollback-comment").focus();
  }

  function close() {
    $("rollback-dialog").close();
    if (opener && opener.isConnected) opener.focus();
    else $("live-version").focus();
  }

  async function rollBack(event) {
    event.preventDefault();
    if (!$("rollback-form").reportValidity()) return;
    $("rollback-submit").disabled = true;
    try {
      const answer = await api("POST", "/api/rules/rollback", {
        version: target, comment: $("rollback-comment").value.trim(),
      });
      const added = answer.version.version;
      opener = null;
      close();
      say(`Rolled back: version ${added} (the files of version ${target}) is live.`);
      await load();
    } catch (err) {
      say(`Not rolled back: ${err.message}`);
      showErrors($("rollback-errors"), (err.data && err.data.errors) || [err.message], null);
    } finally {
      $("rollback-submit").disabled = false;
    }
  }

  $("live-version").tabIndex = -1;
  $("version-rows").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-rollback]");
    if (button) ask(button);
  });
  $("diff-form").addEventListener("submit", diff);
  $("rollback-form").addEventListener("submit", rollBack);
  $("rollback-cancel").addEventListener("click", close);
  load();
})();
