// Pieces every page shares: the site header, answer shapes, the countdown, scoreboard, podium,
// the answer distribution chart, toasts, a confirm dialog and the sign-in panel.

import { ApiError, currentUser, logIn, logOut, register, session } from "./api.js";
import { $, clear, el, formatNumber, svg } from "./dom.js";
import { apply, errorMessage, ordinal, plural, t } from "./i18n.js";
import { NotificationBell } from "./notifications.js";

// --- header ----------------------------------------------------------------------------------

const NAV = [
  ["play", "/play"],
  ["duel", "/duel"],
  ["host", "/host"],
  ["author", "/author"],
  ["leaderboard", "/leaderboard"],
  ["reports", "/reports"],
  ["assignments", "/assign"],
  ["me", "/me"],
];

const GAME_PAGES = new Set(["host", "duel", "play"]);

export function siteHeader(active) {
  const nav = el("nav", { class: "site-nav", id: "site-nav", "aria-label": t("nav.label") });
  for (const [key, href] of NAV) {
    nav.append(el("a", { href, "aria-current": key === active ? "page" : null }, t(`nav.${key}`)));
  }
  const who = el("span", { class: "who", "aria-live": "polite" });
  // The bell listens live on every page but those that hold a game's own socket.
  const bell = new NotificationBell({ live: !GAME_PAGES.has(active) });
  const paint = () => {
    const current = session();
    who.textContent = current && current.user ? t("nav.signed_in_as", { name: current.user.username }) : "";
  };
  paint();
  bell.start();
  window.addEventListener("quizarena:session", () => {
    paint();
    bell.start();
  });
  // On a phone the links fold behind a Menu button (CSS shows the button below 640 px), so the
  // header keeps to one line instead of taking a quarter of the screen.
  const menu = el("button", { type: "button", class: "menu-toggle", "aria-expanded": "false", "aria-controls": "site-nav" }, icon("menu"), t("nav.menu"));
  const header = el(
    "header",
    { class: "site-header" },
    el("a", { class: "brand", href: "/" }, el("img", { src: "/static/img/favicon.svg", alt: "" }), t("app.name")),
    menu,
    nav,
    bell.node,
    who,
  );
  const setOpen = (open) => {
    menu.setAttribute("aria-expanded", String(open));
    header.classList.toggle("nav-open", open);
  };
  menu.addEventListener("click", () => setOpen(menu.getAttribute("aria-expanded") !== "true"));
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      setOpen(false);
      menu.focus();
    }
  });
  return header;
}

/** Fills `[data-i18n]` texts of a static page and mounts the header. */
export function bootPage(active) {
  apply(document);
  const slot = $("#site-header");
  if (slot) slot.replaceWith(siteHeader(active));
}

// --- answer shapes ---------------------------------------------------------------------------

const SHAPES = [
  ["triangle", "M12 3 22 20H2z"],
  ["diamond", "M12 2 22 12 12 22 2 12z"],
  ["circle", null],
  ["square", "M4 4h16v16H4z"],
  ["star", "M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6L2.5 9.4l6.6-.8z"],
  ["hexagon", "M7 3h10l5 9-5 9H7l-5-9z"],
];

/** Which colour and shape an option wears: its `shape` when the server sends one (the position on
 * the host's screen, so shuffled devices still match it), else its position. */
export function shapeOf(option, position) {
  return option && Number.isInteger(option.shape) ? option.shape : position;
}

export function shapeName(index) {
  return t(`shape.${SHAPES[index % SHAPES.length][0]}`);
}

/** The shape that goes with answer colour `index` (colour is never the only cue). */
export function shapeIcon(index, extraClass = "shape") {
  const [, path] = SHAPES[index % SHAPES.length];
  const body = path
    ? svg("path", { d: path, fill: "currentColor" })
    : svg("circle", { cx: 12, cy: 12, r: 9.5, fill: "currentColor" });
  return svg("svg", { viewBox: "0 0 24 24", class: extraClass, "aria-hidden": "true", focusable: "false" }, body);
}

