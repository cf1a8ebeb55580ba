// /duel: pick a quiz (or any), queue for an opponent with a visible wait and a cancel, then play a
// 1-vs-1 duel paced by the server: both scores live, the outcome with each question's timing
// receipt, and rematch or revenge from there. A reload during the duel resumes it (sessionStorage).

import { api, currentUser, session } from "./api.js";
import { $, clear, el, focusHeading, formatNumber } from "./dom.js";
import { apply, closeMessage, errorMessage, t } from "./i18n.js";
import { questionImage } from "./images.js";
import { Answering, liveRegion } from "./answering.js";
import { answerInput, numberKeys } from "./inputs.js";
import { GameSocket, questionDeadline, resumedDeadline } from "./net.js";
import { Countdown, opponentLabel, siteHeader, solutionView, toast } from "./ui.js";
import { receiptView, verdictKind, verdictPanel, verdictText } from "./verdicts.js";

const STORE = "quizarena.duel";
const NICKNAME_STORE = "quizarena.duel.nickname";
const HISTORY_TRIES = 5; // the rating change appears once the duel's results are written
const app = $("#app");
const conn = $("#conn");
const announce = liveRegion($("#announce"));

let duel = freshDuel();
let socket = null;
let countdown = null;
let input = null;
const answering = new Answering({
  seat: () => duel, socket: () => socket, input: () => input, countdown: () => countdown, announce, lockedIn: "duel.locked_in",
});
let waitTimer = null;
let bannerTimer = null;

function freshDuel() {
  return {
    request: null, nickname: "", userId: null,
    pin: "", token: null, playerId: null, opponent: null, phase: "setup",
    total: null, current: null, score: 0, opponentScore: 0,
    questions: new Map(), deadlines: new Map(), answered: new Set(), results: new Map(), reveals: new Map(),
    pending: null, finished: null, finalResult: null, queuedAt: 0, queued: null,
    rematch: null, // "offered" (by us) or "asked" (by the opponent) once the duel has ended
  };
}


function banner(kind, text, autoHideMs = 0) {
  clearTimeout(bannerTimer);
  conn.className = `conn ${kind}`;
  conn.textContent = text;
  conn.hidden = !text;
  if (autoHideMs) bannerTimer = setTimeout(() => { conn.hidden = true; }, autoHideMs);
}

function view(node, { focus = true } = {}) {
  if (countdown && !node.contains(countdown.node)) countdown.stop();
  if (duel.phase !== "queued") clearInterval(waitTimer);
  clear(app).append(node);
  if (focus) focusHeading(app);
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
  if (!duel.token) return;
  sessionStorage.setItem(STORE, JSON.stringify({
    pin: duel.pin, token: duel.token, nickname: duel.nickname, opponent: duel.opponent, userId: duel.userId,
    request: duel.request, lastSeq: socket ? socket.lastSeq : 0,
  }));
}

function forget() {
  sessionStorage.removeItem(STORE);
}

// --- choosing a duel -------------------------------------------------------------------------

async function quizOptions() {
  try {
    const page = await api("/quizzes?limit=100");
    return (page.items || []).filter((quiz) => quiz.published !== false);
  } catch {
    return []; // "any quiz" still works: the server picks one
  }
}

async function signedIn() {
  try {
    return await currentUser();
  } catch {
    return null;
  }
}

