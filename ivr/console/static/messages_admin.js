// The admin page for incident messages: add one (rendered on the server), retire one.
// The list is the server's: after a change the page reloads it, so what is shown is
// what operators can pick.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  let csrf = "";

  function say(text) {
    $("notice").textContent = text;
  }

  async function send(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch { /* an empty body */ }
    if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
    return data;
  }

  async function add(event) {
    event.preventDefault();
    const button = $("add-submit");
    button.disabled = true;
    say("Rendering…");
    try {
      const entry = await send("POST", "/api/messages/prompts", {
        id: $("add-id").value.trim(),
        text: $("add-text").value.trim(),
      });
      say(`Added ${entry.id}. Reloading the list…`);
      window.location.reload();
    } catch (err) {
      say(`Not added: ${err.message}`);
      $("add-id").focus();
    } finally {
      button.disabled = false;
    }
  }

  async function retire(event) {
    const button = event.target.closest("button[data-retire]");
    if (!button) return;
    const id = button.dataset.retire;
    if (!window.confirm(`Retire ${id}? Operators will no longer be able to pick it.`)) return;
    try {
      await send("DELETE", `/api/messages/prompts/${encodeURIComponent(id)}`);
      say(`Retired ${id}. Reloading the list…`);
      window.location.reload();
    } catch (err) {
      say(`Not retired: ${err.message}`);
      button.focus();
    }
  }

  async function start() {
    $("add-form").addEventListener("submit", add);
    document.addEventListener("click", retire);
    try {
      csrf = (await send("GET", "/api/session")).csrf_token || "";
    } catch (err) {
      say(`Cannot read the session (${err.message}): sign in again.`);
    }
  }

  start();
})();
