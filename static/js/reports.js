// /reports: the games the signed-in user hosted, newest first, each opening its report; above them
// the last 30 days in figures (GET /analytics/hosts/{id}).

import { api, currentUser } from "./api.js";
import { $, clear, el, formatNumber } from "./dom.js";
import { errorMessage, plural, t } from "./i18n.js";
import { bootPage, signInPanel } from "./ui.js";

const app = $("#app");

function shortDate(value) {
  if (!value) return t("common.unknown_date");
  return new Date(value).toLocaleString(document.documentElement.lang || "en", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

function stat(value, label) {
  return el("div", { class: "stat card" }, el("span", { class: "v" }, value), el("span", { class: "k" }, label));
}

function summary(host) {
  const s = host.summary;
  return el("section", { class: "stack", "aria-labelledby": "summary-title" },
    el("h2", { id: "summary-title" }, t("reports.last_30_days")),
    el("div", { class: "stats" },
      stat(formatNumber(s.games), t("reports.games")),
      stat(formatNumber(s.players), t("reports.players")),
      stat(s.average_score === null ? "—" : formatNumber(Math.round(s.average_score)), t("reports.average_score"))));
}

function gameLine(game) {
  const status = game.status === "finished" ? plural("reports.players_n", game.players) : t(`reports.status.${game.status}`);
  return el("li", {},
    el("a", { class: "card", href: `/report?game=${game.id}` },
      el("span", { class: "title" }, game.title || t("reports.untitled")),
      el("span", { class: "meta" }, `${shortDate(game.ended_at || game.created_at)} · ${status}`)));
}

async function start() {
  let me = null;
  try {
    me = await currentUser();
  } catch (error) {
    clear(app).append(el("p", { class: "notice error", role: "alert" }, errorMessage(error)));
    return;
  }
  if (!me) {
    clear(app).append(signInPanel({ intro: t("reports.signin_intro"), onDone: start }));
    return;
  }
  clear(app).append(el("p", { class: "muted" }, t("common.loading")));
  const [games, host, quizzes] = await Promise.allSettled([
    api("/games?limit=100", { auth: true }),
    api(`/analytics/hosts/${me.id}`, { auth: true }),
    api("/quizzes?mine=true&limit=100", { auth: true }),
  ]);
  const parts = [el("h1", {}, t("reports.title")), el("p", { class: "muted" }, t("reports.lede"))];
  if (host.status === "fulfilled") parts.push(summary(host.value));
  const list = el("section", { class: "stack", "aria-labelledby": "games-title" }, el("h2", { id: "games-title" }, t("reports.hosted")));
  if (games.status === "rejected") {
    list.append(el("p", { class: "notice error", role: "alert" }, errorMessage(games.reason)));
  } else {
    const hosted = (games.value.items || []).filter((game) => game.role === "host");
    if (!hosted.length) list.append(el("p", { class: "muted" }, t("reports.none")));
    else list.append(el("ul", { class: "report-list" }, hosted.map(gameLine)));
  }
  parts.push(list);
  if (quizzes.status === "fulfilled") {
    const mine = quizzes.value.items || [];
    parts.push(el("section", { class: "stack", "aria-labelledby": "quizzes-title" },
      el("h2", { id: "quizzes-title" }, t("reports.quizzes")),
      el("p", { class: "muted" }, t("reports.quizzes_lede")),
      mine.length
        ? el("ul", { class: "quiz-links" }, mine.map((quiz) => el("li", {},
          el("a", { class: "btn secondary small", href: `/analytics?quiz=${quiz.id}`, "aria-label": t("reports.quiz_link", { title: quiz.title }) }, quiz.title))))
        : el("p", { class: "muted" }, t("reports.no_quizzes"))));
  }
  clear(app).append(el("div", { class: "stack" }, parts));
}

bootPage("reports");
start();
