// Browser tests of the System, Trading and Resources views (web/js/system.js,
// trading.js, resources.js, charts.js), run by run.mjs with its harness and
// its arbdash (the demo bot running). Trades for the table come from a bot of
// their own ("views-bot"), so that the counts here are exact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const BOT = 'views-bot';

export async function chartViewTests(h) {
  const { test, openPage, signIn, expectText, eventually, assert, expectNoHorizontalScroll, baseUrl, TOKENS, WAIT_MS } = h;
  let seq = 0;

  // @trades: [{ profit, status, pair }] in one POST, a millisecond apart, newest last
  async function sendTrades(trades) {
    const events = [{ type: 'hello', bot_id: BOT, name: 'Views bot', quote: 'EUR' }];
    const ids = [];
    const t0 = Date.now() - trades.length;
    trades.forEach((t, i) => {
      seq++;
      const id = `views-${seq}`;
      ids.push(id);
      events.push({ type: 'trade', seq, ts: t0 + i, id, pair: t.pair || 'WBTC/USDT', buy_venue: 'curve',
                    sell_venue: 'balancer', status: t.status || 'filled', profit: t.profit, gas_cost: 0.5,
                    ...(t.latency ? { latency_ms: t.latency } : {}) });
    });
    const response = await fetch(`${baseUrl}api/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKENS.bot}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ bot_id: BOT, events }),
    });
    assert(response.ok, `ingest answered ${response.status}`);
    return ids;
  }

  async function openChartView(page, view) {
    await page.locator(`#views a[data-view="${view}"]`).click();
    const section = page.locator(`#${view}-view`);
    await section.waitFor({ state: 'visible', timeout: WAIT_MS });
    return section;
  }

  // a chart whose accessible name says it shows values (not its empty state)
  async function expectChartFilled(chart, what) {
    await eventually(`${what} to show values`, async () =>
      /latest/.test((await chart.locator('canvas').getAttribute('aria-label')) || '') &&
      await chart.locator('.chart-empty').isHidden());
    await expectText(chart.locator('.chart-summary'), /\d/, `${what}'s summary`);
  }

  // no {placeholder} of strings.js left unfilled in what the page shows
  async function expectNoPlaceholders(page) {
    const text = await page.locator('main, body').first().innerText();
    const left = text.match(/\{[a-z][a-z0-9_]*\}/gi);
    assert(!left, `unfilled placeholders: ${left && left.join(' ')}`);
  }

  // the figure whose title is exactly @title
  const fig = (view, title) => view.locator('.figure').filter({
    has: view.page().locator('dt', { hasText: new RegExp(`^${title}$`) }),
  }).locator('.figure-value');

  const chartTitled = (view, title) => view.locator('figure.chart-card', {
    has: view.page().locator('.chart-title', { hasText: new RegExp(`^${title}$`) }),
  });

  await test('the System view shows the machine, its charts, the interfaces and the demo bot\'s network', async () => {
    const page = await openPage();
    await signIn(page, TOKENS.viewer);
    await expectText(page.locator('#connection'), /^Live$/, 'connection state');
    const view = await openChartView(page, 'system');
    assert(page.url().endsWith('#/system'), `the address is ${page.url()}`);
    await expectText(fig(view, 'Memory'), /\d/, 'memory');
    await expectText(fig(view, 'Uptime'), /\d/, 'uptime');
    for (const title of ['CPU', 'Memory', 'Load', 'Disk', 'Dashboard memory'])
      await expectChartFilled(chartTitled(view, title), title);
    // every chart's canvas is an image with a name
    const unnamed = await view.locator('canvas').evaluateAll((cs) =>
      cs.filter((c) => c.getAttribute('role') !== 'img' || !c.getAttribute('aria-label')).length);
    assert(unnamed === 0, `${unnamed} canvases without role=img and a name`);
    await view.locator('table tbody tr').first().waitFor({ timeout: WAIT_MS });
    // the demo bot reports RPC latency per venue and its block lag
    const demo = view.locator('.bot-net[data-bot-id="demo"]');
    await demo.waitFor({ timeout: WAIT_MS });
    await expectText(demo.locator('.bot-lag'), /Block lag: \d/, 'block lag');
    await demo.locator('tbody tr').first().waitFor({ timeout: WAIT_MS });
    await expectChartFilled(demo.locator('figure.chart-card'), 'RPC latency');
    await expectNoPlaceholders(page);
    assert(page.problems.length === 0, page.problems.join('; '));
    await page.context().close();
  });

  await test('the range switch reloads the charts from the right tier, the same range on every view', async () => {
    const page = await openPage();
    const asked = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/v1/series')
        asked.push(url.searchParams);
    });
    await signIn(page, TOKENS.viewer);
    const view = await openChartView(page, 'system');
    await expectChartFilled(chartTitled(view, 'CPU'), 'CPU');
    const before = asked.length;
    // from the keyboard: the arrow key moves the radio group from 1 h to 24 h
    assert(await view.locator('input[data-range="1h"]').isChecked(), 'the default range is not 1 h');
    await view.locator('input[data-range="1h"]').focus();
    await page.keyboard.press('ArrowRight');
    assert(await view.locator('input[data-range="24h"]').isChecked(), 'the arrow key did not choose 24 h');
    await eventually('the charts to be asked for 24 hours', async () =>
      asked.slice(before).some((q) => q.get('metric') === 'cpu.total' &&
        Number(q.get('before')) - Number(q.get('after')) === 24 * 3600 * 1000));
    const spans = asked.slice(before).map((q) => Number(q.get('before')) - Number(q.get('after')));
    assert(spans.every((s) => s === 24 * 3600 * 1000), `spans asked: ${spans.join(' ')}`);
    // about one point per pixel of the chart, never more than the server gives
    const points = asked.slice(before).map((q) => Number(q.get('points')));
    assert(points.every((p) => p >= 60 && p <= 2000), `points asked: ${points.join(' ')}`);
    // (the chart names its range once the new points are drawn, a frame after they came)
    await eventually('the chart to name its new range', async () =>
      /Last 24 hours/.test(await chartTitled(view, 'CPU').locator('canvas').getAttribute('aria-label')));
    await expectChartFilled(chartTitled(view, 'CPU'), 'CPU over 24 hours');
    // the focus ring shows on the switch (focused from the keyboard above)
    const outline = await view.locator('input[data-range="24h"] + span').evaluate((s) => getComputedStyle(s).outlineStyle);
    assert(outline !== 'none', `focus outline: ${outline}`);
    // the other views show the same range, and a reload keeps it
    const trading = await openChartView(page, 'trading');
    assert(await trading.locator('input[data-range="24h"]').isChecked(), 'Trading shows another range');
    await page.reload();
    await page.locator('#trading-view').waitFor({ state: 'visible', timeout: WAIT_MS });
    assert(await page.locator('#trading-view input[data-range="24h"]').isChecked(), 'the range is lost on reload');
    // each button is a radio named with the whole range
    await page.locator('#trading-view').getByRole('radio', { name: 'Last 5 minutes' }).check();
    await eventually('the profit chart to be asked for 5 minutes', async () =>
      asked.some((q) => /^bot\..*\.profit$/.test(q.get('metric')) && q.get('count') === '1' &&
        Number(q.get('before')) - Number(q.get('after')) === 5 * 60 * 1000));
    await page.locator('#trading-view input[data-range="1h"]').check();
    await expectNoPlaceholders(page);
    assert(page.problems.length === 0, page.problems.join('; '));
    await page.context().close();
  });

  await test('the Trading view shows the figures, the cumulative profit and per pair, and pages, filters, sorts and downloads the trades', async () => {
    // 60 trades of a bot of its own: more than a page
    const profits = [];
    for (let i = 0; i < 60; i++)
      profits.push({ profit: ((i * 37) % 23) - 7, status: i % 10 === 3 ? 'failed' : 'filled', latency: 200 + 10 * i });
    const ids = await sendTrades(profits);
    const page = await openPage();
    await signIn(page, TOKENS.viewer);
    const view = await openChartView(page, 'trading');
    await expectText(fig(view, 'Opportunities seen'), /\d/, 'opportunities');
    await expectText(fig(view, 'Trades'), /\d/, 'trades');
    // the bot's trades carry their latency: the percentiles under the median
    await expectText(fig(view, 'Latency \\(p50\\)').locator('xpath=..'), /p90 [\d,.]+\s*ms · p99 [\d,.]+\s*ms/, 'latency percentiles');
    await view.locator('.data-table tbody tr[data-key="WBTC/USDT"]').waitFor({ timeout: WAIT_MS });
    await expectChartFilled(chartTitled(view, 'Cumulative profit'), 'cumulative profit');
    assert(await view.locator('.chart-legend li', { hasText: 'Views bot' }).count() === 1, 'no series of the bot');

    // the bot's trades: a page of 50, newest first, in the bot's quote currency
    await view.getByLabel('Bot', { exact: true }).selectOption(BOT);
    const rows = view.locator('table.trade-history tbody tr');
    const shown = () => rows.evaluateAll((rs) => rs.map((r) => r.dataset.trade));
    await eventually('the first page of the bot', async () => {
      const s = await shown();
      return s.length === 50 && s[0] === ids[59];
    });
    assert((await shown()).join() === ids.slice(10).reverse().join(), 'the first page is not the newest 50');
    await expectText(rows.first().locator('td').nth(5), /€|EUR/, 'money in the bot\'s currency');
    await expectText(view.locator('.page-text'), /1 to 50/, 'the page');

    // paging through the cursors, and back
    await view.getByRole('button', { name: 'Older' }).click();
    await eventually('the second page', async () => (await shown()).join() === ids.slice(0, 10).reverse().join());
    await expectText(view.locator('.page-text'), /51 to 60/, 'the page');
    assert(await view.getByRole('button', { name: 'Older' }).isDisabled(), 'Older on the last page');
    await view.getByRole('button', { name: 'Newer' }).click();
    await eventually('the first page again', async () => (await shown())[0] === ids[59]);

    // live: a new trade comes in at the top, and the page stays 50 rows
    const [live] = await sendTrades([{ profit: 3 }]);
    await eventually('the live trade at the top', async () => (await shown())[0] === live);
    // ... and in the bot's cumulative profit, in its currency
    const total = profits.reduce((sum, t) => sum + t.profit, 3);
    const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(total);
    await expectText(chartTitled(view, 'Cumulative profit').locator('.chart-summary'),
                     new RegExp(`Views bot ${money.replace(/[.$]/g, '\\$&')}`), 'the cumulative profit');
    assert((await shown()).length === 50, 'the page grew past 50 rows');
    // ... and the next page still follows the last row shown
    await view.getByRole('button', { name: 'Older' }).click();
    await eventually('the second page after a live trade', async () =>
      (await shown()).join() === ids.slice(0, 11).reverse().join());
    await view.getByRole('button', { name: 'Newer' }).click();
    await eventually('the first page again', async () => (await shown())[0] === live);

    // sorted by profit, as the server sorts it
    const sortButton = view.locator('button.sort[data-sort="profit"]');
    await sortButton.click();
    await expectText(view.locator('th[aria-sort="descending"]'), /Profit/, 'the sorted column');
    const rest = await (await page.request.get(`${baseUrl}api/v1/trades?bot_id=${BOT}&sort=profit&order=desc&limit=50`)).json();
    await eventually('the rows by profit', async () => (await shown()).join() === rest.trades.map((t) => t.id).join());
    await sortButton.click();
    await expectText(view.locator('th[aria-sort="ascending"]'), /Profit/, 'the sorted column');
    const asc = await (await page.request.get(`${baseUrl}api/v1/trades?bot_id=${BOT}&sort=profit&order=asc&limit=50`)).json();
    await eventually('the rows by profit, ascending', async () => (await shown()).join() === asc.trades.map((t) => t.id).join());

    // the status filter, then the CSV of the same filters and order
    await view.getByLabel('Status', { exact: true }).selectOption('failed');
    await eventually('the failed trades only', async () => (await shown()).length === 6);
    const statuses = await rows.evaluateAll((rs) => rs.map((r) => r.children[4].textContent));
    assert(statuses.every((s) => s === 'failed'), `statuses: ${statuses.join(' ')}`);
    const href = await view.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert(/bot_id=views-bot/.test(href) && /status=failed/.test(href) && /sort=profit/.test(href) &&
           /order=asc/.test(href), `CSV link: ${href}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      view.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    assert(csv[0].startsWith('bot_id,seq,ts,time,id,pair'), `CSV header: ${csv[0]}`);
    assert(csv.length === 7, `CSV rows: ${csv.length - 1}`);
    assert(csv.slice(1).every((l) => l.startsWith(`${BOT},`) && l.includes(',failed,')), 'CSV rows of other trades');
    // a filter nothing matches says so
    await view.getByLabel('Pair', { exact: true }).fill('NO/PAIR');
    await expectText(view.locator('.table-status'), /No trades match the filters/, 'the no-match state');
    assert(await rows.count() === 0, 'rows shown that do not match');
    await expectNoPlaceholders(page);
    assert(page.problems.length === 0, page.problems.join('; '));
    await page.context().close();
  });

  await test('the Resources view shows the dashboard and the demo bot\'s pool, tasks, memory and cache, with charts', async () => {
    const page = await openPage();
    await signIn(page, TOKENS.viewer);
    const view = await openChartView(page, 'resources');
    await expectText(fig(view, 'Commits'), /\d/, 'commits');
    const demo = view.locator('.bot-res[data-bot-id="demo"]');
    await demo.waitFor({ timeout: WAIT_MS });
    await expectText(fig(demo, 'Connection pool'), /\d+ of \d+ in use/, 'pool');
    await expectText(fig(demo, 'Tasks'), /\d+ running/, 'tasks');
    await expectText(fig(demo, 'Cache hit rate'), /\d/, 'hit rate');
    await expectChartFilled(chartTitled(demo, 'Pool and tasks'), 'pool and tasks');
    await expectChartFilled(chartTitled(demo, 'Memory'), 'memory');
    await expectChartFilled(chartTitled(demo, 'Cache'), 'cache');
    await expectNoPlaceholders(page);
    assert(page.problems.length === 0, page.problems.join('; '));
    await page.context().close();
  });

  await test('the Overview, not drawn while another view is shown, shows what came meanwhile when shown again', async () => {
    const page = await openPage();
    await signIn(page, TOKENS.viewer);
    await openChartView(page, 'system');
    assert(await page.locator('#overview').isHidden(), 'the Overview is hidden');
    const [id] = await sendTrades([{ profit: 7 }]);
    await page.locator('#views a[data-view="overview"]').click();
    await page.locator(`#trades tr[data-trade="${id}"]`).waitFor({ timeout: WAIT_MS });
    await expectNoPlaceholders(page);
    assert(page.problems.length === 0, page.problems.join('; '));
    await page.context().close();
  });

  await test('at 360 px, light and dark, the System, Trading and Resources views have no horizontal scroll', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const page = await openPage({ viewport: { width: 360, height: 740 }, colorScheme });
      await signIn(page, TOKENS.viewer);
      for (const name of ['system', 'trading', 'resources']) {
        const view = await openChartView(page, name);
        await view.locator('canvas').first().waitFor({ timeout: WAIT_MS });
        if (name === 'trading')
          await view.locator('table.trade-history tbody tr').first().waitFor({ timeout: WAIT_MS });
        else
          await expectChartFilled(view.locator('figure.chart-card').first(), `${name}'s first chart`);
        await expectNoHorizontalScroll(page, `${colorScheme}, ${name}`);
        if (process.env.ARBDASH_SCREENSHOTS)
          await page.screenshot({ path: join(process.env.ARBDASH_SCREENSHOTS, `web-phone-${name}-${colorScheme}.png`), fullPage: true });
      }
      if (process.env.ARBDASH_SCREENSHOTS) {
        await page.setViewportSize({ width: 1280, height: 900 });
        for (const name of ['system', 'trading', 'resources']) {
          await openChartView(page, name);
          await page.waitForTimeout(300); // the charts follow the new width on their next frame
          await page.screenshot({ path: join(process.env.ARBDASH_SCREENSHOTS, `web-desktop-${name}-${colorScheme}.png`), fullPage: true });
        }
      }
      await expectNoPlaceholders(page);
    assert(page.problems.length === 0, page.problems.join('; '));
      await page.context().close();
    }
  });
}
