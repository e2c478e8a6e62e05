'use strict';

// Minimal HTTP server for the "alive" service. It has no npm dependencies so
// that the same file runs unchanged under systemd, PM2 or Bun.
const http = require('http');

const DEFAULT_PORT = 9000;
const HOST = '0.0.0.0';

function parsePort(value) {
  if (value === undefined || value === '') {
    return DEFAULT_PORT;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`invalid PORT ${JSON.stringify(value)}: expected an integer from 1 to 65535`);
    process.exit(1);
  }
  return port;
}

const port = parsePort(process.env.PORT);

const server = http.createServer((request, response) => {
  // A plain split, because new URL() throws on request targets such as "//".
  const path = request.url.split('?', 1)[0];

  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' });
    response.end('method not allowed\n');
    return;
  }

  if (path === '/') {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('alive\n');
  } else if (path === '/health') {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ status: 'ok' }) + '\n');
  } else {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end('not found\n');
  }
});

server.on('error', (error) => {
  console.error(`HTTP server on ${HOST}:${port} failed: ${error.message}`);
  process.exit(1);
});

server.listen(port, HOST, () => {
  console.log(`alive listening on ${HOST}:${port} (pid ${process.pid})`);
});

// server.close() alone waits for open keep-alive connections to end, so a
// stop by systemd or PM2 also closes them (closeAllConnections needs Node 18.2).
function shutdown(signal) {
  console.log(`received ${signal}, stopping`);
  server.close(() => process.exit(0));
  if (typeof server.closeAllConnections === 'function') {
    server.closeAllConnections();
  }
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
