// Pieces the assignment pages share: a moment as people read it (in their own time zone), a
// player's status, and the link box with its copy button.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { toast } from "./ui.js";

/** An ISO moment in the reader's own time zone: "Mar 12, 2026, 18:00". */
export function when(value) {
  if (!value) return t("common.unknown_date");
  return new Date(value).toLocaleString(document.documentElement.lang || "en", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

/** "Due …" while players may start, "Closed …" once the due date has passed (the server says which). */
export function dueText(assignment) {
  return t(assignment.open ? "assign.due_at" : "assign.closed_at", { when: when(assignment.due_at) });
}

export function statusText(status) {
  return t(`assign.status.${status}`);
}

/** The players' link, read-only (select it to copy by hand), with a button that copies it. */
export function linkBox(link, id = "assignment-link") {
  const input = el("input", { type: "text", id, value: link, readonly: true, class: "link-input" });
  input.addEventListener("focus", () => input.select());
  const copy = el("button", { type: "button", class: "btn secondary", id: `${id}-copy` }, t("assign.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link);
      toast(t("assign.copied"), "ok");
    } catch {
      input.focus(); // a page on plain http outside localhost gets no clipboard: the text is selected
      toast(t("assign.copy_failed"), "warn");
    }
  });
  return el("div", { class: "field link-box" },
    el("label", { for: id }, t("assign.link")),
    el("div", { class: "row" }, input, copy));
}
