// /assignment?id=ID: an assignment's progress for its host (who opened the link, who started and
// finished, scores, ranks, the average; each finished attempt opens its game report), or a
// player's own attempt. Every figure is the server's (GET /assignments/{id}).

import { api } from "./api.js";
import { $, clear, el, focusHeading, formatNumber } from "./dom.js";
import { errorMessage, ordinal, plural, t } from "./i18n.js";
import { dueText, linkBox, statusText, when } from "./assignment_parts.js";
import { bootPage, signedInUser } from "./ui.js";

const app = $("#app");
const assignmentId = Number(new URLSearchParams(location.search).get("id"));

function stat(value, label) {
  return el("div", { class: "stat card" }, el("span", { class: "v" }, value), el("span", { class: "k" }, label));
}

function status(attempt) {
  return el("span", { class: `status ${attempt.status}` }, statusText(attempt.status));
}

function number(value) {
  return value === null || value === undefined ? "—" : formatNumber(value);
}

function playersTable(players) {
  const body = el("tbody", {}, players.map((p) => el("tr", {},
    el("th", { scope: "row" }, p.user.username),
    el("td", {}, status(p)),
    el("td", { class: "num" }, number(p.score)),
    el("td", { class: "num" }, p.rank ? ordinal(p.rank) : "—"),
    el("td", {}, p.started_at ? when(p.started_at) : "—"),
    el("td", {}, p.status === "finished" && p.game_id
      ? el("a", { href: `/report?game=${p.game_id}`, "aria-label": t("assign.report_of", { name: p.user.username }) }, t("assign.report"))
      : "—"))));
  // The table may be wider than a phone: its scroll box takes keyboard focus so it can be scrolled
  // without a pointer.
  return el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "players-title" },
    el("table", { id: "players-table" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, t("assign.col.player")),
        el("th", { scope: "col" }, t("assign.col.status")),
        el("th", { scope: "col", class: "num" }, t("assign.col.score")),
        el("th", { scope: "col", class: "num" }, t("assign.col.rank")),
        el("th", { scope: "col" }, t("assign.col.started")),
        el("th", { scope: "col" }, t("assign.col.report")))),
      body));
}

function hostView(a) {
  const p = a.progress;
  return [
    el("section", { class: "card stack", "aria-labelledby": "link-title" },
      el("h2", { id: "link-title", class: "visually-hidden" }, t("assign.link")),
      linkBox(a.link)),
    el("div", { class: "stats", id: "assignment-stats" },
      stat(formatNumber(p.given), t("assign.given")),
      stat(formatNumber(p.started), t("assign.started")),
      stat(formatNumber(p.finished), t("assign.finished")),
      stat(p.average_score === null ? "—" : formatNumber(Math.round(p.average_score)), t("assign.average"))),
    el("section", { class: "card stack", "aria-labelledby": "players-title" },
      el("h2", { id: "players-title" }, t("assign.players")),
      a.players.length ? playersTable(a.players) : el("p", { class: "muted" }, t("assign.no_players"))),
    el("p", {}, el("a", { href: "/assign" }, t("assign.all"))),
  ];
}

function playerView(a) {
  const mine = a.attempt;
  const text = mine.status === "finished"
    ? (mine.rank ? t("assign.done", { score: formatNumber(mine.score), rank: ordinal(mine.rank), finished: a.progress.finished })
      : t("assign.done_unranked", { score: formatNumber(mine.score) }))
    : statusText(mine.status);
  return [el("section", { class: "card stack", "aria-labelledby": "attempt-title" },
    el("h2", { id: "attempt-title" }, t("assign.your_attempt")),
    el("p", {}, text),
    mine.status === "finished" && mine.game_id ? el("a", { class: "btn secondary small", href: `/report?game=${mine.game_id}` }, t("assign.report")) : null,
    mine.status !== "finished" && a.open ? el("a", { class: "btn", href: `/play?assignment=${encodeURIComponent(a.code)}` }, t(mine.status === "in_progress" ? "assign.continue" : "assign.start")) : null)];
}

async function start() {
  const me = await signedInUser(app, t("assign.signin_intro"), start);
  if (!me) return;
  let a = null;
  try {
    if (!assignmentId) throw Object.assign(new Error(), { code: "not_found" });
    a = await api(`/assignments/${assignmentId}`, { auth: true });
  } catch (error) {
    const text = error.code === "not_found" ? t("assign.missing") : errorMessage(error);
    clear(app).append(el("h1", {}, t("assign.title")), el("p", { class: "notice error", role: "alert" }, text));
    return;
  }
  const head = el("header", { class: "report-head stack" },
    el("h1", { id: "assignment-title" }, a.title),
    el("p", { class: "meta" }, `${dueText(a)} · ${t("assign.by", { host: a.host.username, questions: plural("common.questions", a.questions) })}`));
  clear(app).append(el("div", { class: "stack" }, head, ...(a.role === "host" ? hostView(a) : playerView(a))));
  focusHeading(app);
}

bootPage("assignments");
start();
