// A second, independent WebSocket peer: Node's `ws` package, reaching the realm over wss through an
// HTTP CONNECT proxy. `ws` has no proxy support of its own, so this opens the tunnel with
// http.request({method: 'CONNECT'}) and runs TLS over the tunnel's socket (TLS end to end: the
// proxy relays bytes it cannot read).
//   node wss-through-proxy.js PROXY HOST PORT CA_PEM CHANNEL     (PROXY: HOST:PORT, or a port on 127.0.0.1)
// Prints one JSON line with what happened; exit 0 on a full subscribe/publish/ack/event round trip.
'use strict';
const http = require('http');
const tls = require('tls');
const fs = require('fs');
const WebSocket = require('ws');

const [proxy, host, port, caFile, channel] = process.argv.slice(2);
const proxyHost = proxy.includes(':') ? proxy.slice(0, proxy.lastIndexOf(':')) : '127.0.0.1';
const proxyPort = proxy.includes(':') ? proxy.slice(proxy.lastIndexOf(':') + 1) : proxy;
const result = {wsVersion: require('ws/package.json').version};
const done = (code) => { console.log(JSON.stringify(result)); process.exit(code); };
setTimeout(() => { result.error = 'timeout'; done(3); }, 15000).unref();

const req = http.request({host: proxyHost, port: Number(proxyPort), method: 'CONNECT',
  path: host + ':' + port, headers: {host: host + ':' + port}});
req.on('error', (e) => { result.error = 'proxy: ' + e.message; done(2); });
req.on('connect', (res, socket) => {
  result.connectStatus = res.statusCode;
  if (res.statusCode !== 200) { done(2); return; }
  const ws = new WebSocket('wss://' + host + ':' + port + '/realm', {
    createConnection: () => tls.connect({socket, host, ca: fs.readFileSync(caFile)})
  });
  ws.on('open', () => {
    result.peerCertificate = ws._socket.getPeerCertificate().subject.CN;
    ws.send(JSON.stringify({op: 'subscribe', channel, ref: 's1'}));
  });
  ws.on('message', (buf) => {
    const f = JSON.parse(buf.toString());
    if (f.op === 'subscribed') {
      result.subscribedAt = f.id;
      ws.send(JSON.stringify({op: 'publish', channel, data: {from: 'node'}, ref: 'p1'}));
    } else if (f.op === 'ack') {
      result.ack = f.id;
    } else if (f.op === 'event') {
      result.event = f;
    } else if (f.op === 'error') {
      result.error = f.code + ': ' + f.message;
      done(4);
    }
    if (result.ack !== undefined && result.event !== undefined) {
      ws.close(1000);
    }
  });
  ws.on('close', (code) => { result.closeCode = code; done(result.event ? 0 : 5); });
  ws.on('error', (e) => { result.error = e.message; done(6); });
});
req.end();
