// The live side of PROTOCOL.md: one WebSocket to /ws that answers the server's pings at once,
// keeps an estimate of the server's clock from its own ping/pong round trips, tracks the last
// `seq` it saw, and comes back by itself after a drop (the page decides what the first frame is:
// `join`, `host` or `resume`). It never reconnects after the close codes that forbid it.

/** After these a client must not resume (PROTOCOL.md): kicked, superseded, room ended. */
export const FINAL_CLOSE_CODES = new Set([4001, 4002, 4004]);
const CLOSE_POLICY = 1008;
const BACKOFF_MS = [250, 750, 1500, 3000, 5000];
const GIVE_UP_AFTER_MS = 110_000; // the server honours a resume for 120 s after a drop
const SILENCE_MS = 12_000; // the server pings players every 5 s: this long without a frame is a dead line
const SYNC_SAMPLES = 8;

function localNow() {
  return performance.timeOrigin + performance.now();
}

/** The server's clock as seen from here: offset from the best (lowest round trip) recent sample. */
export class ServerClock {
  constructor() {
    this.offset = null;
    this.rtt = null;
    this.samples = [];
  }

  /** A first rough guess from a frame's `server_time`, until round trips are measured. */
  seed(serverTime) {
    if (this.offset === null && typeof serverTime === "number") this.offset = serverTime - localNow();
  }

  sample(sentLocal, serverTime) {
    if (typeof sentLocal !== "number" || typeof serverTime !== "number") return;
    const received = localNow();
    const rtt = received - sentLocal;
    if (rtt < 0 || rtt > 30_000) return;
    this.samples.push({ rtt, offset: serverTime + rtt / 2 - received });
    if (this.samples.length > SYNC_SAMPLES) this.samples.shift();
    const best = this.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    this.offset = best.offset;
    this.rtt = best.rtt;
  }

  get synced() {
    return this.samples.length > 0;
  }

  now() {
    return localNow() + (this.offset ?? 0);
  }
}

/** When a question opens for answers and closes for this player, on the server's clock: the server
 * starts a player's time when its node sent the frame, about half a round trip before it arrived. */
export function questionDeadline(frame, clock) {
  const arrived = clock.now() - (clock.rtt ?? 0) / 2;
  const sent = Math.max(frame.server_time, arrived);
  const opensAt = sent + (frame.read_time_ms || 0);
  return { opensAt, endsAt: opensAt + frame.time_limit_ms };
}

/** The same from a `welcome` snapshot of an open question (`remaining_ms` as of `serverTime`). */
export function resumedDeadline(question, serverTime, remainingMs) {
  const endsAt = serverTime + remainingMs;
  return { opensAt: Math.min(endsAt - question.time_limit_ms, serverTime + (question.read_time_ms || 0)), endsAt };
}

function socketUrl() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}

/**
 * `new GameSocket({first, onFrame, onStatus, keepAliveMs})`, then `connect()`.
 * `first()` gives the frame to open each connection with; `onFrame(frame)` gets every frame but
 * ping/pong; `onStatus(status, detail)` hears "connecting", "open", "lost", "offline",
 * "reconnecting", "ended" (a final close code) and "gave_up".
 */
