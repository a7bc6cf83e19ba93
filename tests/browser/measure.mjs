// Figures of the browser dashboard, by hand (not a test): first load, bytes,
// a trade's time from a bot's POST to its row in the page, and the page's
// main-thread busy time under load. Same setup as run.mjs.
//
//   ARBDASH_BIN=_build/src/arbdash node tests/browser/measure.mjs [TRADES_PER_S] [SECONDS] [VIEW]
//
// VIEW (overview, system, trading, resources, ...) is the view shown while the
// load runs; the default is the Overview. First load: in a fresh browser, and
// the median of 9 fresh contexts of it (empty caches). On the Overview, a
// probe first: ARBDASH_PROBE_RATE (5) trades a second, each sent on its own,
// for ARBDASH_PROBE_S (20) s beside the demo bot, each trade's time from its
// POST to its row painted. The load then comes in ARBDASH_POSTS_PER_S (10)
// requests a second; 100 sends each trade on its own.
//
// Memory flatness: the page open for MINUTES (10) at TRADES_PER_S (100) on a
// view (overview), sampling every minute the JS heap after a forced GC and
// the DOM's nodes (CDP HeapProfiler.collectGarbage, Runtime.getHeapUsage,
// Performance.getMetrics: JSHeapUsedSize, Nodes, and the elements in the
// document):
//
//   ARBDASH_BIN=_build/src/arbdash node tests/browser/measure.mjs --memory [MINUTES] [TRADES_PER_S] [VIEW]
//
// The load runs ARBDASH_WARMUP_S (330) before the page opens, so that the
// server's series cover the Overview's five-minute charts from the start: a
// page opened on a dashboard that just started fills its charts for five
// minutes, which is growth up to a bound, not a leak. Then one more minute
// before the first sample. The System view's charts show the hour by default,
// and fill it for an hour after a start: ARBDASH_RANGE=5m measures them full.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const MEMORY = process.argv[2] === '--memory';
const args = MEMORY ? process.argv.slice(3) : process.argv.slice(2);
const RATE = Number((MEMORY ? args[1] : args[0]) || 100);
const SECONDS = Number((MEMORY ? 60 * Number(args[0] || 10) : args[1]) || 30);
const VIEW = args[2] || 'overview';
// how the load comes: POSTS_PER_S requests a second (10 by default, each of
// RATE/10 trades); ARBDASH_POSTS_PER_S=100 sends each trade on its own, as a
// bot that sends every trade when it happens does
const POSTS_PER_S = Number(process.env.ARBDASH_POSTS_PER_S || 10);
const PERIOD_MS = 1000 / POSTS_PER_S;
const PER_POST = Math.max(1, Math.round(RATE / POSTS_PER_S));
// the latency probe before the load (Overview only): PROBE_RATE trades a
// second, each in a request of its own, for PROBE_S seconds
const PROBE_RATE = Number(process.env.ARBDASH_PROBE_RATE || 5);
const PROBE_S = Number(process.env.ARBDASH_PROBE_S || 20);
const COLD_LOADS = 9;
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
// ARBDASH_RANGE (5m, 1h, 24h, 7d): the charts' range, as the page keeps it
if (process.env.ARBDASH_RANGE)
  await page.addInitScript((range) => {
    try {
      localStorage.setItem('arbdash.chart-range', range);
    } catch {
      // about:blank has no storage
    }
  }, process.env.ARBDASH_RANGE);
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Performance.enable');
let bytes = 0;
let requests = 0;
cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests++; });
// when each trade's row is painted: its row shows it from the page's
// animation frame on, and the task after that frame's (rendering and commit)
// stamps it; not when measuring memory, since the record of every row is a
// growth of its own
if (!MEMORY) await page.addInitScript(() => {
  window.__rows = new Map();
  new MutationObserver((records) => {
    const ids = [];
    const note = (n) => {
      if (n.dataset && n.dataset.trade && !window.__rows.has(n.dataset.trade))
        ids.push(n.dataset.trade);
    };
    // a new row, or a row that shows another trade now (the Overview keeps its rows)
    for (const r of records) {
      if (r.type === 'attributes')
        note(r.target);
      for (const n of r.addedNodes)
        note(n);
    }
    if (ids.length)
      setTimeout(() => {
        const now = Date.now();
        for (const id of ids)
          if (!window.__rows.has(id))
            window.__rows.set(id, now);
      }, 0);
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-trade'] });
});

const filled = async (p = page) => {
  await p.waitForFunction(() => /\d/.test(document.getElementById('profit-total').textContent) &&
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
// the same in fresh contexts of the running browser (empty caches each)
{
  const cold = [];
  for (let i = 0; i < COLD_LOADS; i++) {
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await c.request.post(`${base}api/v1/session`, { data: { token: TOKENS.viewer } });
    const p = await c.newPage();
    const t0 = Date.now();
    await p.goto(base);
    await filled(p);
    cold.push(Date.now() - t0);
    await c.close();
  }
  cold.sort((a, b) => a - b);
  console.log(`first loads in ${COLD_LOADS} fresh contexts: median ${cold[Math.floor(COLD_LOADS / 2)]} ms, ` +
              `min ${cold[0]} ms, max ${cold[COLD_LOADS - 1]} ms`);
}
const reloads = loads.slice(1).map((l) => l.ms).sort((a, b) => a - b);
console.log(`reloads (revalidated): median ${reloads[2]} ms, ${loads[1].bytes} bytes`);

// VIEW shown, with a chart of its latest values (the Overview: filled)
async function viewShown() {
  if (VIEW === 'overview') {
    await filled();
    return;
  }
  await page.waitForFunction((v) => {
    const section = document.getElementById(`${v}-view`);
    return section && !section.hidden && section.querySelector('canvas[aria-label*="latest"]');
  }, VIEW, { polling: 200, timeout: 30000 });
  await sleep(2000); // its first loads are done
}

if (VIEW !== 'overview') {
  await page.evaluate((v) => { location.hash = `#/${v}`; }, VIEW);
  await viewShown();
}

if (MEMORY) {
  await measureMemory();
  process.exit(0);
}

// @rate trades a second for @seconds, in @postsPerS requests a second
async function load(rate, seconds, postsPerS) {
  const sent = new Map();
  const perPost = Math.max(1, Math.round(rate / postsPerS));
  const t0 = Date.now();
  for (let tick = 0; Date.now() - t0 < seconds * 1000; tick++) {
    await post(perPost, sent);
    await sleep(Math.max(0, t0 + ((tick + 1) * 1000) / postsPerS - Date.now()));
  }
  await sleep(500);
  return sent;
}

async function latencies(sent) {
  const rows = new Map(await page.evaluate(() => [...window.__rows]));
  const ms = [];
  for (const [id, at] of sent)
    if (rows.has(id))
      ms.push(rows.get(id) - at);
  ms.sort((a, b) => a - b);
  const pct = (p) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
  return `${ms.length} of ${sent.size} rows seen; p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${ms[ms.length - 1]} ms`;
}

// a trade at a time, as a bot at a human rate sends them, with the demo bot running
if (VIEW === 'overview') {
  const probe = await load(PROBE_RATE, PROBE_S, PROBE_RATE);
  console.log(`trade POST to its row painted, ${PROBE_RATE} trades/s each on its own, demo bot running: ${await latencies(probe)}`);
}

// load: RATE trades/s for SECONDS, on VIEW
const metric = async (name) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name).value;
const busy0 = await metric('TaskDuration');
const cpu0 = await metric('ThreadTime');
const t0 = Date.now();
const sent = await load(RATE, SECONDS, POSTS_PER_S);
const busy1 = await metric('TaskDuration');
const cpu1 = await metric('ThreadTime');
const wall = (Date.now() - t0) / 1000;
console.log(`load: ${sent.size} trades at ${RATE}/s in ${POSTS_PER_S} requests/s for ${wall.toFixed(1)} s on ${VIEW}`);
if (VIEW === 'overview')
  console.log(`trade POST to its row painted under that load: ${await latencies(sent)}`);
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

// ------------------------------------------------------------------ memory

// A heap snapshot, summed by what each object is: {type:name -> [count, bytes]}.
async function heapByKind() {
  const chunks = [];
  const onChunk = (e) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snap = JSON.parse(chunks.join(''));
  const fields = snap.snapshot.meta.node_fields;
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const types = snap.snapshot.meta.node_types[0];
  const kinds = new Map();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const key = `${types[snap.nodes[i + type]]}:${String(snap.strings[snap.nodes[i + name]]).slice(0, 50)}`;
    const k = kinds.get(key) || [0, 0];
    k[0]++;
    k[1] += snap.nodes[i + size];
    kinds.set(key, k);
  }
  return kinds;
}

// What grew between two heapByKind(): V8's compiled code apart from the rest.
function heapGrowth(before, after) {
  const rows = [];
  for (const [key, [count, bytes]] of after) {
    const [c0, b0] = before.get(key) || [0, 0];
    rows.push({ key, count: count - c0, bytes: bytes - b0 });
  }
  for (const [key, [c0, b0]] of before)
    if (!after.has(key))
      rows.push({ key, count: -c0, bytes: -b0 });
  const sum = (pred) => rows.filter(pred).reduce((t, r) => t + r.bytes, 0);
  const code = sum((r) => r.key.startsWith('code:'));
  rows.sort((a, b) => b.bytes - a.bytes);
  return { code, rest: sum((r) => !r.key.startsWith('code:')), top: rows.slice(0, 10) };
}

// The heap after a forced GC and the DOM's size, now.
async function memorySample(minute) {
  // twice: the DOM nodes that the first one freed from script go with the second
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const metrics = new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { minute, heap: heap.usedSize, jsHeap: metrics.get('JSHeapUsedSize'), nodes: metrics.get('Nodes'),
           listeners: metrics.get('JSEventListeners'), elements };
}

async function measureMemory() {
  const warmup = Number(process.env.ARBDASH_WARMUP_S ?? 330);
  // the network agent of this CDP session keeps what each request was, in the page's process:
  // the first loads needed it, the memory figures would count it
  await cdp.send('Network.disable');
  await page.goto('about:blank');
  console.log(`memory: ${warmup} s of load before the page opens`);
  for (let tick = 0, w0 = Date.now(); Date.now() - w0 < warmup * 1000; tick++) {
    await post(PER_POST, new Map());
    await sleep(Math.max(0, w0 + (tick + 1) * PERIOD_MS - Date.now()));
  }
  await page.goto(`${base}#/${VIEW}`);
  await viewShown();
  await cdp.send('HeapProfiler.enable');
  const minutes = SECONDS / 60;
  const sent = new Map();
  const samples = [];
  let kindsFirst = null;
  let kindsLast = null;
  const t0 = Date.now();
  let nextSample = t0 + 60000;
  // a minute of load first: the tables and charts fill to their bounds
  console.log(`memory: ${minutes} min at ${RATE} trades/s on #/${VIEW}, a sample every minute after a minute of warm-up`);
  for (let tick = 0; samples.length <= minutes; tick++) {
    await post(PER_POST, sent);
    sent.clear(); // only the count matters here, not latencies
    if (Date.now() >= nextSample) {
      const s = await memorySample(samples.length);
      samples.push(s);
      if (samples.length === 1)
        kindsFirst = await heapByKind();
      else if (samples.length > minutes)
        kindsLast = await heapByKind();
      console.log(`  minute ${s.minute}: JS heap ${(s.heap / 1048576).toFixed(2)} MiB after GC ` +
                  `(JSHeapUsedSize ${(s.jsHeap / 1048576).toFixed(2)} MiB), ${s.nodes} DOM nodes ` +
                  `(${s.elements} elements in the document), ${s.listeners} listeners`);
      nextSample += 60000;
    }
    const next = t0 + (tick + 1) * PERIOD_MS;
    await sleep(Math.max(0, next - Date.now()));
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  const deviation = (key) => Math.max(...samples.map((s) => Math.abs(s[key] - first[key]) / first[key]));
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  console.log(`JS heap: first ${(first.heap / 1048576).toFixed(2)} MiB, last ${(last.heap / 1048576).toFixed(2)} MiB ` +
              `(${pct((last.heap - first.heap) / first.heap)}), max deviation from the first ${pct(deviation('heap'))}`);
  console.log(`DOM nodes: first ${first.nodes}, last ${last.nodes} (${pct((last.nodes - first.nodes) / first.nodes)}), ` +
              `max deviation from the first ${pct(deviation('nodes'))}; elements first ${first.elements}, last ${last.elements}`);
  console.log(`trades sent: ${seq} in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  // what the growth is made of, from heap snapshots at the first and the last sample
  const growth = heapGrowth(kindsFirst, kindsLast);
  const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
  console.log(`heap snapshots, first to last sample: V8 compiled code ${kib(growth.code)}, everything else ${kib(growth.rest)}`);
  for (const r of growth.top)
    console.log(`  ${kib(r.bytes).padStart(10)}  ${String(r.count).padStart(6)}  ${r.key}`);
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
