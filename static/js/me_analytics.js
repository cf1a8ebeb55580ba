// The "Your last 30 days" part of /me (GET /analytics/players/{id}): accuracy and time per answer,
// the quiz tags a player is strongest and weakest in, and XP per day as a bar list that says its
// figures. A server without analytics leaves the part out.

import { api } from "./api.js";
import { el, formatNumber } from "./dom.js";
import { t } from "./i18n.js";
import { barList, day, percent } from "./charts.js";

function stat(value, label) {
  return el("div", { class: "stat card" }, el("span", { class: "v" }, value), el("span", { class: "k" }, label));
}

/** The section, or null when there is nothing to show (no games in the range, or no analytics). */
export async function recentForm(userId) {
  let body;
  try {
    body = await api(`/analytics/players/${userId}`, { auth: true });
  } catch {
    return null;
  }
  const s = body.summary;
  if (!s.games) return null;
  const section = el("section", { class: "card stack", "aria-labelledby": "form-title" },
    el("h2", { id: "form-title" }, t("me.recent")),
    el("div", { class: "stats" },
      stat(formatNumber(s.games), t("reports.games")),
      stat(percent(s.accuracy), t("analytics.accuracy")),
      stat(s.average_ms === null ? "—" : t("report.seconds", { s: (s.average_ms / 1000).toFixed(1) }), t("me.time_per_answer"))));
  if (body.strongest.length) section.append(el("p", {}, t("me.strongest", { tags: body.strongest.join(", ") })));
  if (body.weakest.length) section.append(el("p", {}, t("me.weakest", { tags: body.weakest.join(", ") })));
  if (body.xp.length) {
    section.append(el("h3", {}, t("me.xp_per_day")),
      barList(t("me.xp_per_day"), body.xp.map((d) => ({ label: day(d.date), value: d.xp, figure: t("me.xp_gain", { xp: formatNumber(d.xp) }) }))));
  }
  return section;
}
