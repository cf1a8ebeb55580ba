// Pieces the report and analytics pages share: bar charts drawn as lists whose lines say their
// figures in words (their own text alternative), a range-of-days form, and figure formatting.

import { el } from "./dom.js";
import { t } from "./i18n.js";

export function percent(share) {
  return share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`;
}

/** An ISO day ("2026-03-10") as people read it, in UTC (the day the server counted it on). */
export function day(value) {
  return new Date(`${value}T00:00:00Z`).toLocaleDateString(document.documentElement.lang || "en", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

/** Bars as a list: each line is its text (`label` and `figure`), the bar (width by `value`) only
 * draws it; `key` lines are marked as right answers. */
export function barList(label, rows) {
  const most = Math.max(1e-9, ...rows.map((row) => row.value));
  const list = el("ul", { class: "dist", "aria-label": label });
  for (const row of rows) {
    const fill = el("div", { class: "fill" });
    fill.style.width = `${Math.round((row.value / most) * 100)}%`;
    list.append(el("li", { class: row.key ? "key" : null },
      el("span", { class: "label" }, row.label),
      el("span", { class: "count" }, row.figure),
      el("div", { class: "track", "aria-hidden": "true" }, fill)));
  }
  return list;
}

/** Two date fields and a button; `onPick({from, to})` on submit. */
export function rangeForm(range, onPick, idPrefix = "range") {
  const from = el("input", { type: "date", id: `${idPrefix}-from`, name: "from", value: range.from, required: true });
  const to = el("input", { type: "date", id: `${idPrefix}-to`, name: "to", value: range.to, required: true });
  const form = el("form", { class: "range-form", "aria-label": t("analytics.range") },
    el("div", { class: "field" }, el("label", { for: `${idPrefix}-from` }, t("analytics.from")), from),
    el("div", { class: "field" }, el("label", { for: `${idPrefix}-to` }, t("analytics.to")), to),
    el("button", { type: "submit", class: "btn" }, t("analytics.show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onPick({ from: from.value, to: to.value });
  });
  return form;
}