export function icon(name, extraClass = "") {
  const paths = {
    check: ["path", { d: "M5 12.5l4.5 4.5L19 7.5", fill: "none", stroke: "currentColor", "stroke-width": 3, "stroke-linecap": "round", "stroke-linejoin": "round" }],
    cross: ["path", { d: "M6 6l12 12M18 6L6 18", fill: "none", stroke: "currentColor", "stroke-width": 3, "stroke-linecap": "round" }],
    minus: ["path", { d: "M5 12h14", fill: "none", stroke: "currentColor", "stroke-width": 3, "stroke-linecap": "round" }],
    up: ["path", { d: "M6 15l6-6 6 6", fill: "none", stroke: "currentColor", "stroke-width": 2.5, "stroke-linecap": "round", "stroke-linejoin": "round" }],
    down: ["path", { d: "M6 9l6 6 6-6", fill: "none", stroke: "currentColor", "stroke-width": 2.5, "stroke-linecap": "round", "stroke-linejoin": "round" }],
    menu: ["path", { d: "M4 7h16M4 12h16M4 17h16", fill: "none", stroke: "currentColor", "stroke-width": 2.6, "stroke-linecap": "round" }],
    grip: ["path", { d: "M9 5h.01M15 5h.01M9 12h.01M15 12h.01M9 19h.01M15 19h.01", fill: "none", stroke: "currentColor", "stroke-width": 3.2, "stroke-linecap": "round" }],
    flame: ["path", { d: "M12 2c1 4 5 5.5 5 10.5A5 5 0 0 1 7 13c0-2 1-3.5 2-4.5.3 2 1.2 3 2.2 3.5C10.5 9 11 5 12 2z", fill: "currentColor" }],
    lock: ["path", { d: "M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z", fill: "none", stroke: "currentColor", "stroke-width": 2.2, "stroke-linejoin": "round" }],
    unlock: ["path", { d: "M7 11V8a5 5 0 0 1 9.6-2M5 11h14v10H5z", fill: "none", stroke: "currentColor", "stroke-width": 2.2, "stroke-linejoin": "round" }],
    download: ["path", { d: "M12 4v11m0 0l-4.5-4.5M12 15l4.5-4.5M5 20h14", fill: "none", stroke: "currentColor", "stroke-width": 2.4, "stroke-linecap": "round", "stroke-linejoin": "round" }],
    trash: ["path", { d: "M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13", fill: "none", stroke: "currentColor", "stroke-width": 2.2, "stroke-linejoin": "round" }],
    plus: ["path", { d: "M12 5v14M5 12h14", fill: "none", stroke: "currentColor", "stroke-width": 3, "stroke-linecap": "round" }],
    trophy: ["path", { d: "M8 4h8v5a4 4 0 0 1-8 0zM8 6H4.5a3.5 3.5 0 0 0 4 4M16 6h3.5a3.5 3.5 0 0 1-4 4M12 13v4m-4 3h8", fill: "none", stroke: "currentColor", "stroke-width": 2.2, "stroke-linecap": "round", "stroke-linejoin": "round" }],
    clock: ["path", { d: "M12 7v5l3 2M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", fill: "none", stroke: "currentColor", "stroke-width": 2.2, "stroke-linecap": "round" }],
  };
  const [tag, props] = paths[name];
  return svg("svg", { viewBox: "0 0 24 24", class: extraClass, "aria-hidden": "true", focusable: "false" }, svg(tag, props));
}

export function medal(rankNumber) {
  const colours = { 1: "#ffc83d", 2: "#cfd8dc", 3: "#e0a07e" };
  const fill = colours[rankNumber] || "#b9b2d6";
  return svg(
    "svg",
    { viewBox: "0 0 48 48", class: "medal", "aria-hidden": "true", focusable: "false" },
    svg("path", { d: "M16 2h6l4 12h-6zM32 2h-6l-4 12h6z", fill: "#4b1fa8" }),
    svg("circle", { cx: 24, cy: 30, r: 14, fill }),
    svg("circle", { cx: 24, cy: 30, r: 10, fill: "none", stroke: "#fff", "stroke-width": 2, opacity: 0.7 }),
  );
}

// --- countdown -------------------------------------------------------------------------------

/**
 * A countdown on the server's clock: `start({opensAt, endsAt, clock})` with server-time
 * milliseconds; it reads `clock.now()` (the ping/pong estimate), never the device clock alone.
 */
export class Countdown {
  constructor({ onExpire = () => {}, onOpen = () => {} } = {}) {
    this.onExpire = onExpire;
    this.onOpen = onOpen;
    this.secs = el("span", { class: "secs", role: "timer", "aria-live": "off" });
    this.label = el("span", { class: "label visually-hidden" });
    this.bar = el("div", { class: "bar" });
    this.node = el("div", { class: "countdown" }, this.secs, el("div", { class: "track", "aria-hidden": "true" }, this.bar), this.label);
    this.timer = null;
  }

