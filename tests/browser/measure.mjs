// Figures of the browser dashboard, by hand (not a test): first load, bytes,
// a trade's time from a bot's POST to its row in the page, and the page's
// main-thread busy time under load. Same setup as run.mjs.
//
//   ARBDASH_BIN=_build/src/arbdash node tests/browser/measure.mjs [TRADES_PER_S] [SECONDS] [VIEW]
//
// VIEW (overview, system, trading, resources, ...) is the view shown while the
// load runs; the default is the Overview.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const RATE = Number(process.argv[2] || 100);
const SECONDS = Number(process.argv[3] || 30);
const VIEW = process.argv[4] || 'overview';
const TOKENS = { viewer: 'viewer-token-for-measurements', bot: 'bot-token-for-measurements-0001' };
const dir = mkdtempSync(join(tmpdir(), 'arbdash-measure-'));
const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'),
              ARBDASH_VIEWER_TOKEN: TOKENS.viewer, ARBDASH_BOT_TOKEN: TOKENS.bot };
delete env.DISPLAY;
delete env.WAYLAND_DISPLAY;
const server = spawn(process.env.ARBDASH_BIN, ['--headless', '--port', '0', '--db', join(dir, 'a.db')],
                     { env, stdio: ['ignore', 'pipe', 'inherit'] });
// never leave it running, whatever fails below
process.on('exit', () => server.kill('SIGTERM'));
process.on('uncaughtException', (e) => {
  console.error(e);
  process.exit(1);
});
let output = '';
server.stdout.on('data', (d) => { output += d; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
while (!/serving (http:\/\/\S+\/)/.test(output))
  await sleep(20);
const base = /serving (http:\/\/\S+\/)/.exec(output)[1];
await sleep(2500); // two system samples: the CPU series exists

let seq = 0;
async function post(n, sent) {
  const events = [{ type: 'hello', bot_id: 'load', name: 'Load', quote: 'USD' }];
  for (let i = 0; i < n; i++) {
    seq++;
    events.push({ type: 'trade', seq, ts: Date.now(), id: `l-${seq}`, pair: 'WETH/USDC',
                  buy_venue: 'a', sell_venue: 'b', status: 'filled', profit: 1 });
    sent.set(`l-${seq}`, Date.now());
  }
  const r = await fetch(`${base}api/v1/events`, {
    method: 'POST', body: JSON.stringify({ bot_id: 'load', events }),
    headers: { Authorization: `Bearer ${TOKENS.bot}`, 'Content-Type': 'application/json' },
  });
  if (!r.ok)
    throw new Error(`ingest ${r.status}`);
}
await post(1, new Map());

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
await context.request.post(`${base}api/v1/session`, { data: { token: TOKENS.viewer } });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Performance.enable');
let bytes = 0;
let requests = 0;
cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests++; });
// when each trade's row first enters the DOM (inside the page's animation frame, just before paint)
await page.addInitScript(() => {
  window.__rows = new Map();
  new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records)
      for (const n of r.addedNodes)
        if (n.dataset && n.dataset.trade && !window.__rows.has(n.dataset.trade))
          window.__rows.set(n.dataset.trade, now);
  }).observe(document, { childList: true, subtree: true });
});

const filled = async () => {
  await page.waitForFunction(() => /\d/.test(document.getElementById('profit-total').textContent) &&
    /\d/.test(document.getElementById('cpu-now').textContent) &&
    /\d/.test(document.getElementById('profit-today').textContent) &&
    document.querySelector('#trades tr') !== null, null, { polling: 'raf', timeout: 15000 });
};
const loads = [];
for (let i = 0; i < 5; i++) {
  bytes = 0;
  requests = 0;
  const t0 = Date.now();
  if (i === 0)
    await page.goto(base);
  else
    await page.reload();
  await filled();
  loads.push({ ms: Date.now() - t0, bytes, requests });
}
console.log(`first load: ${loads[0].ms} ms to a filled Overview, ${loads[0].requests} requests, ${loads[0].bytes} bytes`);
const reloads = loads.slice(1).map((l) => l.ms).sort((a, b) => a - b);
console.log(`reloads (revalidated): median ${reloads[2]} ms, ${loads[1].bytes} bytes`);

if (VIEW !== 'overview') {
  await page.evaluate((v) => { location.hash = `#/${v}`; }, VIEW);
  await page.waitForFunction((v) => {
    const section = document.getElementById(`${v}-view`);
    return section && !section.hidden && section.querySelector('canvas[aria-label*="latest"]');
  }, VIEW, { polling: 200, timeout: 30000 });
  await sleep(2000); // its first loads are done
}

// load: RATE trades/s in batches every 100 ms, for SECONDS, on VIEW
const sent = new Map();
const metric = async (name) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name).value;
const busy0 = await metric('TaskDuration');
const cpu0 = await metric('ThreadTime');
const t0 = Date.now();
const perBatch = Math.max(1, Math.round(RATE / 10));
for (let tick = 0; Date.now() - t0 < SECONDS * 1000; tick++) {
  await post(perBatch, sent);
  const next = t0 + (tick + 1) * 100;
  await sleep(Math.max(0, next - Date.now()));
}
await sleep(500);
const busy1 = await metric('TaskDuration');
const cpu1 = await metric('ThreadTime');
const wall = (Date.now() - t0) / 1000;
const rows = new Map(await page.evaluate(() => [...window.__rows]));
const latencies = [];
for (const [id, at] of sent)
  if (rows.has(id))
    latencies.push(rows.get(id) - at);
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(`load: ${sent.size} trades at ${RATE}/s for ${wall.toFixed(1)} s; ${latencies.length} rows seen`);
console.log(`trade POST to row in the DOM: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies[latencies.length - 1]} ms`);
console.log(`main thread busy (TaskDuration) on ${VIEW}: ${(((busy1 - busy0) / wall) * 100).toFixed(1)} % of a core`);
// TaskDuration is wall time, which grows when the machine is busy; ThreadTime is CPU time
console.log(`main thread CPU time (ThreadTime) on ${VIEW}: ${(((cpu1 - cpu0) / wall) * 100).toFixed(1)} % of a core`);
const heap = await cdp.send('Runtime.getHeapUsage');
const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
console.log(`JS heap used ${(heap.usedSize / 1048576).toFixed(1)} MiB, ${nodes} elements`);

await browser.close();
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });
