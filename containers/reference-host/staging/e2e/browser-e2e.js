'use strict';

// End-to-end test of the staging copy: loads the staging page in Debian's
// headless Chromium several times and checks that the rendered page shows
// "alive". "bun run test:e2e" runs it in alive-staging.slice through
// alive-staging-run. Each load starts a new browser with a new profile
// directory, which is removed afterwards.
//
// Before each load the test waits until the page returns HTTP 200, and a load
// that fails with net::ERR_CONNECTION_REFUSED is retried once the page
// returns 200 again (at most E2E_RETRIES times), so a staging deploy that
// restarts the server during the test does not fail it. A page that renders
// without "alive" fails at once.
//
// Environment (all optional):
//   E2E_URL                   page to load (default http://127.0.0.1:8000/);
//                             only http://127.0.0.1 URLs are accepted
//   E2E_PAGE_LOADS            number of page loads (default 5)
//   E2E_SECONDS               if set, keep loading the page until this many
//                             seconds have passed (at least one load),
//                             instead of E2E_PAGE_LOADS loads
//   E2E_LOAD_TIMEOUT_SECONDS  time limit for one load (default 60)
//   E2E_READY_TIMEOUT_SECONDS time the page may take to answer 200 before a
//                             load (default 30)
//   E2E_RETRIES               retries of a load whose connection was
//                             refused (default 2)
//   E2E_CHROMIUM              browser command (default chromium)
//
// Exit status: 0 if every load rendered the page, 1 if one failed, 2 on an
// invalid setting.
const { spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const DEFAULT_URL = 'http://127.0.0.1:8000/';
// Debian's chromium 156 renders a text/plain response as
// <pre ...>alive\n</pre> inside the body.
const EXPECTED_PAGE = /<pre[^>]*>alive\s*<\/pre>/;

function fail(status, message) {
  console.error(`e2e: ${message}`);
  process.exit(status);
}

// Returns the whole number in environment variable `name`, or `fallback`
// when it is unset or empty.
function readWholeNumber(name, fallback, minimum) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(value) || value < minimum) {
    fail(2, `invalid ${name}=${JSON.stringify(raw)}: expected a whole number of at least ${minimum}`);
  }
  return value;
}

function readUrl() {
  const raw = process.env.E2E_URL || DEFAULT_URL;
  let url;
  try {
    url = new URL(raw);
  } catch (error) {
    fail(2, `invalid E2E_URL=${JSON.stringify(raw)}: ${error.message}`);
  }
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    fail(2, `invalid E2E_URL=${JSON.stringify(raw)}: the test loads only http://127.0.0.1 pages`);
  }
  return url.href;
}

const url = readUrl();
const pageLoads = readWholeNumber('E2E_PAGE_LOADS', 5, 1);
const durationSeconds = readWholeNumber('E2E_SECONDS', undefined, 1);
const loadTimeoutSeconds = readWholeNumber('E2E_LOAD_TIMEOUT_SECONDS', 60, 1);
const readyTimeoutSeconds = readWholeNumber('E2E_READY_TIMEOUT_SECONDS', 30, 1);
const retries = readWholeNumber('E2E_RETRIES', 2, 0);
const chromium = process.env.E2E_CHROMIUM || 'chromium';

// Starts one headless browser, prints the DOM of `url` and returns the
// result. Background networking, component updates and sync are off, so
// the browser connects to nothing but `url`.
function loadPage() {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alive-e2e-chromium-'));
  const started = Date.now();
  try {
    const result = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profileDir}`,
        '--dump-dom',
        url,
      ],
      { encoding: 'utf8', timeout: loadTimeoutSeconds * 1000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
    );
    return { result, seconds: (Date.now() - started) / 1000 };
  } finally {
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
}

function describeFailure(result) {
  if (result.error) {
    return result.error.code === 'ETIMEDOUT'
      ? `timed out after ${loadTimeoutSeconds} s`
      : `failed to start ${chromium}: ${result.error.message}`;
  }
  if (result.status !== 0) {
    return `${chromium} exited with ${result.signal ? `signal ${result.signal}` : `status ${result.status}`}`;
  }
  return `the page does not match ${EXPECTED_PAGE}`;
}

// Resolves with the status of one GET of `url`, or 0 if the request fails.
function fetchStatus() {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', () => resolve(0));
  });
}

// Resolves once GET `url` returns 200; exits with status 1 after
// E2E_READY_TIMEOUT_SECONDS.
async function waitUntilReady() {
  const deadline = Date.now() + readyTimeoutSeconds * 1000;
  let status = await fetchStatus();
  while (status !== 200) {
    if (Date.now() >= deadline) {
      fail(1, `${url} did not answer 200 within ${readyTimeoutSeconds} s (last status: ${status || 'no response'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = await fetchStatus();
  }
}

function reportFailure(load, outcome) {
  const { result, seconds } = outcome;
  const stderrTail = (result.stderr || '').trim().split('\n').slice(-10).join('\n');
  console.error(`e2e: load ${load} of ${url} failed after ${seconds.toFixed(1)} s: ${describeFailure(result)}`);
  console.error(`e2e: page (first 500 characters): ${JSON.stringify((result.stdout || '').slice(0, 500))}`);
  console.error(`e2e: last lines of the browser's stderr:\n${stderrTail}`);
}

async function main() {
  const plan = durationSeconds === undefined ? `${pageLoads} page loads` : `page loads for ${durationSeconds} s`;
  console.log(`e2e: ${plan} of ${url} in headless ${chromium}`);

  const started = Date.now();
  let loads = 0;
  for (;;) {
    loads += 1;
    let outcome;
    for (let attempt = 0; ; attempt++) {
      await waitUntilReady();
      outcome = loadPage();
      const { result } = outcome;
      const refused = !result.error && (result.stderr || '').includes('net::ERR_CONNECTION_REFUSED');
      if (!refused || attempt >= retries) {
        break;
      }
      console.log(`e2e: load ${loads}: connection refused (the server restarted?), retrying once it returns 200`);
    }

    const { result, seconds } = outcome;
    if (result.error || result.status !== 0 || !EXPECTED_PAGE.test(result.stdout)) {
      reportFailure(loads, outcome);
      process.exit(1);
    }
    console.log(`e2e: load ${loads}: page rendered "alive" in ${seconds.toFixed(1)} s`);

    const done = durationSeconds === undefined
      ? loads >= pageLoads
      : Date.now() - started >= durationSeconds * 1000;
    if (done) {
      break;
    }
  }
  console.log(`e2e: passed, ${loads} page loads in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(`e2e: failed: ${error.stack || error}`);
  process.exit(1);
});
