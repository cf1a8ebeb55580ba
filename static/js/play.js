// /play: join with a PIN and a nickname, then play a live game on the server's clock. Survives
// dropped connections (resume token + last seq, kept in sessionStorage so a reload resumes too).

import { api, session } from "./api.js";
import { $, clear, el, focusHeading, formatNumber } from "./dom.js";
import { apply, closeMessage, errorMessage, ordinal, plural, t } from "./i18n.js";
import { imagesOf, preload, questionImage } from "./images.js";
import { Answering, liveRegion } from "./answering.js";
import { answerInput, numberKeys } from "./inputs.js";
import { assignmentGate } from "./assignment_play.js";
import { GameSocket, questionDeadline, resumedDeadline } from "./net.js";
import { Countdown, icon, podium, scoreboard, solutionView, toast } from "./ui.js";
import { receiptView, verdictPanel, verdictText } from "./verdicts.js";

const STORE = "quizarena.player";
const app = $("#app");
const conn = $("#conn");
const meBox = $("#me");
const announce = liveRegion($("#announce"));

let game = freshGame();
let socket = null;
let countdown = null;
let input = null;
const answering = new Answering({
  seat: () => game, socket: () => socket, input: () => input, countdown: () => countdown, announce, lockedIn: "play.locked_in",
});
let connBannerTimer = null;
// Set on /play?assignment=CODE: the game is the player's own attempt at that assignment.
const assignmentCode = new URLSearchParams(location.search).get("assignment") || "";

function freshGame() {
  return {
    pin: "", nickname: "", playerId: null, token: null, lastSeq: 0,
    score: 0, streak: 0, rank: null, players: 0, total: null, phase: null, settings: {},
    questions: new Map(), deadlines: new Map(), answered: new Set(), results: new Map(), reveals: new Map(),
    current: null, pending: null, scoreboard: null, podium: null, finalResult: null,
    dropped: null, // {question, answered} when the connection went
  };
}


// --- storage ---------------------------------------------------------------------------------

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

function save() {
  if (!game.token) return;
  sessionStorage.setItem(STORE, JSON.stringify({
    pin: game.pin, nickname: game.nickname, playerId: game.playerId, token: game.token, lastSeq: socket ? socket.lastSeq : game.lastSeq,
  }));
}

function forget() {
  sessionStorage.removeItem(STORE);
}

// --- chrome ----------------------------------------------------------------------------------

function paintMe() {
  clear(meBox);
  if (!game.playerId) return;
  meBox.append(el("span", { class: "pill" }, game.nickname), el("span", { class: "pill score", "aria-label": t("play.score_aria", { score: formatNumber(game.score) }) }, formatNumber(game.score)));
}

function banner(kind, text, autoHideMs = 0) {
  clearTimeout(connBannerTimer);
  conn.className = `conn ${kind}`;
  conn.textContent = text;
  conn.hidden = !text;
  if (autoHideMs) connBannerTimer = setTimeout(() => { conn.hidden = true; }, autoHideMs);
}

function view(node, { focus = true } = {}) {
  if (countdown && !node.contains(countdown.node)) countdown.stop();
  clear(app).append(node);
  if (focus) focusHeading(app);
}

// --- join ------------------------------------------------------------------------------------