  start({ opensAt, endsAt, clock }) {
    this.stop();
    this.opensAt = opensAt;
    this.endsAt = endsAt;
    this.clock = clock;
    this.total = Math.max(1, endsAt - opensAt);
    this.wasOpen = null;
    this.expired = false;
    this.tick();
    this.timer = setInterval(() => this.tick(), 100);
    return this;
  }

  get open() {
    const now = this.clock.now();
    return now >= this.opensAt && now < this.endsAt;
  }

  tick() {
    const now = this.clock.now();
    const reading = now < this.opensAt;
    if (reading) {
      this.secs.textContent = String(Math.ceil((this.opensAt - now) / 1000));
      this.label.textContent = t("countdown.get_ready");
      this.bar.style.transform = "scaleX(1)";
      this.node.classList.remove("low", "over");
      return;
    }
    if (this.wasOpen !== true) {
      this.wasOpen = true;
      this.onOpen();
    }
    const left = Math.max(0, this.endsAt - now);
    const secs = Math.ceil(left / 1000);
    if (this.secs.textContent !== String(secs)) {
      this.secs.textContent = String(secs);
      this.secs.setAttribute("aria-label", plural("countdown.seconds_left", secs));
    }
    this.bar.style.transform = `scaleX(${left / this.total})`;
    this.node.classList.toggle("low", left > 0 && left <= 5000);
    this.node.classList.toggle("over", left === 0);
    if (left === 0 && !this.expired) {
      this.expired = true;
      this.label.textContent = t("countdown.times_up");
      this.stop();
      this.onExpire();
    }
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

// --- scoreboard and podium -------------------------------------------------------------------

export function scoreboard(top, { me = null, total = null } = {}) {
  const list = el("ol", { class: "board", "aria-label": t("board.label") });
  for (const row of top || []) {
    list.append(
      el(
        "li",
        { class: row.id === me ? "me" : null },
        el("span", { class: "rank", "aria-label": t("board.rank_label", { rank: row.rank }) }, String(row.rank ?? "–")),
        el("span", { class: "name" }, row.nickname, row.id === me ? ` ${t("board.you")}` : ""),
        el("span", { class: "score" }, formatNumber(row.score)),
      ),
    );
  }
  const wrap = el("section", { class: "stack", "aria-labelledby": "board-title" }, el("h2", { id: "board-title" }, t("board.title")), list);
  if (total !== null) wrap.append(el("p", { class: "small" }, plural("board.players", total)));
  return wrap;
}

export function podium(rows, { me = null } = {}) {
  const byPlace = [rows[1], rows[0], rows[2]];
  const classes = ["p2", "p1", "p3"];
  const grid = el("div", { class: "podium", role: "list", "aria-label": t("podium.label") });
  byPlace.forEach((row, i) => {
    if (!row) {
      grid.append(el("div", { class: `place ${classes[i]}`, "aria-hidden": "true" }));
      return;
    }
    grid.append(
      el(
        "div",
        { class: `place ${classes[i]}${row.id === me ? " me" : ""}`, role: "listitem" },
        medal(row.rank),
        el("span", { class: "who", "data-you": t("board.you") }, row.nickname),
        el("span", { class: "pts" }, t("podium.points", { points: formatNumber(row.score) })),
        el("div", { class: "block", "aria-label": ordinal(row.rank) }, String(row.rank)),
      ),
    );
  });
  return grid;
}

// --- the answer distribution chart (host) ----------------------------------------------------

const SLIDER_BUCKETS = 10;

/** Lower case, trimmed, inner spaces collapsed, edge punctuation dropped: close to the server's. */
export function normaliseTyped(text) {
  return String(text).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim()
    .replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, "");
}

/** A user's text that wraps between words and ends in an ellipsis where its box ends (.clamp);
 * the whole text stays readable as the tooltip and to screen readers. */
export function clampedText(text, extraClass = "") {
  return el("span", { class: `clamp ${extraClass}`.trim(), title: text }, text);
}

function bars(columns, caption) {
  const max = Math.max(1, ...columns.map((c) => c.count));
  const compact = columns.length > 6; // e.g. a slider's ten buckets: the tick goes on the count
  const chart = el("div", { class: `chart${compact ? " compact" : ""}`, role: "img", "aria-label": caption });
  for (const column of columns) {
    const height = `${Math.round((column.count / max) * 100)}%`;
    const tick = column.good ? icon("check", "tick") : null;
    chart.append(
      el(
        "div",
        { class: `col${column.good === false ? " wrongish" : ""}` },
        el("div", { class: `bar ${column.colour}`, style: { height } }, el("span", { class: "n" }, String(column.count), compact ? tick : null)),
        el("div", { class: `lbl ${column.colour}` }, column.icon || null, compact ? el("span", {}, column.label) : clampedText(column.label), compact ? null : tick),
      ),
    );
  }
  return chart;
}

function hbars(rows, caption) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const list = el("ul", { class: "hbars", "aria-label": caption });
  for (const row of rows) {
    list.append(
      el(
        "li",
        { class: row.good ? "ok" : null },
        el("span", { class: "txt" }, row.good ? icon("check", "tick") : null, clampedText(row.label, "label"), row.extra || null),
        el("span", {}, el("span", { class: "fill", style: { display: "block", width: `${(row.count / max) * 100}%` } })),
        el("span", { class: "n" }, String(row.count)),
      ),
    );
  }
  return list;
}

