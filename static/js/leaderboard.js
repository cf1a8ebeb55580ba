// /leaderboard: everyone by XP, or a quiz's players by their best score, by period; or duellists by
// their duel rating.

import { api, session } from "./api.js";
import { $, clear, el, formatNumber } from "./dom.js";
import { errorMessage, t } from "./i18n.js";
import { bootPage, medal } from "./ui.js";

const PERIODS = ["all", "month", "week", "day"];
const app = $("#app");
const state = { scope: "global", period: "all", quiz: null };

function segmented(labelKey, values, current, textKey, onPick) {
  const group = el("div", { class: "segmented", role: "group", "aria-label": t(labelKey) });
  for (const value of values) {
    group.append(el("button", { type: "button", "aria-pressed": String(value === current), onclick: () => onPick(value) }, t(`${textKey}${value}`)));
  }
  return group;
}

async function render() {
  const me = session() && session().user;
  const table = el("div", { id: "board", "aria-live": "polite" }, el("p", { class: "muted" }, t("common.loading")));
  const controls = el("div", { class: "spread", style: { marginBottom: "1rem" } },
    segmented("lb.scope", ["global", "quiz", "duels"], state.scope, "lb.", (v) => { state.scope = v; render(); }),
    state.scope === "duels" ? null : segmented("lb.period", PERIODS, state.period, "lb.period.", (v) => { state.period = v; render(); }));
  const parts = [el("h1", {}, t("lb.title")), controls];
  if (state.scope === "quiz") {
    const select = el("select", { id: "lb-quiz" });
    parts.push(el("div", { class: "field", style: { maxWidth: "420px" } }, el("label", { for: "lb-quiz" }, t("lb.pick_quiz")), select));
    try {
      const page = await api("/quizzes?limit=100&sort=title", { auth: true }).catch(() => api("/quizzes?limit=100", { auth: true }));
      if (!page.items.length) {
        clear(app).append(...parts, el("p", { class: "muted" }, t("lb.no_quizzes")));
        return;
      }
      if (!state.quiz || !page.items.some((q) => q.id === state.quiz)) state.quiz = page.items[0].id;
      for (const quiz of page.items) select.append(el("option", { value: String(quiz.id), selected: quiz.id === state.quiz }, quiz.title));
      select.addEventListener("change", () => { state.quiz = Number(select.value); render(); });
    } catch (error) {
      clear(app).append(...parts, el("p", { class: "notice error" }, errorMessage(error)));
      return;
    }
  }
  parts.push(table);
  clear(app).append(el("section", { class: "stack" }, ...parts));
  if (state.scope === "duels") {
    await duelBoard(table, me);
    return;
  }
  const path = state.scope === "global" ? "/leaderboards/global" : `/leaderboards/quizzes/${state.quiz}`;
  try {
    const board = await api(`${path}?period=${state.period}&limit=50`, { auth: true });
    const items = board.items || [];
    if (!items.length) {
      table.replaceChildren(el("p", { class: "card muted" }, t("lb.empty")));
      return;
    }
    const byXp = state.scope === "global";
    const withLevel = byXp && items.some((row) => typeof row.level === "number");
    const body = el("tbody", {});
    for (const row of items) {
      const user = row.user || {};
      const mine = me && user.id === me.id;
      body.append(el("tr", { class: mine ? "me" : null },
        el("td", { class: "rank-cell" }, row.rank <= 3 ? medal(row.rank) : null, el("span", {}, String(row.rank))),
        el("td", {}, user.username ?? "", mine ? ` ${t("board.you")}` : ""),
        withLevel ? el("td", { class: "num" }, row.level ?? "") : null,
        el("td", { class: "num" }, formatNumber(byXp ? row.xp : row.score))));
    }
    table.replaceChildren(el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "rank-cell" }, t("lb.col.rank")), el("th", { scope: "col" }, t("lb.col.player")),
        withLevel ? el("th", { scope: "col", class: "num" }, t("lb.col.level")) : null,
        el("th", { scope: "col", class: "num" }, t(byXp ? "lb.col.xp" : "lb.col.score")))),
      body));
  } catch (error) {
    table.replaceChildren(el("p", { class: "notice info" }, error.code === "not_found" && state.scope === "global" ? t("me.unavailable") : errorMessage(error)));
  }
}

/** Players with a rated duel by their Elo rating (all time: a rating is where a player stands now). */
async function duelBoard(table, me) {
  try {
    const board = await api("/leaderboards/duels?limit=50");
    const items = board.items || [];
    if (!items.length) {
      table.replaceChildren(el("p", { class: "card muted" }, t("lb.duels_empty")));
      return;
    }
    const body = el("tbody", {});
    for (const row of items) {
      const mine = me && row.user.id === me.id;
      body.append(el("tr", { class: mine ? "me" : null },
        el("td", { class: "rank-cell" }, row.rank <= 3 ? medal(row.rank) : null, el("span", {}, String(row.rank))),
        el("td", {}, row.user.username, mine ? ` ${t("board.you")}` : ""),
        el("td", { class: "num" }, formatNumber(row.rating)),
        el("td", { class: "num" }, t("lb.record", { won: formatNumber(row.won), lost: formatNumber(row.lost), drawn: formatNumber(row.drawn) }))));
    }
    table.replaceChildren(el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "rank-cell" }, t("lb.col.rank")), el("th", { scope: "col" }, t("lb.col.player")),
        el("th", { scope: "col", class: "num" }, t("lb.col.rating")), el("th", { scope: "col", class: "num" }, t("lb.col.record")))),
      body));
  } catch (error) {
    table.replaceChildren(el("p", { class: "notice info" }, errorMessage(error)));
  }
}

bootPage("leaderboard");
render();
