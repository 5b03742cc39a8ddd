// Publishing the draft (on the draft and replay pages): a comment, then POST publish.
// A 409 that names a share of moved calls (or a draft never replayed) shows the warning
// and asks for an explicit "publish anyway" before sending accept_moves.
"use strict";

(() => {
  const { $, node, say, api, percent, showErrors } = window.Admin;
  let warned = false; // the warning is on screen: the next publish accepts the moves

  function warning(data) {
    const limit = percent(data.limit);
    if (data.moved_share === null || data.moved_share === undefined) {
      return `${data.error} (the warning limit is ${limit} of decisions).`;
    }
    return `this draft moves ${percent(data.moved_share)} of the replayed decisions, `
      + `more than the limit of ${limit}.`;
  }

  function showWarning(data) {
    warned = true;
    $("publish-warning-text").textContent = warning(data);
    $("publish-warning").hidden = false;
    $("publish-accept").checked = false;
    $("publish-submit").textContent = "Publish anyway";
    $("publish-accept").focus();
  }

  function reset() {
    warned = false;
    $("publish-warning").hidden = true;
    $("publish-submit").textContent = "Publish";
  }

  async function publish(event) {
    event.preventDefault();
    const errors = $("publish-errors");
    errors.replaceChildren();
    if (warned && !$("publish-accept").checked) {
      say("Tick “publish anyway” to publish a draft that moves this many calls.");
      $("publish-accept").focus();
      return;
    }
    const body = { comment: $("publish-comment").value.trim(), accept_moves: warned };
    $("publish-submit").disabled = true;
    try {
      const answer = await api("POST", "/api/rules/draft/publish", body);
      reset();
      $("publish-comment").value = "";
      const version = typeof answer.version === "object" ? answer.version.version : answer.version;
      const link = node("a", "see the versions");
      link.href = "/admin/rules/versions";
      const li = node("li", `Published as version ${version}: `);
      li.append(link);
      errors.append(li);
      say(`Published as version ${version}.`);
      document.dispatchEvent(new CustomEvent("rules:published", { detail: answer }));
    } catch (err) {
      if (err.status === 409 && err.data && "limit" in err.data) {
        showWarning(err.data);
        say("Not published yet: read the warning.");
      } else {
        say(`Not published: ${err.message}`);
        showErrors(errors, (err.data && err.data.errors) || [], null);
      }
    } finally {
      $("publish-submit").disabled = false;
    }
  }

  $("publish-form").addEventListener("submit", publish);
})();