function joinView({ pin = "", nickname = "", message = "", pinError = "", nickError = "" } = {}) {
  game = freshGame();
  paintMe();
  const current = session();
  const pinInput = el("input", { type: "text", id: "pin", inputmode: "numeric", autocomplete: "off", maxlength: 6, pattern: "[0-9]{6}", value: pin, "aria-describedby": "pin-error", required: true, class: "pin-input" });
  const nickInput = el("input", { type: "text", id: "nickname", maxlength: 24, autocomplete: "nickname", value: nickname, "aria-describedby": "nick-error", required: true, enterkeyhint: "go" });
  const pinErr = el("p", { class: "field-error", id: "pin-error", hidden: !pinError }, pinError);
  const nickErr = el("p", { class: "field-error", id: "nick-error", hidden: !nickError }, nickError);
  const asAccount = current && current.user
    ? el("label", { class: "check" }, el("input", { type: "checkbox", id: "as-account", checked: true }), t("play.credit_xp", { name: current.user.username }))
    : null;
  const submit = el("button", { type: "submit", class: "btn big accent", id: "join" }, t("play.join"));
  const form = el(
    "form",
    { class: "card narrow", novalidate: true, "aria-labelledby": "join-title" },
    el("h1", { id: "join-title" }, t("play.join_title")),
    message ? el("p", { class: "notice info", role: "alert" }, message) : null,
    el("div", { class: "field" }, el("label", { for: "pin" }, t("play.pin")), pinInput, pinErr),
    el("div", { class: "field" }, el("label", { for: "nickname" }, t("play.nickname")), nickInput, el("p", { class: "hint" }, t("play.nickname_hint")), nickErr),
    asAccount,
    el("div", { class: "row" }, submit),
  );
  pinInput.setAttribute("aria-invalid", pinError ? "true" : "false");
  nickInput.setAttribute("aria-invalid", nickError ? "true" : "false");
  pinInput.addEventListener("input", () => { pinInput.value = pinInput.value.replace(/\D/g, "").slice(0, 6); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pinValue = pinInput.value.trim();
    const nickValue = nickInput.value.trim();
    let bad = false;
    const setErr = (input, err, text) => { err.textContent = text; err.hidden = !text; input.setAttribute("aria-invalid", text ? "true" : "false"); };
    setErr(pinInput, pinErr, /^\d{6}$/.test(pinValue) ? "" : t("play.pin_invalid"));
    setErr(nickInput, nickErr, nickValue ? "" : t("play.nickname_missing"));
    if (!/^\d{6}$/.test(pinValue)) { bad = true; pinInput.focus(); } else if (!nickValue) { bad = true; nickInput.focus(); }
    if (bad) return;
    submit.disabled = true;
    submit.textContent = t("play.joining");
    let token = null;
    const box = form.querySelector("#as-account");
    if (box && box.checked) {
      try {
        await api("/auth/me", { auth: true }); // refreshes an expired access token first
        token = session() && session().access_token;
      } catch {
        token = null;
      }
    }
    join(pinValue, nickValue, token);
  });
  view(form, { focus: false });
  (pin ? nickInput : pinInput).focus();
}

function join(pin, nickname, accountToken) {
  game.pin = pin;
  game.nickname = nickname;
  startSocket(() => (game.token
    ? { type: "resume", token: game.token, last_seq: socket.lastSeq }
    : { type: "join", pin, nickname, ...(accountToken ? { token: accountToken } : {}) }));
}

function resumeSaved(stored) {
  game.pin = stored.pin;
  game.nickname = stored.nickname;
  game.playerId = stored.playerId;
  game.token = stored.token;
  game.lastSeq = stored.lastSeq || 0;
  view(el("section", { class: "hero" }, el("h1", {}, t("play.rejoining")), el("p", {}, t("play.rejoining_detail"))));
  startSocket(() => ({ type: "resume", token: game.token, last_seq: socket.lastSeq }), game.lastSeq);
}

function startSocket(first, lastSeq = 0) {
  if (socket) socket.stop();
  socket = new GameSocket({ first, onFrame, onStatus });
  socket.lastSeq = lastSeq;
  socket.connect();
}

// --- connection status -----------------------------------------------------------------------

function onStatus(status, detail) {
  switch (status) {
    case "lost":
    case "reconnecting":
      if (!game.playerId && status === "reconnecting") break;
      noteDrop();
      banner("warn", t("conn.reconnecting"));
      input && input.setEnabled(false);
      break;
    case "offline":
      noteDrop();
      banner("warn", t("conn.offline"));
      input && input.setEnabled(false);
      break;
    case "ended":
      ended(detail.code);
      break;
    case "gave_up":
      banner("error", t("conn.gave_up"));
      view(el("section", { class: "card narrow stack" }, el("h1", {}, t("conn.gave_up_title")), el("p", {}, t("conn.gave_up")),
        el("button", { class: "btn big", type: "button", onclick: () => resumeSaved(saved() || game) }, t("conn.try_again"))));
      break;
    default:
      break;
  }
}

function noteDrop() {
  if (!game.dropped) game.dropped = { question: game.phase === "question" ? game.current : null, answered: game.answered.has(game.current), score: game.score };
}

function ended(code) {
  countdown && countdown.stop();
  if (code === 4002) {
    banner("warn", closeMessage(code));
    view(el("section", { class: "card narrow stack" }, el("h1", {}, t("play.elsewhere_title")), el("p", {}, closeMessage(code)),
      el("button", { class: "btn big", type: "button", onclick: () => resumeSaved(saved() || game) }, t("play.play_here"))));
    return;
  }
  forget();
  if (code === 4004 && game.phase === "finished") {
    banner("info", closeMessage(code), 6000);
    return;
  }
  if (code === 4001) {
    banner("error", closeMessage(code));
    joinView({ pin: game.pin, message: closeMessage(code) });
    return;
  }
  banner("warn", closeMessage(code), 8000);
  if (assignmentCode) openAssignment(closeMessage(code));
  else joinView({ pin: "", message: closeMessage(code) });
}

