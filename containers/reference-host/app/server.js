'use strict';

// HTTP server for the "alive" service. The same file runs unchanged under
// systemd (production), PM2 (staging) or Bun.
//
// The file has two parts. The request handler (handleRequest) belongs to one
// build and is exported, so that a running server can load it from another
// build. The server part runs only when this file is the main module: it owns
// the listening socket, and on SIGHUP it loads the handler of the build that
// ALIVE_APP_DIR points to now. A blue-green swap therefore changes the code
// that handles requests without closing the socket or any keep-alive
// connection, and without a new process. The server part itself changes only
// when the process restarts.
const fs = require('fs');
const http = require('http');
const path = require('path');
const ms = require('ms');

const DEFAULT_PORT = 9000;
const HOST = '0.0.0.0';

// A build is the directory that contains this file, named after its color in
// production (/srv/alive/prod/builds/blue or .../green). Node resolves
// symlinks in module paths, so __dirname is the real build directory even
// when the file was loaded through /srv/alive/prod/current.
const BUILD_DIR = __dirname;
const BUILD_NAME = path.basename(BUILD_DIR);
const BUILD_ID = readBuildId(BUILD_DIR);

// Returns the first line of BUILD_ID in the build directory, or undefined
// when the file does not exist (a source checkout has none).
function readBuildId(directory) {
  try {
    return fs.readFileSync(path.join(directory, 'BUILD_ID'), 'utf8').split('\n', 1)[0].trim() || undefined;
  } catch (error) {
    if (error.code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

function handleRequest(request, response) {
  // A plain split, because new URL() throws on request targets such as "//".
  const pathname = request.url.split('?', 1)[0];

  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' });
    response.end('method not allowed\n');
    return;
  }

  if (pathname === '/') {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('alive\n');
  } else if (pathname === '/health') {
    const health = {
      status: 'ok',
      build: BUILD_NAME,
      build_id: BUILD_ID,
      uptime: ms(Math.round(process.uptime() * 1000)),
    };
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(health) + '\n');
  } else {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end('not found\n');
  }
}

module.exports = { handleRequest, buildName: BUILD_NAME, buildId: BUILD_ID };

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

// Loads server.js from the real directory behind appDir and returns its
// handler. Cached modules from that directory are dropped first, because a
// color that build-production.sh rebuilt has the same path but new files.
// Throws if the file is missing, fails to load or exports no handler.
function loadBuild(appDir) {
  const directory = fs.realpathSync(appDir);
  const entry = path.join(directory, 'server.js');
  for (const cached of Object.keys(require.cache)) {
    if (cached.startsWith(directory + path.sep)) {
      delete require.cache[cached];
    }
  }
  const build = require(entry);
  if (typeof build.handleRequest !== 'function') {
    throw new Error(`${entry} does not export a handleRequest function`);
  }
  return { directory, name: build.buildName, id: build.buildId, handleRequest: build.handleRequest };
}

function describe(build) {
  return `build ${build.name}${build.id ? ` (BUILD_ID ${build.id})` : ''} from ${build.directory}`;
}

function startServer() {
  const port = parsePort(process.env.PORT);
  // The directory, usually a symlink such as /srv/alive/prod/current, that
  // SIGHUP loads the next build from. Unset means this file's own directory.
  const appDir = process.env.ALIVE_APP_DIR || BUILD_DIR;

  let active = { directory: BUILD_DIR, name: BUILD_NAME, id: BUILD_ID, handleRequest };

  // Each request goes to the handler that is active when it arrives. The
  // switch on SIGHUP is one assignment, so no request sees a partial state.
  const server = http.createServer((request, response) => active.handleRequest(request, response));

  server.on('error', (error) => {
    console.error(`HTTP server on ${HOST}:${port} failed: ${error.message}`);
    process.exit(1);
  });

  // Node's default action for SIGHUP ends the process, so this listener is
  // installed before the socket opens.
  process.on('SIGHUP', () => {
    let next;
    try {
      next = loadBuild(appDir);
    } catch (error) {
      // One line, because journald applies the "<3>" prefix (priority err)
      // only to the line that starts with it.
      const detail = String(error.stack || error).split('\n').map((line) => line.trim()).filter(Boolean).join(' | ');
      console.error(`<3>reload from ${appDir} failed, still serving ${describe(active)}: ${detail}`);
      return;
    }
    active = next;
    console.log(`reloaded: serving ${describe(active)}`);
  });

  server.listen(port, HOST, () => {
    console.log(`alive listening on ${HOST}:${port} (pid ${process.pid}), serving ${describe(active)}`);
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
}

if (require.main === module) {
  startServer();
}
