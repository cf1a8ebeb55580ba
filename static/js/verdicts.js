// How a scored answer reads on a player's screen: its verdict (correct, partial, wrong, none, poll)
// and its timing receipt (what the server measured and credited). Shared by /play and /duel.

import { el, formatNumber } from "./dom.js";
import { t } from "./i18n.js";
import { icon } from "./ui.js";

/** The verdict of result `r` to question `q`: poll, none (no answer), correct, partial or wrong. */
export function verdictKind(r, q) {
  if (q && q.kind === "poll") return "poll";
  if (r.answered === false) return "none";
  if (r.correct) return "correct";
  if (r.points > 0) return "partial";
  return "wrong";
}

export function verdictText(r, q) {
  const kind = verdictKind(r, q);
  const title = t(`verdict.${kind}`);
  return r.points > 0 ? `${title} ${t("verdict.points", { points: formatNumber(r.points) })}` : title;
}

/** The big verdict of a result: an icon, the verdict as the view's heading (`titleId`) and the points. */
export function verdictPanel(r, q, titleId) {
  const kind = verdictKind(r, q);
  return el(
    "div",
    { class: `verdict ${kind}` },
    icon(kind === "correct" ? "check" : kind === "partial" ? "minus" : kind === "poll" ? "check" : "cross", "icon"),
    el("h1", { class: "title", id: titleId }, t(`verdict.${kind}`)),
    kind !== "poll" ? el("p", { class: "points" }, r.points > 0 ? t("verdict.points", { points: formatNumber(r.points) }) : t("verdict.no_points")) : null,
  );
}

/** The timing receipt of an answer, folded: when it was sent and received, the round trip, the time credited. */
export function receiptView(receipt) {
  if (!receipt) return null;
  const ms = (v) => t("receipt.seconds", { s: (v / 1000).toFixed(2) });
  const took = receipt.received - receipt.sent;
  return el(
    "details",
    { class: "receipt" },
    el("summary", {}, t("receipt.title")),
    el("p", { class: "small", style: { margin: ".4rem 0 0" } }, t("receipt.explain")),
    el("dl", {},
      el("dt", {}, t("receipt.took")), el("dd", {}, ms(took)),
      el("dt", {}, t("receipt.rtt")), el("dd", {}, receipt.rtt_ms === null || receipt.rtt_ms === undefined ? t("receipt.unknown") : t("receipt.ms", { ms: receipt.rtt_ms })),
      el("dt", {}, t("receipt.credited")), el("dd", {}, ms(receipt.credited_ms)),
      el("dt", {}, t("receipt.received")), el("dd", {}, new Date(receipt.received).toLocaleTimeString(document.documentElement.lang || "en", { hour12: false }) + `.${String(receipt.received % 1000).padStart(3, "0")}`),
    ),
  );
}