async function setupView(message = "") {
  if (socket) socket.stop();
  socket = null;
  duel = freshDuel();
  const [user, quizzes] = await Promise.all([signedIn(), quizOptions()]);
  const nickname = localStorage.getItem(NICKNAME_STORE) || (user ? user.username : "");
  const nickInput = el("input", { type: "text", id: "duel-nickname", maxlength: 24, autocomplete: "nickname", value: nickname, required: true, "aria-describedby": "duel-nick-error" });
  const nickErr = el("p", { class: "field-error", id: "duel-nick-error", hidden: true });
  const quizSelect = el("select", { id: "duel-quiz" },
    el("option", { value: "" }, t("duel.any_quiz")),
    quizzes.map((quiz) => el("option", { value: String(quiz.id) }, quiz.title)));
  const asAccount = user
    ? el("label", { class: "check" }, el("input", { type: "checkbox", id: "duel-as-account", checked: true }), t("duel.as_account", { name: user.username }))
    : el("p", { class: "small" }, t("duel.guest_note"));
  const rating = user ? el("p", { class: "small", id: "duel-rating" }) : null;
  const find = el("button", { type: "submit", class: "btn big accent", id: "duel-find" }, t("duel.find"));
  const revenge = user
    ? el("button", { type: "button", class: "btn big secondary", id: "duel-revenge" }, t("duel.revenge"))
    : null;
  const form = el(
    "form",
    { class: "card narrow", novalidate: true, "aria-labelledby": "duel-title" },
    el("h1", { id: "duel-title" }, t("duel.title")),
    el("p", {}, t("duel.lede")),
    message ? el("p", { class: "notice info", role: "alert" }, message) : null,
    el("div", { class: "field" }, el("label", { for: "duel-nickname" }, t("play.nickname")), nickInput, nickErr),
    el("div", { class: "field" }, el("label", { for: "duel-quiz" }, t("duel.quiz")), quizSelect),
    asAccount,
    rating,
    el("div", { class: "row" }, find, revenge),
    revenge ? el("p", { class: "small" }, t("duel.revenge_hint")) : null,
  );
  const start = async (request) => {
    const name = nickInput.value.trim();
    nickErr.textContent = name ? "" : t("play.nickname_missing");
    nickErr.hidden = Boolean(name);
    nickInput.setAttribute("aria-invalid", name ? "false" : "true");
    if (!name) {
      nickInput.focus();
      return;
    }
    localStorage.setItem(NICKNAME_STORE, name);
    const box = form.querySelector("#duel-as-account");
    // A revenge is built from the account's own missed questions: it always plays as the account.
    const token = (box && box.checked) || request.revenge ? await freshAccessToken() : null;
    queue(request, name, token, user && token ? user.id : null);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    start(quizSelect.value ? { quiz: Number(quizSelect.value) } : {});
  });
  if (revenge) revenge.addEventListener("click", () => start({ revenge: true }));
  view(form, { focus: false });
  nickInput.focus();
  if (user && rating) showRating(user.id, rating);
}

/** The access token of the signed-in account, refreshed first when it has expired. */
async function freshAccessToken() {
  try {
    await api("/auth/me", { auth: true });
    return session() && session().access_token;
  } catch {
    return null;
  }
}

async function showRating(userId, node) {
  try {
    const progress = await api(`/users/${userId}/progress`);
    const record = progress.duels;
    node.textContent = record.won + record.lost + (record.drawn ?? 0) > 0
      ? t("duel.your_rating", { rating: formatNumber(record.rating) })
      : t("duel.unrated");
  } catch {
    node.remove();
  }
}

// --- the queue -------------------------------------------------------------------------------

function queue(request, nickname, accountToken, userId) {
  duel = freshDuel();
  duel.request = request;
  duel.nickname = nickname;
  duel.userId = userId;
  duel.phase = "queued";
  duel.queuedAt = Date.now();
  startSocket(() => (duel.token
    ? { type: "resume", token: duel.token, last_seq: socket.lastSeq }
    : { type: "queue", nickname, ...(accountToken ? { token: accountToken } : {}), ...request }));
  queueView();
}

function startSocket(first, lastSeq = 0) {
  if (socket) socket.stop();
  socket = new GameSocket({ first, onFrame, onStatus });
  socket.lastSeq = lastSeq;
  socket.connect();
}

function waitText() {
  const seconds = Math.floor((Date.now() - duel.queuedAt) / 1000);
  return t("duel.waited", { time: `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` });
}

