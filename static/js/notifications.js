// The notification bell in the site header: the unread count, a list that marks read, and a
// `subscribe` socket that brings new notifications as they are made (on whichever server).
// The list and the count always come from GET /notifications; the socket only says "there is
// more" (and carries the new one, shown at once).

import { api, currentUser, session } from "./api.js";
import { el, svg } from "./dom.js";
import { errorMessage, plural, t } from "./i18n.js";

const LIST_SIZE = 10;
const KEEP_ALIVE_MS = 60_000; // the server closes a socket silent for 300 s
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
const CLOSE_POLICY = 1008;

function bellIcon() {
  return svg("svg", { viewBox: "0 0 24 24", class: "bell-icon", "aria-hidden": "true", focusable: "false" },
    svg("path", { d: "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0", fill: "none", stroke: "currentColor", "stroke-width": 2.2, "stroke-linejoin": "round", "stroke-linecap": "round" }));
}

/** Where a notification leads, from what its `data` says. */
export function notificationLink(item) {
  const data = item.data || {};
  if (item.kind === "game_opening" && data.pin) {
    return data.role === "host" ? `/host?scheduled=${encodeURIComponent(data.scheduled_id)}` : `/play?pin=${encodeURIComponent(data.pin)}`;
  }
  if (item.kind === "badge" || item.kind === "level_up") return "/me";
  if (item.kind === "assignment_due" && data.code) return `/play?assignment=${encodeURIComponent(data.code)}`;
  return null;
}

function when(iso) {
  const date = new Date(iso);
  return date.toLocaleString(document.documentElement.lang || "en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** The bell: a button with the unread count and the panel it opens. Live over a socket when `live`. */
export class NotificationBell {
  constructor({ live = true } = {}) {
    this.live = live;
    this.items = [];
    this.unread = 0;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.keepAlive = null;
    this.stopped = true;
    this.who = null;
    this.count = el("span", { class: "bell-count", "aria-hidden": "true", hidden: true });
    this.button = el("button", { type: "button", class: "bell", id: "bell", "aria-expanded": "false", "aria-controls": "bell-panel" }, bellIcon(), this.count);
    this.list = el("ul", { class: "bell-list", "aria-labelledby": "bell-title" });
    this.readAll = el("button", { type: "button", class: "btn small secondary", id: "bell-read-all" }, t("notify.read_all"));
    this.status = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    this.panel = el("section", { class: "bell-panel", id: "bell-panel", hidden: true, "aria-labelledby": "bell-title" },
      el("div", { class: "spread" }, el("h2", { id: "bell-title" }, t("notify.title")), this.readAll),
      this.list);
    this.node = el("div", { class: "bell-box", hidden: true }, this.button, this.panel, this.status);
    this.button.addEventListener("click", () => this.toggle());
    this.readAll.addEventListener("click", () => this.markRead({ all: true }));
    this.node.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden) {
        this.toggle(false);
        this.button.focus();
      }
    });
    this.paintCount();
  }

  /** Shows the bell for the signed-in user (and hides it for nobody); called on every session change. */
  async start() {
    const current = session();
    this.node.hidden = !current;
    const who = current && current.user ? current.user.id : null;
    if (!current || who !== this.who) this.stop(); // signed out, or someone else signed in
    this.who = who;
    if (!current) return;
    await this.refresh();
    if (this.live && this.stopped) {
      this.stopped = false;
      this.connect();
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.keepAlive);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
  }

  async refresh() {
    try {
      const page = await api(`/notifications?limit=${LIST_SIZE}`, { auth: true });
      this.items = page.items;
      this.unread = page.unread;
      this.paint();
    } catch (error) {
      if (error.code === "unauthorized") this.node.hidden = true;
    }
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
    if (open) this.refresh();
  }

  async markRead(body) {
    try {
      const left = await api("/notifications/read", { method: "POST", json: body, auth: true });
      this.unread = left.unread;
      const now = new Date().toISOString();
      for (const item of this.items) if (body.all || body.ids.includes(item.id)) item.read_at = item.read_at || now;
      this.paint();
    } catch (error) {
      this.status.textContent = errorMessage(error);
    }
  }

  paintCount() {
    this.count.textContent = this.unread > 99 ? "99+" : String(this.unread);
    this.count.hidden = this.unread === 0;
    this.button.setAttribute("aria-label", this.unread ? plural("notify.bell_unread", this.unread) : t("notify.bell"));
    this.readAll.disabled = this.unread === 0;
  }

  paint() {
    this.paintCount();
    this.list.replaceChildren();
    if (!this.items.length) this.list.append(el("li", { class: "muted" }, t("notify.none")));
    for (const item of this.items) {
      const unread = !item.read_at;
      const link = notificationLink(item);
      const text = el("span", { class: "bell-text" }, item.text);
      const markThis = () => this.markRead({ ids: [item.id] });
      // Read first, then follow: leaving the page at once would cut the request short.
      const follow = async (event) => {
        if (!unread) return;
        event.preventDefault();
        await markThis();
        location.assign(link);
      };
      const body = link ? el("a", { href: link, onclick: follow }, text) : text;
      this.list.append(el("li", { class: unread ? "unread" : "" },
        unread ? el("span", { class: "bell-new" }, t("notify.new")) : null,
        body,
        el("span", { class: "small muted" }, when(item.created_at)),
        unread && !link ? el("button", { type: "button", class: "btn small ghost", onclick: markThis, "aria-label": t("notify.mark_one", { text: item.text }) }, t("notify.mark_read")) : null));
    }
  }

  // --- the socket -----------------------------------------------------------------------------

  async connect() {
    if (this.stopped) return;
    try {
      await currentUser(); // an expired access token is swapped for a fresh one first
    } catch {
      /* offline: the socket fails too and comes back later */
    }
    const current = session();
    if (!current || !current.access_token || this.stopped) return;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "subscribe", token: current.access_token })));
    ws.addEventListener("message", (event) => this.receive(ws, event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event.code));
  }

  receive(ws, data) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === "subscribed") {
      this.attempt = 0;
      clearInterval(this.keepAlive);
      this.keepAlive = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: "ping", t: Date.now() })), KEEP_ALIVE_MS);
      this.refresh(); // what came while the socket was away
    } else if (frame.type === "notification") {
      const item = { ...frame, created_at: new Date(frame.created_at).toISOString(), read_at: null };
      this.items = [item, ...this.items.filter((other) => other.id !== item.id)].slice(0, LIST_SIZE);
      this.unread += 1;
      this.paint();
      this.status.textContent = t("notify.arrived", { text: item.text });
    } else if (frame.type === "error" && frame.code === "unauthorized") {
      ws.close(1000); // the token lapsed between the check and the frame: try again with a new one
    }
  }

  closed(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.keepAlive);
    if (this.stopped) return;
    // A policy close (silent too long, e.g. a tab asleep) comes back too, but only after the longest wait.
    const step = code === CLOSE_POLICY ? BACKOFF_MS.length - 1 : Math.min(this.attempt, BACKOFF_MS.length - 1);
    const delay = BACKOFF_MS[step];
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
