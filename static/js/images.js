// Question pictures: uploading one from the author page, showing one with words for a screen
// reader, and fetching them ahead of time. Images are served under their content's hash with a
// year-long cache, so a picture fetched early (in the lobby, during the read time) is never
// fetched again when the question shows it.

import { ApiError, api } from "./api.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];
const MAX_KEPT = 200;
const fetching = new Map(); // url -> the Image fetching it (held, so the fetch is not dropped)

/** Every picture of a question frame or a quiz document's question: its own, then its options'. */
export function imagesOf(question) {
  if (!question) return [];
  const urls = question.image ? [question.image] : [];
  for (const option of question.options || []) if (option.image) urls.push(option.image);
  return urls;
}

/** Starts fetching `urls` into the browser's cache (once each), so showing them later is instant. */
export function preload(urls) {
  for (const url of urls) {
    if (typeof url !== "string" || !url.startsWith("/images/") || fetching.has(url)) continue;
    const image = new Image();
    image.decoding = "async";
    image.src = url;
    fetching.set(url, image);
    if (fetching.size > MAX_KEPT) fetching.delete(fetching.keys().next().value);
  }
}

/** A question's picture, named for a screen reader by its `image_alt` or else the question's text. */
export function questionImage(question, className = "q-figure") {
  if (!question || !question.image) return null;
  return el("figure", { class: className },
    el("img", { src: question.image, alt: question.image_alt || question.text || "", decoding: "async" }));
}

/** An option's picture, inside the option: the option's text already names it. */
export function optionImage(option) {
  if (!option || !option.image) return null;
  return el("img", { class: "opt-image", src: option.image, alt: "", decoding: "async" });
}

async function upload(file) {
  return api("/images", { method: "POST", body: file, contentType: file.type || "application/octet-stream", auth: true });
}

function uploadError(error) {
  // The server says in plain words why a picture was refused (its kind, its size, a damaged file).
  if (error instanceof ApiError && ["validation_error", "too_large", "bad_request"].includes(error.code) && error.message) return error.message;
  return t("image.upload_failed");
}

/**
 * The picture control of the author page: a file field that uploads the chosen file and puts its
 * URL in `target.image`, and, once there is a picture, its thumbnail and a remove button. `alt`
 * adds a text field for `target.image_alt` (questions; an option's text names its picture).
 */
export function imagePicker({ target, path, label, alt = false, hint = true, onChange }) {
  const id = `f-${path.replace(/\./g, "-")}`;
  const box = el("div", { class: "field image-picker", dataset: { path } });
  const paint = (message = "", failed = false) => {
    const input = el("input", { type: "file", id, accept: IMAGE_TYPES.join(",") });
    input.addEventListener("change", () => choose(input));
    const status = el("p", { class: failed ? "field-error" : "hint", role: "status" }, message);
    box.replaceChildren(el("label", { for: id }, label), input);
    if (target.image) {
      box.append(el("div", { class: "row image-current" },
        el("img", { class: "thumb", src: target.image, alt: t("image.current") }),
        el("button", { type: "button", class: "btn small ghost", onclick: () => {
          delete target.image;
          delete target.image_alt;
          onChange();
          paint(t("image.removed"));
          box.querySelector("input[type=file]").focus();
        } }, t("image.remove"))));
      if (alt) {
        const words = el("input", { type: "text", id: `${id}-alt`, maxlength: 300, value: target.image_alt || "" });
        words.addEventListener("input", () => {
          if (words.value.trim()) target.image_alt = words.value;
          else delete target.image_alt;
          onChange();
        });
        box.append(el("div", { class: "field image-alt", dataset: { path: path.replace(/image$/, "image_alt") } }, el("label", { for: `${id}-alt` }, t("image.alt")), words,
          el("p", { class: "hint" }, t("image.alt_hint"))));
      }
    } else if (hint) {
      box.append(el("p", { class: "hint" }, t("image.hint")));
    }
    box.append(status);
  };
  const choose = async (input) => {
    const file = input.files && input.files[0];
    if (!file) return;
    input.disabled = true;
    box.querySelector("[role=status]").textContent = t("image.uploading");
    try {
      const stored = await upload(file);
      target.image = stored.url;
      onChange();
      paint(t("image.uploaded"));
    } catch (error) {
      paint(uploadError(error), true);
    }
    box.querySelector("input[type=file]").focus();
  };
  paint();
  return box;
}
