// /report?game=ID: one game's report. Its host (or an admin) sees the players and their ranks, each
// question with its answer chart, accuracy, median time and item flags, the integrity hints and
// the CSV downloads; a player sees their own answers with their timing receipts and points.

import { api, filenameOf } from "./api.js";
import { $, clear, el, formatNumber, saveBlob } from "./dom.js";
import { errorMessage, ordinal, plural, t } from "./i18n.js";
import { bootPage, icon, signedInUser } from "./ui.js";

const app = $("#app");
const gameId = Number(new URLSearchParams(location.search).get("game"));

function when(value) {
  if (!value) return t("common.unknown_date");
  return new Date(value).toLocaleString(document.documentElement.lang || "en", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

function percent(share) {
  return share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`;
}

function seconds(ms) {
  return ms === null || ms === undefined ? "—" : t("report.seconds", { s: (ms / 1000).toFixed(1) });
}

function clockTime(ms) {
  if (ms === null || ms === undefined) return "—";
  const moment = new Date(ms);
  return `${moment.toLocaleTimeString(document.documentElement.lang || "en", { hour12: false })}.${String(ms % 1000).padStart(3, "0")}`;
}

function downloadButton(label, path, fallback) {
  const note = el("span", { class: "small", role: "status" });
  const button = el("button", { type: "button", class: "btn secondary" }, icon("download"), label);
  button.addEventListener("click", async () => {
    note.textContent = "";
    button.disabled = true;
    try {
      const response = await api(path, { auth: true, raw: true });
      saveBlob(await response.blob(), filenameOf(response, fallback));
      note.textContent = t("report.downloaded");
    } catch (error) {
      note.textContent = errorMessage(error);
    } finally {
      button.disabled = false;
    }
  });
  return [button, note];
}

// --- the host's report ---------------------------------------------------------------------------

/** The answer distribution as a list of bars: each line says its answer, count and share in
 * words, so the chart is its own text alternative. */
function distribution(question) {
  const total = question.distribution.reduce((sum, option) => sum + option.count, 0);
  const most = Math.max(1, ...question.distribution.map((option) => option.count));
  const list = el("ul", { class: "dist", "aria-label": t("report.distribution") });
  for (const option of question.distribution) {
    const fill = el("div", { class: "fill" });
    fill.style.width = `${Math.round((option.count / most) * 100)}%`;
    const label = question.kind === "ordering" ? t(`chart.ordering.${option.label}`) : option.label || t("report.empty_answer");
    list.append(el("li", { class: option.correct ? "key" : null },
      el("span", { class: "label" }, option.correct ? icon("check") : null, label,
        option.correct ? el("span", { class: "visually-hidden" }, ` (${t("report.correct_answer")})`) : null),
      el("span", { class: "count" }, `${formatNumber(option.count)} · ${percent(total ? option.count / total : null)}`),
      el("div", { class: "track", "aria-hidden": "true" }, fill)));
  }
  return list;
}

function flagText(flag, question) {
  const top = question.distractors[0];
  if (flag === "distractor_beats_key" && top) return t("report.flag.distractor_beats_key", { answer: top.label });
  return t(`report.flag.${flag}`);
}

function questionCard(question) {
  const figures = [
    t(`kind.${question.kind}`),
    question.difficulty === null ? null : t("report.accuracy", { p: percent(question.accuracy) }),
    t("report.median", { time: seconds(question.median_ms) }),
    plural("report.answers_n", question.attempts),
  ].filter(Boolean);
  const card = el("li", { class: "card question-card" },
    el("h3", {}, t("report.question_n", { n: question.index + 1, text: question.text })),
    el("p", { class: "figures" }, figures.map((text) => el("span", {}, text))),
    question.distribution.length ? distribution(question) : el("p", { class: "muted" }, t("report.no_answers")));
  if (question.flags.length) {
    card.append(el("ul", { class: "flags", "aria-label": t("report.flags") }, question.flags.map((flag) => el("li", {}, flagText(flag, question)))));
  }
  return card;
}

function playersTable(report) {
  const body = el("tbody", {});
  for (const player of report.players) {
    body.append(el("tr", {},
      el("td", { class: "num" }, player.rank ? ordinal(player.rank) : t("report.kicked")),
      el("td", {}, player.nickname),
      el("td", { class: "num" }, formatNumber(player.score)),
      el("td", { class: "num" }, formatNumber(player.correct_count))));
  }
  return el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "players-title" },
    el("table", {},
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", class: "num" }, t("report.col.rank")),
        el("th", { scope: "col" }, t("report.col.player")),
        el("th", { scope: "col", class: "num" }, t("report.col.score")),
        el("th", { scope: "col", class: "num" }, t("report.col.correct")))),
      body));
}

function hintsSection(hints) {
  const section = el("section", { class: "card stack", "aria-labelledby": "hints-title" },
    el("h2", { id: "hints-title" }, t("report.hints")),
    el("p", { class: "small muted" }, t("report.hints_lede")));
  const items = [];
  for (const fast of hints.fast_players) {
    items.push(t("report.hint.fast", { name: fast.nickname, n: fast.count, of: fast.answered, ms: hints.thresholds.fast_ms }));
  }
  for (const pair of hints.similar_pairs) {
    items.push(t("report.hint.pair", {
      a: pair.players[0].nickname, b: pair.players[1].nickname, n: pair.matching, of: pair.shared,
      ms: hints.thresholds.pair_gap_ms, wrong: pair.identical_wrong,
    }));
  }
  section.append(items.length ? el("ul", { class: "hints" }, items.map((text) => el("li", {}, text))) : el("p", {}, t("report.hints_none")));
  if (!hints.join_bursts_checked) section.append(el("p", { class: "small muted" }, t("report.hint.joins_unchecked")));
  if (!hints.pairs_checked) section.append(el("p", { class: "small muted" }, t("report.hint.pairs_unchecked")));
  return section;
}

async function hostView(report) {
  const [analysis, hints] = await Promise.allSettled([
    api(`/analytics/games/${report.id}`, { auth: true }),
    api(`/games/${report.id}/integrity`, { auth: true }),
  ]);
  const parts = [
    el("section", { class: "stack report-head", "aria-labelledby": "report-title" },
      el("h1", { id: "report-title" }, report.title || t("reports.untitled")),
      el("p", { class: "meta" }, `${when(report.ended_at || report.created_at)} · ${plural("reports.players_n", report.players.filter((p) => p.rank).length)}`),
      el("div", { class: "row" },
        ...downloadButton(t("report.download_results"), `/games/${report.id}/export?format=csv`, `game-${report.id}.csv`),
        ...downloadButton(t("report.download_questions"), `/analytics/games/${report.id}?format=csv`, `game-${report.id}-questions.csv`))),
    el("section", { class: "stack", "aria-labelledby": "players-title" },
      el("h2", { id: "players-title" }, t("report.players")), playersTable(report)),
  ];
  if (hints.status === "fulfilled") parts.push(hintsSection(hints.value));
  const questions = el("section", { class: "stack", "aria-labelledby": "questions-title" },
    el("h2", { id: "questions-title" }, t("report.questions")));
  if (analysis.status === "fulfilled") {
    const ordered = analysis.value.questions.slice().sort((a, b) => a.index - b.index);
    const hardest = analysis.value.questions.find((q) => q.difficulty !== null);
    if (hardest) questions.append(el("p", { class: "muted" }, t("report.hardest", { n: hardest.index + 1, p: percent(hardest.difficulty) })));
    questions.append(el("ol", { class: "questions", "aria-label": t("report.questions") }, ordered.map(questionCard)));
  } else {
    questions.append(el("p", { class: "notice error" }, errorMessage(analysis.reason)));
  }
  parts.push(questions);
  return parts;
}

// --- a player's own report -----------------------------------------------------------------------

function myAnswer(row) {
  const verdict = !row.answered
    ? el("span", { class: "outcome wrong" }, icon("minus"), t("report.no_answer"))
    : row.correct
      ? el("span", { class: "outcome right" }, icon("check"), t("report.right"))
      : el("span", { class: "outcome wrong" }, icon("cross"), t("report.wrong"));
  const details = [
    [t("report.your_answer"), row.answered ? row.answer_text || "—" : "—"],
    [t("report.points"), formatNumber(row.points)],
  ];
  if (row.answered) {
    details.push(
      [t("report.time"), seconds(row.credited_ms)],
      [t("report.receipt"), t("report.receipt_text", { sent: clockTime(row.sent), received: clockTime(row.received), rtt: row.rtt_ms ?? "—", credited: formatNumber(row.credited_ms) })],
    );
  }
  return el("li", { class: "card" },
    el("h3", {}, t("report.question_n", { n: row.question + 1, text: row.question_text })),
    verdict,
    el("dl", {}, details.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])));
}

async function playerView(report, me) {
  const seats = report.players.filter((p) => p.user_id === me.id);
  const seat = seats.sort((a, b) => b.score - a.score)[0];
  const ranked = report.players.filter((p) => p.rank).length;
  const head = el("section", { class: "stack report-head", "aria-labelledby": "report-title" },
    el("h1", { id: "report-title" }, report.title || t("reports.untitled")),
    el("p", { class: "meta" }, when(report.ended_at || report.created_at)));
  if (!seat) return [head, el("p", { class: "notice info" }, t("report.not_your_game"))];
  head.append(el("div", { class: "stats" },
    el("div", { class: "stat card" }, el("span", { class: "v" }, seat.rank ? `${ordinal(seat.rank)} / ${ranked}` : "—"), el("span", { class: "k" }, t("report.place"))),
    el("div", { class: "stat card" }, el("span", { class: "v" }, formatNumber(seat.score)), el("span", { class: "k" }, t("report.col.score"))),
    el("div", { class: "stat card" }, el("span", { class: "v" }, formatNumber(seat.correct_count)), el("span", { class: "k" }, t("report.col.correct")))));
  const exported = await api(`/games/${report.id}/export?format=json`, { auth: true });
  const mine = exported.rows.filter((row) => row.player === seat.id);
  return [head, el("section", { class: "stack", "aria-labelledby": "mine-title" },
    el("h2", { id: "mine-title" }, t("report.your_answers")),
    el("p", { class: "small muted" }, t("report.receipt_lede")),
    el("ol", { class: "my-answers", "aria-label": t("report.your_answers") }, mine.map(myAnswer)))];
}

// --- start ---------------------------------------------------------------------------------------

async function start() {
  const me = await signedInUser(app, t("report.signin_intro"), start);
  if (!me) return;
  if (!Number.isInteger(gameId) || gameId < 1) {
    clear(app).append(el("h1", {}, t("report.title")), el("p", { class: "notice error", role: "alert" }, t("report.no_game")));
    return;
  }
  clear(app).append(el("p", { class: "muted" }, t("common.loading")));
  let report;
  try {
    report = await api(`/games/${gameId}`, { auth: true });
  } catch (error) {
    const message = error.code === "forbidden" ? t("report.forbidden") : error.code === "not_found" ? t("report.no_game") : errorMessage(error);
    clear(app).append(el("h1", {}, t("report.title")), el("p", { class: "notice error", role: "alert" }, message));
    return;
  }
  const parts = [];
  if (!report.complete) parts.push(el("p", { class: "notice info" }, t("report.incomplete")));
  try {
    const host = report.host_id === me.id || me.role === "admin";
    parts.unshift(...(host ? await hostView(report) : await playerView(report, me)));
  } catch (error) {
    parts.push(el("p", { class: "notice error", role: "alert" }, errorMessage(error)));
  }
  clear(app).append(el("div", { class: "stack" }, parts));
}

bootPage("reports");
start();
