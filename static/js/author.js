// /author: list, create, edit and delete your own quizzes, every question kind, reorder them,
// publish, import and export (JSON, CSV). The server's validation errors are shown next to the
// field they concern (each field carries its document path, e.g. "questions.0.options").

import { ApiError, api, filenameOf } from "./api.js";
import { $, clear, el, saveBlob } from "./dom.js";
import { errorMessage, plural, t } from "./i18n.js";
import { imagePicker } from "./images.js";
import { bootPage, confirmDialog, icon, shapeIcon, signedInUser, signOutButton, toast } from "./ui.js";

const KINDS = ["single", "multiple", "true_false", "type", "slider", "ordering", "poll"];
const MAX_OPTIONS = 6;
const app = $("#app");

let user = null;
let quizzes = [];
let current = null;
let dirty = false;
let editorRoot = null;
let listRoot = null;

// --- the document model ----------------------------------------------------------------------

function blankQuestion(kind = "single") {
  const q = { kind, text: "", time_limit: 20, points: 1000 };
  return withKind(q, kind);
}

function withKind(q, kind) {
  const texts = (q.options || []).map((o) => o.text);
  const next = { kind, text: q.text, time_limit: q.time_limit, points: kind === "poll" ? 0 : q.points === 0 && q.kind === "poll" ? 1000 : q.points };
  if (q.image) Object.assign(next, { image: q.image }, q.image_alt ? { image_alt: q.image_alt } : {});
  if (["single", "multiple"].includes(kind)) {
    const old = q.options || [{ text: "" }, { text: "" }];
    let seenCorrect = false;
    next.options = (old.length >= 2 ? old : [...old, { text: "" }, { text: "" }].slice(0, 2)).map((o) => {
      let correct = Boolean(o.correct) && (kind === "multiple" || !seenCorrect);
      if (correct) seenCorrect = true;
      return { text: o.text, correct, ...(o.image ? { image: o.image } : {}) };
    });
    if (!next.options.some((o) => o.correct)) next.options[0].correct = true;
  } else if (["ordering", "poll"].includes(kind)) {
    const blank = texts.every((text) => !text.trim());
    const fresh = kind === "ordering" ? ["", "", ""] : ["", ""];
    const keep = texts.length >= 2 && !(blank && texts.length < fresh.length);
    next.options = keep ? q.options.map((o) => ({ text: o.text, ...(o.image ? { image: o.image } : {}) })) : fresh.map((text) => ({ text }));
  } else if (kind === "true_false") {
    next.correct = typeof q.correct === "boolean" ? q.correct : true;
  } else if (kind === "type") {
    next.accepted = q.accepted && q.accepted.length ? q.accepted.slice() : [""];
  } else if (kind === "slider") {
    Object.assign(next, { min: q.min ?? 0, max: q.max ?? 100, step: q.step ?? 1, value: q.value ?? 50, tolerance: q.tolerance ?? 0 });
  }
  return next;
}

function fromServer(doc) {
  return {
    id: doc.id,
    title: doc.title,
    description: doc.description || "",
    tags: (doc.tags || []).join(", "),
    published: Boolean(doc.published),
    questions: (doc.questions || []).map((q) => {
      const base = { kind: q.kind, text: q.text, time_limit: q.time_limit ?? 20, points: q.points ?? 1000 };
      if (q.image) base.image = q.image;
      if (q.image_alt) base.image_alt = q.image_alt;
      if (q.options) base.options = q.options.map((o) => ({ text: o.text, correct: Boolean(o.correct), ...(o.image ? { image: o.image } : {}) }));
      if (q.kind === "true_false") base.correct = q.correct;
      if (q.kind === "type") base.accepted = (q.accepted || []).slice();
      if (q.kind === "slider") Object.assign(base, { min: q.min, max: q.max, step: q.step, value: q.correct, tolerance: q.tolerance ?? 0 });
      return base;
    }),
  };
}

