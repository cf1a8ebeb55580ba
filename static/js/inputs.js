// A fitting input for each question kind. Each builder returns {node, setEnabled(bool), focus()}
// and calls `submit(answer)` with the answer in PROTOCOL.md's shape for that kind.

import { el } from "./dom.js";
import { plural, t } from "./i18n.js";
import { optionImage } from "./images.js";
import { icon, shapeIcon, shapeName, shapeOf } from "./ui.js";

function choiceButton(option, position, props) {
  const text = option.text;
  const index = shapeOf(option, position);
  return el(
    "button",
    {
      type: "button",
      class: `answer a${index % 6}`,
      "aria-label": text ? `${shapeName(index)}: ${text}` : shapeName(index),
      // The number key that picks it is drawn by CSS (.answer::before), so the visible text of
      // the button stays part of its name ("Triangle: Paris"), as WCAG 2.5.3 asks.
      dataset: { key: String(position + 1) },
      ...props,
    },
    shapeIcon(index),
    optionImage(option),
    el("span", { class: "text" }, text || shapeName(index)),
  );
}

/** single and poll: one tap sends. Number keys 1-6 pick too. */
function singleChoice(question, submit) {
  const buttons = question.options.map((option, i) => choiceButton(option, i, { onclick: () => submit(option.id) }));
  const node = el("div", { class: "answers", role: "group", "aria-label": t("play.choices") }, buttons);
  return {
    node,
    setEnabled(on) { buttons.forEach((b) => { b.disabled = !on; }); },
    focus() { buttons[0] && buttons[0].focus(); },
    key(n) { if (buttons[n] && !buttons[n].disabled) buttons[n].click(); },
  };
}

/** multiple: toggle any number, then send. */
function multipleChoice(question, submit) {
  const chosen = new Set();
  const send = el("button", { type: "button", class: "btn big accent", disabled: true }, t("play.submit"));
  const buttons = question.options.map((option, i) => {
    const button = choiceButton(option, i, { "aria-pressed": "false" });
    button.addEventListener("click", () => {
      if (chosen.has(option.id)) chosen.delete(option.id);
      else chosen.add(option.id);
      button.setAttribute("aria-pressed", String(chosen.has(option.id)));
      send.disabled = chosen.size === 0;
      send.textContent = chosen.size ? plural("play.submit_n", chosen.size) : t("play.submit");
    });
    return button;
  });
  send.addEventListener("click", () => submit(question.options.filter((o) => chosen.has(o.id)).map((o) => o.id)));
  const node = el("div", { class: "stack" }, el("div", { class: "answers", role: "group", "aria-label": t("play.choices_multi") }, buttons), el("div", { class: "row end" }, send));
  return {
    node,
    setEnabled(on) { buttons.forEach((b) => { b.disabled = !on; }); send.disabled = !on || chosen.size === 0; },
    focus() { buttons[0] && buttons[0].focus(); },
    key(n) { if (buttons[n] && !buttons[n].disabled) buttons[n].click(); },
  };
}

function trueFalse(question, submit) {
  const make = (value, index) => el(
    "button",
    { type: "button", class: `answer a${index}`, "aria-label": t(value ? "answer.true" : "answer.false"), dataset: { key: value ? "1" : "2" }, onclick: () => submit(value) },
    icon(value ? "check" : "cross", "shape"),
    el("span", {}, t(value ? "answer.true" : "answer.false")),
  );
  const buttons = [make(true, 1), make(false, 0)];
  return {
    node: el("div", { class: "answers tf", role: "group", "aria-label": t("play.choices") }, buttons),
    setEnabled(on) { buttons.forEach((b) => { b.disabled = !on; }); },
    focus() { buttons[0].focus(); },
    key(n) { if (buttons[n] && !buttons[n].disabled) buttons[n].click(); },
  };
}

function typeAnswer(question, submit) {
  const input = el("input", { type: "text", id: "typed", maxlength: 100, autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "send" });
  const send = el("button", { type: "submit", class: "btn big accent" }, t("play.submit"));
  const form = el("form", { class: "panel stack" }, el("label", { for: "typed" }, t("play.type_label")), el("div", { class: "typed-answer" }, input, send));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) {
      input.focus();
      return;
    }
    submit(value);
  });
  return {
    node: form,
    setEnabled(on) { input.disabled = !on; send.disabled = !on; },
    focus() { input.focus(); },
  };
}

