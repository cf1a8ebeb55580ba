// /host: sign in, pick a quiz, set the game's options and run it: lobby with PIN and QR code,
// questions with a live answer count, the reveal with its chart, the podium and the results.
// The host token stays in sessionStorage, so a reload takes the host seat back.

import { ApiError, api, currentUser, filenameOf } from "./api.js";
import { $, clear, el, focusHeading, formatNumber, saveBlob } from "./dom.js";
import { closeMessage, errorMessage, plural, t } from "./i18n.js";
import { imagesOf, optionImage, preload, questionImage } from "./images.js";
import { GameSocket } from "./net.js";
import { scheduleCard, scheduledSessions } from "./schedule.js";
import {
  Countdown, bootPage, confirmDialog, distributionChart, icon, podium, scoreboard, shapeIcon, shapeName,
  signInPanel, signOutButton, solutionView, toast,
} from "./ui.js";

const STORE = "quizarena.host";
const app = $("#app");
const conn = $("#conn");

let socket = null;
let countdown = null;
let live = null;

function view(node, { focus = true } = {}) {
  if (countdown && !node.contains(countdown.node)) countdown.stop();
  clear(app).append(node);
  if (focus) focusHeading(app);
}

function banner(kind, text, autoHideMs = 0) {
  conn.className = `conn ${kind}`;
  conn.textContent = text;
  conn.hidden = !text;
  if (autoHideMs) setTimeout(() => { if (conn.textContent === text) conn.hidden = true; }, autoHideMs);
}

function stored() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

function setLive(on) {
  document.body.classList.toggle("stage", on);
  const header = document.querySelector(".site-header");
  if (header) header.hidden = on;
  $("#live-bar").hidden = !on;
}

// --- setup: sign in, pick a quiz, options ----------------------------------------------------

async function setup(message = "") {
  setLive(false);
  let user = null;
  try {
    user = await currentUser();
  } catch (error) {
    view(el("p", { class: "notice error", role: "alert" }, errorMessage(error)));
    return;
  }
  if (!user) {
    view(signInPanel({ intro: t("host.signin_intro"), onDone: () => setup(message) }), { focus: false });
    return;
  }
  const scheduled = Number(new URLSearchParams(location.search).get("scheduled"));
  if (scheduled) {
    try {
      const session = await api(`/games/scheduled/${scheduled}`, { auth: true });
      history.replaceState(null, "", "/host");
      if (session.state === "open") {
        hostScheduled(session);
        return;
      }
      message = t("schedule.not_open");
    } catch (error) {
      message = errorMessage(error);
    }
  }
  const wanted = Number(new URLSearchParams(location.search).get("quiz"));
  if (wanted) {
    try {
      const quiz = await api(`/quizzes/${wanted}`, { auth: true });
      history.replaceState(null, "", "/host");
      optionsView(quiz);
      return;
    } catch (error) {
      message = errorMessage(error);
    }
  }
  pickView(user, message);
}