// --- frames ----------------------------------------------------------------------------------

function onFrame(frame) {
  handle(frame);
  if (typeof frame.seq === "number") save();
}

function handle(frame) {
  switch (frame.type) {
    case "welcome": return welcome(frame);
    case "lobby": return lobby(frame);
    case "question": return question(frame);
    case "answer_ack": return answering.ack(frame);
    case "reveal": return reveal(frame);
    case "result": return result(frame);
    case "scoreboard": return board(frame);
    case "finished": return finished(frame);
    case "error": return error(frame);
    default: return undefined;
  }
}

function welcome(frame) {
  const resumed = Boolean(game.token);
  const state = frame.state || {};
  game.playerId = frame.player.id;
  game.nickname = frame.player.nickname;
  game.pin = frame.pin;
  if (frame.resume_token) game.token = frame.resume_token;
  save();
  game.total = state.total;
  game.players = state.players ?? game.players;
  game.phase = state.phase;
  game.settings = state.settings || {};
  game.score = state.score ?? game.score;
  game.streak = state.streak ?? 0;
  game.rank = state.rank ?? null;
  if (state.result) {
    if (typeof state.result.question === "number") game.results.set(state.result.question, state.result);
    else game.finalResult = state.result;
  }
  if (state.standings) game.scoreboard = { top: state.standings, players: state.players };
  game.current = state.question_index >= 0 ? state.question_index : null;
  if (state.question) {
    const q = state.question;
    game.questions.set(q.question, q);
    if (typeof state.remaining_ms === "number") {
      game.deadlines.set(q.question, resumedDeadline(q, frame.server_time, state.remaining_ms));
    } else {
      game.deadlines.set(q.question, null); // a late joiner plays from the next question on
    }
    if (state.answered) game.answered.add(q.question);
  }
  paintMe();
  if (resumed) tellWhatHappened(state);
  game.dropped = null;
  render();
  if (game.phase !== "finished") preloadGame();
}

let preloadedPin = null;

/** Once seated, the phone fetches the game's pictures ahead of their questions (the first first),
 * so a big room is not all asking for a picture at the moment its question opens. */
async function preloadGame() {
  if (preloadedPin === game.pin || game.settings.question_on_devices === false) return;
  preloadedPin = game.pin;
  try {
    const list = await api(`/images?pin=${encodeURIComponent(game.pin)}`);
    preload(list.images || []);
  } catch {
    /* each picture then comes with its question */
  }
}

function tellWhatHappened(state) {
  const drop = game.dropped;
  const parts = [t("conn.back_score", { score: formatNumber(game.score) })];
  if (drop && drop.question !== null && !drop.answered && (state.phase !== "question" || state.question_index !== drop.question)) {
    parts.push(t("conn.missed", { n: drop.question + 1 }));
  } else if (state.phase === "question" && !state.answered && state.question) {
    parts.push(t("conn.still_open"));
  }
  banner("ok", `${t("conn.back")} ${parts.join(" ")}`, 7000);
  announce(parts.join(" "));
}

function render() {
  switch (game.phase) {
    case "lobby": return lobbyView();
    case "question": return questionView(game.current);
    case "reveal": return resultView(game.current);
    case "finished": return finalView();
    default: return lobbyView();
  }
}

function lobby(frame) {
  game.players = frame.count;
  const count = $("#lobby-count");
  if (count) count.textContent = plural("play.lobby_count", frame.count);
}

function lobbyView() {
  view(el(
    "section",
    { class: "hero stack", "aria-labelledby": "lobby-title" },
    el("h1", { id: "lobby-title" }, t("play.lobby_title")),
    el("p", { class: "big" }, game.nickname),
    el("p", {}, t(assignmentCode ? "assign.lobby_wait" : "play.lobby_wait")),
    el("p", { class: "pill", id: "lobby-count", style: { display: "inline-block" }, "aria-live": "polite" }, plural("play.lobby_count", game.players || 1)),
  ));
}

function question(frame) {
  // Fetched at once, during the read time; shown below as soon as it is in.
  preload(imagesOf(frame));
  game.questions.set(frame.question, frame);
  game.current = frame.question;
  game.phase = "question";
  game.total = frame.total;
  if (!game.deadlines.has(frame.question)) game.deadlines.set(frame.question, questionDeadline(frame, socket.clock));
  questionView(frame.question);
}

function kindHint(q) {
  if (q.options && q.options.length && !q.options[0].text && q.kind !== "ordering") return t("play.look_up");
  return t(`kind_hint.${q.kind}`);
}