function queueView() {
  const waited = el("p", { class: "pill", id: "duel-wait", style: { display: "inline-block" } }, waitText());
  const cancel = el("button", { type: "button", class: "btn big secondary", id: "duel-cancel", onclick: cancelQueue }, t("duel.cancel"));
  const what = duel.request.revenge ? t("duel.searching_revenge") : t("duel.searching");
  view(el("section", { class: "hero stack", "aria-labelledby": "queue-title" },
    el("h1", { id: "queue-title" }, t("duel.searching_title")),
    el("p", {}, what),
    el("p", { class: "small", id: "duel-bot-note" }, t("duel.bot_note")),
    el("p", { class: "small", id: "duel-queue-rating" }),
    waited,
    el("div", { class: "row", style: { justifyContent: "center" } }, cancel)));
  cancel.focus();
  clearInterval(waitTimer);
  waitTimer = setInterval(() => {
    const node = $("#duel-wait");
    if (node) node.textContent = waitText();
  }, 1000);
}

function cancelQueue() {
  clearInterval(waitTimer);
  if (socket && socket.ws) socket.sendOn(socket.ws, { type: "leave" });
  if (socket) socket.stop();
  socket = null;
  setupView(t("duel.cancelled"));
}

// --- connection ------------------------------------------------------------------------------

function onStatus(status, detail) {
  switch (status) {
    case "lost":
    case "reconnecting":
    case "offline":
      if (duel.token) banner("warn", t(status === "offline" ? "conn.offline" : "conn.reconnecting"));
      if (input) input.setEnabled(false);
      break;
    case "open":
      if (duel.token) banner("ok", t("conn.back"), 3000);
      break;
    case "ended":
      ended(detail.code);
      break;
    case "gave_up":
      forget();
      setupView(t("conn.gave_up"));
      break;
    default:
      break;
  }
}

function ended(code) {
  if (countdown) countdown.stop();
  forget();
  if (duel.phase === "finished") return; // the room closes after the duel: the outcome stays up
  banner("warn", closeMessage(code), 8000);
  setupView(closeMessage(code));
}

// --- frames ----------------------------------------------------------------------------------

function onFrame(frame) {
  handle(frame);
  if (typeof frame.seq === "number") save();
}