function pickView(user, message) {
  let mine = true;
  const list = el("ul", { class: "list", "aria-live": "polite", id: "quiz-list" });
  const search = el("input", { type: "search", id: "quiz-search", placeholder: t("host.search_placeholder"), "aria-label": t("host.search") });
  const tabs = el("div", { class: "segmented", role: "group", "aria-label": t("host.which_quizzes") });
  const mineBtn = el("button", { type: "button", "aria-pressed": "true" }, t("host.mine"));
  const pubBtn = el("button", { type: "button", "aria-pressed": "false" }, t("host.published"));
  tabs.append(mineBtn, pubBtn);
  const load = async () => {
    const query = new URLSearchParams({ limit: "50" });
    if (mine) query.set("mine", "true");
    if (search.value.trim()) query.set("q", search.value.trim());
    list.replaceChildren(el("li", { class: "muted" }, t("common.loading")));
    try {
      const page = await api(`/quizzes?${query}`, { auth: true });
      list.replaceChildren();
      if (!page.items.length) {
        list.append(el("li", { class: "muted" }, mine ? t("host.no_own_quizzes") : t("host.no_quizzes")));
        if (mine) list.append(el("li", {}, el("a", { class: "btn secondary", href: "/author" }, t("host.write_one"))));
      }
      for (const quiz of page.items) {
        list.append(el(
          "li",
          { class: "list-item" },
          el("div", {},
            el("div", { class: "title clamp", title: quiz.title }, quiz.title),
            el("div", { class: "small muted" }, plural("common.questions", quiz.question_count), " · ", t("host.by", { name: quiz.owner.username }), quiz.published ? "" : ` · ${t("author.draft")}`)),
          el("button", { class: "btn", type: "button", "aria-label": t("host.choose_aria", { title: quiz.title }), onclick: () => optionsView(quiz) }, t("host.choose")),
        ));
      }
    } catch (error) {
      list.replaceChildren(el("li", { class: "notice error" }, errorMessage(error)));
    }
  };
  const pick = (value) => {
    mine = value;
    mineBtn.setAttribute("aria-pressed", String(mine));
    pubBtn.setAttribute("aria-pressed", String(!mine));
    load();
  };
  mineBtn.addEventListener("click", () => pick(true));
  pubBtn.addEventListener("click", () => pick(false));
  let debounce = null;
  search.addEventListener("input", () => { clearTimeout(debounce); debounce = setTimeout(load, 250); });
  view(el(
    "section",
    { class: "stack", "aria-labelledby": "pick-title" },
    el("div", { class: "spread" }, el("h1", { id: "pick-title" }, t("host.pick_title")), signOutButton(() => setup())),
    message ? el("p", { class: "notice warn", role: "alert" }, message) : null,
    el("div", { class: "spread" }, tabs, el("div", { style: { flex: "1 1 220px", maxWidth: "360px" } }, search)),
    list,
    scheduledSessions({ onHost: hostScheduled }),
  ));
  load();
}

function optionsView(quiz) {
  const check = (id, labelKey, checked, hintKey) => el("div", { class: "field" },
    el("label", { class: "check" }, el("input", { type: "checkbox", id, checked }), t(labelKey)),
    hintKey ? el("p", { class: "hint" }, t(hintKey)) : null);
  const scoring = el("select", { id: "opt-scoring" }, el("option", { value: "speed" }, t("host.opt.speed")), el("option", { value: "accuracy" }, t("host.opt.accuracy")));
  const readTime = el("input", { type: "number", id: "opt-read", min: 0, max: 30, step: 1, value: "0" });
  const topN = el("input", { type: "number", id: "opt-top", min: 1, max: 100, value: "10" });
  const maxPlayers = el("input", { type: "number", id: "opt-max", min: 1, max: 20000, value: "5000" });
  const formError = el("div", { class: "form-error", role: "alert", hidden: true });
  const create = el("button", { type: "submit", class: "btn big accent", id: "create-game" }, t("host.create"));
  const form = el(
    "form",
    { class: "card stack", novalidate: true, "aria-labelledby": "opts-title" },
    el("h1", { id: "opts-title" }, t("host.options_title")),
    el("p", { class: "muted" }, quiz.title, " · ", plural("common.questions", quiz.question_count ?? (quiz.questions || []).length)),
    el("div", { class: "grid-2" },
      el("div", {},
        el("div", { class: "field", dataset: { path: "settings.scoring" } }, el("label", { for: "opt-scoring" }, t("host.opt.scoring")), scoring, el("p", { class: "hint" }, t("host.opt.scoring_hint"))),
        el("div", { class: "field", dataset: { path: "settings.read_time_ms" } }, el("label", { for: "opt-read" }, t("host.opt.read_time")), readTime, el("p", { class: "hint" }, t("host.opt.read_time_hint"))),
        el("div", { class: "field", dataset: { path: "settings.top_n" } }, el("label", { for: "opt-top" }, t("host.opt.top_n")), topN),
        el("div", { class: "field", dataset: { path: "settings.max_players" } }, el("label", { for: "opt-max" }, t("host.opt.max_players")), maxPlayers)),
      el("div", {},
        check("opt-streak", "host.opt.streak", true, "host.opt.streak_hint"),
        check("opt-shuffle", "host.opt.shuffle", false, "host.opt.shuffle_hint"),
        check("opt-devices", "host.opt.devices", true, "host.opt.devices_hint"),
        check("opt-late", "host.opt.late_join", true, "host.opt.late_join_hint"),
        check("opt-auto", "host.opt.auto_advance", false, "host.opt.auto_advance_hint"))),
    formError,
    el("div", { class: "row end" }, el("button", { type: "button", class: "btn secondary", onclick: () => setup() }, t("common.back")), create),
  );
  const settingsOf = () => ({
    scoring: scoring.value,
    streak: $("#opt-streak").checked,
    read_time_ms: Math.round(Number(readTime.value || 0) * 1000),
    auto_advance: $("#opt-auto").checked,
    shuffle: $("#opt-shuffle").checked,
    question_on_devices: $("#opt-devices").checked,
    late_join: $("#opt-late").checked,
    top_n: Number(topN.value),
    max_players: Number(maxPlayers.value),
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formError.hidden = true;
    form.querySelectorAll(".field-error").forEach((n) => n.remove());
    create.disabled = true;
    const settings = settingsOf();
    try {
      const created = await api("/games", { method: "POST", json: { quiz_id: quiz.id, settings }, auth: true });
      const session = { pin: created.pin, token: created.host_token, gameId: created.id, joinUrl: created.join_url, title: quiz.title, quizId: quiz.id };
      sessionStorage.setItem(STORE, JSON.stringify(session));
      connect(session);
    } catch (error) {
      let placedAll = error instanceof ApiError && error.fields && error.fields.length > 0;
      for (const field of (error && error.fields) || []) {
        const box = form.querySelector(`[data-path="${field.path}"]`);
        if (box) box.append(el("p", { class: "field-error" }, field.message));
        else placedAll = false;
      }
      if (!placedAll) {
        formError.textContent = errorMessage(error);
        formError.hidden = false;
      }
    } finally {
      create.disabled = false;
    }
  });
  view(el("div", { class: "stack" }, form, scheduleCard(quiz, settingsOf, () => setup())));
}

