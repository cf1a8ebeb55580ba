// Scheduled sessions on the host page: schedule a game of the chosen quiz for a time with invited
// players, see one's sessions (scheduled, open, cancelled, failed), cancel one still to come, and
// take the host seat of one that opened by itself.

import { ApiError, api } from "./api.js";
import { el } from "./dom.js";
import { errorMessage, plural, t } from "./i18n.js";
import { confirmDialog, toast } from "./ui.js";

/** A time as people read it, in their own zone. */
export function whenText(iso) {
  return new Date(iso).toLocaleString(document.documentElement.lang || "en", {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

/** The value a datetime-local input shows for a moment (local time, to the minute). */
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function nextHour() {
  const date = new Date();
  date.setMinutes(0, 0, 0);
  date.setHours(date.getHours() + 1);
  return date;
}

/** Usernames from a free-text field: separated by commas, spaces or new lines. */
export function usernamesOf(text) {
  return [...new Set(text.split(/[\s,;]+/).map((name) => name.trim()).filter(Boolean))];
}

/**
 * The "Schedule for later" card of a quiz's options: `settingsOf()` reads the options the host set
 * above, `onScheduled(session)` runs once the server has the session.
 */
export function scheduleCard(quiz, settingsOf, onScheduled) {
  const at = el("input", { type: "datetime-local", id: "sched-at", required: true, value: localInputValue(nextHour()) });
  const invitees = el("textarea", { id: "sched-invitees", rows: 2, autocomplete: "off", spellcheck: "false" });
  const formError = el("div", { class: "form-error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit", class: "btn secondary", id: "schedule-game" }, t("schedule.submit"));
  const form = el("form", { class: "card stack", novalidate: true, "aria-labelledby": "sched-title" },
    el("h2", { id: "sched-title" }, t("schedule.title")),
    el("p", { class: "muted small" }, t("schedule.lede")),
    el("div", { class: "grid-2" },
      el("div", { class: "field", dataset: { path: "starts_at" } }, el("label", { for: "sched-at" }, t("schedule.when")), at,
        el("p", { class: "hint" }, t("schedule.when_hint"))),
      el("div", { class: "field", dataset: { path: "invitees" } }, el("label", { for: "sched-invitees" }, t("schedule.invitees")), invitees,
        el("p", { class: "hint" }, t("schedule.invitees_hint")))),
    formError,
    el("div", { class: "row end" }, submit));
  // A field's error goes as soon as the field is changed.
  form.addEventListener("input", (event) => {
    const box = event.target.closest(".field");
    if (box) box.querySelectorAll(".field-error").forEach((node) => node.remove());
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formError.hidden = true;
    form.querySelectorAll(".field-error").forEach((node) => node.remove());
    const moment = new Date(at.value);
    if (!at.value || Number.isNaN(moment.getTime())) {
      form.querySelector('[data-path="starts_at"]').append(el("p", { class: "field-error" }, t("schedule.when_missing")));
      return;
    }
    const names = usernamesOf(invitees.value);
    submit.disabled = true;
    try {
      const session = await api("/games/scheduled", {
        method: "POST", auth: true,
        json: { quiz_id: quiz.id, starts_at: moment.toISOString(), settings: settingsOf(), invitees: names },
      });
      toast(t("schedule.done", { when: whenText(session.starts_at) }), "ok");
      onScheduled(session);
    } catch (error) {
      let placed = error instanceof ApiError && error.fields.length > 0;
      for (const field of error.fields || []) {
        const index = /^invitees\.(\d+)$/.exec(field.path);
        const box = form.querySelector(`[data-path="${index ? "invitees" : field.path}"]`);
        const text = index ? t("schedule.no_such_user", { name: names[Number(index[1])] }) : field.message;
        if (box) box.append(el("p", { class: "field-error" }, text));
        else placed = false;
      }
      if (!placed) {
        formError.textContent = errorMessage(error);
        formError.hidden = false;
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function sessionItem(session, { onHost, reload }) {
  const cancel = async () => {
    if (!(await confirmDialog(t("schedule.cancel_confirm", { title: session.title }), { confirm: t("schedule.cancel"), danger: true }))) return;
    try {
      await api(`/games/scheduled/${session.id}`, { method: "DELETE", auth: true });
      toast(t("schedule.cancelled_toast"), "info");
    } catch (error) {
      toast(errorMessage(error), "error");
    }
    reload();
  };
  const invited = session.invitees.length
    ? plural("schedule.invited", session.invitees.length, { names: session.invitees.join(", ") })
    : t("schedule.nobody_invited");
  const actions = [];
  if (session.state === "scheduled") {
    actions.push(el("button", { type: "button", class: "btn small secondary", onclick: cancel, "aria-label": t("schedule.cancel_aria", { title: session.title }) }, t("schedule.cancel")));
  } else if (session.state === "open") {
    actions.push(el("button", { type: "button", class: "btn small", onclick: () => onHost(session), "aria-label": t("schedule.host_aria", { title: session.title }) }, t("schedule.host_now")));
  }
  return el("li", { class: "list-item", dataset: { state: session.state } },
    el("div", {},
      el("div", { class: "title clamp", title: session.title }, session.title),
      el("div", { class: "small" }, el("span", { class: `state-pill ${session.state}` }, t(`schedule.state.${session.state}`)), " ", whenText(session.starts_at),
        session.state === "open" ? ` · ${t("schedule.pin", { pin: session.pin })}` : ""),
      el("div", { class: "small muted" }, session.failure ? t("schedule.failed_because", { why: session.failure }) : invited)),
    ...actions);
}

/** The host's sessions, latest start first; `onHost(session)` takes the seat of an open one. */
export function scheduledSessions({ onHost }) {
  const list = el("ul", { class: "list", id: "scheduled-list", "aria-labelledby": "scheduled-title" });
  const section = el("section", { class: "stack", "aria-labelledby": "scheduled-title" },
    el("h2", { id: "scheduled-title" }, t("schedule.list_title")), list);
  const reload = async () => {
    list.replaceChildren(el("li", { class: "muted" }, t("common.loading")));
    try {
      const page = await api("/games/scheduled?limit=20", { auth: true });
      list.replaceChildren();
      if (!page.items.length) list.append(el("li", { class: "muted" }, t("schedule.none")));
      for (const session of page.items) list.append(sessionItem(session, { onHost, reload }));
    } catch (error) {
      list.replaceChildren(el("li", { class: "notice error" }, errorMessage(error)));
    }
  };
  reload();
  return section;
}