function questionView(index) {
  const q = game.questions.get(index);
  if (!q) return waitingView();
  const deadline = game.deadlines.get(index);
  const status = el("p", { class: "notice info", id: "answer-status", role: "status", hidden: true });
  const pointsLabel = q.points === 2000 ? t("play.double_points") : q.points === 0 ? t("play.no_points") : null;
  const submit = (answer) => answering.send(index, answer, status);
  input = answerInput(q, submit, announce);
  countdown = new Countdown({
    onOpen: () => {
      if (game.answered.has(index) || game.pending === index || !socket.connected) return;
      input.setEnabled(true);
      const active = document.activeElement;
      if (!active || active === document.body || active.id === "q-title") input.focus();
    },
    onExpire: () => {
      if (!game.answered.has(index) && game.pending !== index) {
        input.setEnabled(false);
        answering.status(status, "warn", t("play.times_up"));
      }
    },
  });
  const node = el(
    "section",
    { class: "stack", "aria-labelledby": "q-title" },
    el("div", { class: "spread" },
      el("div", { class: "qmeta" }, el("span", { class: "pill" }, t("play.question_of", { n: index + 1, total: q.total })), pointsLabel ? el("span", { class: "pill" }, pointsLabel) : null),
      el("span", { class: "small" }, kindHint(q))),
    deadline ? countdown.node : null,
    el("h1", { id: "q-title", class: "qtext" }, q.text),
    questionImage(q),
    input.node,
    status,
  );
  view(node, { focus: false });
  document.getElementById("q-title").setAttribute("tabindex", "-1");
  if (!deadline) {
    input.setEnabled(false);
    answering.status(status, "info", t("play.late_joiner"));
    return;
  }
  input.setEnabled(false);
  countdown.start({ ...deadline, clock: socket.clock });
  if (game.answered.has(index)) {
    countdown.stop();
    answering.status(status, "ok", t("play.locked_in"));
    return;
  }
  if (countdown.open && socket.connected) {
    input.setEnabled(true);
    input.focus();
  } else {
    document.getElementById("q-title").focus({ preventScroll: true }); // the input takes it on opening
  }
}

function reveal(frame) {
  game.reveals.set(frame.question, frame);
  game.phase = "reveal";
  game.current = frame.question;
  game.pending = null;
  if (countdown) countdown.stop();
  resultView(frame.question);
}

function result(frame) {
  game.score = frame.score ?? game.score;
  game.streak = frame.streak ?? game.streak;
  game.rank = frame.rank ?? game.rank;
  paintMe();
  if (typeof frame.question === "number") {
    game.results.set(frame.question, frame);
    if (game.phase === "reveal" && game.current === frame.question) resultView(frame.question);
    const r = frame;
    announce(verdictText(r, game.questions.get(r.question)));
  } else {
    game.finalResult = frame;
    if (game.phase === "finished") finalView();
  }
}

function board(frame) {
  game.scoreboard = frame;
  const slot = $("#board-slot");
  if (slot) slot.replaceChildren(scoreboard(frame.top, { me: game.playerId, total: frame.players }));
  const rankOf = $("#rank-of");
  if (rankOf) rankOf.textContent = t("stat.rank_of", { total: frame.players });
}

function finished(frame) {
  game.phase = "finished";
  game.podium = frame.podium;
  if (countdown) countdown.stop();
  finalView();
}

function error(frame) {
  if (!socket.welcomed && frame.code === "unavailable") {
    socket.retryLater(); // the room is moving to another server: the seat is still ours
    return;
  }
  if (!socket.welcomed) {
    // The first frame was refused: nothing was joined or resumed.
    socket.stop();
    const context = game.token ? "resume" : "join";
    if (game.token) forget();
    if (assignmentCode) {
      openAssignment(errorMessage(frame.code, context));
      return;
    }
    if (context === "resume") {
      joinView({ pin: game.pin, message: errorMessage(frame.code, "resume") });
      return;
    }
    const where = frame.code === "not_found" ? "pin" : "nick";
    const text = errorMessage(frame.code, "join");
    joinView({ pin: game.pin, nickname: game.nickname, pinError: where === "pin" ? text : "", nickError: where === "nick" ? text : "" });
    return;
  }
  if (frame.code === "kicked") return; // the 4001 close that follows says it
  toast(errorMessage(frame.code), "error");
}

// --- results ---------------------------------------------------------------------------------

