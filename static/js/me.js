// /me: XP, level with the progress to the next, the duel rating and record, badges earned and still
// to earn, and game history.

import { api } from "./api.js";
import { $, clear, el, formatNumber } from "./dom.js";
import { errorMessage, ordinal, t } from "./i18n.js";
import { dueText, statusText } from "./assignment_parts.js";
import { recentForm } from "./me_analytics.js";
import { upcomingGames } from "./upcoming.js";
import { bootPage, medal, opponentLabel, signedInUser, signOutButton } from "./ui.js";

const app = $("#app");

function date(value) {
  if (!value) return t("common.unknown_date");
  return new Date(value).toLocaleDateString(document.documentElement.lang || "en", { year: "numeric", month: "short", day: "numeric" });
}

/** level = floor(sqrt(xp / 100)) + 1, so level n starts at 100 * (n - 1)^2 XP (DESIGN.md). */
function levelStart(level) {
  return 100 * (level - 1) ** 2;
}

function unavailable(error) {
  const missing = error && (error.code === "not_found" || error.code === "method_not_allowed");
  return el("p", { class: "notice info" }, missing ? t("me.unavailable") : errorMessage(error));
}

const RECENT_DUELS = 5;

function rated(record) {
  return record.won + record.lost + (record.drawn ?? 0) > 0;
}

/** The rating the server computed, or a plain "not rated yet" before the first rated duel. */
function duelRatingCard(record) {
  if (!record) return null;
  return el("div", { class: "stat card" },
    el("span", { class: "v" }, rated(record) ? formatNumber(record.rating) : t("me.duel_unrated_short")),
    el("span", { class: "k" }, t("me.duels")));
}

function signed(n) {
  return n > 0 ? `+${formatNumber(n)}` : n < 0 ? `−${formatNumber(-n)}` : "±0";
}

/** The duel record and the latest duels, each against a person or a bot, with its rating change. */
function duelSection(record, history) {
  const box = el("section", { class: "card stack", "aria-labelledby": "duels-title" },
    el("div", { class: "spread" }, el("h2", { id: "duels-title" }, t("me.duels_title")), el("a", { class: "btn secondary", href: "/duel" }, t("me.duel_play"))),
    el("p", { id: "duel-record" }, rated(record)
      ? t("me.duel_record", { won: formatNumber(record.won), lost: formatNumber(record.lost), drawn: formatNumber(record.drawn ?? 0), best: formatNumber(record.best_streak ?? 0) })
      : t("me.duel_unrated")));
  if (history.status !== "fulfilled") {
    box.append(unavailable(history.reason));
    return box;
  }
  const items = history.value.items || [];
  if (!items.length) return box;
  const body = el("tbody", {});
  for (const duel of items) {
    const opponent = opponentLabel(duel.opponent);
    body.append(el("tr", {},
      el("td", {}, el("a", { href: `/report?game=${duel.game_id}`, "aria-label": t("me.open_duel", { name: opponent }) }, opponent)),
      el("td", {}, date(duel.played_at)),
      el("td", {}, t(`me.duel_outcome.${duel.outcome}`)),
      el("td", { class: "num" }, `${formatNumber(duel.score)} – ${formatNumber(duel.opponent.score)}`),
      el("td", { class: "num" }, duel.rated ? signed(duel.rating_change) : t("me.duel_unrated_change"))));
  }
  box.append(el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "duels-title" }, el("table", {},
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("me.col.opponent")), el("th", { scope: "col" }, t("me.col.date")), el("th", { scope: "col" }, t("me.col.outcome")), el("th", { scope: "col", class: "num" }, t("me.col.score")), el("th", { scope: "col", class: "num" }, t("me.col.rating")))),
    body)));
  return box;
}

/** The assignments this player was given, each opening its page on /play (start, go back to it,
 * or see the result). */
function assignmentsBox(items) {
  const box = el("section", { class: "card stack", "aria-labelledby": "assigned-title" }, el("h2", { id: "assigned-title" }, t("assign.mine_player")));
  if (!items.length) {
    box.append(el("p", { class: "muted" }, t("assign.none_player")));
    return box;
  }
  box.append(el("ul", { class: "report-list", id: "my-assignments" }, items.map((a) => {
    const mine = a.attempt;
    const state = mine && mine.status === "finished"
      ? t("assign.your_score", { status: statusText(mine.status), score: formatNumber(mine.score) })
      : statusText(mine ? mine.status : "not_started");
    return el("li", {}, el("a", { class: "card", href: `/play?assignment=${encodeURIComponent(a.code)}` },
      el("span", { class: "title" }, a.title),
      el("span", { class: "meta" }, `${dueText(a)} · ${state}`)));
  })));
  return box;
}

