// One reconnecting WebSocket to /api/v1/live for the whole wall page.
//
// - Subscribes topic by topic (one forbidden topic must not cost the others) with `since` = the last event id seen,
//   so that a screen that was offline gets the events it missed from the server's recent buffer.
// - Reconnects by itself with exponential backoff (0.5 s, 1 s, 2 s … capped at 10 s, plus jitter), at once when the
//   browser says the network is back, and when the socket goes silent (no heartbeat for 2.5 heartbeats: a half-open
//   TCP connection after a network loss never fires `close` by itself).
// - Detects a server restart (the server's last id is below ours: ids start again from 1) and then resumes from 0.
// - Tells `onResync` listeners when their data may have missed something (reconnect, restart, dropped events), so
//   they refetch over HTTP.
// Status: "connecting" (first connection), "live", "offline" (lost; retrying).

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const DEFAULT_HEARTBEAT_S = 20;
const PING_EVERY_MS = 25_000;
const WELCOME_WAIT_MS = 3_000;
const CONNECT_TIMEOUT_MS = 10_000; // a handshake that hangs (half-open network) is abandoned after this

export class LiveConnection {
  /** `url()` gives the WebSocket URL (called at each connection). */
  constructor(url) {
    this.url = url;
    this.ws = null;
    this.status = "connecting";
    this.lastEventId = null;
    this.attempt = 0;
    this.everConnected = false;
    this.retryAt = 0;
    this.heartbeatSeconds = DEFAULT_HEARTBEAT_S;
    this.topicListeners = new Map(); // topic → Set(listener)
    this.statusListeners = new Set();
    this.resyncListeners = new Set();
    this.timers = { retry: null, watchdog: null, ping: null, welcome: null };
    this.started = false;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.drop("offline");
  }

  start() {
    if (this.started) return;
    this.started = true;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.connect();
  }

