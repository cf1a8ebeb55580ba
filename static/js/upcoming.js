// /me: the scheduled sessions the player is invited to (or hosts) that have not happened yet,
// soonest first; once one is open, its PIN and a link to join it (or to take the host seat).

import { api } from "./api.js";
import { el } from "./dom.js";
import { errorMessage, t } from "./i18n.js";
import { whenText } from "./schedule.js";

function item(game) {
  const open = game.state === "open";
  const hosting = game.role === "host";
  const link = !open ? null
    : hosting ? el("a", { class: "btn small", href: `/host?scheduled=${game.id}`, "aria-label": t("upcoming.host_aria", { title: game.title }) }, t("upcoming.host"))
      : el("a", { class: "btn small accent", href: `/play?pin=${encodeURIComponent(game.pin)}`, "aria-label": t("upcoming.join_aria", { title: game.title }) }, t("upcoming.join"));
  return el("li", { class: "list-item", dataset: { state: game.state } },
    el("div", {},
      el("div", { class: "title clamp", title: game.title }, game.title),
      el("div", { class: "small" }, whenText(game.starts_at), " · ",
        hosting ? t("upcoming.you_host") : t("upcoming.hosted_by", { name: game.host.username })),
      el("div", { class: "small muted" }, open ? t("upcoming.open", { pin: game.pin }) : t("upcoming.not_yet"))),
    link);
}

/** The "Upcoming games" card. */
export async function upcomingGames() {
  const section = el("section", { class: "card stack", "aria-labelledby": "upcoming-title" },
    el("h2", { id: "upcoming-title" }, t("upcoming.title")));
  try {
    const page = await api("/games/upcoming?limit=20", { auth: true });
    if (!page.items.length) section.append(el("p", { class: "muted" }, t("upcoming.none")));
    else section.append(el("ul", { class: "list", id: "upcoming-list" }, page.items.map(item)));
  } catch (error) {
    section.append(el("p", { class: "notice error" }, errorMessage(error)));
  }
  return section;
}