/**
 * How the room answered `question` (a question frame) according to `reveal`; `onAccept(text)`
 * lets the host count a typed answer as correct.
 */
export function distributionChart(question, reveal, { onAccept = null } = {}) {
  const dist = reveal.distribution || {};
  const correct = reveal.correct;
  const caption = t("chart.caption");
  const summary = [];
  let chart;
  switch (question.kind) {
    case "single":
    case "multiple":
    case "poll": {
      const good = new Set(Array.isArray(correct) ? correct : []);
      const columns = (question.options || []).map((option, i) => {
        const count = dist[option.id] ?? 0;
        const label = option.text ?? shapeName(i);
        summary.push(`${label}: ${count}`);
        return { label, count, colour: `a${i % 6}`, icon: shapeIcon(i, ""), good: question.kind === "poll" ? null : good.has(option.id) };
      });
      chart = bars(columns, caption);
      break;
    }
    case "true_false": {
      const columns = [true, false].map((value) => ({
        label: t(value ? "answer.true" : "answer.false"),
        count: dist[String(value)] ?? 0,
        colour: value ? "a1" : "a0",
        icon: icon(value ? "check" : "cross"),
        good: correct === value,
      }));
      columns.forEach((c) => summary.push(`${c.label}: ${c.count}`));
      chart = bars(columns, caption);
      break;
    }
    case "ordering": {
      const columns = [
        { key: "correct", colour: "chart-ok", icon: icon("check") },
        { key: "partial", colour: "chart-mid", icon: icon("minus") },
        { key: "wrong", colour: "chart-bad", icon: icon("cross") },
      ].map((c) => ({ ...c, label: t(`chart.ordering.${c.key}`), count: dist[c.key] ?? 0, good: null }));
      columns.forEach((c) => summary.push(`${c.label}: ${c.count}`));
      chart = bars(columns, caption);
      break;
    }
    case "slider": {
      // The server counts answers in 10 equal buckets keyed by their lower bound; every bucket is
      // drawn (empty ones too) and a key is matched to its bucket by position, not by its spelling.
      const low = Number(question.min);
      const width = (Number(question.max) - low) / SLIDER_BUCKETS || 1;
      const counts = new Array(SLIDER_BUCKETS).fill(0);
      for (const [key, count] of Object.entries(dist)) {
        const index = Math.min(SLIDER_BUCKETS - 1, Math.max(0, Math.round((Number(key) - low) / width)));
        counts[index] += count;
      }
      const target = correct && typeof correct.value === "number" ? correct : null;
      const columns = counts.map((count, i) => {
        const from = low + i * width;
        const to = from + width;
        const good = target ? target.value + (target.tolerance || 0) >= from && target.value - (target.tolerance || 0) < to + (i === SLIDER_BUCKETS - 1 ? 1e-9 : 0) : null;
        return { label: `${formatNumber(from)}–${formatNumber(to)}`, count, colour: good ? "chart-ok" : "chart-neutral", good };
      });
      columns.forEach((c) => summary.push(`${c.label}: ${c.count}`));
      chart = bars(columns, caption);
      break;
    }
    case "type": {
      const accepted = new Set((Array.isArray(correct) ? correct : []).map(normaliseTyped));
      const rows = Object.entries(dist).map(([text, count]) => {
        const good = accepted.has(normaliseTyped(text));
        const extra = !good && onAccept
          ? el("button", { class: "btn small secondary", type: "button", onclick: () => onAccept(text), "aria-label": t("host.accept_aria", { text }) }, t("host.accept"))
          : null;
        summary.push(`${text}: ${count}`);
        return { label: text, count, good, extra };
      });
      chart = rows.length ? hbars(rows, caption) : el("p", { class: "muted" }, t("chart.no_answers"));
      break;
    }
    default:
      chart = el("p", { class: "muted" }, t("chart.no_answers"));
  }
  return el("figure", { class: "stack", style: { margin: 0 } }, chart, el("figcaption", { class: "visually-hidden" }, summary.join(", ")));
}

