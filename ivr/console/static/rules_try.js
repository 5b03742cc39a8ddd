// Try the draft: an utterance (typed, or a WAV the server recognises), keys, a time and
// caller flags → the draft's Decision next to the live one, differences marked in words.
"use strict";

(() => {
  const { $, say, api, isoFromLocal, decisionList } = window.Admin;

  function request() {
    const fields = {};
    const text = $("try-text").value.trim();
    const digits = $("try-digits").value.trim();
    const at = isoFromLocal($("try-at").value);
    const dialled = $("try-dialled").value.trim();
    const flags = [...document.querySelectorAll('input[name="flag"]:checked')].map((i) => i.value);
    if (text) fields.text = text;
    if (digits) fields.digits = digits;
    if (at) fields.at = at;
    if (dialled) fields.dialled = dialled;
    if (flags.length) fields.flags = flags;
    const audio = $("try-audio").files[0];
    if (!audio) return fields;
    const form = new FormData(); // a recording: the same fields, multipart
    form.append("audio", audio);
    for (const [key, value] of Object.entries(fields)) {
      form.append(key, Array.isArray(value) ? value.join(",") : value); // flags: "a,b"
    }
    return form;
  }

  function heard(list) {
    if (!list || !list.length) return "Heard: nothing (keys only).";
    return "Heard: " + list.map((h) => h.confidence === null || h.confidence === undefined
      ? `“${h.text}”` : `“${h.text}” (${Number(h.confidence).toFixed(2)})`).join(", or ");
  }

  async function tryIt(event) {
    event.preventDefault();
    const body = request();
    if (!(body instanceof FormData) && !body.text && !body.digits) {
      say("Type what the caller says, choose a recording, or give the keys pressed.");
      $("try-text").focus();
      return;
    }
    $("try-submit").disabled = true;
    say("Deciding…");
    try {
      const answer = await api("POST", "/api/rules/draft/try", body);
      $("try-same").textContent = answer.same
        ? "Same: the draft decides as the live rules do."
        : "Different: the draft decides differently from the live rules (marked “differs”).";
      $("try-heard").textContent = heard(answer.heard);
      $("try-draft").replaceChildren(decisionList(answer.draft, answer.live));
      $("try-live").replaceChildren(decisionList(answer.live, answer.draft));
      $("try-result").hidden = false;
      say("");
      $("try-same").focus();
    } catch (err) {
      say(`Cannot try it: ${err.message}`);
    } finally {
      $("try-submit").disabled = false;
    }
  }

  $("try-same").tabIndex = -1; // focus moves to the answer, read out first
  $("try-form").addEventListener("submit", tryIt);
})();