function decimals(step) {
  const text = String(step);
  return text.includes(".") ? text.split(".")[1].length : 0;
}

function slider(question, submit) {
  const min = Number(question.min);
  const max = Number(question.max);
  const step = Number(question.step) || 1;
  const places = decimals(step);
  // The thumb starts at the minimum: a start in the middle is often the answer itself.
  const start = min;
  const format = (v) => new Intl.NumberFormat(document.documentElement.lang || "en", { maximumFractionDigits: places }).format(v);
  const value = el("output", { class: "slider-value", for: "slider", "aria-live": "polite" }, format(start));
  const range = el("input", { type: "range", id: "slider", min, max, step, value: String(start), "aria-label": t("play.slider_label") });
  range.addEventListener("input", () => { value.textContent = format(Number(range.value)); });
  const send = el("button", { type: "button", class: "btn big accent", onclick: () => submit(Number(Number(range.value).toFixed(places))) }, t("play.submit"));
  return {
    node: el("div", { class: "panel stack" }, value, range, el("div", { class: "range-ends", "aria-hidden": "true" }, el("span", {}, format(min)), el("span", {}, format(max))), el("div", { class: "row end" }, send)),
    setEnabled(on) { range.disabled = !on; send.disabled = !on; },
    focus() { range.focus(); },
  };
}

/**
 * ordering: drag by the grip (mouse or touch), the arrow buttons, or the keyboard alone:
 * Space picks an item up, arrows move it, Space drops it (Escape puts it back).
 */
