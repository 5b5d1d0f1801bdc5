/* Sapa website chat widget. Embedded by a company's site:
 *   <script src="https://<sapa>/widget.js" data-site="SITE_ID" defer></script>
 * Optional: data-language="id|en", data-identity + data-identity-hash (a signed-in portal user; the HMAC is
 * made by the host's server). Wire protocol: docs/webchat-protocol.md.
 *
 * Isolation: everything renders inside a closed shadow root on its own <sapa-webchat> element, reset with
 * `:host { all: initial }`, so the page's CSS cannot reach in and ours cannot leak out. Styles come from a
 * constructable stylesheet (new CSSStyleSheet() + adoptedStyleSheets): a <style> element would be inline style,
 * refused by a host page whose CSP has `style-src 'self'`, and a <link> to Sapa's origin would need every host to
 * add that origin to style-src. Constructed sheets are not subject to style-src, so the widget looks right under
 * the strictest policy, with no extra request. No style attribute is ever set.
 *
 * Everything from the server or the visitor is shown with textContent, never parsed as HTML.
 */
(() => {
  "use strict";

  const STRINGS = {{ strings | tojson }};
  const script = document.currentScript;
  if (!script || !script.dataset.site || document.querySelector("sapa-webchat")) return;

  const site = script.dataset.site;
  const origin = new URL(script.src, document.baseURI).origin;
  const identity = { id: script.dataset.identity || "", hash: script.dataset.identityHash || "" };
  const MAX_TEXT = 2000;
  const PONG_WAIT_MS = 10000;
  const TYPING_MS = 5000;
  const MAX_BACKOFF_S = 30;

  // -- storage: per site; a blocked or full storage only costs the memory across reloads ------------------
  const key = (name) => `sapa-webchat:${site}:${name}`;
  const store = (area) => ({
    get(name, fallback) {
      try {
        const raw = area.getItem(key(name));
        return raw === null ? fallback : JSON.parse(raw);
      } catch {
        return fallback;
      }
    },
    set(name, value) {
      try {
        area.setItem(key(name), JSON.stringify(value));
      } catch {
        /* private mode or quota: keep going in memory */
      }
    },
    remove(name) {
      try {
        area.removeItem(key(name));
      } catch {
        /* as above */
      }
    },
  });
  const local = store(window.localStorage);
  const session = store(window.sessionStorage);

  // -- language: the visitor's own choice, else the embedding's, else the page's, else the browser's ---------
  const pick = (value) => {
    const code = String(value || "").toLowerCase();
    if (code.startsWith("id") || code.startsWith("in")) return "id";
    if (code.startsWith("en")) return "en";
    return null;
  };
  let lang =
    pick(local.get("language", null)) ||
    pick(script.dataset.language) ||
    pick(document.documentElement.lang) ||
    pick(navigator.language) ||
    "id";
  const t = (name, params = {}) =>
    String(STRINGS[lang][name] ?? STRINGS.en[name] ?? name).replace(/\{(\w+)\}/g, (whole, field) =>
      field in params ? String(params[field]) : whole,
    );

  const uuid = () => {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  const el = (tag, attributes = {}, text) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const CSS = `
    :host { all: initial; }
    [hidden] { display: none !important; }
    * { box-sizing: border-box; }
    .root { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2430; }
    button, input, textarea { font: inherit; color: inherit; }
    :focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 999px;
      padding: 12px 22px; background: #0b5394; color: #fff; font-weight: 600; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0, 0, 0, .25); }
    .launcher[aria-expanded="true"] { background: #083d6d; }
    .panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; width: 370px;
      max-width: calc(100vw - 24px); height: 560px; max-height: calc(100vh - 100px); display: flex;
      flex-direction: column; background: #fff; border-radius: 14px; overflow: hidden;
      box-shadow: 0 10px 40px rgba(0, 0, 0, .3); }
    header { display: flex; align-items: center; gap: 6px; padding: 10px 12px; background: #0b5394; color: #fff; }
    header .names { flex: 1; min-width: 0; }
    header h2 { margin: 0; font-size: 16px; font-weight: 600; }
    header .status { margin: 0; font-size: 12px; min-height: 1em; }
    header button { background: transparent; border: 1px solid rgba(255, 255, 255, .5); color: #fff;
      border-radius: 6px; padding: 2px 7px; cursor: pointer; }
    header .lang button[aria-pressed="true"] { background: #fff; color: #0b5394; }
    .menu, .confirm { padding: 8px 12px; border-bottom: 1px solid #d8dee6; background: #f4f7fa;
      display: flex; flex-direction: column; gap: 6px; }
    .confirm p { margin: 0; }
    .menu button, .confirm button { text-align: left; background: #fff; border: 1px solid #b8c4d2;
      border-radius: 6px; padding: 6px 10px; cursor: pointer; }
    .confirm .danger { background: #a4161a; color: #fff; border-color: #a4161a; }
    .notice { margin: 0; padding: 6px 12px; background: #fff7dc; font-size: 13px; }
    .notice:empty { display: none; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px;
      background: #f7f9fb; }
    .message { max-width: 85%; padding: 8px 11px; border-radius: 12px; background: #fff;
      border: 1px solid #dfe5ec; align-self: flex-start; }
    .message.from-visitor { align-self: flex-end; background: #dcebfa; border-color: #bcd6f2; }
    .message.from-agent { background: #e9f6ec; border-color: #c4e5cc; }
    .message .meta { margin: 0 0 2px; font-size: 12px; color: #4a5563; display: flex; gap: 8px; }
    .message .who { font-weight: 600; }
    .message .text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    .event { margin: 0; align-self: center; font-size: 13px; color: #4a5563; }
    .csat { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
    .csat p { margin: 0; width: 100%; font-size: 13px; }
    .csat button { min-width: 34px; padding: 4px 8px; border: 1px solid #0b5394; border-radius: 6px;
      background: #fff; color: #0b5394; cursor: pointer; }
    .csat button[aria-pressed="true"] { background: #0b5394; color: #fff; }
    .typing { margin: 0; padding: 0 12px; font-size: 13px; color: #4a5563; min-height: 1.4em; background: #f7f9fb; }
    form { padding: 10px 12px; border-top: 1px solid #d8dee6; }
    .composer { display: grid; grid-template-columns: 1fr auto; gap: 8px; align-items: end; }
    .composer .error { grid-column: 1 / -1; }
    textarea, input[type="text"] { width: 100%; border: 1px solid #8a97a8; border-radius: 8px; padding: 7px 9px; }
    textarea { resize: none; }
    [aria-invalid="true"] { border-color: #a4161a; }
    .send, .prechat .submit { border: 0; border-radius: 8px; padding: 8px 14px; background: #0b5394; color: #fff;
      font-weight: 600; cursor: pointer; }
    .prechat { display: flex; flex-direction: column; gap: 4px; overflow-y: auto; }
    .prechat p { margin: 0 0 4px; }
    .prechat label { font-weight: 600; font-size: 14px; }
    .prechat .consent { display: flex; gap: 8px; align-items: flex-start; margin-top: 6px; }
    .prechat .consent label { font-weight: 400; font-size: 13px; }
    .prechat .submit { margin-top: 8px; align-self: flex-start; }
    .error { margin: 0; color: #a4161a; font-size: 13px; }
    .error:empty { display: none; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
      white-space: nowrap; }
  `;

  // -- state ---------------------------------------------------------------------------------------------
  let config = null;
  let ws = null;
  let welcomed = false;
  let wanted = false; // the visitor opened the chat or has messages to deliver: keep a socket
  let stopped = false; // the site is unknown: do not knock again
  let attempt = 0;
  let reconnectTimer = 0;
  let pingTimer = 0;
  let pongTimer = 0;
  let typingTimer = 0;
  let needsPrechat = false;
  let identityRefused = false;
  let statusKey = "";
  let noticeKey = "";
  let noticeText = "";
  let typingName = "";
  let token = local.get("visitor", null);
  let pending = local.get("pending", []).filter((item) => item && typeof item.id === "string");
  let entries = []; // {kind: "message", frame, pending, node} | {kind: "event", key, params}
  const byId = new Map();
  let rating = null; // the entry whose 1-5 buttons were pressed, waiting for csat_ok
  const ui = {};

  // -- rendering -----------------------------------------------------------------------------------------
  const formatTime = (at) => {
    const when = new Date(at);
    if (Number.isNaN(when.getTime())) return "";
    return when.toLocaleTimeString(lang === "id" ? "id-ID" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  };

  const author = (frame) => {
    if (frame.from === "visitor") return t("you");
    if (frame.from === "agent") return typeof frame.agent === "string" && frame.agent ? frame.agent : t("agent");
    return t("bot");
  };

  const csatNode = (entry) => {
    const group = el("div", { class: "csat", role: "group", "aria-label": t("csat_question") });
    if (entry.rated && entry.thanked) {
      group.append(el("p", {}, t("csat_thanks")));
      return group;
    }
    group.append(el("p", { "aria-hidden": "true" }, t("csat_question")));
    for (let score = 1; score <= 5; score += 1) {
      const button = el(
        "button",
        { type: "button", "aria-label": t("csat_score", { score }), "aria-pressed": String(entry.rated === score) },
        String(score),
      );
      button.disabled = Boolean(entry.rated);
      button.addEventListener("click", () => {
        if (!send({ type: "csat", score })) return;
        entry.rated = score;
        rating = entry;
        redraw(entry);
      });
      group.append(button);
    }
    return group;
  };

  const entryNode = (entry) => {
    if (entry.kind === "event") return el("p", { class: "event" }, t(entry.key, entry.params));
    const frame = entry.frame;
    const from = frame.from === "visitor" || frame.from === "agent" ? frame.from : "bot";
    const item = el("div", { class: `message from-${from}` });
    const meta = el("p", { class: "meta" });
    meta.append(el("span", { class: "who" }, author(frame)));
    if (entry.pending) meta.append(el("span", { class: "at" }, t("sending")));
    else meta.append(el("time", { class: "at", datetime: String(frame.at || "") }, formatTime(frame.at)));
    item.append(meta, el("p", { class: "text" }, String(frame.text ?? "")));
    if (frame.csat === true) item.append(csatNode(entry));
    return item;
  };

  const redraw = (entry) => {
    const fresh = entryNode(entry);
    if (entry.node && entry.node.parentNode) entry.node.replaceWith(fresh);
    entry.node = fresh;
  };

  const append = (entry) => {
    entries.push(entry);
    if (entry.kind === "message") byId.set(entry.frame.id, entry);
    entry.node = entryNode(entry);
    ui.log.append(entry.node);
    ui.log.scrollTop = ui.log.scrollHeight;
  };

  const renderLog = () => {
    ui.log.replaceChildren();
    for (const entry of entries) {
      entry.node = entryNode(entry);
      ui.log.append(entry.node);
    }
    ui.log.scrollTop = ui.log.scrollHeight;
  };

  const savePending = () => local.set("pending", pending);

  // The server's history replaces the list; a pending message the server already holds is delivered.
  const replaceHistory = (history) => {
    entries = [];
    byId.clear();
    rating = null;
    for (const frame of history) {
      if (!frame || typeof frame.id !== "string" || byId.has(frame.id)) continue;
      const entry = { kind: "message", frame, pending: false };
      entries.push(entry);
      byId.set(frame.id, entry);
    }
    pending = pending.filter((item) => !byId.has(item.id));
    savePending();
    for (const item of pending) {
      const entry = { kind: "message", frame: { id: item.id, from: "visitor", text: item.text, at: item.at }, pending: true };
      entries.push(entry);
      byId.set(item.id, entry);
    }
    renderLog();
  };

  const setStatus = (name) => {
    statusKey = name;
    ui.status.textContent = name ? t(name) : "";
  };

  const notice = (name, text = "") => {
    noticeKey = name;
    noticeText = text;
    ui.notice.textContent = name ? t(name) : text;
  };

  const showTyping = (name) => {
    typingName = name;
    ui.typing.textContent = name ? t("typing", { name }) : "";
    clearTimeout(typingTimer);
    if (name) typingTimer = setTimeout(() => showTyping(""), TYPING_MS);
  };

  const showForm = () => {
    const hadFocus = ui.root.activeElement;
    ui.prechat.hidden = !needsPrechat;
    ui.composer.hidden = needsPrechat;
    // Focus in the form that just disappeared moves to the one that took its place.
    if (hadFocus === ui.textbox && needsPrechat) ui.fieldInput.name.focus();
    else if (hadFocus && ui.prechat.contains(hadFocus) && !needsPrechat) ui.textbox.focus();
  };

  const composerError = (text) => {
    ui.composerError.textContent = text;
    ui.textbox.setAttribute("aria-invalid", text ? "true" : "false");
  };

  const FIELDS = ["name", "contact", "consent"];
  const fieldErrors = (fields) => {
    for (const field of FIELDS) {
      const given = fields && typeof fields[field] === "string" ? fields[field] : "";
      const own = "invalid_" + field;
      const message = given && known(own) ? t(own) : given;
      ui.fieldError[field].textContent = message;
      ui.fieldInput[field].setAttribute("aria-invalid", message ? "true" : "false");
    }
  };

  // -- the socket ----------------------------------------------------------------------------------------
  const send = (frame) => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  };

  const sendHello = () => {
    const hello = { type: "hello", visitor: token || null, language: lang };
    if (identity.id && identity.hash && !identityRefused) hello.identity = { id: identity.id, hash: identity.hash };
    send(hello);
  };

  const flush = () => {
    for (const item of pending) send({ type: "message", id: item.id, text: item.text });
  };

  const stopHeartbeat = () => {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    pongTimer = 0;
  };

  const dropped = () => {
    ws = null;
    welcomed = false;
    stopHeartbeat();
    if (!stopped && wanted) scheduleReconnect();
  };

  // A socket that stopped answering: given up at once (its close handshake may never finish), then replaced.
  const abandon = () => {
    const socket = ws;
    dropped();
    if (socket) socket.close();
  };

  const startHeartbeat = () => {
    stopHeartbeat();
    const every = Math.max(1, Number(config.heartbeat_seconds) || 240) * 1000;
    pingTimer = setInterval(() => {
      if (!send({ type: "ping" })) return;
      // The wait runs from the first unanswered ping: a later ping does not restart it.
      if (!pongTimer) pongTimer = setTimeout(abandon, PONG_WAIT_MS);
    }, every);
  };

  const scheduleReconnect = () => {
    const base = Math.min(MAX_BACKOFF_S, 2 ** attempt);
    attempt += 1;
    const delay = Math.min(MAX_BACKOFF_S, base * (0.75 + Math.random() * 0.5));
    setStatus("reconnecting");
    reconnectTimer = setTimeout(connect, delay * 1000);
  };

  function connect() {
    reconnectTimer = 0;
    if (!attempt) setStatus("connecting");
    let socket;
    try {
      const url = new URL(config.socket);
      url.searchParams.set("site", site);
      socket = new WebSocket(url.href);
    } catch {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.addEventListener("open", () => {
      if (socket === ws) sendHello();
    });
    socket.addEventListener("message", (event) => {
      if (socket === ws) receive(event.data);
    });
    socket.addEventListener("close", () => {
      if (socket === ws) dropped();
    });
    socket.addEventListener("error", () => socket.close());
  }

  const ensureConnected = () => {
    wanted = true;
    if (ws || reconnectTimer || stopped || !config) return;
    connect();
  };

  const receive = (data) => {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    switch (frame.type) {
      case "welcome":
        welcomed = true;
        attempt = 0;
        if (typeof frame.visitor === "string" && frame.visitor) {
          token = frame.visitor;
          local.set("visitor", token);
        }
        needsPrechat = frame.needs_prechat === true;
        replaceHistory(Array.isArray(frame.history) ? frame.history : []);
        if (typeof frame.agent === "string" && frame.agent) setAgent(frame.agent);
        setStatus("");
        if (noticeKey === "reconnecting") notice("");
        showForm();
        startHeartbeat();
        if (!needsPrechat) flush();
        break;
      case "message": {
        if (typeof frame.id !== "string") break;
        const known = byId.get(frame.id);
        if (known) {
          known.frame = frame;
          known.pending = false;
          redraw(known);
        } else {
          append({ kind: "message", frame, pending: false });
        }
        if (frame.from === "agent") showTyping("");
        break;
      }
      case "ack": {
        const before = pending.length;
        pending = pending.filter((item) => item.id !== frame.id);
        if (pending.length !== before) savePending();
        const entry = byId.get(frame.id);
        if (entry && entry.pending) {
          entry.pending = false;
          entry.frame.at = entry.frame.at || new Date().toISOString();
          redraw(entry);
        }
        break;
      }
      case "agent_joined":
        if (typeof frame.name === "string" && frame.name && frame.name !== ui.agent.textContent) {
          setAgent(frame.name);
          append({ kind: "event", key: "agent_joined", params: { name: frame.name } });
        }
        break;
      case "typing":
        if (typeof frame.name === "string" && frame.name) showTyping(frame.name);
        break;
      case "pong":
        clearTimeout(pongTimer);
        pongTimer = 0;
        break;
      case "prechat_ok":
        needsPrechat = false;
        fieldErrors(null);
        showForm();
        flush();
        if (!ui.panel.hidden) ui.textbox.focus();
        break;
      case "csat_ok":
        if (rating) {
          rating.thanked = true;
          redraw(rating);
          rating = null;
        }
        break;
      case "transcript_sent":
        notice("transcript_sent");
        break;
      case "deleted":
        deleted();
        break;
      case "error":
        failed(frame);
        break;
      default:
        break;
    }
  };

  // Sapa's own words for what it refused, in the panel's language; the server's message only for a code unknown here.
  const known = (name) => STRINGS[lang][name] !== undefined || STRINGS.en[name] !== undefined;
  const failed = (frame) => {
    const own = "error_" + frame.code;
    const text = known(own) ? t(own) : typeof frame.message === "string" && frame.message ? frame.message : t("error");
    switch (frame.code) {
      case "hello_first":
        sendHello();
        break;
      case "identity_invalid": // the portal's signature did not hold: chat on as an anonymous visitor
        identityRefused = true;
        sendHello();
        break;
      case "unknown_site":
        stopped = true;
        setStatus("");
        notice("unavailable");
        break;
      case "prechat_invalid":
        fieldErrors(frame.fields);
        if (!frame.fields || !FIELDS.some((field) => typeof frame.fields[field] === "string")) notice("", text);
        break;
      case "too_long":
        composerError(text);
        break;
      default:
        notice("", text);
    }
  };

  const deleted = () => {
    pending = [];
    local.remove("pending");
    local.remove("visitor");
    token = null;
    entries = [];
    byId.clear();
    rating = null;
    renderLog();
    notice("deleted");
    // The next hello starts a new visitor; until the visitor writes again, no socket is kept.
    wanted = false;
    const socket = ws;
    ws = null;
    welcomed = false;
    stopHeartbeat();
    if (socket) socket.close();
  };

  const setAgent = (name) => {
    ui.agent.textContent = name;
  };

  // -- the visitor's actions -----------------------------------------------------------------------------
  const sendText = () => {
    const text = ui.textbox.value;
    const length = [...text].length;
    if (!text.trim()) {
      composerError(t("empty"));
      return;
    }
    if (length > MAX_TEXT) {
      composerError(t("too_long", { max: MAX_TEXT.toLocaleString(lang === "id" ? "id-ID" : "en-US"), count: length.toLocaleString(lang === "id" ? "id-ID" : "en-US") }));
      return;
    }
    composerError("");
    notice("");
    const item = { id: uuid(), text, at: new Date().toISOString() };
    pending.push(item);
    savePending();
    append({ kind: "message", frame: { id: item.id, from: "visitor", text, at: item.at }, pending: true });
    ui.textbox.value = "";
    if (welcomed && !needsPrechat) send({ type: "message", id: item.id, text });
    else ensureConnected();
  };

  const submitPrechat = () => {
    const name = ui.fieldInput.name.value.trim();
    const contact = ui.fieldInput.contact.value.trim();
    const missing = {};
    if (!name) missing.name = t("required");
    if (!contact) missing.contact = t("required");
    fieldErrors(missing);
    if (missing.name || missing.contact) {
      ui.fieldInput[missing.name ? "name" : "contact"].focus();
      return;
    }
    const sent = send({
      type: "prechat",
      name,
      contact,
      consent: ui.fieldInput.consent.checked,
      consent_version: String((config.consent && config.consent.version) || ""),
    });
    if (!sent) notice("reconnecting");
  };

  const openPanel = (focus = true) => {
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    session.set("open", true);
    ensureConnected();
    if (focus) (needsPrechat ? ui.fieldInput.name : ui.textbox).focus();
  };

  const closePanel = () => {
    closeMenu();
    ui.confirm.hidden = true;
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    session.set("open", false);
    ui.launcher.focus();
  };

  const closeMenu = () => {
    ui.menu.hidden = true;
    ui.menuButton.setAttribute("aria-expanded", "false");
  };

  const setLanguage = (next) => {
    lang = next;
    local.set("language", lang);
    label();
  };

  // Every text of the frame in the current language (also after the visitor switches).
  const label = () => {
    const name = String(config.name || "");
    ui.panel.setAttribute("lang", lang);
    ui.launcher.setAttribute("lang", lang);
    ui.launcher.textContent = t("launcher");
    ui.panel.setAttribute("aria-label", t("title", { name }));
    ui.title.textContent = name;
    ui.langGroup.setAttribute("aria-label", t("language"));
    for (const [code, button] of Object.entries(ui.langButtons)) button.setAttribute("aria-pressed", String(code === lang));
    ui.menuButton.setAttribute("aria-label", t("menu"));
    ui.closeButton.setAttribute("aria-label", t("close"));
    ui.transcriptButton.textContent = t("transcript");
    ui.deleteButton.textContent = t("delete");
    ui.confirmText.textContent = t("delete_confirm");
    ui.confirmYes.textContent = t("delete_yes");
    ui.confirmNo.textContent = t("cancel");
    ui.log.setAttribute("aria-label", t("log"));
    ui.textboxLabel.textContent = t("input_label");
    ui.textbox.setAttribute("placeholder", t("placeholder"));
    ui.sendButton.textContent = t("send");
    ui.prechatIntro.textContent = t("prechat_intro");
    ui.fieldLabel.name.textContent = t("prechat_name");
    ui.fieldLabel.contact.textContent = t("prechat_contact");
    ui.fieldLabel.consent.textContent = String((config.consent && config.consent[lang]) || "");
    ui.prechatSubmit.textContent = t("prechat_submit");
    ui.status.textContent = statusKey ? t(statusKey) : "";
    ui.notice.textContent = noticeKey ? t(noticeKey) : noticeText;
    ui.typing.textContent = typingName ? t("typing", { name: typingName }) : "";
    if (ui.composerError.textContent) composerError("");
    renderLog();
  };

  const build = () => {
    const host = document.createElement("sapa-webchat");
    const root = host.attachShadow({ mode: "closed" });
    ui.root = root;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];

    const wrapper = el("div", { class: "root" });
    ui.launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "panel" });
    ui.panel = el("section", { id: "panel", class: "panel", role: "dialog" });
    ui.panel.hidden = true;

    const header = el("header");
    const names = el("div", { class: "names" });
    ui.title = el("h2");
    ui.agent = el("p", { class: "status agent" });
    ui.status = el("p", { class: "status", role: "status" });
    names.append(ui.title, ui.agent, ui.status);
    ui.langGroup = el("div", { class: "lang", role: "group" });
    ui.langButtons = {};
    const languages = Array.isArray(config.languages) ? config.languages.filter((code) => code in STRINGS) : [];
    for (const code of languages.length ? languages : Object.keys(STRINGS)) {
      const button = el("button", { type: "button", lang: code }, code.toUpperCase());
      button.addEventListener("click", () => setLanguage(code));
      ui.langButtons[code] = button;
      ui.langGroup.append(button);
    }
    if (!(lang in ui.langButtons)) lang = Object.keys(ui.langButtons)[0];
    ui.menuButton = el("button", { type: "button", class: "menu-button", "aria-expanded": "false", "aria-controls": "menu" }, "⋯");
    ui.closeButton = el("button", { type: "button", class: "close" }, "×");
    header.append(names, ui.langGroup, ui.menuButton, ui.closeButton);

    ui.menu = el("div", { id: "menu", class: "menu" });
    ui.menu.hidden = true;
    ui.transcriptButton = el("button", { type: "button" });
    ui.deleteButton = el("button", { type: "button" });
    ui.menu.append(ui.transcriptButton, ui.deleteButton);

    ui.confirm = el("div", { class: "confirm", role: "group" });
    ui.confirm.hidden = true;
    ui.confirmText = el("p", { id: "confirm-text" });
    ui.confirm.setAttribute("aria-labelledby", "confirm-text");
    ui.confirmYes = el("button", { type: "button", class: "danger" });
    ui.confirmNo = el("button", { type: "button" });
    ui.confirm.append(ui.confirmText, ui.confirmYes, ui.confirmNo);

    ui.notice = el("p", { class: "notice", role: "status" });
    ui.log = el("div", { class: "log", role: "log", "aria-live": "polite", tabindex: "0" });
    ui.typing = el("p", { class: "typing", "aria-live": "polite" });

    ui.prechat = el("form", { class: "prechat", novalidate: true });
    ui.prechat.hidden = true;
    ui.prechatIntro = el("p");
    ui.prechat.append(ui.prechatIntro);
    ui.fieldInput = {};
    ui.fieldLabel = {};
    ui.fieldError = {};
    for (const [field, autocomplete] of [["name", "name"], ["contact", "email"]]) {
      ui.fieldLabel[field] = el("label", { for: `prechat-${field}` });
      ui.fieldInput[field] = el("input", {
        id: `prechat-${field}`, name: field, type: "text", autocomplete, required: true, "aria-describedby": `prechat-${field}-error`,
      });
      ui.fieldError[field] = el("p", { id: `prechat-${field}-error`, class: "error" });
      ui.prechat.append(ui.fieldLabel[field], ui.fieldInput[field], ui.fieldError[field]);
    }
    const consent = el("div", { class: "consent" });
    ui.fieldInput.consent = el("input", { id: "prechat-consent", name: "consent", type: "checkbox", "aria-describedby": "prechat-consent-error" });
    ui.fieldLabel.consent = el("label", { for: "prechat-consent" });
    consent.append(ui.fieldInput.consent, ui.fieldLabel.consent);
    ui.fieldError.consent = el("p", { id: "prechat-consent-error", class: "error" });
    ui.prechatSubmit = el("button", { type: "submit", class: "submit" });
    ui.prechat.append(consent, ui.fieldError.consent, ui.prechatSubmit);

    ui.composer = el("form", { class: "composer", novalidate: true });
    ui.textboxLabel = el("label", { for: "text", class: "visually-hidden" });
    ui.textbox = el("textarea", { id: "text", name: "text", rows: "2", "aria-describedby": "text-error" });
    ui.sendButton = el("button", { type: "submit", class: "send" });
    ui.composerError = el("p", { id: "text-error", class: "error", "aria-live": "assertive" });
    ui.composer.append(ui.textboxLabel, ui.textbox, ui.sendButton, ui.composerError);

    ui.panel.append(header, ui.menu, ui.confirm, ui.notice, ui.log, ui.typing, ui.prechat, ui.composer);
    wrapper.append(ui.launcher, ui.panel);
    root.append(wrapper);

    ui.launcher.addEventListener("click", () => (ui.panel.hidden ? openPanel() : closePanel()));
    ui.closeButton.addEventListener("click", closePanel);
    ui.panel.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      if (!ui.menu.hidden) {
        closeMenu();
        ui.menuButton.focus();
      } else {
        closePanel();
      }
    });
    ui.menuButton.addEventListener("click", () => {
      const opening = ui.menu.hidden;
      ui.menu.hidden = !opening;
      ui.menuButton.setAttribute("aria-expanded", String(opening));
      if (opening) ui.transcriptButton.focus();
    });
    ui.transcriptButton.addEventListener("click", () => {
      closeMenu();
      if (!send({ type: "transcript" })) notice("reconnecting");
      ui.menuButton.focus();
    });
    ui.deleteButton.addEventListener("click", () => {
      closeMenu();
      ui.confirm.hidden = false;
      ui.confirmNo.focus();
    });
    ui.confirmNo.addEventListener("click", () => {
      ui.confirm.hidden = true;
      ui.menuButton.focus();
    });
    ui.confirmYes.addEventListener("click", () => {
      ui.confirm.hidden = true;
      if (!send({ type: "delete" })) notice("reconnecting");
      ui.textbox.focus();
    });
    ui.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      sendText();
    });
    ui.textbox.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendText();
      }
    });
    ui.textbox.addEventListener("input", () => {
      if (ui.composerError.textContent) composerError("");
    });
    ui.prechat.addEventListener("submit", (event) => {
      event.preventDefault();
      submitPrechat();
    });

    document.body.append(host);
    label();
    showForm();
  };

  const start = async () => {
    try {
      const answer = await fetch(`${origin}/widget/config?site=${encodeURIComponent(site)}`, { credentials: "omit" });
      if (!answer.ok) return; // an unknown or disabled site shows no chat at all
      config = await answer.json();
    } catch {
      return;
    }
    if (!config || typeof config.socket !== "string" || !config.socket) return;
    build();
    if (session.get("open", false)) openPanel(false);
    else if (pending.length) ensureConnected();
  };

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
