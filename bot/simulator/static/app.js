// The hotline preview page. Plain JavaScript, no build step, no libraries.
// Message text arrives as HTML already made safe by the server (bot/simulator/safe_html.py); that is the
// only thing put into innerHTML. Everything else is set with textContent.
"use strict";

const POLL_MS = 300;
let tag = "";
let shown = { person: "", counsellor: "" };
const seenToasts = new Set();
let firstState = true;

function $(selector, root = document) { return root.querySelector(selector); }

function el(name, className, text) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: "no answer" }));
  setStatus(answer.ok ? "" : answer.error || "something went wrong");
  poll();
  return answer.ok;
}

function setStatus(text) { $("#status").textContent = text; }

function time(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// --- rendering ------------------------------------------------------------------------------

function renderMessage(side, message) {
  if (message.service) {
    const line = el("div", "service");
    line.append(el("span", "", message.service));
    return line;
  }
  const row = el("div", "msg " + (message.from_bot ? "in" : "out"));
  row.dataset.id = String(message.id);
  const bubble = el("div", "bubble");
  if (message.internal) {
    row.classList.add("internal");
    bubble.append(el("div", "internal-tag", "🔒 stays in the team"));
  }
  if (message.reply_to) bubble.append(el("div", "reply", message.reply_to));
  if (message.media) bubble.append(el("div", "media", message.media));
  if (message.html) {
    const text = el("div", "text");
    text.innerHTML = message.html; // sanitised on the server: Telegram's tags only, all text escaped
    for (const spoiler of text.querySelectorAll(".spoiler")) {
      spoiler.addEventListener("click", () => spoiler.classList.add("shown"));
    }
    bubble.append(text);
  }
  const meta = el("span", "meta", (message.edited ? "edited " : "") + time(message.date));
  if (!message.from_bot) meta.append(el("span", "check"));
  if (bubble.lastChild && bubble.lastChild.classList.contains("text")) bubble.lastChild.append(meta);
  else bubble.append(meta);
  row.append(bubble);
  if (message.keyboard.length) {
    row.classList.add("has-keyboard");
    const keyboard = el("div", "keyboard");
    for (const buttons of message.keyboard) {
      const line = el("div", "kb-row");
      for (const button of buttons) line.append(renderButton(side, message.id, button));
      keyboard.append(line);
    }
    row.append(keyboard);
  }
  return row;
}

function renderButton(side, messageId, button) {
  if (button.url) {
    const link = el("a", "kb url", button.text);
    link.href = button.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  const node = el("button", "kb", button.text);
  node.type = "button";
  if (button.data === undefined) {
    node.disabled = true;
    node.title = "this kind of button is not simulated";
    return node;
  }
  node.addEventListener("click", () => {
    node.classList.add("busy");
    post("/api/press", { side, message_id: messageId, data: button.data });
  });
  return node;
}

function renderSide(side, data) {
  const column = $(`.column[data-side="${side}"]`);
  const signature = JSON.stringify(data);
  if (signature === shown[side]) return;
  shown[side] = signature;
  const chat = $(".chat", column);
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  const before = chat.querySelectorAll(".msg").length;
  chat.replaceChildren(...data.messages.map((message) => renderMessage(side, message)));
  if (atBottom || data.messages.length !== before) chat.scrollTop = chat.scrollHeight;
  renderTeam(column, data.team);
  const hint = $(data.team ? ".empty-hint.team-only" : ".empty-hint.private-only", column);
  if (hint) hint.hidden = data.messages.length > 0;
  const commands = $(".commands", column);
  commands.replaceChildren(...data.commands.map((command) => {
    const item = el("button", "command");
    item.type = "button";
    item.append(el("b", "", "/" + command.command), el("span", "", command.description));
    item.addEventListener("click", () => {
      commands.hidden = true;
      post("/api/send", { side, text: "/" + command.command });
    });
    return item;
  }));
}

// Team mode: the counsellor's phone shows the counsellors' forum group, one topic at a time.
function renderTeam(column, team) {
  for (const node of column.querySelectorAll(".team-only")) node.hidden = !team;
  for (const node of column.querySelectorAll(".private-only")) node.hidden = Boolean(team);
  if (!team) return;
  $(".team-title", column).textContent = team.title;
  $(".topic-name", column).textContent = team.topic_name;
  const select = $(".topic", column);
  const options = [{ id: 0, name: "General", closed: false, pinned: false }, ...team.topics];
  const wanted = JSON.stringify(options);
  if (select.dataset.options !== wanted) { // rebuilt only when the list changed: an open list stays open
    select.replaceChildren(...options.map((topic) => {
      const option = el("option", "", (topic.pinned ? "📌 " : "") + (topic.closed ? "🔒 " : "") + topic.name);
      option.value = String(topic.id);
      return option;
    }));
    select.dataset.options = wanted;
  }
  select.value = String(team.topic);
}

function renderToasts(toasts) {
  for (const toast of toasts) {
    if (seenToasts.has(toast.id)) continue;
    seenToasts.add(toast.id);
    if (firstState) continue; // old answers: already shown before the page was reloaded
    const box = $(`.column[data-side="${toast.side}"] .toasts`);
    const node = el("div", "toast" + (toast.alert ? " alert" : ""), toast.text);
    box.append(node);
    setTimeout(() => node.remove(), toast.alert ? 5000 : 3000);
  }
}

function renderBanner(banner) {
  const node = $("#banner");
  if (!banner) { node.hidden = true; return; }
  node.className = banner.level;
  node.replaceChildren(el("strong", "", banner.title));
  if (banner.problems.length) {
    const list = el("ul");
    for (const problem of banner.problems) list.append(el("li", "", problem));
    node.append(list);
  }
  node.hidden = false;
}

function renderToolbar(state) {
  document.title = state.title;
  $("#title").textContent = state.title;
  for (const name of document.querySelectorAll(".bot-name")) name.textContent = state.bot;
  const select = $("#language");
  const wanted = state.languages.join(",");
  if (select.dataset.options !== wanted) {
    select.replaceChildren(...state.languages.map((code) => {
      const option = el("option", "", code);
      option.value = code;
      return option;
    }));
    select.dataset.options = wanted;
  }
  if (document.activeElement !== select) select.value = state.language;
  const list = $("#nodes");
  const nodes = state.nodes.join(",");
  if (list.dataset.nodes !== nodes) {
    list.replaceChildren(...state.nodes.map((id) => { const option = el("option"); option.value = id; return option; }));
    list.dataset.nodes = nodes;
  }
}

function render(state) {
  renderToolbar(state);
  renderBanner(state.banner);
  renderSide("person", state.person);
  renderSide("counsellor", state.counsellor);
  renderToasts(state.toasts);
  document.body.dataset.node = state.node || "";
  document.body.dataset.language = state.language || "";
  firstState = false;
}

// --- talking to the preview ---------------------------------------------------------------

let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try {
    const response = await fetch("/api/state?tag=" + encodeURIComponent(tag), { cache: "no-store" });
    const answer = await response.json();
    $(".brand").classList.remove("offline");
    tag = answer.tag;
    if (!answer.unchanged) render(answer.state);
  } catch (error) {
    $(".brand").classList.add("offline");
    setStatus("the preview has stopped; start it again with `hotline preview`");
  } finally {
    polling = false;
  }
}

function wire() {
  for (const column of document.querySelectorAll(".column")) {
    const side = column.dataset.side;
    const form = $(".composer", column);
    const input = $(".message", column);
    const commands = $(".commands", column);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      commands.hidden = true;
      post("/api/send", { side, text });
    });
    $(".menu", column).addEventListener("click", () => { commands.hidden = !commands.hidden; });
    const topic = $(".topic", column);
    if (topic) topic.addEventListener("change", () => post("/api/topic", { topic: Number(topic.value) }));
  }
  $("#language").addEventListener("change", (event) => post("/api/language", { language: event.target.value }));
  $("#jump").addEventListener("submit", (event) => {
    event.preventDefault();
    const node = $("#node").value.trim();
    if (node) post("/api/jump", { node });
  });
  $("#restart").addEventListener("click", () => post("/api/restart", {}));
  poll();
  setInterval(poll, POLL_MS);
}

wire();
