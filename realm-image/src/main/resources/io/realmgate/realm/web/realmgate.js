/*
 * realmgate.js: the browser client of a Realmgate realm (protocol v1, docs/protocol.md).
 * Plain modern JavaScript, no build step, no dependencies.
 *
 *   const session = Realmgate.session({host: 'realm.example', webSocket: true, webSocketPort: 9443,
 *                                      secure: true, transports: ['websocket', 'stream', 'longpoll']});
 *   session.addEventListener('transport', e => console.log('now on', e.detail.transport));
 *   session.start();
 *   session.subscribe('prices', ev => console.log(ev.channel, ev.id, ev.data), {from: 41});
 *   session.publish('prices', {sym: 'ACME', px: 12.5}).then(id => console.log('retained as', id));
 *
 * Transports are tried in the given order; one that cannot connect hands over to the next (after
 * the last, the first again, with growing back-off). A transport that worked and then dropped is
 * retried first. Each attempt that could not connect is announced as an 'error' event
 * ({code: 'connect-failed', transport, url, message}) before the next one. Every (re)connection
 * resumes each subscription after the last id it delivered, and ids at or below that are dropped,
 * so a handler sees each event once, in order.
 *
 * Ids belong to one history of a channel, named by its epoch. When the realm no longer has the
 * history a subscription's ids belong to (it restarted), it resets the position, and the session
 * announces a 'reset' event ({channel, reason: 'epoch-changed', previousEpoch, previousId, epoch, id})
 * before the new history's retained events, which follow from its start (their ids may repeat ids
 * seen before):
 *
 *   session.addEventListener('reset', e => console.log(e.detail.channel, 'starts again'));
 */