  /** Closes the socket for good (a console page that unmounts); listeners are dropped. */
  stop() {
    this.started = false;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    for (const name of Object.keys(this.timers)) this.clearTimer(name);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState === WebSocket.CONNECTING) {
        ws.onopen = () => ws.close(); // closing a socket still connecting makes the browser complain
      } else {
        ws.onopen = null;
        try {
          ws.close();
        } catch {
          // Already closed.
        }
      }
    }
    this.topicListeners.clear();
    this.statusListeners.clear();
    this.resyncListeners.clear();
  }

  /** Resume from this id (the `lastEventId` of an HTTP snapshot), unless we have already seen later events. */
  resumeFrom(id) {
    if (typeof id !== "number" || !Number.isFinite(id)) return;
    if (this.lastEventId == null || id > this.lastEventId) this.lastEventId = id;
  }

  /** Calls `listener(data, event)` for each event on `topic`; returns a function that unsubscribes. */
  subscribe(topic, listener) {
    let set = this.topicListeners.get(topic);
    const isNew = !set;
    if (!set) {
      set = new Set();
      this.topicListeners.set(topic, set);
    }
    set.add(listener);
    if (isNew && this.ws?.readyState === WebSocket.OPEN && this.welcomed) this.sendSubscribe(topic);
    return () => {
      const current = this.topicListeners.get(topic);
      if (!current) return;
      current.delete(listener);
      if (current.size) return;
      this.topicListeners.delete(topic);
      if (this.ws?.readyState === WebSocket.OPEN) this.send({ type: "unsubscribe", topics: [topic] });
    };
  }

  onStatus(listener) {
    this.statusListeners.add(listener);
    listener(this.status, this);
    return () => this.statusListeners.delete(listener);
  }

  /** `listener(reason)` when data may have missed events: "reconnect" | "restart" | "dropped". */
  onResync(listener) {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  // ---- internals ----

  setStatus(status) {
    if (this.status === status && status !== "offline") return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status, this);
  }

  clearTimer(name) {
    clearTimeout(this.timers[name]);
    this.timers[name] = null;
  }

  connect() {
    this.clearTimer("retry");
    if (this.ws) return;
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    this.setStatus(this.everConnected ? "offline" : "connecting");
    this.armWatchdog(CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      this.armWatchdog(CONNECT_TIMEOUT_MS); // must be subscribed by then
      // The server greets first with its last id; subscribe once we know it (or after a short wait).
      this.timers.welcome = setTimeout(() => this.onWelcome(null), WELCOME_WAIT_MS);
    };
    ws.onmessage = (event) => this.onMessage(event.data);
    ws.onclose = () => this.onClosed(ws);
    ws.onerror = () => {
      // A close event follows.
    };
  }

  send(message) {
    try {
      this.ws?.send(JSON.stringify(message));
    } catch {
      // The close handler reconnects.
    }
  }

  sendSubscribe(topic, since = this.lastEventId) {
    const message = { type: "subscribe", topics: [topic] };
    if (since != null) message.since = since;
    this.send(message);
  }

  onWelcome(message) {
    if (this.welcomed) return;
    this.welcomed = true;
    this.clearTimer("welcome");
    const serverLast = typeof message?.lastEventId === "number" ? message.lastEventId : null;
    if (typeof message?.heartbeatSeconds === "number" && message.heartbeatSeconds > 0) this.heartbeatSeconds = message.heartbeatSeconds;
    let since = this.lastEventId;
    let reason = this.everConnected ? "reconnect" : null;
    if (serverLast != null && this.lastEventId != null && serverLast < this.lastEventId) {
      // The server restarted and counts from 1 again: take everything it has since its start.
      since = 0;
      this.lastEventId = serverLast;
      reason = "restart";
    }
    for (const topic of this.topicListeners.keys()) this.sendSubscribe(topic, since);
    if (!this.topicListeners.size) this.markLive();
    this.clearTimer("ping");
    this.timers.ping = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
    if (reason) this.resync(reason);
  }

  markLive() {
    this.attempt = 0;
    this.everConnected = true;
    this.setStatus("live");
    this.armWatchdog();
  }

  onMessage(text) {
    // Live: any message proves the socket alive. Not yet live: the connect deadline set at open stands.
    if (this.status === "live") this.armWatchdog();
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    switch (message.type) {
      case "welcome":
        this.onWelcome(message);
        break;
      case "subscribed":
        this.markLive();
        break;
      case "events": {
        const events = Array.isArray(message.events) ? message.events : [];
        for (const event of events) {
          if (typeof event.id === "number") this.lastEventId = Math.max(this.lastEventId ?? 0, event.id);
          const listeners = this.topicListeners.get(event.topic);
          if (!listeners) continue;
          for (const listener of [...listeners]) {
            try {
              listener(event.data ?? {}, event);
            } catch (error) {
              setTimeout(() => { throw error; });
            }
          }
        }
        if (message.dropped) this.resync("dropped");
        break;
      }
      case "error":
        // A refused topic (forbidden_topic, bad_topics): the others go on; nothing to retry.
        if (this.status !== "live" && this.welcomed) this.markLive();
        break;
      default:
        break; // heartbeat, pong, unsubscribed
    }
  }

  resync(reason) {
    for (const listener of [...this.resyncListeners]) {
      try {
        listener(reason);
      } catch (error) {
        setTimeout(() => { throw error; });
      }
    }
  }

  /** Drops the socket when nothing arrives for `ms` (default: 2.5 heartbeats, at least 30 s). */
  armWatchdog(ms = Math.max(30, this.heartbeatSeconds * 2.5) * 1000) {
    this.clearTimer("watchdog");
    this.timers.watchdog = setTimeout(() => this.drop("silent"), ms);
  }

  /** Abandons the current socket (whatever its state) and schedules a reconnect. */
  drop() {
    const ws = this.ws;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // Already closed.
      }
    }
    this.onClosed(ws);
  }

  onClosed(ws) {
    if (ws && this.ws !== ws) return;
    this.ws = null;
    this.welcomed = false;
    this.clearTimer("watchdog");
    this.clearTimer("ping");
    this.clearTimer("welcome");
    if (this.everConnected || this.attempt > 0) this.setStatus("offline");
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.timers.retry) return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempt) + Math.floor(Math.random() * 400);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    if (this.status === "offline") this.setStatus("offline"); // listeners show the new countdown
    this.timers.retry = setTimeout(() => {
      this.timers.retry = null;
      this.connect();
    }, delay);
  }

  reconnectNow() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return;
    this.attempt = 0;
    this.clearTimer("retry");
    if (this.ws) {
      this.drop();
      this.clearTimer("retry");
    }
    this.connect();
  }
}