export class GameSocket {
  constructor({ first, onFrame, onStatus = () => {}, keepAliveMs = 30_000 }) {
    this.first = first;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.keepAliveMs = keepAliveMs;
    this.clock = new ServerClock();
    this.ws = null;
    this.welcomed = false;
    this.everWelcomed = false;
    this.stopped = false;
    this.attempt = 0;
    this.lostAt = null;
    this.lastSeq = 0;
    this.lastFrameAt = 0;
    this.timers = new Set();
    this.reconnectTimer = null;
    this.onOnline = () => this.online();
    this.onOffline = () => this.offline();
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const ws = new WebSocket(socketUrl());
    this.ws = ws;
    this.welcomed = false;
    this.onStatus(this.everWelcomed ? "reconnecting" : "connecting", { attempt: this.attempt });
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      this.lastFrameAt = Date.now();
      this.sendOn(ws, this.first());
      this.every(2_000, () => this.watch(ws));
    });
    ws.addEventListener("message", (event) => this.receive(ws, event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event.code, event.reason));
  }

  /** Sends a frame now; false when there is no open connection (the caller tells the person). */
  send(frame) {
    return this.welcomed ? this.sendOn(this.ws, frame) : false;
  }

  get connected() {
    return this.welcomed && this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  sendOn(ws, frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** The server could not take the first frame just now (a room moving to another server): come
   * back on a new connection after the usual backoff, with the same first frame. */
  retryLater() {
    if (this.ws && !this.stopped) this.drop(this.ws);
  }

  /** Closes for good: no reconnection. */
  stop(code = 1000) {
    this.stopped = true;
    this.clearTimers();
    clearTimeout(this.reconnectTimer);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(code);
  }

  receive(ws, data) {
    if (ws !== this.ws) return;
    this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "ping") {
      this.sendOn(ws, { type: "pong", t: frame.t });
      return;
    }
    if (frame.type === "pong") {
      this.clock.sample(frame.t, frame.server_time);
      return;
    }
    if (frame.type === "welcome") {
      this.welcomed = true;
      this.everWelcomed = true;
      this.attempt = 0;
      this.lostAt = null;
      this.clock.seed(frame.server_time);
      // With `recovered: true` the missed events follow and bring `seq` up themselves.
      if (frame.recovered !== true && typeof frame.seq === "number") this.lastSeq = frame.seq;
      this.onStatus("open", { recovered: frame.recovered });
      this.sync();
    } else if (typeof frame.seq === "number") {
      this.lastSeq = Math.max(this.lastSeq, frame.seq);
    }
    this.onFrame(frame);
  }

  sync() {
    // A few quick samples right away, then one now and then to follow any drift.
    for (const delay of [0, 300, 800]) this.later(delay, () => this.ping());
    this.every(this.keepAliveMs, () => this.ping());
  }

  ping() {
    if (this.welcomed) this.sendOn(this.ws, { type: "ping", t: localNow() });
  }

  watch(ws) {
    if (ws !== this.ws) return;
    if (Date.now() - this.lastFrameAt > SILENCE_MS) this.drop(ws);
  }

  offline() {
    // The device says it lost the network: the socket will not get through, even if it looks open.
    if (this.ws && !this.stopped) this.drop(this.ws);
  }

  online() {
    if (!this.stopped && !this.ws) {
      this.attempt = 0;
      this.connect();
    }
  }

  /** Gives up on a socket that looks open but is not getting through, and comes back. */
  drop(ws) {
    if (ws !== this.ws) return;
    this.ws = null;
    try {
      ws.close(4000, "client reconnecting");
    } catch {
      /* already closing */
    }
    this.lost(1006);
  }

  closed(ws, code, reason) {
    if (ws !== this.ws) return;
    this.ws = null;
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code) || code === CLOSE_POLICY) {
      this.stopped = true;
      this.clearTimers();
      this.onStatus("ended", { code, reason });
      return;
    }
    this.lost(code);
  }

  lost(code) {
    this.welcomed = false;
    this.clearTimers();
    if (this.lostAt === null) this.lostAt = Date.now();
    if (Date.now() - this.lostAt > GIVE_UP_AFTER_MS) {
      this.stop();
      this.onStatus("gave_up", { code });
      return;
    }
    if (!navigator.onLine) {
      this.onStatus("offline", { code }); // `online` brings it back
      return;
    }
    this.onStatus("lost", { code, attempt: this.attempt });
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  later(ms, fn) {
    const id = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.add(id);
  }

  every(ms, fn) {
    const id = setInterval(fn, ms);
    this.timers.add(id);
  }

  clearTimers() {
    for (const id of this.timers) {
      clearTimeout(id);
      clearInterval(id);
    }
    this.timers.clear();
  }
}