/** The correct answer of a revealed question, as chips (shape + text, never colour alone). */
export function solutionView(question, reveal) {
  const correct = reveal.correct;
  const box = el("div", { class: "solution" });
  const options = question.options || [];
  const optionChip = (id) => {
    const index = options.findIndex((o) => o.id === id);
    const option = options[index];
    const shape = shapeOf(option, index);
    return el("span", { class: "chip" }, index >= 0 ? shapeIcon(shape, "") : null, option && option.text ? option.text : index >= 0 ? shapeName(shape) : "?");
  };
  switch (question.kind) {
    case "single":
    case "multiple":
      for (const id of correct || []) box.append(optionChip(id));
      break;
    case "ordering":
      (correct || []).forEach((id, i) => {
        const option = options.find((o) => o.id === id);
        box.append(el("span", { class: "chip" }, `${i + 1}. `, option && option.text ? option.text : "?"));
      });
      break;
    case "true_false":
      box.append(el("span", { class: "chip" }, icon(correct ? "check" : "cross"), t(correct ? "answer.true" : "answer.false")));
      break;
    case "type":
      for (const text of correct || []) box.append(el("span", { class: "chip" }, text));
      break;
    case "slider":
      if (correct) {
        const text = correct.tolerance
          ? t("reveal.slider_tolerance", { value: formatNumber(correct.value), tolerance: formatNumber(correct.tolerance) })
          : formatNumber(correct.value);
        box.append(el("span", { class: "chip" }, text));
      }
      break;
    default:
      return null;
  }
  return el("div", { class: "stack" }, el("p", { class: "small", style: { fontWeight: 700, margin: 0 } }, t("reveal.correct_answer")), box);
}

// --- toasts and dialogs ----------------------------------------------------------------------

let toastBox = null;

export function toast(message, kind = "info", ms = 3000) {
  if (!toastBox) {
    toastBox = el("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(toastBox);
  }
  while (toastBox.children.length >= 2) toastBox.firstChild.remove();
  const item = el("div", { class: `toast ${kind}` }, message);
  toastBox.append(item);
  liftAboveActionBar();
  setTimeout(() => item.remove(), ms);
}

// A toast sits at the bottom of the screen, but never over a bar of buttons pinned there (the
// editor's Save bar): it rises above whichever such bar is on screen.
function liftAboveActionBar() {
  let bottom = 16;
  for (const bar of document.querySelectorAll(".sticky-actions")) {
    const box = bar.getBoundingClientRect();
    if (box.height && box.top < innerHeight && box.bottom > 0) bottom = Math.max(bottom, innerHeight - box.top + 12);
  }
  toastBox.style.bottom = `${Math.round(bottom)}px`;
}

/** A modal question with our own buttons; resolves true when confirmed. */
export function confirmDialog(message, { confirm = t("dialog.confirm"), danger = false } = {}) {
  return new Promise((resolve) => {
    const yes = el("button", { class: `btn ${danger ? "danger" : ""}`, value: "yes" }, confirm);
    const no = el("button", { class: "btn secondary", value: "no", autofocus: true }, t("dialog.cancel"));
    const form = el("form", { method: "dialog" }, el("p", { style: { fontWeight: 700, fontSize: "1.1rem" } }, message), el("div", { class: "row end" }, no, yes));
    const dialog = el("dialog", { "aria-label": message }, form);
    document.body.append(dialog);
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "yes");
      dialog.remove();
    });
    dialog.showModal();
  });
}

// --- sign in ---------------------------------------------------------------------------------