export function orderingList(items, { onChange = () => {}, announce = () => {} } = {}) {
  const list = el("ol", { class: "order-list", "aria-describedby": "order-help" });
  let order = items.slice();
  let grabbed = null;
  let grabbedFrom = null;
  let enabled = true;

  const move = (id, to) => {
    const from = order.findIndex((o) => o.id === id);
    if (from < 0 || to < 0 || to >= order.length || from === to) return;
    const [item] = order.splice(from, 1);
    order.splice(to, 0, item);
    paint(id);
    onChange(order);
    const option = order[to];
    announce(t("play.order_moved", { text: option.text || shapeName(shapeOf(option, items.indexOf(option))), position: to + 1, total: order.length }));
  };

  const paint = (focusId = null) => {
    list.replaceChildren();
    order.forEach((option, position) => {
      const label = option.text || shapeName(shapeOf(option, items.indexOf(option)));
      const up = el("button", { type: "button", class: "btn icon", tabindex: "-1", "aria-label": t("play.order_up", { text: label }), disabled: !enabled || position === 0, onclick: () => move(option.id, position - 1) }, icon("up"));
      const down = el("button", { type: "button", class: "btn icon", tabindex: "-1", "aria-label": t("play.order_down", { text: label }), disabled: !enabled || position === order.length - 1, onclick: () => move(option.id, position + 1) }, icon("down"));
      const grip = el("span", { class: "grip", "aria-hidden": "true" }, icon("grip"));
      const item = el(
        "li",
        {
          class: `order-item${grabbed === option.id ? " grabbed" : ""}`,
          tabindex: enabled ? "0" : "-1",
          dataset: { id: option.id },
          "aria-label": t("play.order_item", { position: position + 1, total: order.length, text: label }),
          "aria-roledescription": t("play.order_roledescription"),
        },
        grip,
        el("span", { class: "pos", "aria-hidden": "true" }, String(position + 1)),
        optionImage(option),
        el("span", { class: "label" }, label),
        up,
        down,
      );
      item.addEventListener("keydown", (event) => keydown(event, option.id));
      grip.addEventListener("pointerdown", (event) => dragStart(event, option.id, item));
      list.append(item);
      if (option.id === focusId) queueMicrotask(() => item.focus());
    });
  };

  const keydown = (event, id) => {
    if (!enabled) return;
    const position = order.findIndex((o) => o.id === id);
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (grabbed === id) {
        grabbed = null;
        announce(t("play.order_dropped", { position: position + 1 }));
      } else {
        grabbed = id;
        grabbedFrom = position;
        announce(t("play.order_grabbed"));
      }
      paint(id);
    } else if (event.key === "Escape" && grabbed === id) {
      event.preventDefault();
      grabbed = null;
      move(id, grabbedFrom);
      paint(id);
    } else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      event.preventDefault();
      const delta = event.key === "ArrowUp" ? -1 : 1;
      if (grabbed === id || event.altKey) move(id, position + delta);
      else {
        const next = list.children[position + delta];
        if (next) next.focus();
      }
    }
  };

  const dragStart = (event, id, item) => {
    if (!enabled || event.button > 0) return;
    event.preventDefault();
    const pointer = event.pointerId;
    item.classList.add("dragging");
    const moveTo = (clientY) => {
      const rows = [...list.children];
      const from = order.findIndex((o) => o.id === id);
      let to = from;
      rows.forEach((row, i) => {
        const box = row.getBoundingClientRect();
        const mid = box.top + box.height / 2;
        if (i < from && clientY < mid) to = Math.min(to, i);
        if (i > from && clientY > mid) to = Math.max(to, i);
      });
      if (to !== from) {
        const [moved] = order.splice(from, 1);
        order.splice(to, 0, moved);
        const node = rows[from];
        if (to > from) rows[to].after(node);
        else rows[to].before(node);
        renumber();
      }
    };
    // Listening on the document, not with pointer capture on the grip: moving the item in the
    // DOM would release the capture and end the drag after one step.
    const onMove = (e) => { if (e.pointerId === pointer) moveTo(e.clientY); };
    const onUp = (e) => {
      if (e.pointerId !== pointer) return;
      document.removeEventListener("pointermove", onMove);
      document.removeEventListener("pointerup", onUp);
      document.removeEventListener("pointercancel", onUp);
      paint(id);
      onChange(order);
    };
    document.addEventListener("pointermove", onMove);
    document.addEventListener("pointerup", onUp);
    document.addEventListener("pointercancel", onUp);
  };

  const renumber = () => {
    [...list.children].forEach((row, i) => { row.querySelector(".pos").textContent = String(i + 1); });
  };

  paint();
  return {
    node: list,
    get order() { return order.map((o) => o.id); },
    setEnabled(on) { enabled = on; paint(); },
    focus() { if (list.firstChild) list.firstChild.focus(); },
  };
}

function ordering(question, submit, announce) {
  const widget = orderingList(question.options, { announce });
  const send = el("button", { type: "button", class: "btn big accent", onclick: () => submit(widget.order) }, t("play.submit_order"));
  return {
    node: el("div", { class: "panel stack" }, el("p", { id: "order-help", class: "small muted" }, t("play.order_help")), widget.node, el("div", { class: "row end" }, send)),
    setEnabled(on) { widget.setEnabled(on); send.disabled = !on; },
    focus() { widget.focus(); },
  };
}

/** The input for `question` (a `question` frame); `submit(answer)` sends it. */
export function answerInput(question, submit, announce = () => {}) {
  switch (question.kind) {
    case "single":
    case "poll":
      return singleChoice(question, submit);
    case "multiple":
      return multipleChoice(question, submit);
    case "true_false":
      return trueFalse(question, submit);
    case "type":
      return typeAnswer(question, submit);
    case "slider":
      return slider(question, submit);
    case "ordering":
      return ordering(question, submit, announce);
    default:
      return { node: el("p", {}, t("play.unknown_kind")), setEnabled() {}, focus() {} };
  }
}

/** Number keys 1–6 pick the options of the open question (`current()` gives its input, or null when
 * none is open); typing in a field is left alone. Shared by /play and /duel. */
export function numberKeys(current) {
  document.addEventListener("keydown", (event) => {
    const input = current();
    if (!input || !input.key) return;
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const n = Number(event.key);
    if (Number.isInteger(n) && n >= 1 && n <= 6) {
      event.preventDefault();
      input.key(n - 1);
    }
  });
}
