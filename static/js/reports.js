// /reports: the games the signed-in user hosted, newest first, each opening its report; above them
// their games over a range of days (GET /analytics/hosts/{id}: per day and per quiz), and below
// them links to each of their quizzes' analytics.

import { api } from "./api.js";
import { $, clear, el, formatNumber } from "./dom.js";
import { errorMessage, plural, t } from "./i18n.js";
import { barList, day, rangeForm } from "./charts.js";
import { bootPage, signedInUser } from "./ui.js";

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

/** The host's games over a range of days; the form re-reads the range in place. */
function overTime(me, host) {
  const s = host.summary;
  const section = el("section", { class: "card stack", id: "over-time", "aria-labelledby": "summary-title" },
    el("h2", { id: "summary-title" }, t("reports.over_time")),
    rangeForm({ from: host.from, to: host.to }, async (range) => {
      try {
        const query = new URLSearchParams(range);
        section.replaceWith(overTime(me, await api(`/analytics/hosts/${me.id}?${query}`, { auth: true })));
      } catch (error) {
        note.textContent = errorMessage(error);
      }
    }, "host-range"),
    el("p", { class: "muted" }, t("analytics.range_text", { from: day(host.from), to: day(host.to) })),
    el("div", { class: "stats" },
      stat(formatNumber(s.games), t("reports.games")),
      stat(formatNumber(s.players), t("reports.players")),
      stat(s.average_score === null ? "—" : formatNumber(Math.round(s.average_score)), t("reports.average_score"))));
  const note = el("p", { class: "small", role: "status" });
  section.append(note);
  if (host.days.length) {
    section.append(
      el("h3", {}, t("analytics.per_day")),
      barList(t("analytics.per_day"), host.days.map((d) => ({
        label: day(d.date), value: d.players, figure: `${plural("analytics.games_n", d.games)} · ${plural("reports.players_n", d.players)}`,
      }))),
      el("h3", {}, t("reports.per_quiz")),
      barList(t("reports.per_quiz"), host.quizzes.map((q) => ({
        label: q.title || t("reports.untitled"), value: q.games, figure: `${plural("analytics.games_n", q.games)} · ${plural("reports.players_n", q.players)}`,
      }))));
  }
  return section;
}

function gameLine(game) {
  const status = game.status === "finished" ? plural("reports.players_n", game.players) : t(`reports.status.${game.status}`);
  return el("li", {},
    el("a", { class: "card", href: `/report?game=${game.id}` },
      el("span", { class: "title" }, game.title || t("reports.untitled")),
      el("span", { class: "meta" }, `${shortDate(game.ended_at || game.created_at)} · ${status}`)));
}

async function start() {
  const me = await signedInUser(app, t("reports.signin_intro"), start);
  if (!me) return;
  clear(app).append(el("p", { class: "muted" }, t("common.loading")));
  const [games, host, quizzes] = await Promise.allSettled([
    api("/games?limit=100", { auth: true }),
    api(`/analytics/hosts/${me.id}`, { auth: true }),
    api("/quizzes?mine=true&limit=100", { auth: true }),
  ]);
  const parts = [el("h1", {}, t("reports.title")), el("p", { class: "muted" }, t("reports.lede"))];
  if (host.status === "fulfilled") parts.push(overTime(me, host.value));
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
