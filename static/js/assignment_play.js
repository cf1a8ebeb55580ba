// The way into a self-paced assignment on /play?assignment=CODE: what the link shows, signing in
// (an account is needed: the result goes to the host, the XP to the player), and starting or going
// back to the player's own attempt (POST /assignments/code/{code}/attempts). Once the room's PIN is
// known, play.js plays it like any game.

import { api, session } from "./api.js";
import { clear, el, focusHeading, formatNumber } from "./dom.js";
import { errorMessage, ordinal, plural, t } from "./i18n.js";
import { dueText, when } from "./assignment_parts.js";
import { signInPanel } from "./ui.js";

const NICKNAME_CHARS = 24;

const RESULT_WAITS = 10; // just after the game ends its results may still be on their way (0.3 s each)

/** The assignment as the link shows it to this visitor: a session the server no longer honours is
 * dropped (api.js does that) and the link is read again as a guest. */
async function load(code) {
  const path = `/assignments/code/${encodeURIComponent(code)}`;
  try {
    return await api(path, { auth: Boolean(session()) });
  } catch (error) {
    if (error.code !== "unauthorized") throw error;
    return api(path);
  }
}

/** The assignment with the player's finished attempt in it: the results are written a moment
 * after the room's `finished` frame. */
async function loadFinished(code) {
  let a = await load(code);
  for (let i = 0; i < RESULT_WAITS && a.attempt && a.attempt.status === "in_progress"; i += 1) {
    await new Promise((resolve) => { setTimeout(resolve, 300); });
    a = await load(code);
  }
  return a;
}

/** Shows the assignment of `code` in `root`; `onPlay({pin, resumed}, nickname, token)` once the
 * player's room is ready. `message` (a refusal from before) is shown on top; `justPlayed` waits for
 * the attempt's results. */
export async function assignmentGate(root, code, onPlay, message = "", justPlayed = false) {
  const again = (text = "") => assignmentGate(root, code, onPlay, text);
  clear(root).append(el("p", { class: "muted" }, t("common.loading")));
  let a = null;
  try {
    a = await (justPlayed ? loadFinished(code) : load(code));
  } catch (error) {
    const text = error.code === "not_found" ? t("assign.missing") : errorMessage(error);
    clear(root).append(el("section", { class: "card narrow stack" }, el("h1", {}, t("assign.title")), el("p", { class: "notice error", role: "alert" }, text)));
    return;
  }
  const parts = [
    el("h1", { id: "assignment-title" }, t("assign.play_title", { title: a.title })),
    el("p", { class: "muted" }, `${dueText(a)} · ${t("assign.by", { host: a.host.username, questions: plural("common.questions", a.questions) })}`),
    message ? el("p", { class: "notice warn", role: "alert" }, message) : null,
  ];
  if (a.role === "guest") {
    parts.push(signInPanel({ intro: t("assign.signin_to_play", { host: a.host.username }), onDone: () => again(), heading: "h2" }));
  } else if (a.role === "host") {
    parts.push(el("p", { class: "notice info" }, t("assign.host_here")),
      el("a", { class: "btn secondary", href: `/assignment?id=${a.id}` }, t("assign.see_progress")));
  } else {
    parts.push(...attemptPart(a, start));
  }
  clear(root).append(el("section", { class: "card narrow stack", "aria-labelledby": "assignment-title" }, parts));
  focusHeading(root);

  async function start(button) {
    button.disabled = true;
    button.textContent = t("assign.starting");
    try {
      const attempt = await api(`/assignments/code/${encodeURIComponent(code)}/attempts`, { method: "POST", auth: true });
      const me = session();
      onPlay(attempt, me.user.username.slice(0, NICKNAME_CHARS), me.access_token);
    } catch (error) {
      again(errorMessage(error));
    }
  }
}

function attemptPart(a, start) {
  const mine = a.attempt;
  if (mine.status === "finished") {
    const text = mine.rank
      ? t("assign.done", { score: formatNumber(mine.score), rank: ordinal(mine.rank), finished: a.progress.finished })
      : t("assign.done_unranked", { score: formatNumber(mine.score) });
    return [el("p", { class: "notice ok", id: "assignment-result" }, text),
      el("div", { class: "row" },
        mine.game_id ? el("a", { class: "btn secondary", href: `/report?game=${mine.game_id}` }, t("assign.report")) : null,
        el("a", { class: "btn ghost", href: "/me" }, t("play.see_progress")))];
  }
  if (mine.status === "not_started" && !a.open) {
    return [el("p", { class: "notice warn" }, t("assign.past_due", { when: when(a.due_at) }))];
  }
  const label = t(mine.status === "in_progress" ? "assign.continue" : "assign.start");
  const button = el("button", { type: "button", class: "btn big accent", id: "assignment-start" }, label);
  button.addEventListener("click", () => start(button));
  return [el("p", {}, t("assign.rules")), el("div", { class: "row" }, button)];
}