function number(value) {
  if (value === "" || value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The quiz document of PROTOCOL.md, exactly the fields the kind takes (the server refuses others). */
function toDocument(quiz) {
  return {
    title: quiz.title,
    description: quiz.description,
    tags: quiz.tags.split(",").map((tag) => tag.trim()).filter(Boolean),
    published: quiz.published,
    questions: quiz.questions.map((q) => {
      const doc = { kind: q.kind, text: q.text, time_limit: number(q.time_limit), points: Number(q.points) };
      if (q.image) doc.image = q.image;
      if (q.image && q.image_alt && q.image_alt.trim()) doc.image_alt = q.image_alt;
      const picture = (o) => (o.image ? { image: o.image } : {});
      switch (q.kind) {
        case "single":
        case "multiple":
          doc.options = q.options.map((o) => ({ text: o.text, correct: Boolean(o.correct), ...picture(o) }));
          break;
        case "ordering":
        case "poll":
          doc.options = q.options.map((o) => ({ text: o.text, ...picture(o) }));
          break;
        case "true_false":
          doc.correct = Boolean(q.correct);
          break;
        case "type":
          doc.accepted = q.accepted.slice();
          break;
        case "slider":
          Object.assign(doc, { min: number(q.min), max: number(q.max), step: number(q.step), correct: number(q.value), tolerance: number(q.tolerance) ?? 0 });
          break;
        default:
          break;
      }
      return doc;
    }),
  };
}

function touch() {
  dirty = true;
}

// --- page ------------------------------------------------------------------------------------

async function start() {
  user = await signedInUser(app, t("author.signin_intro"), start);
  if (!user) return;
  listRoot = el("aside", { class: "stack", "aria-labelledby": "page-title" });
  editorRoot = el("section", { "aria-labelledby": "editor-title" });
  clear(app).append(
    el("div", { class: "spread", style: { marginBottom: "1rem" } }, el("h1", { id: "page-title", style: { margin: 0 } }, t("author.title")), signOutButton(start)),
    el("div", { class: "author" }, listRoot, editorRoot),
  );
  await loadList();
  openQuiz(null);
}

async function loadList(selectId = current && current.id) {
  clear(listRoot);
  const fileInput = el("input", { type: "file", id: "import-file", accept: ".json,.csv,application/json,text/csv", class: "visually-hidden" });
  const importNote = el("div", { id: "import-note", role: "status" });
  fileInput.addEventListener("change", () => importFile(fileInput, importNote));
  listRoot.append(
    el("div", { class: "row" },
      el("button", { class: "btn", type: "button", id: "new-quiz", onclick: () => guard(() => openQuiz(null)) }, icon("plus"), t("author.new")),
      el("label", { class: "btn secondary", for: "import-file", style: { marginBottom: 0 } }, t("author.import")),
      fileInput),
    importNote,
  );
  const list = el("ul", { class: "list", id: "quiz-list" });
  listRoot.append(list);
  try {
    const page = await api("/quizzes?mine=true&limit=100", { auth: true });
    quizzes = page.items;
  } catch (error) {
    list.append(el("li", { class: "notice error" }, errorMessage(error)));
    return;
  }
  if (!quizzes.length) list.append(el("li", { class: "muted" }, t("author.none")));
  for (const quiz of quizzes) {
    list.append(el(
      "li",
      { class: "list-item", "aria-current": quiz.id === selectId ? "true" : null },
      el("button", { class: "link", type: "button", title: quiz.title, onclick: () => guard(() => openQuizById(quiz.id)) }, el("span", { class: "clamp" }, quiz.title)),
      el("span", { class: "small muted" }, plural("common.questions", quiz.question_count), " ", el("span", { class: `tag ${quiz.published ? "ok" : "warn"}` }, t(quiz.published ? "author.published_tag" : "author.draft"))),
    ));
  }
}

async function guard(action) {
  if (dirty && !(await confirmDialog(t("author.unsaved"), { confirm: t("author.leave"), danger: true }))) return;
  action();
}

async function openQuizById(id) {
  try {
    openQuiz(fromServer(await api(`/quizzes/${id}`, { auth: true })));
  } catch (error) {
    toast(errorMessage(error), "error");
  }
}

function openQuiz(quiz) {
  const note = $("#import-note");
  if (note) clear(note);
  current = quiz || { title: "", description: "", tags: "", published: false, questions: [blankQuestion()] };
  dirty = false;
  for (const item of listRoot.querySelectorAll(".list-item")) item.removeAttribute("aria-current");
  if (current.id) {
    const index = quizzes.findIndex((q) => q.id === current.id);
    const item = listRoot.querySelectorAll(".list-item")[index];
    if (item) item.setAttribute("aria-current", "true");
  }
  renderEditor();
}

// --- editor ----------------------------------------------------------------------------------

function field(path, labelText, control, hint = null) {
  const id = `f-${path.replace(/\./g, "-")}`;
  control.id = id;
  return el("div", { class: "field", dataset: { path } }, el("label", { for: id }, labelText), control, hint ? el("p", { class: "hint" }, hint) : null);
}

function bind(input, object, key, transform = (v) => v) {
  input.addEventListener("input", () => {
    object[key] = transform(input.type === "checkbox" ? input.checked : input.value);
    touch();
  });
  return input;
}

function renderEditor() {
  const quiz = current;
  const title = bind(el("input", { type: "text", maxlength: 200, value: quiz.title, required: true }), quiz, "title");
  const description = bind(el("textarea", { maxlength: 2000, rows: 2 }, quiz.description), quiz, "description");
  const tags = bind(el("input", { type: "text", value: quiz.tags }), quiz, "tags");
  const published = bind(el("input", { type: "checkbox", id: "f-published", checked: quiz.published }), quiz, "published");
  const questions = el("div", { id: "questions", dataset: { path: "questions" } });
  const summary = el("div", { id: "error-summary", tabindex: "-1" });
  const save = el("button", { type: "submit", class: "btn accent", id: "save-quiz" }, t("author.save"));
  const form = el(
    "form",
    { class: "card", novalidate: true },
    el("h2", { id: "editor-title" }, quiz.id ? t("author.editor_edit") : t("author.editor_new")),
    summary,
    field("title", t("author.quiz_title"), title),
    field("description", t("author.description"), description),
    field("tags", t("author.tags"), tags, t("author.tags_hint")),
    el("div", { class: "field", dataset: { path: "published" } }, el("label", { class: "check", for: "f-published" }, published, t("author.publish"))),
    el("h3", {}, t("author.questions")),
    questions,
    el("button", { type: "button", class: "btn secondary", id: "add-question", onclick: () => { current.questions.push(blankQuestion()); touch(); renderQuestions(questions); focusQuestion(current.questions.length - 1); } }, icon("plus"), t("author.add_question")),
    el("div", { class: "sticky-actions" },
      save,
      quiz.id ? el("button", { type: "button", class: "btn secondary", onclick: () => exportQuiz("json") }, icon("download"), t("author.export_json")) : null,
      quiz.id ? el("button", { type: "button", class: "btn secondary", onclick: () => exportQuiz("csv") }, icon("download"), t("author.export_csv")) : null,
      quiz.id ? el("a", { class: "btn ghost", href: `/host?quiz=${quiz.id}` }, t("author.host")) : null,
      quiz.id ? el("a", { class: "btn ghost", href: `/assign?quiz=${quiz.id}` }, t("author.assign")) : null,
      quiz.id ? el("button", { type: "button", class: "btn danger", style: { marginLeft: "auto" }, onclick: deleteQuiz }, icon("trash"), t("author.delete")) : null),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveQuiz(save, summary);
  });
  clear(editorRoot).append(form);
  renderQuestions(questions);
}

function focusQuestion(index) {
  const card = document.querySelector(`[data-path="questions.${index}"] textarea`);
  if (card) card.focus();
}

function renderQuestions(container) {
  clear(container);
  current.questions.forEach((q, i) => container.append(questionCard(q, i, container)));
}

function questionCard(q, i, container) {
  const n = i + 1;
  const path = `questions.${i}`;
  const rerender = (focusSelector) => {
    touch();
    renderQuestions(container);
    if (focusSelector) {
      const node = container.querySelector(focusSelector);
      if (node) node.focus();
    }
  };
  const move = (delta) => {
    const j = i + delta;
    [current.questions[i], current.questions[j]] = [current.questions[j], current.questions[i]];
    rerender(`[data-path="questions.${j}"] .${delta < 0 ? "q-up" : "q-down"}:not([disabled])`) ;
  };
  const kind = el("select", {}, KINDS.map((k) => el("option", { value: k, selected: k === q.kind }, t(`kind.${k}`))));
  kind.addEventListener("change", () => {
    current.questions[i] = withKind(q, kind.value);
    rerender(`[data-path="${path}.kind"] select`);
  });
  const text = bind(el("textarea", { maxlength: 500, rows: 2 }, q.text), q, "text");
  const time = bind(el("input", { type: "number", min: 5, max: 240, step: 1, value: String(q.time_limit) }), q, "time_limit");
  const points = el("select", { disabled: q.kind === "poll" }, [0, 1000, 2000].map((p) => el("option", { value: String(p), selected: Number(q.points) === p }, t(`author.points_${p}`))));
  points.addEventListener("change", () => { q.points = Number(points.value); touch(); });
  return el(
    "div",
    { class: "qcard", dataset: { path }, role: "group", "aria-labelledby": `q-${i}-title` },
    el("div", { class: "qcard-head" },
      el("h4", { class: "num", id: `q-${i}-title`, style: { margin: 0 } }, t("author.question_n", { n })),
      el("button", { type: "button", class: "btn icon ghost q-up", disabled: i === 0, "aria-label": t("author.move_up", { n }), onclick: () => move(-1) }, icon("up")),
      el("button", { type: "button", class: "btn icon ghost q-down", disabled: i === current.questions.length - 1, "aria-label": t("author.move_down", { n }), onclick: () => move(1) }, icon("down")),
      el("button", { type: "button", class: "btn icon ghost", "aria-label": t("author.delete_question", { n }), onclick: () => { current.questions.splice(i, 1); rerender("#add-question"); } }, icon("trash"))),
    el("div", { class: "cols" },
      field(`${path}.kind`, t("author.kind"), kind),
      field(`${path}.time_limit`, t("author.time_limit"), time),
      field(`${path}.points`, t("author.points"), points)),
    field(`${path}.text`, t("author.text"), text),
    imagePicker({ target: q, path: `${path}.image`, label: t("image.question_label"), alt: true, onChange: touch }),
    kindFields(q, path, rerender),
  );
}

function kindFields(q, path, rerender) {
  switch (q.kind) {
    case "single":
    case "multiple":
    case "ordering":
    case "poll":
      return optionFields(q, path, rerender);
    case "true_false": {
      const radio = (value) => {
        const input = el("input", { type: "radio", name: `${path}-tf`, value: String(value), checked: q.correct === value });
        input.addEventListener("change", () => { q.correct = value; touch(); });
        return el("label", { class: "check" }, input, t(value ? "answer.true" : "answer.false"));
      };
      return el("fieldset", { class: "field", dataset: { path: `${path}.correct` }, style: { border: 0, padding: 0, margin: 0 } }, el("legend", { style: { fontWeight: 600 } }, t("author.tf_correct")), el("div", { class: "row" }, radio(true), radio(false)));
    }
    case "type": {
      const rows = q.accepted.map((value, k) => {
        const input = el("input", { type: "text", maxlength: 100, value, "aria-label": t("author.accepted_n", { n: k + 1 }) });
        input.addEventListener("input", () => { q.accepted[k] = input.value; touch(); });
        return el("div", { class: "opt-row", dataset: { path: `${path}.accepted.${k}` } }, input,
          el("button", { type: "button", class: "btn icon ghost", disabled: q.accepted.length <= 1, "aria-label": t("author.remove_accepted", { n: k + 1 }), onclick: () => { q.accepted.splice(k, 1); rerender(); } }, icon("cross")));
      });
      return el("div", { class: "field", dataset: { path: `${path}.accepted` } },
        el("p", { style: { fontWeight: 600, margin: "0 0 .3rem" } }, t("author.accepted")), rows,
        el("p", { class: "hint" }, t("author.accepted_hint")),
        q.accepted.length < 10 ? el("button", { type: "button", class: "btn small secondary", onclick: () => { q.accepted.push(""); rerender(`[data-path="${path}.accepted.${q.accepted.length - 1}"] input`); } }, icon("plus"), t("author.add_accepted")) : null);
    }
    case "slider": {
      const num = (key, labelKey, props = {}) => field(`${path}.${key === "value" ? "correct" : key}`, t(labelKey), bind(el("input", { type: "number", step: "any", value: q[key] ?? "", ...props }), q, key));
      return el("div", {},
        el("div", { class: "cols" }, num("min", "author.min"), num("max", "author.max"), num("step", "author.step", { min: 0 })),
        el("div", { class: "cols" }, num("value", "author.slider_correct"), field(`${path}.tolerance`, t("author.tolerance"), bind(el("input", { type: "number", step: "any", min: 0, value: q.tolerance ?? 0 }), q, "tolerance"), t("author.tolerance_hint"))));
    }
    default:
      return null;
  }
}

function optionFields(q, path, rerender) {
  const choice = q.kind === "single" || q.kind === "multiple";
  const rows = q.options.map((option, j) => {
    const n = j + 1;
    const optPath = `${path}.options.${j}`;
    const input = el("input", { type: "text", maxlength: 120, value: option.text, "aria-label": t("author.option_n", { n }) });
    input.addEventListener("input", () => { option.text = input.value; touch(); });
    let correct = null;
    if (choice) {
      const box = el("input", { type: q.kind === "single" ? "radio" : "checkbox", name: `${path}-correct`, checked: option.correct });
      box.addEventListener("change", () => {
        if (q.kind === "single") q.options.forEach((o, k) => { o.correct = k === j; });
        else option.correct = box.checked;
        touch();
      });
      correct = el("label", { class: "check" }, box, t("author.correct"));
    }
    const moveOption = (delta) => {
      const k = j + delta;
      [q.options[j], q.options[k]] = [q.options[k], q.options[j]];
      rerender(`[data-path="${path}.options.${k}"] .${delta < 0 ? "o-up" : "o-down"}:not([disabled])`);
    };
    const picker = imagePicker({ target: option, path: `${optPath}.image`, label: t("image.option_label", { n }), hint: false, onChange: touch });
    picker.classList.add("opt-picture");
    return [el("div", { class: "opt-row", dataset: { path: optPath } },
      el("span", { class: `shape-chip a${j % 6}`, style: { color: "#fff" } }, shapeIcon(j, "")),
      el("div", { dataset: { path: `${optPath}.text` }, style: { flex: 1 } }, input),
      correct,
      q.kind === "ordering" ? el("button", { type: "button", class: "btn icon ghost o-up", disabled: j === 0, "aria-label": t("author.option_up", { n }), onclick: () => moveOption(-1) }, icon("up")) : null,
      q.kind === "ordering" ? el("button", { type: "button", class: "btn icon ghost o-down", disabled: j === q.options.length - 1, "aria-label": t("author.option_down", { n }), onclick: () => moveOption(1) }, icon("down")) : null,
      el("button", { type: "button", class: "btn icon ghost", disabled: q.options.length <= 2, "aria-label": t("author.remove_option", { n }), onclick: () => {
        q.options.splice(j, 1);
        if (q.kind === "single" && !q.options.some((o) => o.correct)) q.options[0].correct = true;
        rerender();
      } }, icon("cross"))), picker];
  });
  const hint = q.kind === "ordering" ? t("author.ordering_hint") : q.kind === "poll" ? t("author.poll_hint") : null;
  return el("div", { class: "field", dataset: { path: `${path}.options` } },
    el("p", { style: { fontWeight: 600, margin: "0 0 .3rem" } }, t("author.options")),
    hint ? el("p", { class: "hint", style: { marginTop: 0 } }, hint) : null,
    rows,
    q.options.length < MAX_OPTIONS
      ? el("button", { type: "button", class: "btn small secondary", onclick: () => { q.options.push(choice ? { text: "", correct: false } : { text: "" }); rerender(`[data-path="${path}.options.${q.options.length - 1}"] input[type="text"]`); } }, icon("plus"), t("author.add_option"))
      : null);
}

// --- validation errors next to their fields --------------------------------------------------

function humanPath(path) {
  const parts = path.split(".");
  const out = [];
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i];
    const next = Number(parts[i + 1]);
    if (part === "questions" && Number.isInteger(next)) { out.push(t("author.path.question", { n: next + 1 })); i += 1; }
    else if (part === "options" && Number.isInteger(next)) { out.push(t("author.path.option", { n: next + 1 })); i += 1; }
    else if (part === "accepted" && Number.isInteger(next)) { out.push(t("author.path.accepted", { n: next + 1 })); i += 1; }
    else if (part === "title") out.push(t("author.quiz_title"));
    else if (part === "text") { if (parts[i - 2] === "questions") out.push(t("author.text")); }
    else if (part === "time_limit") out.push(t("author.time_limit"));
    else if (part === "tolerance") out.push(t("author.tolerance"));
    else if (part === "image") out.push(t("author.image"));
    else if (part === "image_alt") out.push(t("author.image_alt"));
    else if (["description", "tags", "points", "kind", "options", "accepted", "min", "max", "step", "questions"].includes(part)) out.push(t(`author.${part}`));
    else if (part === "correct") out.push(t("author.correct"));
    else if (Number.isInteger(Number(part))) out.push(`#${Number(part) + 1}`);
  }
  return out.join(" · ");
}

