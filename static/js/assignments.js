// /assign: assign a quiz with a due date (POST /assignments) and copy the players' link; below,
// the assignments the signed-in user gave out, newest first, each opening its progress page.
// `?quiz=ID` preselects a quiz (the author page links here).

import { api } from "./api.js";
import { $, clear, el, focusHeading } from "./dom.js";
import { errorMessage, t } from "./i18n.js";
import { dueText, linkBox } from "./assignment_parts.js";
import { bootPage, placeFieldErrors, signedInUser } from "./ui.js";

const app = $("#app");
const wanted = Number(new URLSearchParams(location.search).get("quiz")) || null;
const WEEK_MS = 7 * 24 * 3600_000;

/** A `datetime-local` value (the reader's local time) a week from now, on the hour. */
function defaultDue() {
  const due = new Date(Date.now() + WEEK_MS);
  due.setMinutes(0, 0, 0);
  const pad = (n) => String(n).padStart(2, "0");
  return `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())}T${pad(due.getHours())}:00`;
}

function field(id, label, input, hint = "") {
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  input.id = id;
  input.setAttribute("aria-describedby", `${id}-error${hint ? ` ${id}-hint` : ""}`);
  const block = el("div", { class: "field" }, el("label", { for: id }, label), input,
    hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null, error);
  const show = (message) => {
    error.textContent = message;
    error.hidden = !message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
  };
  return { block, input, show };
}

function assignForm(quizzes, onCreated) {
  const quiz = field("assign-quiz", t("assign.quiz"), el("select", { required: true },
    quizzes.map((q) => el("option", { value: String(q.id), selected: q.id === wanted }, q.title))));
  const title = field("assign-title", t("assign.name"), el("input", { type: "text", maxlength: 200 }), t("assign.name_hint"));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const due = field("assign-due", t("assign.due"), el("input", { type: "datetime-local", required: true, value: defaultDue() }), t("assign.due_hint", { zone }));
  const scoring = field("assign-scoring", t("assign.scoring"), el("select", {},
    el("option", { value: "speed" }, t("assign.scoring_speed")),
    el("option", { value: "accuracy" }, t("assign.scoring_accuracy"))));
  const fields = { quiz_id: quiz, title, due_at: due, "settings.scoring": scoring };
  const formError = el("p", { class: "form-error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit", class: "btn", id: "assign-submit" }, t("assign.create"));
  const form = el("form", { novalidate: true },
    quiz.block, title.block, due.block, scoring.block, formError, el("div", { class: "row" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const f of Object.values(fields)) f.show("");
    formError.hidden = true;
    const moment = new Date(due.input.value); // read in the reader's own time zone
    if (!due.input.value || Number.isNaN(moment.getTime()) || moment.getTime() <= Date.now()) {
      due.show(t("assign.due_past"));
      due.input.focus();
      return;
    }
    const body = { quiz_id: Number(quiz.input.value), due_at: moment.toISOString(), settings: { scoring: scoring.input.value } };
    if (title.input.value.trim()) body.title = title.input.value.trim();
    submit.disabled = true;
    submit.textContent = t("assign.creating");
    try {
      onCreated(await api("/assignments", { method: "POST", json: body, auth: true }));
      title.input.value = "";
    } catch (error) {
      const placed = placeFieldErrors(error, (path, message) => {
        const f = fields[path];
        if (f) f.show(message);
        return Boolean(f);
      });
      if (!placed) {
        formError.textContent = errorMessage(error);
        formError.hidden = false;
      }
    } finally {
      submit.disabled = false;
      submit.textContent = t("assign.create");
    }
  });
  return form;
}

function created(assignment) {
  return el("div", { class: "notice ok stack", id: "assign-created", tabindex: "-1" },
    el("p", {}, t("assign.created")),
    linkBox(assignment.link),
    el("a", { class: "btn small secondary", href: `/assignment?id=${assignment.id}` }, t("assign.see_progress")));
}

function line(assignment) {
  const p = assignment.progress;
  return el("li", {},
    el("a", { class: "card", href: `/assignment?id=${assignment.id}` },
      el("span", { class: "title" }, assignment.title),
      el("span", { class: "meta" }, `${dueText(assignment)} · ${t("assign.progress_line", { finished: p.finished, given: p.given })}`)));
}

async function listSection() {
  const section = el("section", { class: "stack", "aria-labelledby": "assign-mine-title" }, el("h2", { id: "assign-mine-title" }, t("assign.mine")));
  try {
    const mine = await api("/assignments?role=host&limit=100", { auth: true });
    section.append(mine.items.length
      ? el("ul", { class: "report-list", id: "assignment-list" }, mine.items.map(line))
      : el("p", { class: "muted" }, t("assign.none")));
  } catch (error) {
    section.append(el("p", { class: "notice error", role: "alert" }, errorMessage(error)));
  }
  return section;
}

/** The caller's quizzes, and the one `?quiz=` names when it is someone else's published quiz. */
async function assignable() {
  const mine = (await api("/quizzes?mine=true&limit=100", { auth: true })).items;
  if (wanted && !mine.some((q) => q.id === wanted)) {
    try {
      mine.unshift(await api(`/quizzes/${wanted}`, { auth: true }));
    } catch {
      /* not a quiz this user may assign: the form offers their own */
    }
  }
  return mine;
}

async function start() {
  const me = await signedInUser(app, t("assign.signin_intro"), start);
  if (!me) return;
  clear(app).append(el("p", { class: "muted" }, t("common.loading")));
  let quizzes = [];
  try {
    quizzes = await assignable();
  } catch (error) {
    clear(app).append(el("p", { class: "notice error", role: "alert" }, errorMessage(error)));
    return;
  }
  const result = el("div", { "aria-live": "polite" });
  let list = await listSection();
  const onCreated = async (assignment) => {
    clear(result).append(created(assignment));
    const fresh = await listSection();
    list.replaceWith(fresh);
    list = fresh;
    $("#assign-created").focus();
  };
  const newBox = el("section", { class: "card stack", "aria-labelledby": "assign-new-title" },
    el("h2", { id: "assign-new-title" }, t("assign.new")),
    quizzes.length ? assignForm(quizzes, onCreated) : el("p", { class: "muted" }, t("assign.no_quizzes"), " ", el("a", { href: "/author" }, t("nav.author"))),
    result);
  clear(app).append(el("div", { class: "stack" },
    el("h1", {}, t("assign.title")),
    el("p", { class: "muted" }, t("assign.lede")),
    newBox,
    list));
  focusHeading(app);
}

bootPage("assignments");
start();
