// The one stream connection of the page (WebSocket /api/v1/stream). The
// session cookie authenticates it. On a drop it backs off with jitter and
// resubscribes with `since` = the last frame's seq, so no trade, alert or
// command is lost; the caller drops doubles by the trade's (bot_id, seq).
import { currentRole } from './api.js';

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

export class Stream {
  // @handlers: { onState(state, detail), onSnapshot(msg), onItems(items), onSignedOut() }
  constructor(topics, maxRateHz, handlers) {
    this.topics = topics;
    this.maxRateHz = maxRateHz;
    this.handlers = handlers;
    this.socket = null;
    this.seq = null;        // the last frame's seq: where a resubscription resumes
    this.attempt = 0;
    this.timer = 0;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close(1000);
      this.socket = null;
    }
    this.seq = null;
  }

  connect() {
    const url = new URL('/api/v1/stream', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, ['arbdash.v1']);
    let opened = false;
    this.socket = socket;
    this.handlers.onState(this.seq === null ? 'connecting' : 'reconnecting', 0);

    socket.onopen = () => {
      opened = true;
      const subscribe = { type: 'subscribe', topics: this.topics, max_rate_hz: this.maxRateHz };
      if (this.seq !== null)
        subscribe.since = this.seq;
      socket.send(JSON.stringify(subscribe));
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket !== socket || this.stopped)
        return;
      this.socket = null;
      this.retry(opened);
    };
  }

  receive(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.type === 'snapshot') {
      this.attempt = 0;
      this.seq = msg.seq;
      this.handlers.onSnapshot(msg);
      this.handlers.onState('live', 0);
    } else if (msg.type === 'batch') {
      this.seq = msg.seq;
      this.handlers.onItems(msg.items);
    }
  }

  // A refused upgrade looks like any other drop to a page: ask whether the
  // session still counts before trying again.
  async retry(opened) {
    if (!opened) {
      try {
        if ((await currentRole()) === null) {
          this.stop();
          this.handlers.onSignedOut();
          return;
        }
      } catch {
        // not reachable: try again later
      }
    }
    if (this.stopped)
      return;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.5 + Math.random()));
    this.attempt = Math.min(this.attempt + 1, 10);
    this.handlers.onState('reconnecting', Math.max(1, Math.round(delay / 1000)));
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
