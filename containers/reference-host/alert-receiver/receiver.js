'use strict';

// Local stand-in for a Slack incoming webhook, so that alerts from the
// reference host can be checked without leaving the container.
//
//   POST /hooks/<any path>  JSON body -> 200 "ok", and one line appended to
//                           ALERTS_FILE: {"received_at": <unix seconds>,
//                           "path": <request path>, "body": <parsed body>}
//   GET /alerts             -> the contents of ALERTS_FILE (JSON Lines)
//
// A body that is not valid JSON gets 400 and is not recorded. The request
// path contains the webhook token, so the log never shows it.
const fs = require('fs');
const http = require('http');

const HOST = '127.0.0.1';
const PORT = 9099;
const ALERTS_FILE = '/var/lib/alert-receiver/alerts.jsonl';
const HOOK_PREFIX = '/hooks/';
const MAX_BODY_BYTES = 1024 * 1024;

let recordedCount = 0;

function reply(response, status, text) {
  response.writeHead(status, { 'Content-Type': 'text/plain' });
  response.end(text + '\n');
}

function readBody(request, callback) {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      tooLarge = true;
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => callback(tooLarge, Buffer.concat(chunks).toString('utf8')));
}

function recordAlert(request, response, path) {
  readBody(request, (tooLarge, text) => {
    if (tooLarge) {
      console.error(`rejected POST: body larger than ${MAX_BODY_BYTES} bytes`);
      reply(response, 413, `body larger than ${MAX_BODY_BYTES} bytes`);
      return;
    }

    let body;
    try {
      body = JSON.parse(text);
    } catch (error) {
      console.error(`rejected POST: invalid JSON body (${error.message})`);
      reply(response, 400, `invalid JSON body: ${error.message}`);
      return;
    }

    const line = JSON.stringify({ received_at: Date.now() / 1000, path, body }) + '\n';
    try {
      // One appendFileSync call per line, so concurrent requests never interleave.
      fs.appendFileSync(ALERTS_FILE, line);
    } catch (error) {
      console.error(`failed to append an alert to ${ALERTS_FILE}: ${error.message}`);
      reply(response, 500, 'failed to store the alert');
      return;
    }
    recordedCount += 1;
    console.log(`recorded alert ${recordedCount} (${Buffer.byteLength(text)} bytes) in ${ALERTS_FILE}`);
    reply(response, 200, 'ok');
  });
}

function listAlerts(response) {
  let contents;
  try {
    contents = fs.readFileSync(ALERTS_FILE, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT') {
      console.error(`failed to read ${ALERTS_FILE}: ${error.message}`);
      reply(response, 500, 'failed to read the alerts');
      return;
    }
    contents = '';
  }
  response.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  response.end(contents);
}

const server = http.createServer((request, response) => {
  // A plain split, because new URL() throws on request targets such as "//".
  const path = request.url.split('?', 1)[0];

  if (path.startsWith(HOOK_PREFIX) && path.length > HOOK_PREFIX.length) {
    if (request.method !== 'POST') {
      response.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'POST' });
      response.end('method not allowed\n');
      return;
    }
    recordAlert(request, response, path);
  } else if (path === '/alerts') {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' });
      response.end('method not allowed\n');
      return;
    }
    listAlerts(response);
  } else {
    reply(response, 404, 'not found');
  }
});

server.on('error', (error) => {
  console.error(`alert receiver on ${HOST}:${PORT} failed: ${error.message}`);
  process.exit(1);
});

server.listen(PORT, HOST, () => {
  console.log(`alert receiver listening on ${HOST}:${PORT}, recording to ${ALERTS_FILE} (pid ${process.pid})`);
});

function shutdown(signal) {
  console.log(`received ${signal}, stopping`);
  server.close(() => process.exit(0));
  if (typeof server.closeAllConnections === 'function') {
    server.closeAllConnections();
  }
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