function fieldBlock(id, labelText, input, hint) {
  input.id = id;
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  input.setAttribute("aria-describedby", `${id}-error`);
  return { block: el("div", { class: "field" }, el("label", { for: id }, labelText), input, hint ? el("p", { class: "hint" }, hint) : null, error), error, input };
}

function showFieldError(field, message) {
  field.error.textContent = message;
  field.error.hidden = !message;
  field.input.setAttribute("aria-invalid", message ? "true" : "false");
}

/**
 * The signed-in user of a page that needs one, or null: a failed lookup shows its error in `root`,
 * and nobody signed in gets the sign-in panel there (`again` runs once they have signed in).
 */
export async function signedInUser(root, intro, again) {
  let user = null;
  try {
    user = await currentUser();
  } catch (error) {
    clear(root).append(el("p", { class: "notice error", role: "alert" }, errorMessage(error)));
    return null;
  }
  if (!user) clear(root).append(signInPanel({ intro, onDone: again }));
  return user;
}

/** Log in or create an account; `onDone(session)` once signed in. */
export function signInPanel({ onDone, intro = "", heading = "h1" }) {
  let mode = "login";
  const root = el("section", { class: "card narrow", "aria-labelledby": "signin-title" });
  const render = () => {
    clear(root);
    const title = el(heading, { id: "signin-title" }, t(mode === "login" ? "auth.login_title" : "auth.register_title"));
    const formError = el("p", { class: "form-error", role: "alert", hidden: true });
    const username = fieldBlock("auth-username", t("auth.username"), el("input", { type: "text", autocomplete: "username", required: true, autocapitalize: "off", spellcheck: "false" }),
      mode === "register" ? t("auth.username_hint") : null);
    const email = fieldBlock("auth-email", t("auth.email"), el("input", { type: "email", autocomplete: "email", required: true }));
    const password = fieldBlock("auth-password", t("auth.password"), el("input", { type: "password", autocomplete: mode === "login" ? "current-password" : "new-password", required: true }),
      mode === "register" ? t("auth.password_hint") : null);
    const submit = el("button", { class: "btn big", type: "submit" }, t(mode === "login" ? "auth.login" : "auth.register"));
    const fields = { username, email, password };
    const form = el("form", { novalidate: true }, username.block, mode === "register" ? email.block : null, password.block, formError, el("div", { class: "row" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      for (const f of Object.values(fields)) showFieldError(f, "");
      formError.hidden = true;
      submit.disabled = true;
      try {
        const result = mode === "login"
          ? await logIn(username.input.value.trim(), password.input.value)
          : await register(username.input.value.trim(), email.input.value.trim(), password.input.value);
        onDone(result);
      } catch (error) {
        const placed = placeFieldErrors(error, (path, message) => {
          const f = fields[path];
          if (!f) return false;
          showFieldError(f, message);
          return true;
        });
        if (!placed) {
          formError.textContent = error instanceof ApiError && error.code === "unauthorized" && mode === "login"
            ? t("auth.bad_login")
            : errorMessage(error);
          formError.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });
    const other = el("button", { class: "btn ghost", type: "button", onclick: () => { mode = mode === "login" ? "register" : "login"; render(); } },
      t(mode === "login" ? "auth.to_register" : "auth.to_login"));
    root.append(title, intro ? el("p", { class: "muted" }, intro) : null, form, el("div", { class: "row", style: { marginTop: "1rem" } }, el("span", { class: "muted" }, t(mode === "login" ? "auth.no_account" : "auth.have_account")), other));
    username.input.focus();
  };
  render();
  return root;
}

/** Puts each REST field error where `place(path, message)` says; true when all were placed. */
export function placeFieldErrors(error, place) {
  if (!(error instanceof ApiError) || !error.fields || !error.fields.length) return false;
  let all = true;
  for (const field of error.fields) {
    if (!place(field.path, field.message)) all = false;
  }
  return all;
}

export function signOutButton(after) {
  return el("button", { class: "btn ghost small", type: "button", onclick: async () => { await logOut(); after(); } }, t("auth.logout"));
}

/** A duel opponent's name as a page shows it: a bot is said to be one (once, whatever its name). */
export function opponentLabel(opponent) {
  if (!opponent) return "";
  const name = opponent.nickname || "";
  return opponent.bot && !/\bbot\b/i.test(name) ? t("duel.bot_name", { name }) : name;
}
