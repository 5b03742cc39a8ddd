// The chat desk: the live feed (/desk/chat/ws) says what changed; the desk's state and
// transcripts come from /api/chat/...; actions POST with the session's CSRF token.
// Callers' words only ever go into textContent, never into HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const perAgent = Number(document.body.dataset.perAgent) || 1;
  const panels = new Map(); // chat_id -> {el, shown: Map(seq -> li), last, view}
  let csrf = "";
  let agents = [];
  let retries = 0;
  let refreshing = null;
  let serial = 0;
  const WHO = { caller: "Caller", agent: "Agent", system: "101" };

  function node(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function say(text) {
    $("notice").textContent = text;
  }

  function clientId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
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

  function waited(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min`;
  }

  // --- the queue --------------------------------------------------------------------------

  function renderQueue(queue) {
    const rows = $("queue-rows");
    rows.replaceChildren();
    for (const v of queue) {
      const tr = node("tr");
      tr.dataset.chat = v.chat_id;
      const prio = node("td");
      if (v.priority === 0) prio.append(node("span", "FIRST", "priority"), " ");
      prio.append(v.context.flags.join(", ") || "–");
      const take = node("button", "Take");
      take.type = "button";
      take.dataset.action = "take";
      take.addEventListener("click", () => takeChat(v.chat_id));
      const actions = node("td");
      actions.append(take);
      tr.append(
        prio,
        node("td", waited(v.opened_at)),
        node("td", v.context.intent || "–"),
        node("td", v.context.heard.join(" / ") || "–"),
        actions,
      );
      rows.append(tr);
    }
    $("queue-count").textContent = `(${queue.length})`;
    $("no-queue").hidden = queue.length > 0;
  }

  async function takeChat(chatId) {
    try {
      const view = await send("POST", "/api/chat/take", chatId ? { chat_id: chatId } : {});
      say(`You have the chat from call ${view.call_id}.`);
      await refresh();
      const panel = panels.get(view.chat_id);
      if (panel) panel.el.querySelector("textarea").focus();
    } catch (err) {
      say(`Not taken: ${err.message}`);
      refresh();
    }
  }

  // --- my chats ---------------------------------------------------------------------------

  function labelled(el, cls, control) {
    const id = `c${serial}-${cls}`;
    control.id = id;
    el.querySelector(`label.${cls}-label`).htmlFor = id;
  }

  function panelFor(view) {
    let panel = panels.get(view.chat_id);
    if (panel) return panel;
    serial += 1;
    const el = $("chat-template").content.firstElementChild.cloneNode(true);
    el.dataset.chat = view.chat_id;
    const title = el.querySelector(".chat-title");
    title.id = `c${serial}-title`;
    el.setAttribute("aria-labelledby", title.id);
    labelled(el, "canned", el.querySelector("select.canned"));
    labelled(el, "body", el.querySelector("textarea.body"));
    labelled(el, "to", el.querySelector("select.to"));
    labelled(el, "outcome", el.querySelector("select.outcome"));
    panel = { el, shown: new Map(), last: 0, view, typingTimer: null, typedAt: 0 };
    panels.set(view.chat_id, panel);
    wire(panel);
    $("chats").append(el);
    loadMessages(panel);
    return panel;
  }

  function fill(panel, view) {
    panel.view = view;
    const el = panel.el;
    const c = view.context;
    el.querySelector(".chat-title").textContent =
      `${c.intent || "Chat"} · opened ${new Date(view.opened_at).toLocaleTimeString()}` +
      (view.callback_requested ? " · CALLBACK ASKED" : "") +
      (view.priority === 0 ? " · PRIORITY" : "");
    el.querySelector(".intent").textContent = c.intent || "–";
    el.querySelector(".destination").textContent = c.destination || "–";
    const heard = el.querySelector(".heard");
    heard.replaceChildren(...(c.heard.length ? c.heard : ["(nothing)"]).map((h) => node("li", h)));
    el.querySelector(".reference").textContent = c.reference || "–";
    el.querySelector(".flags").textContent = [...c.flags, ...c.categories].join(", ") || "–";
    el.querySelector(".call").textContent = view.call_id;
    el.querySelector(".callback").hidden = !view.callback_requested;
    const to = el.querySelector("select.to");
    const chosen = to.value;
    to.replaceChildren(...agents.map((a) => node("option", a)));
    if (agents.includes(chosen)) to.value = chosen;
    to.disabled = el.querySelector("button.transfer").disabled = agents.length === 0;
  }

  function addMessage(panel, m) {
    if (panel.shown.has(m.seq)) return;
    const li = node("li", null, m.sender);
    li.dataset.seq = m.seq;
    const who = m.sender === "agent" && m.author ? m.author : WHO[m.sender] || m.sender;
    li.append(node("span", `${who}: `, "who"), node("span", m.body, "body"));
    if (m.sender === "agent") li.append(" ", node("span", "", "status"));
    const list = panel.el.querySelector(".transcript");
    let before = null;
    for (const other of list.children) {
      if (Number(other.dataset.seq) > m.seq) { before = other; break; }
    }
    list.insertBefore(li, before);
    panel.shown.set(m.seq, li);
    while (panel.shown.has(panel.last + 1)) panel.last += 1;
    list.scrollTop = list.scrollHeight;
    if (m.sender === "caller") {
      panel.el.querySelector(".typing").textContent = "";
      if (document.visibilityState === "visible") {
        send("POST", `/api/chat/${panel.view.chat_id}/seen`, { seq: m.seq }).catch(() => {});
      }
    }
    if (m.sender === "system" && /called back/.test(m.body)) panel.el.querySelector(".callback").hidden = false;
  }

  async function loadMessages(panel) {
    try {
      const data = await send("GET", `/api/chat/${panel.view.chat_id}/messages?since=${panel.last}`);
      for (const m of data.messages) addMessage(panel, m);
    } catch (err) {
      say(`Cannot read the chat: ${err.message}`);
    }
  }

  function wire(panel) {
    const el = panel.el;
    const chat = () => panel.view.chat_id;
    const box = el.querySelector("textarea.body");
    const error = el.querySelector(".error");
    el.querySelector(".use-canned").addEventListener("click", () => {
      const option = el.querySelector("select.canned").selectedOptions[0];
      if (option && option.dataset.text) {
        box.value = option.dataset.text;
        box.focus();
      }
    });
    el.querySelector("form.say").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = box.value.trim();
      if (!body) return (error.textContent = "Type a message first.");
      error.textContent = "";
      try {
        const m = await send("POST", `/api/chat/${chat()}/say`, { body, client_id: clientId() });
        addMessage(panel, m);
        box.value = "";
      } catch (err) {
        error.textContent = `Not sent: ${err.message}`;
      }
    });
    box.addEventListener("input", () => {
      const now = Date.now();
      if (now - panel.typedAt < 3000) return;
      panel.typedAt = now;
      send("POST", `/api/chat/${chat()}/typing`, {}).catch(() => {});
    });
    el.querySelector("button.transfer").addEventListener("click", async () => {
      const to = el.querySelector("select.to").value;
      try {
        await send("POST", `/api/chat/${chat()}/transfer`, { to });
        say(`Passed to ${to}.`);
        refresh();
      } catch (err) {
        say(`Not passed on: ${err.message}`);
      }
    });
    el.querySelector("button.close").addEventListener("click", async () => {
      const outcome = el.querySelector("select.outcome").value;
      try {
        await send("POST", `/api/chat/${chat()}/close`, { outcome });
        say(`Chat closed: ${outcome}.`);
        refresh();
      } catch (err) {
        say(`Not closed: ${err.message}`);
      }
    });
    el.querySelector("button.show-number").addEventListener("click", async () => {
      try {
        const data = await send("POST", `/api/chat/${chat()}/number`, {});
        el.querySelector(".number").textContent = data.number || "(no number kept)";
      } catch (err) {
        say(`No number: ${err.message}`);
      }
    });
  }

  function renderMine(mine) {
    const ids = new Set(mine.map((v) => v.chat_id));
    for (const [id, panel] of panels) {
      if (!ids.has(id)) {
        panel.el.remove();
        panels.delete(id);
      }
    }
    for (const v of mine) fill(panelFor(v), v);
    $("mine-count").textContent = `(${mine.length} of ${perAgent})`;
    $("no-mine").hidden = mine.length > 0;
    $("take-next").disabled = mine.length >= perAgent;
  }

  async function refresh() {
    if (refreshing) return refreshing;
    refreshing = (async () => {
      try {
        const data = await send("GET", "/api/chat/desk");
        agents = data.agents;
        renderQueue(data.queue);
        renderMine(data.mine);
        for (const panel of panels.values()) loadMessages(panel);
      } catch (err) {
        say(`Cannot read the desk: ${err.message}`);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  // --- the feed ---------------------------------------------------------------------------

  function onEvent(e) {
    const panel = panels.get(e.chat_id);
    switch (e.kind) {
      case "hello":
        return refresh();
      case "message":
        if (!panel) return refresh();
        if (e.message.seq > panel.last + 1) loadMessages(panel);
        return addMessage(panel, e.message);
      case "typing":
        if (panel && e.sender === "caller") {
          const t = panel.el.querySelector(".typing");
          t.textContent = "The caller is typing…";
          clearTimeout(panel.typingTimer);
          panel.typingTimer = setTimeout(() => (t.textContent = ""), 6000);
        }
        return;
      case "delivered":
        if (panel && e.sender === "caller") {
          for (const [seq, li] of panel.shown) {
            const status = li.querySelector(".status");
            if (seq <= e.seq && status) status.textContent = "(seen)";
          }
        }
        return;
      case "closed":
        if (panel) say("A chat of yours has ended.");
        return refresh();
      default:
        return refresh(); // queue, joined, transferred
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/desk/chat/ws`);
    ws.addEventListener("open", () => {
      retries = 0;
      document.body.classList.remove("not-live");
      $("feed-state").textContent = "Live: chats can come to you";
    });
    ws.addEventListener("message", (e) => {
      try { onEvent(JSON.parse(e.data)); } catch { /* not for us */ }
    });
    ws.addEventListener("close", (e) => {
      document.body.classList.add("not-live");
      if (e.code === 4401) {
        $("feed-state").textContent = "Signed out: sign in again";
        return;
      }
      $("feed-state").textContent = "Not live: reconnecting… (no new chats come to you)";
      const delay = Math.min(30000, 1000 * 2 ** retries) * (0.5 + Math.random() / 2);
      retries += 1;
      setTimeout(connect, delay);
    });
  }

  async function start() {
    try {
      csrf = (await send("GET", "/api/session")).csrf_token || "";
    } catch (err) {
      say(`Cannot read the session (${err.message}): sign in again.`);
    }
    $("take-next").addEventListener("click", () => takeChat(null));
    connect();
  }

  start();
})();
