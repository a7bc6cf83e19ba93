// Screenshots of the browser dashboard for the README, by hand (not a test):
// a real `arbdash --headless` with its demo bot (a simulator, as the page
// says) on a loopback port, shot once the demo bot has traded for a while, so
// everything shown is what arbdash made of the demo bot's data: nothing is
// filled in by this script. The one thing it does is what an operator does,
// pausing and resuming the demo bot, so that the Bots view has an outcome and
// an audit to show.
//
//   ARBDASH_BIN=_build/src/arbdash node tests/browser/screenshots.mjs [FOLDER=docs/screenshots] [MIN_SECONDS=90]
//
// Writes web-{overview,system,trading,bots}-{desktop,phone}-{light,dark}.png: desktop
// 1280×800, phone 360×740.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(process.argv[2] || join(here, '..', '..', 'docs', 'screenshots'));
const MIN_SECONDS = Number(process.argv[3] || 90);
const MIN_DEMO_TRADES = 12;
const TOKEN = 'operator-token-for-screenshots';
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } };

const dir = mkdtempSync(join(tmpdir(), 'arbdash-shots-'));
const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'),
              ARBDASH_OPERATOR_TOKEN: TOKEN };
delete env.DISPLAY;
delete env.WAYLAND_DISPLAY;
const server = spawn(process.env.ARBDASH_BIN, ['--headless', '--port', '0', '--db', join(dir, 'arbdash.db')],
                     { env, stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => server.kill('SIGTERM'));
let output = '';
server.stdout.on('data', (d) => { output += d; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, predicate, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value)
      return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const started = Date.now();
const base = await until('the banner', () => (/serving (http:\/\/\S+\/)/.exec(output) || [])[1], 15000);
const auth = { Authorization: `Bearer ${TOKEN}` };
// the demo bot's own trades, and time for the sparklines to have a shape
await until(`${MIN_DEMO_TRADES} trades of the demo bot`, async () => {
  const r = await fetch(`${base}api/v1/trades?bot_id=demo&limit=${MIN_DEMO_TRADES}`, { headers: auth });
  return r.ok && (await r.json()).trades.length >= MIN_DEMO_TRADES;
}, 10 * 60 * 1000);
await sleep(Math.max(0, started + MIN_SECONDS * 1000 - Date.now()));
console.log(`arbdash at ${base}, shooting after ${Math.round((Date.now() - started) / 1000)} s`);

const browser = await chromium.launch({
  executablePath: process.env.ARBDASH_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
let operated = false;
for (const [size, viewport] of Object.entries(SIZES)) {
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'live' &&
      /\d/.test(document.getElementById('profit-today').textContent) &&
      /\d/.test(document.getElementById('cpu-now').textContent) &&
      document.querySelector('#trades tr') !== null, null, { timeout: 15000 });
    await sleep(1500); // the sparklines' history is in on their next frames
    await page.screenshot({ path: join(OUT, `web-overview-${size}-${colorScheme}.png`) });

    // System and Trading once their charts show values (their names say "latest")
    for (const view of ['system', 'trading']) {
      await page.locator(`#views a[data-view="${view}"]`).click();
      await page.waitForFunction((v) => {
        const section = document.getElementById(`${v}-view`);
        const canvases = section ? [...section.querySelectorAll('canvas')] : [];
        return canvases.length > 0 && canvases.every((c) => /latest/.test(c.getAttribute('aria-label') || ''));
      }, view, { timeout: 30000 });
      await sleep(1000); // drawn on the next frames
      await page.screenshot({ path: join(OUT, `web-${view}-${size}-${colorScheme}.png`) });
    }

    await page.locator('#views a[data-view="bots"]').click();
    const demo = page.locator('#bots-list li[data-bot-id="demo"]');
    await demo.waitFor({ timeout: 15000 });
    if (!operated) {
      // what an operator does: pause the demo bot and start it again
      await demo.getByRole('button', { name: /^Pause / }).click();
      await until('the pause', async () => /paused/i.test(await demo.locator('.badge').textContent()), 15000);
      await demo.getByRole('button', { name: /^Resume / }).click();
      await until('the resume', async () => /running/i.test(await demo.locator('.badge').textContent()), 15000);
      operated = true;
    }
    await page.locator('#audit-rows tr').first().waitFor({ timeout: 15000 });
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.screenshot({ path: join(OUT, `web-bots-${size}-${colorScheme}.png`) });
    console.log(`  ${size} ${colorScheme}: web-overview-${size}-${colorScheme}.png, web-bots-${size}-${colorScheme}.png`);
    await context.close();
  }
}
await browser.close();
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });
