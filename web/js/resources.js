// The Resources view, like the desktop app's Resources page: the dashboard's
// own process and store (/resources, asked again every few seconds while the
// view is shown) and, per bot, its connection pool, tasks, memory and cache
// from its latest `resources` report (the stream's `resources` topic), with
// charts of the series bot.<id>.pool.in_use, tasks.running, tasks.queued,
// memory.rss_bytes and cache.entries over the chosen range.
import { S } from './strings.js';
import { getJson } from './api.js';
import { formatCount, formatPercent } from './format.js';
import {
  TimeChart, RangeSwitch, currentRange, loadSeries, onRangeChange, pointsFor, schedule, seriesNames, unschedule,
} from './charts.js';
import { formatBytes, formatMs, formatPct, formatValue } from './units.js';
import { el, figure, section } from './view-kit.js';

const DASHBOARD_EVERY_MS = 5000;
const RELOAD_MS = 5 * 60 * 1000;
// [chart, series index, metric below bot.<id>., value in a report]
const SERIES = [
  ['work', 0, 'pool.in_use', (r) => r.pool && r.pool.in_use],
  ['work', 1, 'tasks.running', (r) => r.tasks && r.tasks.running],
  ['work', 2, 'tasks.queued', (r) => r.tasks && r.tasks.queued],
  ['memory', 0, 'memory.rss_bytes', (r) => r.memory && r.memory.rss_bytes],
  ['cache', 0, 'cache.entries', (r) => r.cache && r.cache.entries],
];

const count = (v) => (Number.isFinite(v) ? formatCount(v) : '–');

export class ResourcesView {
  constructor() {
    this.root = document.getElementById('resources-view');
    this.visible = false;
    this.reports = new Map();      // bot_id -> latest resources
    this.names = new Map();
    this.cards = new Map();        // bot_id -> { card, title, figures, charts }
    this.dashboard = null;
    this.dashboardError = '';
    this.dashboardTimer = 0;
    this.loadedAt = 0;
    this.loading = 0;
    this.dirty = new Set();
    this.draw = (now) => this.render(now);

    this.range = new RangeSwitch();
    const head = el('div', 'view-head');
    head.append(this.range.element);
    this.own = {
      cpu: figure(S.dashboardCpu),
      memory: figure(S.dashboardMemory),
      threads: figure(S.threads),
      store: figure(S.storeQueue),
      commits: figure(S.commits),
    };
    const figs = el('dl', 'figures');
    figs.append(...Object.values(this.own).map((f) => f.element));
    this.ownError = el('p', 'error');
    this.ownError.setAttribute('role', 'alert');
    this.botsBox = el('div', 'bot-resources');
    this.botsEmpty = el('p', 'empty', S.noResources);
    this.root.append(head, section(S.dashboardResources, figs, this.ownError), this.botsBox, this.botsEmpty);
    this.offRange = onRangeChange(() => this.reload());
  }

  destroy() {
    clearTimeout(this.dashboardTimer);
    clearInterval(this.slider);
    unschedule(this.draw);
    this.offRange();
    this.range.destroy();
    for (const c of this.cards.values())
      for (const chart of Object.values(c.charts))
        chart.destroy();
    this.root.replaceChildren(this.root.querySelector('h2'));
  }

  show(visible) {
    if (visible === this.visible)
      return;
    this.visible = visible;
    clearTimeout(this.dashboardTimer);
    clearInterval(this.slider);
    this.forCharts((c) => c.setShown(visible));
    if (!visible)
      return;
    this.pollDashboard();
    this.slider = setInterval(() => this.forCharts((c) => c.invalidateLive()), Math.max(1000, currentRange().spanMs / 1000));
    if (Date.now() - this.loadedAt > RELOAD_MS)
      this.reload();
    else
      this.forCharts((c) => c.refresh());
    this.markDirty('bots');
  }

  forCharts(fn) {
    for (const c of this.cards.values())
      for (const chart of Object.values(c.charts))
        fn(chart);
  }

  markDirty(...parts) {
    for (const p of parts)
      this.dirty.add(p);
    if (this.visible)
      schedule(this.draw);
  }

  async pollDashboard() {
    try {
      const answer = await getJson('/api/v1/resources');
      this.dashboard = answer.dashboard;
      this.dashboardError = '';
      for (const r of answer.bots)
        if (!this.reports.has(r.bot_id))
          this.applyReport(r, false);
    } catch (error) {
      this.dashboardError = S.resourcesFailed(error.message);
    }
    this.markDirty('own');
    if (this.visible)
      this.dashboardTimer = setTimeout(() => this.pollDashboard(), DASHBOARD_EVERY_MS);
  }

  // ------------------------------------------------------------ data in

  applySnapshot(topics) {
    if (topics.bots)
      for (const bot of topics.bots.bots)
        this.names.set(bot.bot_id, bot.name);
    if (topics.resources)
      for (const r of topics.resources.bots)
        this.applyReport(r, false);
    this.loadedAt = 0;
    if (this.visible)
      this.reload();
    this.markDirty('bots');
  }

  applyItems(items) {
    for (const item of items) {
      if (item.kind === 'resources') {
        this.applyReport(item.data, true);
      } else if (item.kind === 'bot') {
        this.names.set(item.data.bot_id, item.data.name);
        this.markDirty('bots');
      }
    }
  }

