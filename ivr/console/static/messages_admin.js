// The admin page for incident messages: add one (rendered on the server), retire one.
// The list is the server's: after a change the page reloads it, so what is shown is
// what operators can pick.
"use strict";

(() => {
  // The shared admin helpers (admin.js): the API call with the page's CSRF token.
  const { $, say, api: send } = window.Admin;

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

  function start() {
    $("add-form").addEventListener("submit", add);
    document.addEventListener("click", retire);
  }

  start();
})();