/** Takes the host seat of a scheduled session that opened by itself. */
function hostScheduled(scheduled) {
  const session = {
    pin: scheduled.pin, token: scheduled.host_token, gameId: scheduled.game_id, joinUrl: scheduled.join_url,
    title: scheduled.title, quizId: scheduled.quiz_id,
  };
  sessionStorage.setItem(STORE, JSON.stringify(session));
  connect(session);
}

// --- the live game ---------------------------------------------------------------------------

function connect(session) {
  live = {
    ...session, phase: null, total: 0, index: -1, roster: new Map(), count: 0, locked: false, settings: {},
    questions: new Map(), reveals: new Map(), answers: null, scoreboard: null, podium: null, welcomed: false,
  };
  setLive(true);
  $("#live-title").textContent = session.title || "";
  view(el("section", { class: "hero" }, el("h1", {}, t("host.connecting"))));
  if (socket) socket.stop();
  socket = new GameSocket({ first: () => ({ type: "host", pin: live.pin, token: live.token }), onFrame, onStatus, keepAliveMs: 4000 });
  socket.connect();
}

function onStatus(status, detail) {
  switch (status) {
    case "open":
      if (live && live.welcomed) banner("ok", t("host.reconnected"), 3000);
      break;
    case "lost":
    case "reconnecting":
      if (live && live.welcomed) banner("warn", t("conn.reconnecting"));
      break;
    case "offline":
      banner("warn", t("conn.offline"));
      break;
    case "ended":
      ended(detail.code);
      break;
    case "gave_up":
      banner("error", t("conn.gave_up"));
      break;
    default:
      break;
  }
}

function ended(code) {
  if (code === 4002) {
    banner("warn", t("host.superseded"));
    view(el("section", { class: "card narrow stack" }, el("h1", {}, t("host.superseded_title")), el("p", {}, t("host.superseded")),
      el("button", { class: "btn big", type: "button", onclick: () => connect(stored()) }, t("host.run_here"))));
    return;
  }
  if (code === 4004 && live && live.phase === "finished") {
    banner("info", closeMessage(code), 6000);
    return;
  }
  sessionStorage.removeItem(STORE);
  banner("warn", closeMessage(code), 8000);
  setup(closeMessage(code));
}

