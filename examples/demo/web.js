// The demo's "web" process: depends on the api being ready, announces
// readiness with a log line (the `ready: { log: ... }` probe), then polls it.
const http = require('node:http');

const api = process.env.API_URL || 'http://127.0.0.1:4701/';
const everyMs = Number(process.env.POLL_MS || 3000);

function poll() {
  http
    .get(api, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => console.log(`web: api says ${body.trim()}`));
    })
    .on('error', (error) => console.error(`web: api unreachable: ${error.message}`));
}

console.log('web: compiling…');
setTimeout(() => {
  console.log('web: compiled, serving');
  poll();
  setInterval(poll, everyMs);
}, 300);