/** The element a path names, or the nearest enclosing one ("questions.0.options.1.correct" -> ...options.1). */
function targetFor(path) {
  const parts = path.split(".");
  while (parts.length) {
    const node = editorRoot.querySelector(`[data-path="${parts.join(".")}"]`);
    if (node) return node;
    parts.pop();
  }
  return null;
}

function clearErrors(summary) {
  editorRoot.querySelectorAll(".field-error").forEach((n) => n.remove());
  editorRoot.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
  editorRoot.querySelectorAll(".qcard.has-error").forEach((n) => n.classList.remove("has-error"));
  clear(summary);
}

function showErrors(fields, summary) {
  const items = el("ul", {});
  fields.forEach((f, k) => {
    const target = targetFor(f.path);
    const id = `err-${k}`;
    const message = el("p", { class: "field-error", id }, f.message);
    if (target) {
      if (target.classList.contains("opt-row")) target.after(message);
      else target.append(message);
      const control = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", id);
      }
      const card = target.closest(".qcard");
      if (card) card.classList.add("has-error");
    }
    const jump = el("button", { type: "button", class: "btn ghost small", style: { textAlign: "left", minHeight: "32px" }, onclick: () => {
      const control = target && (target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea"));
      (control || target || summary).focus();
    } }, `${humanPath(f.path) || t("author.quiz_title")}: ${f.message}`);
    items.append(el("li", {}, jump));
  });
  summary.append(el("div", { class: "notice error", role: "alert" }, el("p", { style: { margin: 0 } }, plural("author.errors", fields.length)), items));
  summary.focus();
}