function onFrame(frame) {
  switch (frame.type) {
    case "welcome": return welcome(frame);
    case "lobby": return lobby(frame);
    case "question": return question(frame);
    case "answers": return answers(frame);
    case "reveal": return reveal(frame);
    case "scoreboard": return board(frame);
    case "finished": return finished(frame);
    case "error": return error(frame);
    default: return undefined;
  }
}

function welcome(frame) {
  const state = frame.state || {};
  $("#live-end").hidden = false;
  live.welcomed = true;
  live.gameId = frame.game_id ?? live.gameId;
  live.title = state.title || live.title;
  live.total = state.total;
  live.index = state.question_index;
  live.phase = state.phase;
  live.locked = state.locked;
  live.count = state.players ?? 0;
  live.settings = state.settings || {};
  live.roster = new Map((state.roster || []).map((p) => [p.id, p]));
  if (state.standings) live.scoreboard = { top: state.standings, players: state.players };
  if (state.question) live.questions.set(state.question.question, state.question);
  // During a reveal the snapshot holds that question and its reveal: a reloaded screen shows the
  // same question, answer and chart it showed before.
  if (state.revealed_question) live.questions.set(state.revealed_question.question, state.revealed_question);
  if (state.reveal) live.reveals.set(state.reveal.question, state.reveal);
  sessionStorage.setItem(STORE, JSON.stringify({ pin: live.pin, token: live.token, gameId: live.gameId, joinUrl: live.joinUrl, title: live.title, quizId: live.quizId }));
  $("#live-title").textContent = live.title;
  preloadQuiz();
  conn.hidden = true;
  render();
}

/** In the lobby, the big screen fetches every picture of the quiz, so none waits at its question. */
async function preloadQuiz() {
  if (live.preloaded || !live.quizId || live.phase === "finished") return;
  live.preloaded = true;
  try {
    const quiz = await api(`/quizzes/${live.quizId}`, { auth: true });
    preload((quiz.questions || []).flatMap(imagesOf));
  } catch {
    /* the pictures then load when their question opens */
  }
}

function render() {
  switch (live.phase) {
    case "lobby": return lobbyView();
    case "question": return questionView();
    case "reveal": return revealView();
    case "finished": return finalView();
    default: return lobbyView();
  }
}

function error(frame) {
  if (!socket.welcomed && frame.code === "unavailable") {
    socket.retryLater(); // the room is moving to another server: the seat is still ours
    return;
  }
  if (!live.welcomed) {
    socket.stop();
    sessionStorage.removeItem(STORE);
    setup(errorMessage(frame.code, "host"));
    return;
  }
  toast(errorMessage(frame.code, "host"), "error");
}

// lobby

function lobby(frame) {
  for (const p of frame.joined || []) live.roster.set(p.id, p);
  for (const id of frame.left || []) live.roster.delete(id);
  live.count = frame.count;
  live.locked = frame.locked;
  if (live.phase === "lobby") paintLobby();
}

function joinUrl() {
  return live.joinUrl || `${location.origin}/play?pin=${live.pin}`;
}

// A join link on loopback opens only on this computer: the server listens on 127.0.0.1, or the
// host reached it by that name while nobody told it the LAN address. Phones need another address.
function onlyThisComputer(url) {
  let host = "";
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\./.test(host);
}

