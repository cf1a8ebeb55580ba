// What /play and /duel share about answering: the live region a screen reader reads, the status
// line under the question, and the answer's round trip (sent once, the input locked until the
// server's ack says it counted or why not, and whether the player may try again).
import { $ } from "./dom.js";
import { ackMessage, t } from "./i18n.js";

/** `announce(text)` for a live region: emptied first, so the same words are read out again. */
export function liveRegion(node) {
  return (text) => {
    node.textContent = "";
    setTimeout(() => { node.textContent = text; }, 30);
  };
}

export function showStatus(node, kind, text, announce) {
  node.className = `notice ${kind}`;
  node.textContent = text;
  node.hidden = false;
  announce(text);
}

/**
 * The answers of one seat. `seat` holds `answered` (a Set), `pending` and `current` (question
 * indexes); `socket`, `input` and `countdown` are read when used, since a page replaces them.
 */
export class Answering {
  constructor({ seat, socket, input, countdown, announce, lockedIn }) {
    Object.assign(this, { seat, socket, input, countdown, announce, lockedIn });
  }

  status(node, kind, text) {
    showStatus(node, kind, text, this.announce);
  }

  send(index, answer, status) {
    const seat = this.seat();
    if (seat.answered.has(index) || seat.pending === index) return;
    if (!this.socket().send({ type: "answer", question: index, answer })) {
      this.status(status, "warn", t("play.not_connected"));
      return;
    }
    seat.pending = index;
    this.input().setEnabled(false);
    this.status(status, "info", t("play.sending"));
  }

  ack(frame) {
    const seat = this.seat();
    const status = $("#answer-status");
    const input = this.input();
    const countdown = this.countdown();
    if (seat.pending === frame.question) seat.pending = null;
    if (frame.accepted || frame.reason === "duplicate") {
      seat.answered.add(frame.question);
      if (countdown && seat.current === frame.question) countdown.stop();
      if (status) this.status(status, "ok", t(this.lockedIn));
      return;
    }
    const retry = frame.reason === "too_early" || frame.reason === "invalid";
    if (status) this.status(status, retry ? "warn" : "error", ackMessage(frame.reason));
    if (retry && input && seat.current === frame.question) {
      input.setEnabled(true);
      input.focus();
    }
  }
}
