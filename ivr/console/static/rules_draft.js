// The draft page: the draft's files (changed ones marked), one file at a time in the
// editor, checked as the admin types (POST /api/rules/draft/check, nothing saved) and
// on save (PUT keeps the text even with problems, so no work is lost), errors that
// move the cursor to their line, discard, and the directory CSV upload.
"use strict";

(() => {
  const { $, node, say, api, showErrors } = window.Admin;
  const editor = window.RulesEditor($("editor"), $("gutter"), $("cursor-line"));
  const lazyBytes = Number(document.querySelector(".draft").dataset.lazyBytes);
  const CHECK_AFTER_MS = 600; // typing pauses this long before a check
  let files = [];
  let current = null; // the file in the editor
  let dirty = false; // typed since the last load or save
  let timer = null;
  let seq = 0; // only the latest check's answer is shown
  let waitingLine = 0; // the line to show once a big file is loaded

  function fileUrl(name) {
    return `/api/rules/draft/files/${encodeURIComponent(name)}`;
  }

  function size(bytes) {
    return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
  }

  function renderFiles() {
    const list = $("file-list");
    list.replaceChildren();
    for (const f of files) {
      const button = node("button", f.name, "file");
      button.type = "button";
      button.dataset.file = f.name;
      if (f.name === current) button.setAttribute("aria-current", "true");
      if (f.changed) button.append(node("span", " changed ✎", "changed"));
      const li = node("li");
      li.append(button, " ", node("small", size(f.size)));
      list.append(li);
    }
    if (!files.length) list.append(node("li", "The draft has no files."));
  }

  function describe(draft) {
    const changed = draft.files.filter((f) => f.changed).length;
    const base = draft.based_on === null ? "no stored version" : `version ${draft.based_on}`;
    const problems = draft.errors.length
      ? `${draft.errors.length} problem(s): publishing waits until they are fixed`
      : "no problems";
    return `Based on ${base}; ${changed} file(s) changed; ${problems}.`;
  }

  function showProblems(errors, how) {
    $("check-state").textContent = errors.length
      ? `${errors.length} problem(s) ${how}:`
      : `No problems ${how}.`;
    showErrors($("errors"), errors, (file, line) => open(file, line));
  }

  async function loadDraft(withErrors) {
    try {
      const draft = await api("GET", "/api/rules/draft");
      files = draft.files;
      $("draft-state").textContent = describe(draft);
      renderFiles();
      if (withErrors) showProblems(draft.errors, "in the draft");
    } catch (err) {
      $("draft-state").textContent = `Cannot load the draft: ${err.message}`;
    }
  }

  async function open(name, line) {
    if (name === current && !$("editor-form").hidden) {
      if (line) editor.goTo(line);
      return;
    }
    const file = files.find((f) => f.name === name);
    if (!file) {
      say(`${name} is not a file of the draft.`);
      return;
    }
    if (dirty && !window.confirm(`Leave ${current} without saving your changes?`)) return;
    current = name;
    dirty = false;
    renderFiles();
    $("editor-form").hidden = true;
    if (file.size > lazyBytes) {
      waitingLine = line || 0;
      $("editor-title").textContent = name;
      $("lazy-text").textContent = `${name} is ${size(file.size)}: it is loaded when you ask.`;
      $("lazy").hidden = false;
      $("load-big").focus();
      return;
    }
    await load(name, line);
  }

  async function load(name, line) {
    $("lazy").hidden = true;
    $("editor-title").textContent = `Loading ${name}…`;
    try {
      const file = await api("GET", fileUrl(name));
      editor.set(file.text);
    } catch (err) {
      $("editor-title").textContent = name;
      say(`Cannot load ${name}: ${err.message}`);
      return;
    }
    $("editor-title").textContent = name;
    $("editor-label").textContent = `Text of ${name}`;
    $("editor-form").hidden = false;
    if (line) editor.goTo(line);
    else $("editor").focus();
  }

  async function check() {
    const mine = ++seq;
    try {
      const answer = await api("POST", "/api/rules/draft/check", { name: current, text: editor.get() });
      if (mine === seq) showProblems(answer.errors, "as typed (not saved yet)");
    } catch (err) {
      if (mine === seq) $("check-state").textContent = `Cannot check: ${err.message}`;
    }
  }

  function typed() {
    dirty = true;
    $("check-state").textContent = "Unsaved changes; checking when you pause…";
    clearTimeout(timer);
    timer = setTimeout(check, CHECK_AFTER_MS);
  }

  async function save(event) {
    event.preventDefault();
    clearTimeout(timer);
    seq += 1; // a check still on its way is now stale
    const name = current;
    $("save").disabled = true;
    try {
      const answer = await api("PUT", fileUrl(name), { text: editor.get() });
      dirty = false;
      showProblems(answer.errors, "in the saved draft");
      say(answer.errors.length
        ? `Saved ${name}, with ${answer.errors.length} problem(s): publishing waits until they are fixed.`
        : `Saved ${name}.`);
      await loadDraft(false);
    } catch (err) {
      say(`Not saved: ${err.message}`);
    } finally {
      $("save").disabled = false;
    }
  }

  async function discard() {
    if (!window.confirm("Discard every change in the draft? It goes back to the live rules.")) return;
    try {
      await api("DELETE", "/api/rules/draft");
    } catch (err) {
      say(`Not discarded: ${err.message}`);
      return;
    }
    current = null;
    dirty = false;
    $("editor-form").hidden = true;
    $("lazy").hidden = true;
    $("editor-title").textContent = "Choose a file to edit";
    say("The draft was discarded: it is the live rules again.");
    await loadDraft(true);
  }

  async function upload(event) {
    event.preventDefault();
    const chosen = $("directory-file").files[0];
    if (!chosen) return;
    const form = new FormData();
    form.append("file", chosen);
    $("directory-submit").disabled = true;
    $("directory-errors").replaceChildren();
    try {
      await api("POST", "/api/rules/draft/directory", form);
      say(`${chosen.name} was imported into the draft.`);
      await loadDraft(false);
      if (current) { // show the imported text, not the one from before
        const name = current;
        current = null;
        dirty = false;
        await open(name);
      }
    } catch (err) {
      say(`Not imported (nothing changed): ${err.message}`);
      showErrors($("directory-errors"), (err.data && err.data.errors) || [], null);
    } finally {
      $("directory-submit").disabled = false;
    }
  }

  $("file-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-file]");
    if (button) open(button.dataset.file);
  });
  $("load-big").addEventListener("click", () => load(current, waitingLine));
  $("editor").addEventListener("input", typed);
  $("editor-form").addEventListener("submit", save);
  $("goto").addEventListener("click", () => editor.goTo(Number($("goto-line").value) || 1));
  $("goto-line").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      editor.goTo(Number($("goto-line").value) || 1);
    }
  });
  $("discard").addEventListener("click", discard);
  $("directory-form").addEventListener("submit", upload);
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
  document.addEventListener("rules:published", () => loadDraft(true));
  loadDraft(true);
})();