function lobbyView() {
  const url = joinUrl();
  const shown = url.replace(/^https?:\/\//, "");
  const localOnly = onlyThisComputer(url);
  const node = el(
    "section",
    { class: "stack", "aria-labelledby": "lobby-title" },
    el("h1", { id: "lobby-title", class: "visually-hidden" }, t("host.lobby_title")),
    el("div", { class: "lobby-grid" },
      el("div", { class: "pin-box" },
        el("p", { class: "join-line" }, t("host.join_at"), " ", el("span", { class: "join-url" }, shown.replace(/\?pin=\d+$/, ""))),
        el("p", { class: "pin-label" }, t("host.game_pin")),
        el("div", { class: "pin", id: "pin", "aria-label": t("host.pin_aria", { pin: live.pin.split("").join(" ") }) }, live.pin)),
      el("figure", { class: "qr", style: { margin: 0 } },
        el("img", { src: `/qr.svg?pin=${encodeURIComponent(live.pin)}`, alt: t("host.qr_alt", { url: shown }), width: 260, height: 260 }),
        el("figcaption", { class: "small", style: { fontWeight: 700 } }, t("host.scan")))),
    el("div", { class: "spread" },
      el("p", { class: "count-big", id: "player-count", "aria-live": "polite", style: { margin: 0 } }),
      el("div", { class: "host-actions" },
        el("button", { type: "button", class: "btn secondary", id: "lock", onclick: () => command({ type: "lock", locked: !live.locked }) }),
        el("button", { type: "button", class: "btn big accent", id: "start", onclick: () => command({ type: "start" }) }, t("host.start")))),
    localOnly ? el("div", { class: "notice warn", id: "local-only", role: "note" },
      el("p", {}, t("host.local_only")),
      el("p", {}, t("host.local_only_fix"), " ", el("code", {}, "quizarena serve --host 0.0.0.0"))) : null,
    el("p", { class: "notice warn", id: "locked-note", hidden: true }, t("host.locked_note")),
    el("ul", { class: "players", id: "players", "aria-label": t("host.players") }),
  );
  view(node);
  paintLobby();
}

function paintLobby() {
  const list = $("#players");
  if (!list) return;
  $("#player-count").textContent = plural("host.player_count", live.count);
  const lock = $("#lock");
  lock.replaceChildren(icon(live.locked ? "unlock" : "lock"), t(live.locked ? "host.unlock" : "host.lock"));
  lock.setAttribute("aria-pressed", String(live.locked));
  $("#locked-note").hidden = !live.locked;
  $("#start").disabled = live.count === 0;
  const want = [...live.roster.values()];
  const have = new Map([...list.children].map((li) => [li.dataset.id, li]));
  for (const [id, li] of have) if (!live.roster.has(id)) li.remove();
  for (const p of want) {
    if (have.has(p.id)) continue;
    list.append(el(
      "li",
      { dataset: { id: p.id } },
      el("span", {}, p.nickname),
      el("button", { type: "button", class: "btn icon", "aria-label": t("host.kick_aria", { name: p.nickname }), onclick: () => kick(p) }, icon("cross")),
    ));
  }
  if (!want.length && !list.children.length) list.append(el("li", { class: "muted", style: { background: "transparent", color: "#fff" }, dataset: { id: "" } }, t("host.waiting_players")));
  else [...list.children].filter((li) => li.dataset.id === "").forEach((li) => li.remove());
}

async function kick(player) {
  if (await confirmDialog(t("host.kick_confirm", { name: player.nickname }), { confirm: t("host.kick"), danger: true })) {
    command({ type: "kick", player: player.id });
  }
}

function command(frame) {
  if (!socket || !socket.send(frame)) toast(t("host.not_connected"), "error");
}

// questions

function question(frame) {
  preload(imagesOf(frame));
  live.questions.set(frame.question, frame);
  live.index = frame.question;
  live.total = frame.total;
  live.phase = "question";
  live.answers = null;
  questionView();
}

function questionHeader(q) {
  return el("div", { class: "spread" },
    el("div", { class: "qmeta" },
      el("span", { class: "pill" }, t("play.question_of", { n: q.question + 1, total: q.total })),
      el("span", { class: "pill" }, t(`kind.${q.kind}`)),
      q.points === 2000 ? el("span", { class: "pill" }, t("play.double_points")) : null));
}

function optionTiles(q) {
  if (q.kind === "true_false") {
    return el("div", { class: "answers tf" },
      el("div", { class: "answer a1" }, icon("check", "shape"), el("span", {}, t("answer.true"))),
      el("div", { class: "answer a0" }, icon("cross", "shape"), el("span", {}, t("answer.false"))));
  }
  if (q.kind === "type") return el("p", { class: "center", style: { fontWeight: 700, fontSize: "1.2rem" } }, t("host.players_type"));
  if (q.kind === "slider") return el("p", { class: "center", style: { fontWeight: 700, fontSize: "1.2rem" } }, t("host.players_slide", { min: formatNumber(q.min), max: formatNumber(q.max) }));
  if (q.kind === "ordering") {
    return el("ol", { class: "order-list" }, (q.options || []).map((o, i) => el("li", { class: "order-item" }, el("span", { class: "pos" }, String(i + 1)), optionImage(o), el("span", { class: "label" }, o.text || shapeName(i)))));
  }
  return el("div", { class: "answers" }, (q.options || []).map((o, i) => el("div", { class: `answer a${i % 6}` }, shapeIcon(i), optionImage(o), el("span", {}, o.text || shapeName(i)))));
}

function questionView() {
  const q = live.questions.get(live.index);
  if (!q) return revealView();
  countdown = new Countdown({ onExpire: () => { const note = $("#times-up"); if (note) note.hidden = false; } });
  const count = el("div", { class: "answer-count panel", "aria-live": "polite" }, el("span", { class: "n", id: "answer-n" }, live.answers ? String(live.answers.count) : "0"), el("span", { id: "answer-of" }));
  const node = el(
    "section",
    { class: "stack", "aria-labelledby": "q-title" },
    questionHeader(q),
    countdown.node,
    el("div", { class: "host-q" }, el("h1", { id: "q-title", class: "qtext" }, q.text), count),
    questionImage(q, "q-figure host-figure"),
    optionTiles(q),
    el("p", { class: "notice info", id: "times-up", hidden: true }, t("host.times_up")),
    el("div", { class: "host-actions" },
      el("button", { type: "button", class: "btn accent big", id: "close-question", onclick: () => command({ type: "close_question" }) }, t("host.close_question"))),
  );
  view(node);
  paintAnswers();
  const opensAt = q.server_time + (q.read_time_ms || 0);
  countdown.start({ opensAt, endsAt: opensAt + q.time_limit_ms, clock: socket.clock });
}

function answers(frame) {
  if (frame.question !== live.index) return;
  live.answers = frame;
  paintAnswers();
}

function paintAnswers() {
  const n = $("#answer-n");
  if (!n) return;
  n.textContent = live.answers ? String(live.answers.count) : "0";
  $("#answer-of").textContent = live.answers ? plural("host.answers_of", live.answers.of) : t("host.answers");
}

async function endGame() {
  if (await confirmDialog(t("host.end_confirm"), { confirm: t("host.end"), danger: true })) command({ type: "end" });
}

// reveal

function reveal(frame) {
  live.reveals.set(frame.question, frame);
  live.phase = "reveal";
  live.index = frame.question;
  revealView();
}

function board(frame) {
  live.scoreboard = frame;
  const slot = $("#board-slot");
  if (slot) slot.replaceChildren(scoreboard(frame.top, { total: frame.players }));
}

function revealView() {
  const q = live.questions.get(live.index);
  const rv = live.reveals.get(live.index);
  const last = live.index + 1 >= live.total;
  const parts = [];
  if (q) {
    parts.push(questionHeader(q), el("h1", { id: "reveal-title", class: "qtext", style: { fontSize: "clamp(1.1rem, 2.6vw, 1.6rem)" } }, q.text));
  } else {
    parts.push(el("h1", { id: "reveal-title" }, t("host.revealed", { n: live.index + 1 })));
  }
  const left = el("div", { class: "stack" });
  if (q && rv) {
    const solution = solutionView(q, rv);
    if (solution) left.append(el("div", { class: "panel" }, solution));
    left.append(distributionChart(q, rv, { onAccept: (text) => accept(q, rv, text) }));
  }
  const boardSlot = el("div", { id: "board-slot" }, live.scoreboard ? scoreboard(live.scoreboard.top, { total: live.scoreboard.players }) : null);
  parts.push(el("div", { class: "reveal-grid" }, left, boardSlot));
  const next = el("button", { type: "button", class: "btn big accent", id: "next", onclick: () => command({ type: "next" }) }, t(last ? "host.show_podium" : "host.next"));
  parts.push(el("div", { class: "host-actions" },
    rv && q && q.kind !== "poll" ? el("button", { type: "button", class: "btn secondary", onclick: () => voidQuestion(q) }, t("host.void")) : null,
    next));
  if (live.settings.auto_advance) parts.push(el("p", { class: "small center" }, t("host.auto_next")));
  view(el("section", { class: "stack", "aria-labelledby": "reveal-title" }, parts), { focus: false });
  next.focus();
}

function accept(q, rv, text) {
  if (!socket || !socket.send({ type: "accept", question: q.question, answer: text })) {
    toast(t("host.not_connected"), "error");
    return;
  }
  // The server rescores and sends new results and a scoreboard; the chart marks the answer now.
  rv.correct = [...(Array.isArray(rv.correct) ? rv.correct : []), text];
  revealView();
  toast(t("host.accepted", { text }), "ok");
}

async function voidQuestion(q) {
  if (await confirmDialog(t("host.void_confirm"), { confirm: t("host.void"), danger: true })) {
    command({ type: "void", question: q.question });
    toast(t("host.voided"), "ok");
  }
}

// the end

function finished(frame) {
  live.phase = "finished";
  live.podium = frame.podium;
  live.gameId = frame.game_id ?? live.gameId;
  // The last scoreboard came with the last reveal: a late joiner or an early end changed the
  // standings since. The final board comes from the final ranking (the game's stored results),
  // the same one the podium was drawn from; until it is there, the board shows the podium.
  live.scoreboard = { top: frame.podium || [], players: null };
  finalView();
  loadFinalStandings(live.gameId);
}

const FINAL_STANDINGS_TRIES = 8;

async function loadFinalStandings(gameId) {
  for (let attempt = 0; attempt < FINAL_STANDINGS_TRIES; attempt += 1) {
    if (!live || live.gameId !== gameId || live.phase !== "finished") return;
    try {
      const report = await api(`/games/${gameId}`, { auth: true });
      if (report.status !== "finished") throw new ApiError(200, "not_written_yet", "");
      const ranked = report.players.filter((p) => p.rank !== null).sort((a, b) => a.rank - b.rank || b.score - a.score);
      // Equal players share a rank; the podium's order among them (the room's tie-break on time)
      // leads, so the board never lists the same three in another order.
      const first = (live.podium || []).map((p) => p.id);
      const ordered = [...first.map((id) => ranked.find((p) => p.id === id)).filter(Boolean), ...ranked.filter((p) => !first.includes(p.id))];
      live.scoreboard = { top: ordered.slice(0, live.settings.top_n || 10), players: ranked.length };
      const slot = $("#board-slot");
      if (slot) slot.replaceChildren(scoreboard(live.scoreboard.top, { total: live.scoreboard.players }));
      return;
    } catch (error) {
      // The results are written a moment after the end; anything but "not there yet" is final
      // (the board then keeps the podium).
      if (!(error instanceof ApiError) || error.code !== "not_written_yet") return;
    }
    await new Promise((resolve) => { setTimeout(resolve, 250 * 2 ** Math.min(attempt, 3)); });
  }
}

function finalView() {
  $("#live-end").hidden = true;
  const top = live.podium || (live.scoreboard ? live.scoreboard.top.slice(0, 3) : []);
  const download = el("button", { type: "button", class: "btn big accent", id: "download" }, icon("download"), t("host.download"));
  const note = el("p", { class: "small", role: "status", id: "download-note" });
  download.addEventListener("click", async () => {
    note.textContent = "";
    download.disabled = true;
    try {
      const response = await api(`/games/${live.gameId}/export?format=csv`, { auth: true, raw: true });
      saveBlob(await response.blob(), filenameOf(response, `game-${live.gameId}-results.csv`));
      note.textContent = t("host.downloaded");
    } catch (error) {
      note.textContent = error.code === "not_found" ? t("host.export_unavailable") : error.code === "unauthorized" ? t("host.export_signin") : errorMessage(error);
    } finally {
      download.disabled = false;
    }
  });
  const again = el("button", { type: "button", class: "btn big secondary", onclick: () => { socket && socket.stop(); sessionStorage.removeItem(STORE); setup(); } }, t("host.again"));
  view(el(
    "section",
    { class: "stack", "aria-labelledby": "final-title" },
    el("h1", { id: "final-title", class: "center" }, t("host.final_title")),
    podium(top),
    el("div", { class: "row", style: { justifyContent: "center" } }, download, again),
    note,
    el("div", { id: "board-slot" }, live.scoreboard ? scoreboard(live.scoreboard.top, { total: live.scoreboard.players ?? null }) : null),
  ));
}

// --- start -----------------------------------------------------------------------------------

bootPage("host");
$("#live-end").addEventListener("click", () => { if (live && live.phase !== "finished") endGame(); });
const saved = stored();
if (saved && saved.pin && saved.token) connect(saved);
else setup();
