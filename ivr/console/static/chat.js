// The public chat page: one WebSocket (/chat/ws), reconnected with backoff and
// ?since=<the last message it has>; a message not yet acknowledged is sent again with
// the same client_id after a reconnect (the server does not double it). Every message
// is shown once, in order (by seq). Words from the chat only ever go into textContent.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const maxChars = Number(document.body.dataset.maxChars) || 2000;
  const shown = new Map(); // seq -> li
  const pending = new Map(); // client_id -> {body, li}: sent, not yet acknowledged
  let contiguous = 0; // every seq up to this one is shown: what a reconnect asks after
  let ws = null;
  let retries = 0;
  let retryTimer = null;
  let ended = false;
  let lastTyping = 0;
  let typingTimer = null;
  let seenSent = 0;
  let agentSeen = 0; // the officer has seen the caller's messages up to this seq

  const WHO = { caller: "You", agent: "Officer", system: "Police 101" };

  function state(text) {
    $("state").textContent = text;
  }

  function clientId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- the transcript -------------------------------------------------------------------

  function item(sender, body) {
    const li = document.createElement("li");
    li.className = sender;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = (WHO[sender] || sender) + ":";
    const text = document.createElement("span");
    text.className = "body";
    text.textContent = body;
    li.append(who, text);
    if (sender === "caller") {
      const status = document.createElement("span");
      status.className = "status";
      li.append(status);
    }
    return li;
  }

  function setStatus(li, text) {
    const status = li.querySelector(".status");
    if (status) status.textContent = text;
  }

  function place(li, seq) {
    // In seq order, ahead of messages still being sent.
    li.dataset.seq = String(seq);
    const list = $("messages");
    let before = null;
    for (const other of list.children) {
      const s = other.dataset.seq ? Number(other.dataset.seq) : Infinity;
      if (s > seq) {
        before = other;
        break;
      }
    }
    if (li.parentNode !== list || li.nextSibling !== before) list.insertBefore(li, before);
  }

  function onMessage(m) {
    if (shown.has(m.seq)) return; // a replay after a reconnect: already here
    let li = null;
    const mine = m.client_id && pending.get(m.client_id);
    if (mine) {
      li = mine.li;
      pending.delete(m.client_id);
      li.classList.remove("sending");
    } else {
      li = item(m.sender, m.body);
    }
    if (m.sender === "caller") setStatus(li, m.seq <= agentSeen ? "Seen by the officer" : "Sent");
    shown.set(m.seq, li);
    place(li, m.seq);
    while (shown.has(contiguous + 1)) contiguous += 1;
    if (m.sender === "agent") {
      $("typing").textContent = "";
      markSeen();
    }
  }

  function markSeen() {
    if (document.visibilityState !== "visible" || contiguous <= seenSent) return;
    if (frame({ type: "seen", seq: contiguous })) seenSent = contiguous;
  }

  function onDelivered(seq) {
    agentSeen = Math.max(agentSeen, seq);
    for (const [s, li] of shown) {
      if (s <= agentSeen && li.classList.contains("caller")) setStatus(li, "Seen by the officer");
    }
  }

  // --- the socket -----------------------------------------------------------------------

  function frame(data) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(data));
    return true;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${scheme}//${location.host}/chat/ws?since=${contiguous}`);
    ws.addEventListener("open", () => {
      retries = 0;
      document.body.classList.remove("offline");
      for (const [id, p] of pending) frame({ type: "send", client_id: id, body: p.body });
    });
    ws.addEventListener("message", (e) => {
      let data = null;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      handle(data);
    });
    ws.addEventListener("close", (e) => {
      if (e.code === 4404) return noChat();
      if (ended) return;
      document.body.classList.add("offline");
      state("Connection lost: reconnecting… Your messages will be sent when it is back.");
      const delay = Math.min(30000, 1000 * 2 ** retries) * (0.5 + Math.random() / 2);
      retries += 1;
      retryTimer = setTimeout(connect, delay);
    });
  }

  // Back online: try at once rather than at the end of a long backoff.
  window.addEventListener("online", () => {
    if (ended || (ws && ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retryTimer);
    retries = 0;
    connect();
  });

  function handle(data) {
    switch (data.kind) {
      case "hello":
        return hello(data);
      case "message":
        if (data.message) onMessage(data.message);
        return;
      case "typing":
        if (data.sender === "agent") typing();
        return;
      case "delivered":
        if (data.sender === "agent") onDelivered(data.seq);
        return;
      case "joined":
        return state("An officer has joined the chat.");
      case "transferred":
        return state("You have been passed to another officer: they can see the chat so far.");
      case "closed":
        return end();
      case "error":
        return error(data);
      case "no-chat":
        return noChat();
      default:
        return;
    }
  }

  function hello(h) {
    if (h.state === "closed") return end();
    if (h.joined) state("An officer is in this chat.");
    else if (typeof h.ahead === "number" && h.ahead > 0)
      state(`Waiting for an officer. ${h.ahead} ${h.ahead === 1 ? "person is" : "people are"} ahead of you.`);
    else state("Waiting for an officer. You are next.");
    $("send").disabled = false;
    markSeen();
  }

  function typing() {
    $("typing").textContent = "The officer is typing…";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => ($("typing").textContent = ""), 6000);
  }

  function error(e) {
    $("send-error").textContent = e.error;
    const mine = e.client_id && pending.get(e.client_id);
    if (mine) {
      pending.delete(e.client_id);
      mine.li.classList.add("failed");
      setStatus(mine.li, "Not sent");
    }
  }

  function end() {
    ended = true;
    state("This chat has ended. Thank you. If you need us again, report online or ring 101.");
    $("send").disabled = true;
    $("body").disabled = true;
    $("ask-callback").disabled = true;
    $("typing").textContent = "";
    if (ws) ws.close();
  }

  function noChat() {
    ended = true;
    $("chat").hidden = true;
    $("no-chat").hidden = false;
    state("No chat open.");
  }

  // --- the caller's actions -------------------------------------------------------------

  $("send-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const box = $("body");
    const body = box.value.trim();
    $("send-error").textContent = "";
    if (!body) return ($("send-error").textContent = "Type a message first.");
    if (body.length > maxChars)
      return ($("send-error").textContent = `Messages can be at most ${maxChars} characters.`);
    const id = clientId();
    const li = item("caller", body);
    li.classList.add("sending");
    setStatus(li, "Sending…");
    $("messages").append(li);
    pending.set(id, { body, li });
    frame({ type: "send", client_id: id, body });
    box.value = "";
    box.focus();
  });

  $("body").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("send-form").requestSubmit();
    }
  });

  $("body").addEventListener("input", () => {
    const now = Date.now();
    if (now - lastTyping > 3000 && frame({ type: "typing" })) lastTyping = now;
  });

  $("ask-callback").addEventListener("click", () => {
    if (!frame({ type: "callback" })) {
      $("callback-state").textContent = "Not connected: try again in a moment.";
      return;
    }
    $("ask-callback").disabled = true;
    $("callback-state").textContent =
      "Asked: we will ring you back on the number we texted. You can keep chatting until then.";
  });

  document.addEventListener("visibilitychange", markSeen);
  $("send").disabled = true;
  connect();
})();
