'use strict';

// Synthetic build workload for the staging checkout, standing in for the
// CPU, memory and disk load of a Next.js production build. "make build"
// runs it in alive-staging.slice through alive-staging-run.
//
// For STAGING_BUILD_SECONDS it keeps one worker thread per CPU busy hashing
// with SHA-256, and it keeps STAGING_BUILD_MEMORY_MB of memory allocated and
// touched for the whole run. Meanwhile it writes STAGING_BUILD_DISK_MB to a
// scratch file beside this script, fsyncs it and deletes it. It exits when
// both are done, so it runs for STAGING_BUILD_SECONDS or for the disk
// phase, whichever is longer. It removes its scratch directory on every
// exit, SIGINT and SIGTERM included.
//
// The disk phase writes with dd and O_DIRECT, bypassing the page cache.
// On the 2-core CI machines, buffered writes raised production's p95
// during "make staging" from about 0.2 ms to 5-24 ms despite the slices'
// weights, most likely through page-cache allocation in a kernel that runs
// with preempt=none (ci/BENCHMARKS.md). Where the file system rejects
// O_DIRECT, the phase falls back to buffered writes and prints a message.
//
// Environment (all optional):
//   STAGING_BUILD_SECONDS    length of the CPU phase in seconds (default 8)
//   STAGING_BUILD_WORKERS    hashing threads (default: one per CPU)
//   STAGING_BUILD_MEMORY_MB  memory held for the whole run, in MiB (default 384)
//   STAGING_BUILD_DISK_MB    data written and fsynced, in MiB (default 200)
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const MIB = 1024 * 1024;

if (!isMainThread) {
  // Worker: hash a 64 KiB block until the deadline, then report the count.
  const block = crypto.randomBytes(64 * 1024);
  let hashes = 0;
  while (Date.now() < workerData.deadline) {
    crypto.createHash('sha256').update(block).digest();
    hashes += 1;
  }
  parentPort.postMessage(hashes);
  return;
}

// Returns the whole number in environment variable `name`, or `fallback`
// when it is unset or empty. Exits with status 2 on any other value.
function readWholeNumber(name, fallback, minimum) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(value) || value < minimum) {
    console.error(`invalid ${name}=${JSON.stringify(raw)}: expected a whole number of at least ${minimum}`);
    process.exit(2);
  }
  return value;
}

const seconds = readWholeNumber('STAGING_BUILD_SECONDS', 8, 0);
const workerCount = readWholeNumber('STAGING_BUILD_WORKERS', os.cpus().length, 1);
const memoryMb = readWholeNumber('STAGING_BUILD_MEMORY_MB', 384, 0);
const diskMb = readWholeNumber('STAGING_BUILD_DISK_MB', 200, 0);

const scratchDir = fs.mkdtempSync(path.join(__dirname, '.synthetic-build-'));

function removeScratch() {
  fs.rmSync(scratchDir, { recursive: true, force: true });
}

process.on('exit', removeScratch);
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    console.error(`synthetic build: received ${signal}, removing ${scratchDir} and stopping`);
    process.exit(status);
  });
}

// Fills each MiB with a non-zero byte, so that every page is touched and
// counts as resident memory.
function holdMemory(megabytes) {
  const blocks = [];
  for (let i = 0; i < megabytes; i++) {
    blocks.push(Buffer.alloc(MIB, (i % 255) + 1));
  }
  return blocks;
}

// Runs dd with the extra operands `flags` to write `megabytes` MiB of zeros
// to `file` and fsync it. Resolves to dd's exit status (0 on success) and
// its error output, or the reason it could not start.
function runDd(file, megabytes, flags) {
  return new Promise((resolve) => {
    execFile(
      'dd',
      ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${megabytes}`, 'conv=fsync', 'status=none', ...flags],
      (error, _stdout, stderr) => {
        if (!error) {
          resolve({ status: 0, detail: '' });
          return;
        }
        // When dd cannot start, error.code is a string such as ENOENT and stderr is empty.
        resolve({ status: error.code ?? 1, detail: stderr.trim() || error.message });
      },
    );
  });
}

// Writes, fsyncs and deletes the scratch file. Resolves to the write mode:
// 'O_DIRECT' or 'buffered'.
async function writeScratchFile(megabytes) {
  const file = path.join(scratchDir, 'output.bin');
  let mode = 'O_DIRECT';
  let result = await runDd(file, megabytes, ['oflag=direct']);
  if (result.status !== 0) {
    console.error(`synthetic build: dd with O_DIRECT failed (${result.detail}), so the disk phase writes through the page cache instead`);
    mode = 'buffered';
    result = await runDd(file, megabytes, []);
  }
  if (result.status !== 0) {
    throw new Error(`dd failed to write ${megabytes} MiB to ${file}: ${result.detail}`);
  }
  await fs.promises.unlink(file);
  return mode;
}

function runWorker(deadline) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { deadline } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`hashing worker exited with status ${code}`));
      }
    });
  });
}

async function main() {
  const started = Date.now();
  console.log(
    `synthetic build: ${workerCount} hashing threads for ${seconds} s, ` +
      `${memoryMb} MiB held, ${diskMb} MiB written and fsynced in ${scratchDir}`,
  );

  const memory = holdMemory(memoryMb);
  const deadline = Date.now() + seconds * 1000;
  const workers = Array.from({ length: workerCount }, () => runWorker(deadline));

  const diskStarted = Date.now();
  const diskMode = diskMb > 0 ? await writeScratchFile(diskMb) : 'none';
  const diskSeconds = (Date.now() - diskStarted) / 1000;

  const hashes = (await Promise.all(workers)).reduce((sum, count) => sum + count, 0);
  const totalSeconds = (Date.now() - started) / 1000;
  console.log(
    `synthetic build: done in ${totalSeconds.toFixed(1)} s: ${hashes} SHA-256 hashes of 64 KiB, ` +
      `${memory.length} MiB held, ${diskMb} MiB written (${diskMode}) and fsynced in ${diskSeconds.toFixed(1)} s`,
  );
}

main().catch((error) => {
  console.error(`synthetic build failed: ${error.stack || error}`);
  process.exit(1);
});