(function (global) {
  'use strict';

  const ALL_TRANSPORTS = ['websocket', 'stream', 'longpoll'];

  class Session extends EventTarget {
    constructor(options = {}) {
      super();
      const loc = global.location || {};
      const secure = options.secure !== undefined ? !!options.secure : loc.protocol === 'https:';
      this.host = options.host || loc.hostname || '127.0.0.1';
      this.secure = secure;
      this.webSocketPort = options.webSocketPort || (secure ? 9443 : 9000);
      let transports = (options.transports || ALL_TRANSPORTS).filter(t => ALL_TRANSPORTS.includes(t));
      if (options.webSocket === false) {
        transports = transports.filter(t => t !== 'websocket');
      }
      if (transports.length === 0) {
        throw new Error('Realmgate: no usable transport in ' + JSON.stringify(options.transports));
      }
      this.transports = transports;
      this.webSocketUrl = options.webSocketUrl ||
        (secure ? 'wss://' : 'ws://') + hostPort(this.host, this.webSocketPort) + '/realm';
      // The HTTP transports go to the page's own origin when the page came from this realm's host
      // (so a proxy that only forwards plain HTTP still reaches them), else to the WebSocket port.
      this.httpUrl = (options.httpUrl ||
        ((loc.protocol === 'http:' || loc.protocol === 'https:') && loc.hostname === this.host
          ? loc.origin
          : (secure ? 'https://' : 'http://') + hostPort(this.host, this.webSocketPort))).replace(/\/$/, '');
      this.connectTimeout = options.connectTimeout || 5000;
      this.pollWait = options.pollWait !== undefined ? options.pollWait : 25;
      this.minDelay = options.reconnectDelay || 250;
      this.maxDelay = options.maxReconnectDelay || 10000;
      this._subs = new Map();       // channel -> {cursor, epoch, handlers: Set}
      this._queued = [];            // publishes waiting for a transport
      this._index = 0;              // which transport is current or next
      this._failures = 0;           // consecutive failures to open
      this._link = null;
      this._transport = null;
      this._state = 'idle';
      this._timer = null;
    }

    /** The transport in use: 'websocket', 'stream', 'longpoll', or null while not connected. */
    get transport() { return this._transport; }

    /** 'idle', 'connecting', 'open' or 'stopped'. */
    get state() { return this._state; }

    start() {
      if (this._state === 'idle' || this._state === 'stopped') {
        this._connect();
      }
      return this;
    }

    stop() {
      clearTimeout(this._timer);
      this._state = 'stopped';
      if (this._link) {
        const link = this._link;
        this._link = null;
        link.close();
      }
      this._setTransport(null);
      for (const q of this._queued.splice(0)) {
        q.reject(new Error('Realmgate: session stopped'));
      }
      this._announce('state', {state: 'stopped'});
    }

    /**
     * Delivers the channel's events to onEvent({channel, id, data, epoch}). With {from: ID} the
     * events retained after ID come first; with {from: ID, epoch: EPOCH} (an event's epoch, kept
     * with its id) only if the realm still has that history, else the position is reset (a 'reset'
     * event). Returns {unsubscribe()}.
     */
    subscribe(channel, onEvent, options = {}) {
      let sub = this._subs.get(channel);
      const fresh = !sub;
      if (fresh) {
        sub = {cursor: undefined, epoch: undefined, handlers: new Set()};
        this._subs.set(channel, sub);
      }
      if (options.from !== undefined && options.from !== null && (sub.cursor === undefined || options.from < sub.cursor)) {
        sub.cursor = Number(options.from);
        sub.epoch = options.epoch !== undefined && options.epoch !== null ? String(options.epoch) : undefined;
      }
      sub.handlers.add(onEvent);
      if (fresh && this._link && this._link.open) {
        this._link.subscribe(channel, sub);
      }
      return {
        channel,
        unsubscribe: () => {
          sub.handlers.delete(onEvent);
          if (sub.handlers.size === 0 && this._subs.get(channel) === sub) {
            this._subs.delete(channel);
            if (this._link && this._link.open) {
              this._link.unsubscribe(channel);
            }
          }
        }
      };
    }

    /** Publishes; resolves with the event's id once the realm retained it. */
    publish(channel, data) {
      return new Promise((resolve, reject) => {
        if (this._state === 'stopped') {
          reject(new Error('Realmgate: session stopped'));
        } else if (this._link && this._link.open) {
          this._link.publish(channel, data).then(resolve, reject);
        } else if (this._queued.length >= 1000) {
          reject(new Error('Realmgate: not connected and 1000 publishes already wait'));
        } else {
          this._queued.push({channel, data, resolve, reject});
        }
      });
    }

    // ---- connection management ----

    _connect() {
      clearTimeout(this._timer);
      this._state = 'connecting';
      this._announce('state', {state: 'connecting'});
      const name = this.transports[this._index];
      const Link = LINKS[name];
      const link = new Link(this);
      this._link = link;
      link.onopen = () => {
        if (this._link !== link) return;
        this._failures = 0;
        this._state = 'open';
        this._setTransport(name);
        this._announce('state', {state: 'open'});
        for (const q of this._queued.splice(0)) {
          link.publish(q.channel, q.data).then(q.resolve, q.reject);
        }
      };
      link.onclose = (wasOpen) => {
        if (this._link !== link) return;
        this._link = null;
        this._setTransport(null);
        if (this._state === 'stopped') return;
        this._state = 'connecting';
        let delay;
        if (wasOpen) {
          delay = this.minDelay; // it worked: try the same transport again first
        } else {
          // A browser tells a script nothing about why (a refused WebSocket handshake and a CORS
          // failure look like a network error): say so, or a refused page retries in silence.
          const url = name === 'websocket' ? this.webSocketUrl : this.httpUrl;
          this._announce('error', {
            code: 'connect-failed', transport: name, url,
            message: 'Realmgate: ' + name + ' could not connect to ' + url + ' (realm or proxy down or refusing,' +
              ' or the realm does not allow this page\'s origin ' + (global.location || {}).origin +
              ': --allowed-origins, spec.allowedOrigins); trying again'
          });
          this._failures++;
          this._index = (this._index + 1) % this.transports.length;
          // Straight to the next transport; back off once every transport failed in a row.
          delay = this._failures < this.transports.length ? 0
            : Math.min(this.maxDelay, this.minDelay * Math.pow(2, this._failures - this.transports.length));
        }
        this._timer = setTimeout(() => this._connect(), delay);
      };
      link.connect();
    }

    _setTransport(name) {
      if (this._transport !== name) {
        this._transport = name;
        this._announce('transport', {transport: name});
      }
    }

    _announce(type, detail) {
      this.dispatchEvent(new CustomEvent(type, {detail}));
    }

    /** One server frame, from any transport. */
    _frame(f, pending) {
      switch (f.op) {
        case 'event': {
          const sub = this._subs.get(f.channel);
          if (!sub || (sub.cursor !== undefined && f.id <= sub.cursor)) return;
          sub.cursor = f.id;
          const ev = {channel: f.channel, id: f.id, data: f.data, epoch: sub.epoch};
          for (const h of [...sub.handlers]) {
            try { h(ev); } catch (e) { setTimeout(() => { throw e; }); }
          }
          return;
        }
        case 'subscribed': {
          const sub = this._subs.get(f.channel);
          if (!sub) return;
          if (f.reset) {
            // The history our ids belong to is gone: the realm replays the new one from its start,
            // so every id counts as unseen again.
            const detail = {channel: f.channel, reason: f.reset, previousEpoch: sub.epoch,
              previousId: sub.cursor, epoch: f.epoch, id: f.id};
            sub.cursor = 0;
            sub.epoch = f.epoch;
            this._announce('reset', detail);
            return;
          }
          // Unknown position: start here. Ahead of a realm without epochs (it restarted): follow it.
          sub.cursor = sub.cursor === undefined ? f.id : Math.min(sub.cursor, f.id);
          if (typeof f.epoch === 'string') sub.epoch = f.epoch;
          return;
        }
        case 'ack':
          if (pending && pending.has(f.ref)) {
            pending.get(f.ref).resolve(f.id);
            pending.delete(f.ref);
          }
          return;
        case 'error':
          if (pending && f.ref !== undefined && pending.has(f.ref)) {
            pending.get(f.ref).reject(Object.assign(new Error(f.message), {code: f.code}));
            pending.delete(f.ref);
          } else {
            this._announce('error', {code: f.code, message: f.message});
          }
          return;
        default:
          // a later protocol version's frame
      }
    }

    _subscribeQuery() {
      const parts = [];
      for (const [ch, s] of this._subs) {
        parts.push('sub=' + encodeURIComponent(s.cursor === undefined ? ch : ch + ':' + s.cursor));
        // The epoch in a parameter of its own: a realm that knows none ignores it.
        if (s.cursor !== undefined && s.epoch !== undefined) {
          parts.push('epoch=' + encodeURIComponent(ch + ':' + s.epoch));
        }
      }
      return parts.join('&');
    }

    _httpPublish(channel, data) {
      return fetch(this.httpUrl + '/publish', {
        method: 'POST', headers: {'content-type': 'application/json'},
        body: JSON.stringify({op: 'publish', channel, data})
      }).then(r => r.json()).then(f => {
        if (f.op === 'ack') return f.id;
        throw Object.assign(new Error(f.message), {code: f.code});
      });
    }
  }

  // ---- transports: connect(), close(), subscribe(ch, sub), unsubscribe(ch), publish(ch, data) ----

  class WebSocketLink {
    constructor(session) {
      this.s = session;
      this.open = false;
      this.pending = new Map();
      this.nextRef = 0;
    }

    connect() {
      let ws;
      try {
        ws = new WebSocket(this.s.webSocketUrl);
      } catch (e) {
        setTimeout(() => this.onclose(false));
        return;
      }
      this.ws = ws;
      const timer = setTimeout(() => ws.close(), this.s.connectTimeout);
      ws.onopen = () => {
        clearTimeout(timer);
        this.open = true;
        for (const [ch, sub] of this.s._subs) this.subscribe(ch, sub);
        this.onopen();
      };
      ws.onmessage = (m) => {
        let f;
        try { f = JSON.parse(m.data); } catch (e) { return; }
        this.s._frame(f, this.pending);
      };
      ws.onclose = (e) => {
        clearTimeout(timer);
        const wasOpen = this.open;
        this.open = false;
        for (const p of this.pending.values()) p.reject(new Error('Realmgate: connection lost (' + e.code + ')'));
        this.pending.clear();
        this.onclose(wasOpen);
      };
    }

    close() {
      this.open = false;
      if (this.ws) this.ws.close(1000);
    }

    subscribe(channel, sub) {
      const m = {op: 'subscribe', channel};
      if (sub.cursor !== undefined) {
        m.from = sub.cursor;
        if (sub.epoch !== undefined) m.epoch = sub.epoch;
      }
      this.ws.send(JSON.stringify(m));
    }

    unsubscribe(channel) {
      this.ws.send(JSON.stringify({op: 'unsubscribe', channel}));
    }

    publish(channel, data) {
      return new Promise((resolve, reject) => {
        const ref = 'p' + (++this.nextRef);
        this.pending.set(ref, {resolve, reject});
        this.ws.send(JSON.stringify({op: 'publish', channel, data, ref}));
      });
    }
  }

  /** Server-Sent Events for receiving, HTTP POST for publishing. */
  class StreamLink {
    constructor(session) {
      this.s = session;
      this.open = false;
    }

    connect() {
      this._openStream(false);
    }

    _openStream(reopening) {
      if (this.es) this.es.close();
      this.es = null;
      if (this.s._subs.size === 0) {
        // Nothing to receive yet: publishing works without a stream. Report open on the first try
        // only if the realm answers at all.
        if (!reopening) this._probe();
        return;
      }
      const es = new EventSource(this.s.httpUrl + '/stream?' + this.s._subscribeQuery());
      this.es = es;
      const timer = setTimeout(() => { if (!this.open && this.es === es) this._fail(); }, this.s.connectTimeout);
      es.onopen = () => {
        clearTimeout(timer);
        if (!this.open) {
          this.open = true;
          this.onopen();
        }
      };
      es.onmessage = (m) => {
        let f;
        try { f = JSON.parse(m.data); } catch (e) { return; }
        this.s._frame(f, null);
      };
      es.onerror = () => {
        clearTimeout(timer);
        if (this.es === es) this._fail();
      };
    }

    _probe() {
      fetch(this.s.httpUrl + '/healthz', {cache: 'no-store'}).then(r => {
        if (!r.ok) throw new Error(String(r.status));
        if (!this.closed && !this.open) {
          this.open = true;
          this.onopen();
        }
      }).catch(() => this._fail());
    }

    _fail() {
      if (this.closed) return;
      this.closed = true;
      if (this.es) this.es.close(); // no automatic reconnect: its URL would carry stale ids
      const wasOpen = this.open;
      this.open = false;
      this.onclose(wasOpen);
    }

    close() {
      this.closed = true;
      this.open = false;
      if (this.es) this.es.close();
    }

    // A stream's subscriptions are in its URL: a change reopens it, resuming every channel after its last id.
    subscribe() { this._openStream(true); }

    unsubscribe() { this._openStream(true); }

    publish(channel, data) { return this.s._httpPublish(channel, data); }
  }

  /** Long-poll for receiving, HTTP POST for publishing. */
  class LongPollLink {
    constructor(session) {
      this.s = session;
      this.open = false;
    }

    connect() {
      this._poll(0);
    }

    _poll(wait) {
      if (this.closed) return;
      if (this.abort) this.abort.abort();
      const abort = new AbortController();
      this.abort = abort;
      const url = this.s._subs.size === 0 ? this.s.httpUrl + '/healthz'
        : this.s.httpUrl + '/poll?' + this.s._subscribeQuery() + '&wait=' + wait;
      const timer = setTimeout(() => abort.abort(), (wait + 10) * 1000);
      fetch(url, {signal: abort.signal, cache: 'no-store'}).then(r => {
        if (!r.ok) throw new Error(String(r.status));
        return url.endsWith('/healthz') ? {frames: []} : r.json();
      }).then(body => {
        clearTimeout(timer);
        if (this.abort !== abort || this.closed) return;
        if (!this.open) {
          this.open = true;
          this.onopen();
        }
        for (const f of body.frames || []) this.s._frame(f, null);
        if (this.s._subs.size === 0) {
          this.idle = true; // nothing to poll for until someone subscribes
        } else {
          this._poll(this.s.pollWait);
        }
      }).catch(() => {
        clearTimeout(timer);
        if (this.abort !== abort || this.closed) return; // superseded on purpose
        this.closed = true;
        const wasOpen = this.open;
        this.open = false;
        this.onclose(wasOpen);
      });
    }

    close() {
      this.closed = true;
      this.open = false;
      if (this.abort) this.abort.abort();
    }

    // A poll's subscriptions are in its URL: a change starts a new poll from the last ids.
    subscribe() { this.idle = false; this._poll(0); }

    unsubscribe() { this._poll(0); }

    publish(channel, data) { return this.s._httpPublish(channel, data); }
  }

  const LINKS = {websocket: WebSocketLink, stream: StreamLink, longpoll: LongPollLink};

  function hostPort(host, port) {
    return (host.includes(':') && !host.startsWith('[') ? '[' + host + ']' : host) + ':' + port;
  }

  global.Realmgate = {
    version: '1',
    transports: ALL_TRANSPORTS.slice(),
    session: (options) => new Session(options),
    Session
  };
})(typeof window !== 'undefined' ? window : globalThis);