async function start() {
  const me = await signedInUser(app, t("me.signin_intro"), start);
  if (!me) return;
  const [progress, badges, games, duels, assigned] = await Promise.allSettled([
    api(`/users/${me.id}/progress`, { auth: true }),
    api("/badges", { auth: true }),
    api("/games?limit=50", { auth: true }),
    api(`/users/${me.id}/duels?limit=${RECENT_DUELS}`),
    api("/assignments?role=player&limit=20", { auth: true }),
  ]);
  const p = progress.status === "fulfilled" ? progress.value : null;
  const xp = p ? p.xp : me.xp;
  const level = p ? p.level : me.level;
  const from = p && typeof p.level_xp === "number" ? p.level_xp : levelStart(level);
  const to = p && typeof p.next_level_xp === "number" ? p.next_level_xp : levelStart(level + 1);
  const share = Math.max(0, Math.min(1, (xp - from) / Math.max(1, to - from)));

  const header = el("section", { class: "card", "aria-labelledby": "me-title" },
    el("div", { class: "spread" }, el("h1", { id: "me-title" }, me.username), signOutButton(start)),
    el("div", { class: "level-ring" },
      el("div", { class: "level-badge", "aria-label": `${t("me.level")} ${level}` }, el("span", {}, el("span", { class: "n" }, String(level)), el("span", { class: "k" }, t("me.level")))),
      el("div", { style: { flex: "1 1 240px" } },
        el("p", { style: { fontSize: "1.4rem", fontWeight: 900, margin: 0 } }, t("me.xp", { xp: formatNumber(xp) })),
        el("div", { class: "progress", role: "progressbar", "aria-valuemin": from, "aria-valuemax": to, "aria-valuenow": xp, "aria-label": t("me.to_next", { left: formatNumber(to - xp), next: level + 1 }) },
          el("div", { class: "fill", style: { width: `${Math.round(share * 100)}%` } })),
        el("p", { class: "small muted", style: { marginTop: ".35rem" } }, t("me.to_next", { left: formatNumber(Math.max(0, to - xp)), next: level + 1 })))),
  );
  const parts = [header];
  if (p) {
    parts.push(el("section", { class: "stats", style: { marginBottom: "1rem" } },
      el("div", { class: "stat card" }, el("span", { class: "v" }, formatNumber(p.games_played)), el("span", { class: "k" }, t("me.games_played"))),
      el("div", { class: "stat card" }, el("span", { class: "v" }, formatNumber(p.games_won ?? 0)), el("span", { class: "k" }, t("me.games_won"))),
      el("div", { class: "stat card" }, el("span", { class: "v" }, formatNumber(p.streak_days ?? 0)), el("span", { class: "k" }, t("me.streak"))),
      duelRatingCard(p.duels)));
  } else if (progress.status === "rejected") {
    parts.push(unavailable(progress.reason));
  }

  parts.push(await upcomingGames());
  if (p && p.duels) parts.push(duelSection(p.duels, duels));
  if (assigned.status === "fulfilled") parts.push(assignmentsBox(assigned.value.items));
  const badgeBox = el("section", { class: "card stack", "aria-labelledby": "badges-title" }, el("h2", { id: "badges-title" }, t("me.badges")));
  if (badges.status === "fulfilled" || p) {
    const earned = new Map(((p && p.badges) || []).map((b) => [b.code, b]));
    const catalogue = (badges.status === "fulfilled" ? badges.value.items : [...earned.values()]).slice()
      .sort((a, b) => Number(earned.has(b.code) || Boolean(b.earned)) - Number(earned.has(a.code) || Boolean(a.earned)));
    if (!catalogue.length) badgeBox.append(el("p", { class: "muted" }, t("me.no_badges")));
    const list = el("ul", { class: "badges" });
    for (const badge of catalogue) {
      const got = earned.get(badge.code) || (badge.earned ? badge : null);
      list.append(el("li", { class: `badge${got ? "" : " locked"}` },
        medal(got ? 1 : 0),
        el("div", {}, el("div", { class: "name" }, badge.name), el("div", { class: "small muted" }, badge.description),
          el("div", { class: "small", style: { fontWeight: 700, marginTop: ".25rem" } }, got ? t("me.earned", { date: date(got.awarded_at) }) : t("me.to_earn")))));
    }
    badgeBox.append(list);
  } else {
    badgeBox.append(unavailable(badges.reason));
  }
  parts.push(badgeBox);

  const history = el("section", { class: "card stack", "aria-labelledby": "history-title" }, el("h2", { id: "history-title" }, t("me.history")));
  if (games.status === "fulfilled") {
    const items = games.value.items || [];
    if (!items.length) history.append(el("p", { class: "muted" }, t("me.no_history")));
    else {
      const body = el("tbody", {});
      for (const game of items) {
        const seat = game.result;
        body.append(el("tr", {},
          el("td", {}, el("a", { href: `/report?game=${game.id}`, "aria-label": t("me.open_report", { title: game.title }) }, game.title)),
          el("td", {}, date(game.ended_at || game.started_at || game.created_at)),
          el("td", {}, t(game.role === "host" ? "me.role.host" : "me.role.player")),
          el("td", { class: "num" }, seat ? formatNumber(seat.score) : "—"),
          el("td", { class: "num" }, seat && seat.rank ? `${ordinal(seat.rank)} / ${game.players}` : "—")));
      }
      // The table may be wider than a phone: its scroll box takes keyboard focus so it can be
      // scrolled without a pointer.
      history.append(el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "history-title" }, el("table", {},
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("me.col.game")), el("th", { scope: "col" }, t("me.col.date")), el("th", { scope: "col" }, t("me.col.role")), el("th", { scope: "col", class: "num" }, t("me.col.score")), el("th", { scope: "col", class: "num" }, t("me.col.rank")))),
        body)));
    }
  } else {
    history.append(unavailable(games.reason));
  }
  parts.push(history);
  const recent = await recentForm(me.id);
  if (recent) parts.splice(parts.indexOf(badgeBox), 0, recent);
  clear(app).append(...parts);
}

bootPage("me");
start();