// --- save, delete, import, export ------------------------------------------------------------

async function saveQuiz(button, summary) {
  clearErrors(summary);
  button.disabled = true;
  button.textContent = t("author.saving");
  try {
    const body = toDocument(current);
    const saved = current.id
      ? await api(`/quizzes/${current.id}`, { method: "PUT", json: body, auth: true })
      : await api("/quizzes", { method: "POST", json: body, auth: true });
    current = fromServer(saved);
    dirty = false;
    await loadList(saved.id);
    renderEditor();
    toast(t("author.saved"), "ok");
  } catch (error) {
    if (error instanceof ApiError && error.fields && error.fields.length) showErrors(error.fields, summary);
    else {
      summary.append(el("p", { class: "notice error", role: "alert" }, errorMessage(error)));
      summary.focus();
    }
  } finally {
    button.disabled = false;
    button.textContent = t("author.save");
  }
}

async function deleteQuiz() {
  if (!(await confirmDialog(t("author.delete_confirm", { title: current.title }), { confirm: t("author.delete"), danger: true }))) return;
  try {
    await api(`/quizzes/${current.id}`, { method: "DELETE", auth: true });
    toast(t("author.deleted"), "ok");
    current = null;
    await loadList(null);
    openQuiz(null);
  } catch (error) {
    toast(errorMessage(error), "error");
  }
}