function handle(frame) {
  switch (frame.type) {
    case "queued": return queued(frame);
    case "matched": return matched(frame);
    case "rematch": return rematchOffered(frame);
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

function queued(frame) {
  duel.queued = frame;
  const note = $("#duel-bot-note");
  if (note && typeof frame.bot_after_ms === "number") note.textContent = t("duel.bot_after", { s: Math.round(frame.bot_after_ms / 1000) });
  const rating = $("#duel-queue-rating");
  if (rating && typeof frame.rating === "number" && duel.userId) rating.textContent = t("duel.matched_by", { rating: formatNumber(frame.rating) });
}

function matched(frame) {
  clearInterval(waitTimer);
  if (duel.phase === "finished") {
    // A rematch: the same socket moves on to a new duel; what was kept of the last one goes.
    const { request, nickname, userId } = duel;
    duel = { ...freshDuel(), request, nickname, userId };
  }
  duel.pin = frame.pin;
  duel.opponent = frame.opponent;
  duel.phase = "matched";
  announce(t("duel.matched_announce", { name: opponentName() }));
  matchedView();
}

function opponentName() {
  if (!duel.opponent) return t("duel.opponent");
  return opponentLabel(duel.opponent);
}

/** The opponent's rating as the server sent it in `matched` (a bot's, or a signed-in player's). */
function opponentRating() {
  const rating = duel.opponent && duel.opponent.rating;
  return typeof rating === "number" ? el("p", { class: "small", id: "duel-opponent-rating" }, t("duel.opponent_rating", { name: opponentName(), rating: formatNumber(rating) })) : null;
}

function matchedView(startsAt = null) {
  const seconds = startsAt && socket ? Math.max(0, Math.ceil((startsAt - socket.clock.now()) / 1000)) : null;
  view(el("section", { class: "hero stack", "aria-labelledby": "matched-title" },
    el("h1", { id: "matched-title" }, t("duel.matched_title")),
    versus(),
    opponentRating(),
    el("p", {}, seconds === null ? t("duel.starting") : t("duel.starting_in", { n: seconds }))));
}

/** Both players and their scores, side by side: the heart of every duel screen. */
function versus() {
  const side = (name, score, mine) => el("div", { class: `duel-side${mine ? " me" : ""}` },
    el("span", { class: "duel-name" }, name),
    el("span", { class: "duel-score", "aria-label": t("duel.score_of", { name, score: formatNumber(score) }) }, formatNumber(score)));
  return el("div", { class: "duel-versus", id: "duel-versus" },
    side(t("duel.you", { name: duel.nickname }), duel.score, true),
    el("span", { class: "duel-vs", "aria-hidden": "true" }, t("duel.vs")),
    side(opponentName(), duel.opponentScore, false));
}

function repaintScores() {
  const node = $("#duel-versus");
  if (node) node.replaceWith(versus());
}

function welcome(frame) {
  const state = frame.state || {};
  duel.playerId = frame.player.id;
  duel.nickname = frame.player.nickname;
  duel.pin = frame.pin;
  if (frame.resume_token) duel.token = frame.resume_token;
  duel.total = state.total ?? duel.total;
  duel.score = state.score ?? duel.score;
  if (state.standings) scoresFrom(state.standings);
  if (state.result && typeof state.result.question === "number") duel.results.set(state.result.question, state.result);
  duel.current = state.question_index >= 0 ? state.question_index : null;
  if (state.question) {
    const q = state.question;
    duel.questions.set(q.question, q);
    if (typeof state.remaining_ms === "number") duel.deadlines.set(q.question, resumedDeadline(q, frame.server_time, state.remaining_ms));
    if (state.answered) duel.answered.add(q.question);
  }
  duel.phase = state.phase || "lobby";
  save();
  if (duel.phase === "question" && duel.current !== null) questionView(duel.current);
  else if (duel.phase === "reveal" && duel.current !== null) revealView(duel.current);
  else if (duel.phase === "finished") finalView();
  else matchedView(state.starts_at ?? null);
}

function lobby(frame) {
  if (duel.phase === "lobby" || duel.phase === "matched") matchedView(frame.starts_at ?? null);
}

function scoresFrom(top) {
  for (const line of top || []) {
    if (line.id === duel.playerId) duel.score = line.score;
    else duel.opponentScore = line.score;
  }
}

function question(frame) {
  duel.questions.set(frame.question, frame);
  duel.current = frame.question;
  duel.total = frame.total;
  duel.phase = "question";
  if (!duel.deadlines.has(frame.question)) duel.deadlines.set(frame.question, questionDeadline(frame, socket.clock));
  questionView(frame.question);
}

function questionView(index) {
  const q = duel.questions.get(index);
  const deadline = duel.deadlines.get(index);
  const status = el("p", { class: "notice info", id: "answer-status", role: "status", hidden: true });
  input = answerInput(q, (answer) => answering.send(index, answer, status), announce);
  countdown = new Countdown({
    onOpen: () => {
      if (duel.answered.has(index) || duel.pending === index || !socket.connected) return;
      input.setEnabled(true);
      input.focus();
    },
    onExpire: () => {
      if (!duel.answered.has(index) && duel.pending !== index) {
        input.setEnabled(false);
        answering.status(status, "warn", t("play.times_up"));
      }
    },
  });
  view(el("section", { class: "stack", "aria-labelledby": "q-title" },
    versus(),
    el("div", { class: "qmeta" }, el("span", { class: "pill" }, t("play.question_of", { n: index + 1, total: q.total }))),
    deadline ? countdown.node : null,
    el("h1", { id: "q-title", class: "qtext", tabindex: "-1" }, q.text),
    questionImage(q),
    input.node,
    status), { focus: false });
  input.setEnabled(false);
  if (!deadline) return;
  countdown.start({ ...deadline, clock: socket.clock });
  if (duel.answered.has(index)) {
    countdown.stop();
    answering.status(status, "ok", t("duel.locked_in"));
  } else if (countdown.open && socket.connected) {
    input.setEnabled(true);
    input.focus();
  } else {
    $("#q-title").focus({ preventScroll: true });
  }
}

function reveal(frame) {
  duel.reveals.set(frame.question, frame);
  duel.phase = "reveal";
  duel.current = frame.question;
  duel.pending = null;
  if (countdown) countdown.stop();
  revealView(frame.question);
}

function result(frame) {
  duel.score = frame.score ?? duel.score;
  if (typeof frame.question === "number") {
    duel.results.set(frame.question, frame);
    if (duel.phase === "reveal" && duel.current === frame.question) revealView(frame.question);
  } else {
    duel.finalResult = frame;
    if (duel.phase === "finished") finalView();
  }
}

function board(frame) {
  scoresFrom(frame.top);
  repaintScores();
}

function revealView(index) {
  const q = duel.questions.get(index);
  const r = duel.results.get(index);
  const rv = duel.reveals.get(index);
  const parts = [versus()];
  parts.push(r ? verdictPanel(r, q, "verdict-title") : el("h1", { class: "center", id: "verdict-title" }, t("play.revealing")));
  if (q && rv) {
    const solution = solutionView(q, rv);
    if (solution) parts.push(el("div", { class: "panel" }, solution));
  }
  if (r && r.receipt) parts.push(receiptView(r.receipt));
  parts.push(el("p", { class: "center" }, t(index + 1 >= (duel.total || 0) ? "duel.wait_final" : "play.wait_next")));
  view(el("section", { class: "stack", "aria-labelledby": "verdict-title" }, parts));
}

function finished(frame) {
  duel.phase = "finished";
  duel.finished = frame;
  scoresFrom(frame.podium);
  if (countdown) countdown.stop();
  forget();
  finalView();
  announce(outcomeText());
}

function error(frame) {
  if (!socket.welcomed && frame.code === "unavailable" && duel.token) {
    socket.retryLater(); // the room is moving to another server: the seat is still ours
    return;
  }
  if (!socket.welcomed && duel.phase !== "matched") {
    // The queue (or the resume) was refused: nothing was joined.
    socket.stop();
    forget();
    setupView(errorMessage(frame.code, "duel"));
    return;
  }
  if (duel.phase === "finished" && duel.rematch === "offered" && frame.code === "not_found") {
    duel.rematch = null; // nobody took our offer in time
    rematchStatus(t("duel.rematch_lapsed"));
    return;
  }
  toast(errorMessage(frame.code), "error");
}

// --- rematch ---------------------------------------------------------------------------------

/** Offer (or accept) a rematch on the socket still in the ended duel: when both have offered, both
 * get `matched` into a new duel. */
function offerRematch() {
  if (!socket || !socket.send({ type: "rematch" })) {
    rematchStatus(t("duel.rematch_closed"));
    return;
  }
  duel.rematch = "offered";
  const button = $("#duel-rematch");
  if (button) button.disabled = true;
  rematchStatus(t("duel.rematch_waiting", { name: opponentName() }));
}

function rematchOffered(frame) {
  if (duel.phase !== "finished") return;
  if (duel.rematch !== "offered") duel.rematch = "asked";
  const button = $("#duel-rematch");
  if (button && duel.rematch === "asked") button.textContent = t("duel.rematch_accept");
  rematchStatus(t("duel.rematch_asked", { name: frame.from || opponentName() }));
}

function rematchStatus(text) {
  const node = $("#duel-rematch-status");
  if (node) {
    node.textContent = text; // a status region: screen readers hear it
    node.hidden = false;
  }
}

// --- the outcome -----------------------------------------------------------------------------

function outcome() {
  const final = duel.finalResult;
  if (final && final.outcome) return final.outcome === "draw" ? "drawn" : final.outcome;
  const winner = duel.finished ? duel.finished.winner : undefined;
  if (winner === undefined) return null;
  return winner === null ? "drawn" : winner === duel.playerId ? "won" : "lost";
}

function outcomeText() {
  const kind = outcome();
  return kind ? t(`duel.outcome.${kind}`) : t("play.final_title");
}

function forfeitNote() {
  const forfeited = (duel.finished && duel.finished.forfeited) || [];
  if (!forfeited.length) return null;
  const mine = forfeited.includes(duel.playerId);
  return el("p", { class: "notice info" }, mine ? t("duel.you_forfeited") : t("duel.they_forfeited", { name: opponentName() }));
}

/** Each question with how it went for this player and its timing receipt, as /play shows them. */
function receiptsList() {
  const list = el("ol", { class: "duel-receipts" });
  for (let index = 0; index < (duel.total || 0); index += 1) {
    const q = duel.questions.get(index);
    const r = duel.results.get(index);
    if (!q) continue;
    const kind = r ? verdictKind(r, q) : "none";
    list.append(el("li", { class: "panel stack" },
      el("p", { class: "small", style: { margin: 0, fontWeight: 700 } }, t("play.question_of", { n: index + 1, total: duel.total })),
      el("p", { style: { margin: 0 } }, q.text),
      el("p", { class: `duel-verdict ${kind}`, style: { margin: 0 } }, r ? verdictText(r, q) : t("verdict.none")),
      r && r.receipt ? receiptView(r.receipt) : null));
  }
  return list;
}

/** Queue again from the outcome (a revenge), as the same account when there was one. */
async function again(request) {
  const token = duel.userId ? await freshAccessToken() : null;
  queue(request, duel.nickname, token, token ? duel.userId : null);
}

function finalView() {
  const final = duel.finalResult;
  const rematch = el("button", { type: "button", class: "btn big accent", id: "duel-rematch", onclick: offerRematch, disabled: duel.rematch === "offered" }, t(duel.rematch === "asked" ? "duel.rematch_accept" : "duel.rematch"));
  const rematchNote = el("p", { class: "notice info", id: "duel-rematch-status", role: "status", hidden: true });
  const revenge = duel.userId
    ? el("button", { type: "button", class: "btn big secondary", id: "duel-revenge-after", onclick: () => again({ revenge: true }) }, t("duel.revenge"))
    : null;
  const another = el("button", { type: "button", class: "btn big secondary", id: "duel-new", onclick: () => setupView() }, t("duel.new"));
  const rating = el("p", { class: "center", id: "duel-rating-change", "aria-live": "polite" });
  view(el("section", { class: "stack", "aria-labelledby": "final-title" },
    el("h1", { class: "center", id: "final-title" }, outcomeText()),
    versus(),
    forfeitNote(),
    final && final.xp_gained > 0 ? el("p", { class: "center" }, t("play.xp_gained", { xp: formatNumber(final.xp_gained) })) : null,
    rating,
    el("div", { class: "row", style: { justifyContent: "center" } }, rematch, revenge, another),
    rematchNote,
    el("h2", {}, t("duel.receipts")),
    receiptsList()));
  if (duel.userId && duel.finished && duel.finished.game_id) showRatingChange(duel.finished.game_id, rating);
}

/** The rating change the server computed for this duel, once its results are written. */
async function showRatingChange(gameId, node) {
  for (let attempt = 0; attempt < HISTORY_TRIES; attempt += 1) {
    try {
      const page = await api(`/users/${duel.userId}/duels?limit=1`);
      const last = (page.items || [])[0];
      if (last && last.game_id === gameId) {
        node.textContent = last.rated
          ? t("duel.rating_change", { rating: formatNumber(last.rating_after), change: last.rating_change >= 0 ? `+${last.rating_change}` : String(last.rating_change) })
          : t("duel.not_rated");
        return;
      }
    } catch {
      return;
    }
    await new Promise((resolve) => { setTimeout(resolve, 600 * (attempt + 1)); });
  }
}

// --- start -----------------------------------------------------------------------------------

numberKeys(() => (duel.phase === "question" ? input : null));
apply(document);
$("#site-header").replaceWith(siteHeader("duel"));
const stored = saved();
if (stored && stored.token) {
  duel.pin = stored.pin;
  duel.token = stored.token;
  duel.nickname = stored.nickname;
  duel.opponent = stored.opponent;
  duel.userId = stored.userId ?? null;
  duel.request = stored.request || {};
  duel.phase = "matched";
  view(el("section", { class: "hero" }, el("h1", {}, t("play.rejoining")), el("p", {}, t("play.rejoining_detail"))));
  startSocket(() => ({ type: "resume", token: duel.token, last_seq: socket.lastSeq }), stored.lastSeq || 0);
} else {
  setupView();
}
window.addEventListener("pagehide", save);
