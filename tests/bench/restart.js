'use strict';
// Kill-to-healthy time of arbdash after kill -9, polled every millisecond (the
// protocol harness polls every 100 ms, so its restart_ms cannot go below that).
//   node tests/bench/restart.js BIN DB PORT [KILLS]
// Prints one JSON line: {"mode":"restart","restart_ms":[...]}.
const { spawn } = require('child_process');
const http = require('http');

const [bin, db, port, kills = '5'] = process.argv.slice(2);
if (!bin || !db || !port) {
  console.error('usage: node restart.js BIN DB PORT [KILLS]');
  process.exit(2);
}
const start = () => spawn('bash', ['-c', `exec ${bin} --headless --no-demo --port ${port} --db ${db}`],
  { stdio: 'ignore', detached: true });
const healthy = () => new Promise((resolve) => {
  const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/api/v1/health', agent: false, timeout: 1000 },
    (res) => { res.resume(); resolve(res.statusCode === 200); });
  req.on('error', () => resolve(false));
  req.on('timeout', () => { req.destroy(); resolve(false); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitHealthy(limitMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    if (await healthy()) return true;
    await sleep(1);
  }
  return false;
}

(async () => {
  let p = start();
  if (!(await waitHealthy(10000))) throw new Error('the server did not start');
  const times = [];
  for (let k = 0; k < Number(kills); k++) {
    await sleep(300);
    const exited = new Promise((r) => p.once('exit', r));
    const t0 = process.hrtime.bigint();
    process.kill(-p.pid, 'SIGKILL');
    await exited;
    p = start();
    if (!(await waitHealthy(10000))) throw new Error('the server did not come back');
    times.push(Math.round(Number(process.hrtime.bigint() - t0) / 1e5) / 10);
  }
  process.kill(-p.pid, 'SIGTERM');
  console.log(JSON.stringify({ mode: 'restart', db, restart_ms: times }));
})().catch((e) => { console.error(String(e)); process.exit(1); });
