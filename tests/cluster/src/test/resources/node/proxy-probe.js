// Measures a ForwardProxy from a client pod, with Node's own http, tls and the ws package (one process, many
// connections, so the client is not what limits the rate):
//
//   node proxy-probe.js first-tunnel PROXY TARGET DEADLINE_S
//       tries CONNECT TARGET through PROXY (HOST:PORT) every 100 ms until one is answered 200; prints
//       {"firstTunnelAt": epoch ms, "attempts": n}; exit 0, or 3 when DEADLINE_S passed first.
//   node proxy-probe.js first-event PROXY HOST PORT CA_PEM CHANNEL DEADLINE_S
//       tries, every 250 ms, the whole round trip: CONNECT, TLS (trusting CA_PEM only), WebSocket upgrade,
//       subscribe, publish, and the event coming back; prints {"firstEventAt": epoch ms, "firstTunnelAt":
//       epoch ms of the first CONNECT answered 200 (the proxy admits the realm), "attempts": n}.
//   node proxy-probe.js rate PROXY TARGET SECONDS CONCURRENCY
//       CONCURRENCY loops each opening a tunnel (CONNECT, 200), closing it, and opening the next, for
//       SECONDS; prints one line per second {"second": s, "at": epoch ms, "tunnels": n, "failures": m}.
//
// Every attempt is bounded (5 s), and so is the whole run.
'use strict';
const http = require('http');
const tls = require('tls');
const fs = require('fs');

const [mode, ...args] = process.argv.slice(2);
const hostPort = (s) => [s.slice(0, s.lastIndexOf(':')), Number(s.slice(s.lastIndexOf(':') + 1))];
const out = (o) => console.log(JSON.stringify(o));
const fail = (code, message) => { out({error: message}); process.exit(code); };

// One CONNECT: resolves with the socket when answered 200, rejects otherwise (status, error or 5 s).
function connect(proxy, target) {
  const [host, port] = hostPort(proxy);
  return new Promise((resolve, reject) => {
    const req = http.request({host, port, method: 'CONNECT', path: target, headers: {host: target},
      agent: false, timeout: 5000});
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) { resolve(socket); } else { socket.destroy(); reject(new Error('status ' + res.statusCode)); }
    });
    req.on('timeout', () => { req.destroy(new Error('timeout')); });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function firstTunnel(proxy, target, deadlineS) {
  const deadline = Date.now() + deadlineS * 1000;
  let attempts = 0, last = '';
  while (Date.now() < deadline) {
    attempts++;
    try {
      const socket = await connect(proxy, target);
      const at = Date.now();
      socket.destroy();
      out({firstTunnelAt: at, attempts});
      return 0;
    } catch (e) { last = e.message; }
    await sleep(100);
  }
  out({error: 'no tunnel within ' + deadlineS + ' s', attempts, last});
  return 3;
}

// One wss round trip through the proxy: resolves at the event's arrival.
function roundTrip(proxy, host, port, ca, channel, onTunnel) {
  const WebSocket = require('ws');
  return connect(proxy, host + ':' + port).then((socket) => new Promise((resolve, reject) => {
    onTunnel(Date.now());
    const ws = new WebSocket('wss://' + host + ':' + port + '/realm', {
      createConnection: () => tls.connect({socket, host, ca}), handshakeTimeout: 5000});
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no event within 5 s')); }, 5000);
    ws.on('open', () => ws.send(JSON.stringify({op: 'subscribe', channel, ref: 's1'})));
    ws.on('message', (buf) => {
      const f = JSON.parse(buf.toString());
      if (f.op === 'subscribed') {
        ws.send(JSON.stringify({op: 'publish', channel, data: {from: 'probe'}, ref: 'p1'}));
      } else if (f.op === 'event') {
        clearTimeout(timer);
        const at = Date.now();
        ws.close(1000);
        resolve(at);
      } else if (f.op === 'error') {
        clearTimeout(timer); ws.terminate(); reject(new Error(f.code + ': ' + f.message));
      }
    });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
  }));
}

async function firstEvent(proxy, host, port, caFile, channel, deadlineS) {
  const ca = fs.readFileSync(caFile);
  const deadline = Date.now() + deadlineS * 1000;
  let attempts = 0, last = '', firstTunnelAt;
  const onTunnel = (at) => { if (firstTunnelAt === undefined) { firstTunnelAt = at; } };
  while (Date.now() < deadline) {
    attempts++;
    try {
      const at = await roundTrip(proxy, host, port, ca, channel, onTunnel);
      out({firstEventAt: at, firstTunnelAt, attempts});
      return 0;
    } catch (e) { last = e.message; }
    await sleep(250);
  }
  out({error: 'no event within ' + deadlineS + ' s', attempts, last});
  return 3;
}

async function rate(proxy, target, seconds, concurrency) {
  const start = Date.now();
  const end = start + seconds * 1000;
  let tunnels = 0, failures = 0, second = 0, lastError = '';
  const report = setInterval(() => {
    second++;
    out({second, at: Date.now(), tunnels, failures, lastError});
    tunnels = 0; failures = 0; lastError = '';
  }, 1000);
  const loop = async () => {
    while (Date.now() < end) {
      try {
        // Closed with a reset, so this pod keeps no port in TIME_WAIT: at a thousand tunnels a second a
        // normal close would use up its ports to the one Service address within half a minute, and the
        // rate would be the client's limit rather than the proxy's.
        (await connect(proxy, target)).resetAndDestroy();
        tunnels++;
      } catch (e) {
        failures++; lastError = e.message;
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({length: concurrency}, loop));
  clearInterval(report);
  return 0;
}

async function main() {
  switch (mode) {
    case 'first-tunnel': return firstTunnel(args[0], args[1], Number(args[2]));
    case 'first-event': return firstEvent(args[0], args[1], args[2], args[3], args[4], Number(args[5]));
    case 'rate': return rate(args[0], args[1], Number(args[2]), Number(args[3]));
    default: fail(64, 'unknown mode "' + mode + '": first-tunnel, first-event or rate');
  }
}
main().then((code) => process.exit(code), (e) => fail(1, String(e && e.stack || e)));