async function exportQuiz(format) {
  try {
    const response = await api(`/quizzes/${current.id}/export?format=${format}`, { auth: true, raw: true });
    saveBlob(await response.blob(), filenameOf(response, `quiz-${current.id}.${format}`));
  } catch (error) {
    toast(errorMessage(error), "error");
  }
}

async function importFile(input, note) {
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  clear(note);
  const csv = /\.csv$/i.test(file.name) || file.type === "text/csv";
  try {
    const saved = await api("/quizzes/import", { method: "POST", body: await file.text(), contentType: csv ? "text/csv" : "application/json", auth: true });
    toast(t("author.imported"), "ok");
    current = fromServer(saved);
    await loadList(saved.id);
    openQuiz(current);
  } catch (error) {
    const list = el("ul", {}, ((error && error.fields) || []).map((f) => el("li", {}, f.line ? t("author.import_line", { line: f.line, message: `${f.path ? `${f.path}: ` : ""}${f.message}` }) : `${f.path ? `${humanPath(f.path)}: ` : ""}${f.message}`)));
    note.append(el("div", { class: "notice error", role: "alert" }, el("p", { style: { margin: 0 } }, t("author.import_failed"), " ", error && error.fields && error.fields.length ? "" : errorMessage(error)), list));
  }
}

bootPage("author");
start();
