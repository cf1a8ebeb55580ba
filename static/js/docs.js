// /docs: Swagger UI (vendored in static/vendor/swagger-ui) over /openapi.json, inside the site's own
// header. Signing in here (or being signed in on any page of the site) authorizes the operations
// that need a bearer token, so "Try it out" calls them as you.

import { currentUser, session } from "./api.js";
import { $, clear, el } from "./dom.js";
import { t } from "./i18n.js";
import { bootPage, signInPanel, signOutButton } from "./ui.js";

const SCHEME = "bearer"; // components.securitySchemes in /openapi.json

let ui = null;
let ready = false;
let authorized = false;

/** Hands the site's access token to Swagger UI's authorization for the bearer scheme (or clears it). */
function authorize() {
  if (!ready) return;
  const current = session();
  if (current && current.access_token) {
    ui.preauthorizeApiKey(SCHEME, current.access_token);
    authorized = true;
  } else if (authorized) {
    ui.authActions.logout([SCHEME]);
    authorized = false;
  }
}

async function paintAuth() {
  const box = $("#docs-auth");
  const me = await currentUser().catch(() => null);
  clear(box);
  const title = el("h2", { id: "docs-auth-title" }, t("docs.auth_title"));
  if (me) {
    box.append(title, el("div", { class: "spread" },
      el("p", { style: { margin: 0 } }, t("docs.signed_in", { name: me.username })),
      signOutButton(() => { paintAuth(); })));
  } else {
    const details = el("details", {}, el("summary", {}, t("docs.sign_in")), signInPanel({ onDone: () => paintAuth(), heading: "h3" }));
    box.append(title, el("p", {}, t("docs.auth_intro")), details);
  }
  authorize();
}

// Swagger UI's example and response boxes scroll when long (400 px at most), and so may its tables
// on a phone: a box that scrolls must take keyboard focus to be scrolled without a pointer.
function focusableScrollers(root) {
  for (const box of root.querySelectorAll(".highlight-code > .microlight, .swagger-ui table")) {
    if (box.hasAttribute("tabindex")) continue;
    const scrolls = box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
    if (box.matches(".microlight") || scrolls) box.setAttribute("tabindex", "0");
  }
}

function start() {
  const root = $("#swagger");
  new MutationObserver(() => focusableScrollers(root)).observe(root, { childList: true, subtree: true });
  ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger",
    deepLinking: false, // its links inside each operation's toggle button would nest controls
    validatorUrl: null, // Swagger's default posts the spec to its own site
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: true,
    syntaxHighlight: false,
    persistAuthorization: false,
    onComplete: () => { ready = true; authorize(); },
  });
}

bootPage("docs");
window.addEventListener("quizarena:session", authorize);
// The Swagger bundle is a deferred classic script; modules run after deferred scripts, so it is there.
start();
paintAuth();