function resultView(index) {
  const q = game.questions.get(index);
  const r = game.results.get(index);
  const rv = game.reveals.get(index);
  const parts = [];
  if (r) {
    parts.push(verdictPanel(r, q, "verdict-title"));
    const total = game.scoreboard ? game.scoreboard.players : null;
    parts.push(el(
      "div",
      { class: "stats" },
      el("div", { class: "stat" }, el("span", { class: "v" }, formatNumber(r.score)), el("span", { class: "k" }, t("stat.score"))),
      el("div", { class: "stat" }, el("span", { class: "v" }, r.rank ? ordinal(r.rank) : "–"), el("span", { class: "k", id: "rank-of" }, total ? t("stat.rank_of", { total }) : t("stat.rank"))),
      el("div", { class: "stat" }, el("span", { class: "v" }, icon("flame", "inline-icon"), ` ${r.streak}`), el("span", { class: "k" }, t("stat.streak"))),
    ));
  } else {
    parts.push(el("h1", { class: "center", id: "verdict-title" }, t("play.revealing")));
  }
  if (q && rv) {
    const solution = solutionView(q, rv);
    if (solution) parts.push(el("div", { class: "panel" }, solution));
  }
  if (r && r.receipt) parts.push(receiptView(r.receipt));
  const slot = el("div", { id: "board-slot" }, game.scoreboard ? scoreboard(game.scoreboard.top, { me: game.playerId, total: game.scoreboard.players }) : null);
  parts.push(slot, el("p", { class: "center" }, t(index + 1 >= (game.total || 0) ? "play.wait_final" : "play.wait_next")));
  view(el("section", { class: "stack", "aria-labelledby": "verdict-title" }, parts));
}

function waitingView() {
  view(el("section", { class: "hero stack" }, el("h1", {}, t("play.waiting_title")), el("p", {}, t("play.wait_next")), el("p", { class: "pill", style: { display: "inline-block" } }, t("play.score_now", { score: formatNumber(game.score) }))));
}

function finalView() {
  const final = game.finalResult;
  const top = game.podium || (game.scoreboard ? game.scoreboard.top.slice(0, 3) : []);
  // Alone in an assignment's room the podium and "1st" say nothing: the place among the other
  // players is on the assignment's page ("See how you did").
  const parts = [el("h1", { class: "center", id: "final-title" }, t("play.final_title")), assignmentCode ? null : podium(top, { me: game.playerId })];
  if (final || game.rank) {
    const rank = assignmentCode ? null : (final && final.rank) || game.rank;
    const score = final ? final.score : game.score;
    parts.push(el("div", { class: "panel stack center" },
      el("p", { style: { fontSize: "1.3rem", fontWeight: 800, margin: 0 } }, rank ? t("play.final_place", { place: ordinal(rank), score: formatNumber(score) }) : t("play.final_score", { score: formatNumber(score) })),
      final && (final.xp_gained > 0 || final.level) ? el("p", { style: { margin: 0 } }, t("play.xp_gained", { xp: formatNumber(final.xp_gained) }), final.level ? ` ${t("play.level_now", { level: final.level })}` : "") : null,
    ));
  }
  const again = assignmentCode
    ? el("button", { class: "btn big accent", type: "button", onclick: () => { if (socket) socket.stop(); forget(); openAssignment("", true); } }, t("assign.back"))
    : el("button", { class: "btn big accent", type: "button", onclick: () => { if (socket) socket.stop(); forget(); joinView(); } }, t("play.again"));
  const current = session();
  parts.push(el("div", { class: "row", style: { justifyContent: "center" } }, again, current && current.user ? el("a", { class: "btn big secondary", href: "/me" }, t("play.see_progress")) : null));
  view(el("section", { class: "stack", "aria-labelledby": "final-title" }, parts));
}

// --- assignments ---------------------------------------------------------------------------

/** The assignment's page; once its room is ready, the attempt plays like any game (a seat this
 * tab already holds in that room is resumed). */
function openAssignment(message = "", justPlayed = false) {
  game = freshGame();
  paintMe();
  assignmentGate(app, assignmentCode, (attempt, nickname, token) => {
    const seat = saved();
    if (seat && seat.token && seat.pin === attempt.pin) resumeSaved(seat);
    else join(attempt.pin, nickname, token);
  }, message, justPlayed);
}

// --- keyboard shortcuts ----------------------------------------------------------------------

numberKeys(() => (game.phase === "question" ? input : null));

// --- start -----------------------------------------------------------------------------------

apply(document);
const params = new URLSearchParams(location.search);
const pinParam = (params.get("pin") || "").replace(/\D/g, "").slice(0, 6);
const stored = saved();
if (assignmentCode) {
  openAssignment();
} else if (stored && stored.token && (!pinParam || pinParam === stored.pin)) {
  resumeSaved(stored);
} else {
  if (stored) forget();
  joinView({ pin: pinParam });
}
window.addEventListener("pagehide", save);