  applyReport(r, live) {
    const known = this.cards.has(r.bot_id);
    this.reports.set(r.bot_id, r);
    const card = this.card(r.bot_id);
    if (live && known && this.loadedAt > 0)
      for (const [chart, index, , value] of SERIES)
        card.charts[chart].add(index, r.ts, value(r));
    else if (!known)
      this.loadedAt = 0;   // its history loads when shown
    if (!known && this.visible)
      this.reload();
    this.markDirty('bots');
  }

  card(botId) {
    let c = this.cards.get(botId);
    if (c)
      return c;
    const card = el('section', 'panel bot-res');
    card.dataset.botId = botId;
    const title = el('h3', '', botId);
    const figures = {
      pool: figure(S.pool),
      tasks: figure(S.tasks),
      memory: figure(S.memory),
      cache: figure(S.cache),
      hitRate: figure(S.cacheHitRate),
    };
    const figs = el('dl', 'figures');
    figs.append(...Object.values(figures).map((f) => f.element));
    const charts = {
      work: new TimeChart({ title: S.poolAndTasks, series: [S.connectionsInUse, S.runningTasks, S.queuedTasks],
                            format: formatValue, min: 0, emptyText: S.chartWaitingReports }),
      memory: new TimeChart({ title: S.memory, series: [S.resident], format: formatBytes, emptyText: S.chartWaitingReports }),
      cache: new TimeChart({ title: S.cache, series: [S.cacheEntries], format: formatValue, min: 0,
                             emptyText: S.chartWaitingReports }),
    };
    const grid = el('div', 'chart-grid');
    grid.append(...Object.values(charts).map((ch) => ch.element));
    card.append(title, figs, grid);
    for (const chart of Object.values(charts)) {
      chart.setWindow(currentRange().spanMs);
      chart.setShown(this.visible);
    }
    c = { card, title, figures, charts };
    this.cards.set(botId, c);
    return c;
  }

  async reload() {
    const token = ++this.loading;
    const range = currentRange();
    const now = Date.now();
    this.loadedAt = now;
    clearInterval(this.slider);
    if (this.visible)
      this.slider = setInterval(() => this.forCharts((c) => c.invalidateLive()), Math.max(1000, range.spanMs / 1000));
    const jobs = [];
    let names;
    try {
      names = await seriesNames('bot.');
    } catch {
      this.loadedAt = 0;
      return;
    }
    if (token !== this.loading)
      return;
    for (const [botId, c] of this.cards) {
      const points = pointsFor(c.charts.work.box);
      for (const [chart, index, metric] of SERIES)
        jobs.push(loadSeries(`bot.${botId}.${metric}`, range.spanMs, points, now, names).then((s) => {
          if (token !== this.loading)
            return;
          c.charts[chart].setWindow(range.spanMs, s ? s.stepMs : 0);
          c.charts[chart].setPoints(index, s ? s.points : []);
        }));
    }
    const results = await Promise.allSettled(jobs);
    if (token === this.loading && results.some((r) => r.status === 'rejected'))
      this.loadedAt = 0;
  }

  // ------------------------------------------------------------ DOM out

  render() {
    if (!this.visible)
      return;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has('own'))
      this.renderOwn();
    if (dirty.has('bots'))
      this.renderBots();
  }

  renderOwn() {
    const d = this.dashboard;
    this.ownError.textContent = this.dashboardError;
    if (!d)
      return;
    this.own.cpu.set(formatPct(d.cpu_pct));
    this.own.memory.set(formatBytes(d.rss_bytes));
    this.own.threads.set(count(d.threads));
    this.own.store.set(count(d.store_queue), S.storeQueueDetail);
    this.own.commits.set(count(d.commits), S.lastCommit(formatMs(d.last_commit_ms)));
  }

  renderBots() {
    const ids = [...this.cards.keys()].sort((a, b) =>
      (this.names.get(a) || a).localeCompare(this.names.get(b) || b));
    for (const id of ids) {
      const c = this.cards.get(id);
      const r = this.reports.get(id) || {};
      const f = c.figures;
      c.title.textContent = this.names.get(id) || id;
      if (r.pool)
        f.pool.set(S.inUseOf(count(r.pool.in_use), count(r.pool.size)), S.waiting(count(r.pool.waiting)));
      if (r.tasks)
        f.tasks.set(S.running(count(r.tasks.running)),
                    S.tasksDetail(count(r.tasks.queued), count(r.tasks.completed), count(r.tasks.failed)));
      if (r.memory)
        f.memory.set(formatBytes(r.memory.rss_bytes), S.heap(formatBytes(r.memory.heap_bytes)));
      if (r.cache) {
        f.cache.set(count(r.cache.entries), S.cacheDetail(formatBytes(r.cache.bytes), count(r.cache.evictions)));
        const asked = (r.cache.hits || 0) + (r.cache.misses || 0);
        f.hitRate.set(asked > 0 ? formatPercent(r.cache.hits / asked) : '–',
                      S.hitsMisses(count(r.cache.hits), count(r.cache.misses)));
      }
      if (c.card.parentNode !== this.botsBox)
        this.botsBox.append(c.card);
      for (const chart of Object.values(c.charts))
        chart.refresh();
    }
    this.botsEmpty.hidden = ids.length > 0;
  }
}
