// /analytics?quiz=ID: a quiz's games over a range of days, for its owner: games and players per
// day, accuracy per question, the hardest questions with their item flags, the wrong answers that
// draw most, and each table as CSV. Every chart is a list whose lines say their figures in words.

import { api, filenameOf } from "./api.js";
import { $, clear, el, formatNumber, saveBlob } from "./dom.js";
import { errorMessage, plural, t } from "./i18n.js";
import { barList, day, percent, rangeForm } from "./charts.js";
import { bootPage, icon, signedInUser } from "./ui.js";

const app = $("#app");
const params = new URLSearchParams(location.search);
const quizId = Number(params.get("quiz"));

function stat(value, label) {
  return el("div", { class: "stat card" }, el("span", { class: "v" }, value), el("span", { class: "k" }, label));
}

function section(id, title, ...children) {
  return el("section", { class: "card stack", "aria-labelledby": id }, el("h2", { id }, title), ...children);
}

function download(table, label, range) {
  const note = el("span", { class: "small", role: "status" });
  const button = el("button", { type: "button", class: "btn secondary small" }, icon("download"), label);
  button.addEventListener("click", async () => {
    note.textContent = "";
    try {
      const query = new URLSearchParams({ from: range.from, to: range.to, format: "csv", table });
      const response = await api(`/analytics/quizzes/${quizId}?${query}`, { auth: true, raw: true });
      saveBlob(await response.blob(), filenameOf(response, `quiz-${quizId}-${table}.csv`));
      note.textContent = t("report.downloaded");
    } catch (error) {
      note.textContent = errorMessage(error);
    }
  });
  return [button, note];
}

function pickRange(range) {
  const next = new URLSearchParams({ quiz: String(quizId), from: range.from, to: range.to });
  history.replaceState(null, "", `/analytics?${next}`);
  show(range);
}

function render(body) {
  const s = body.summary;
  const range = { from: body.from, to: body.to };
  const questions = body.questions.slice().sort((a, b) => a.index - b.index);
  const graded = questions.filter((q) => q.difficulty !== null);
  const hardest = body.questions.filter((q) => q.difficulty !== null).slice(0, 5);
  const distractors = questions
    .flatMap((q) => q.distractors.map((d) => ({ ...d, question: q })))
    .sort((a, b) => b.count - a.count)
    .slice(0, 5);
  const parts = [
    el("h1", { id: "analytics-title" }, t("analytics.title", { title: body.quiz.name })),
    rangeForm(range, pickRange),
    el("p", { class: "muted", role: "status" }, t("analytics.range_text", { from: day(body.from), to: day(body.to) })),
    el("div", { class: "stats" },
      stat(formatNumber(s.games), t("reports.games")),
      stat(formatNumber(s.players), t("reports.players")),
      stat(s.average_score === null ? "—" : formatNumber(Math.round(s.average_score)), t("reports.average_score")),
      stat(percent(s.accuracy), t("analytics.accuracy")),
      stat(percent(s.completion), t("analytics.completion"))),
  ];
  if (!s.games) {
    parts.push(el("p", { class: "notice info" }, t("analytics.no_games")));
    clear(app).append(el("div", { class: "stack" }, parts));
    return;
  }
  parts.push(
    section("days-title", t("analytics.per_day"), barList(t("analytics.per_day"), body.days.map((d) => ({
      label: day(d.date), value: d.players, figure: `${plural("analytics.games_n", d.games)} · ${plural("reports.players_n", d.players)}`,
    })))),
    section("accuracy-title", t("analytics.accuracy_per_question"), graded.length
      ? barList(t("analytics.accuracy_per_question"), graded.map((q) => ({
        label: t("report.question_n", { n: q.index + 1, text: q.text }), value: q.accuracy ?? 0, figure: t("report.accuracy", { p: percent(q.accuracy) }),
      })))
      : el("p", { class: "muted" }, t("report.no_answers"))),
    section("hardest-title", t("analytics.hardest"), el("ul", { class: "hints" }, hardest.map((q) => el("li", {},
      el("strong", {}, t("report.question_n", { n: q.index + 1, text: q.text })), " — ",
      t("analytics.difficulty", { p: percent(q.difficulty), given: formatNumber(q.given) }),
      q.discrimination === null ? "" : ` ${t("analytics.discrimination", { r: q.discrimination.toFixed(2) })}`,
      q.flags.length ? el("ul", { class: "flags" }, q.flags.map((flag) => el("li", {}, t(`report.flag.${flag}`, { answer: (q.distractors[0] || {}).label })))) : null)))),
    section("distractors-title", t("analytics.distractors"), distractors.length
      ? barList(t("analytics.distractors"), distractors.map((d) => ({
        label: t("analytics.distractor", { answer: d.label, n: d.question.index + 1 }), value: d.count, figure: plural("report.answers_n", d.count),
      })))
      : el("p", { class: "muted" }, t("analytics.no_distractors"))),
    section("downloads-title", t("analytics.downloads"), el("div", { class: "downloads" },
      ...download("questions", t("analytics.csv.questions"), range),
      ...download("options", t("analytics.csv.options"), range),
      ...download("days", t("analytics.csv.days"), range))),
  );
  clear(app).append(el("div", { class: "stack" }, parts));
}

async function show(range) {
  const query = new URLSearchParams();
  if (range.from) query.set("from", range.from);
  if (range.to) query.set("to", range.to);
  try {
    render(await api(`/analytics/quizzes/${quizId}?${query}`, { auth: true }));
  } catch (error) {
    const message = error.code === "forbidden" ? t("analytics.forbidden") : error.code === "not_found" ? t("analytics.no_quiz") : errorMessage(error);
    clear(app).append(el("h1", {}, t("analytics.heading")), el("p", { class: "notice error", role: "alert" }, message));
  }
}

async function start() {
  const me = await signedInUser(app, t("analytics.signin_intro"), start);
  if (!me) return;
  if (!Number.isInteger(quizId) || quizId < 1) {
    clear(app).append(el("h1", {}, t("analytics.heading")), el("p", { class: "notice error", role: "alert" }, t("analytics.no_quiz")));
    return;
  }
  clear(app).append(el("p", { class: "muted" }, t("common.loading")));
  await show({ from: params.get("from"), to: params.get("to") });
}

bootPage("reports");
start();
