// The demo's HTTP API: /health for the readiness probe, / for web.
const http = require('node:http');

const port = Number(process.env.PORT || 4701);
let requests = 0;
const server = http.createServer((req, res) => {
  requests += 1;
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ hello: 'from api', requests, pid: process.pid }) + '\n');
});
server.listen(port, '127.0.0.1', () => console.log(`api listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log('api: SIGTERM, closing');
  server.close(() => process.exit(0));
});
