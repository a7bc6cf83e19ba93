// The System view, like the desktop app's System page: the machine's figures
// from the latest sample, charts of the series over the chosen range (CPU,
// per core, memory and swap, network, load, disk, the dashboard's own
// process), the network interfaces, and the bots' network status (RPC
// latency per venue and block lag, from their `metric` events). Charts are
// loaded from /series when the view is shown or the range changes, and grow
// from the stream's samples between loads.
import { S } from './strings.js';
import {
  TimeChart, RangeSwitch, chartGrid, currentRange, loadSeries, onRangeChange, pointsFor, schedule, seriesNames, unschedule,
} from './charts.js';
import { formatBytes, formatDuration, formatMs, formatPct, formatRate, formatValue } from './units.js';
import { el, figure, section, tableOf } from './view-kit.js';

const LATENCY = 'rpc_latency_ms.';
const RELOAD_MS = 5 * 60 * 1000;
// A bot names its venues: past this many, more are not shown (a chart of
// more lines says nothing, and a bot's names must not grow the page).
const MAX_VENUES = 24;
// With more cores than this, the cores get a chart of their own.
const CORES_WITH_TOTAL = 4;

const sum = (values) => values.reduce((a, b) => a + b, 0);

export class SystemView {
  constructor() {
    this.root = document.getElementById('system-view');
    this.visible = false;
    this.sample = null;
    this.botMetrics = new Map();     // bot_id -> Map(name -> {value, ts, unit})
    this.botNames = new Map();
    this.botViews = new Map();       // bot_id -> { card, chart, venues: Map(venue -> index), lag, table }
    this.loadedAt = 0;
    this.loading = 0;
    this.dirty = new Set();
    this.draw = (now) => this.render(now);

    this.range = new RangeSwitch();
    this.figures = {
      cpu: figure(S.cpu),
      memory: figure(S.memory),
      swap: figure(S.swap),
      load: figure(S.load),
      disk: figure(S.disk),
      uptime: figure(S.uptime),
      process: figure(S.dashboardProcess),
    };
    const pct = (v) => formatPct(v);
    this.charts = {
      cpu: new TimeChart({ title: S.cpu, series: [S.cpuTotal], format: pct, min: 0, max: 100, fill: true }),
      cores: null,
      memory: new TimeChart({ title: S.memory, series: [S.memoryUsed, S.swapUsed], format: formatBytes }),
      network: new TimeChart({ title: S.network, series: [S.received, S.sent], format: formatRate }),
      load: new TimeChart({ title: S.load, series: [S.load1], format: formatValue }),
      disk: new TimeChart({ title: S.disk, series: [S.diskUsed], format: formatBytes }),
      processCpu: new TimeChart({ title: S.dashboardCpu, series: [S.dashboardProcess], format: pct, min: 0 }),
      processMemory: new TimeChart({ title: S.dashboardMemory, series: [S.dashboardProcess], format: formatBytes }),
    };
    this.cores = 0;
    this.interfaces = tableOf([S.colInterface, S.colReceived, S.colSent, S.colReceivedTotal, S.colSentTotal],
                              [false, true, true, true, true]);
    this.interfaces.table.classList.add('net-table');
    this.interfacesEmpty = el('p', 'empty', S.noInterfaces);
    this.botsBox = el('div', 'bot-network');
    this.botsEmpty = el('p', 'empty', S.noBotNetwork);

    const head = el('div', 'view-head');
    head.append(this.range.element);
    const figs = el('dl', 'figures');
    figs.append(...Object.values(this.figures).map((f) => f.element));
    this.grid = chartGrid(...Object.values(this.charts).filter(Boolean));
    this.root.append(
      head, figs, this.grid,
      section(S.networkInterfaces, this.interfaces.wrap, this.interfacesEmpty),
      section(S.botNetwork, this.botsBox, this.botsEmpty),
    );
    this.offRange = onRangeChange(() => this.reload());
    this.timer = 0;
  }

  destroy() {
    clearInterval(this.timer);
    unschedule(this.draw);
    this.offRange();
    this.range.destroy();
    for (const chart of this.allCharts())
      chart.destroy();
    this.root.replaceChildren(this.root.querySelector('h2'));
  }

  * allCharts() {
    for (const c of Object.values(this.charts))
      if (c)
        yield c;
    for (const v of this.botViews.values())
      yield v.chart;
  }

  show(visible) {
    if (visible === this.visible)
      return;
    this.visible = visible;
    clearInterval(this.timer);
    for (const chart of this.allCharts())
      chart.setShown(visible);
    if (!visible)
      return;
    // the window slides even when no sample comes (a stopped sampler, a drop)
    this.timer = setInterval(() => this.slide(), Math.max(1000, currentRange().spanMs / 1000));
    this.markDirty('figures', 'interfaces', 'bots');
    if (Date.now() - this.loadedAt > RELOAD_MS)
      this.reload();
    else
      for (const chart of this.allCharts())
        chart.refresh();
  }

  slide() {
    for (const chart of this.allCharts())
      chart.invalidateLive();
  }

  markDirty(...parts) {
    for (const p of parts)
      this.dirty.add(p);
    if (this.visible)
      schedule(this.draw);
  }

  // ------------------------------------------------------------ data in

  applySnapshot(topics) {
    if (topics.bots)
      for (const bot of topics.bots.bots)
        this.botNames.set(bot.bot_id, bot.name);
    const system = topics.system;
    if (system) {
      if (system.system)
        this.applySample(system.system, false);
      for (const m of system.metrics || [])
        this.applyMetric(m, false);
    }
    // after a reconnection the series have what the stream missed
    this.loadedAt = 0;
    if (this.visible)
      this.reload();
  }

  applyItems(items) {
    for (const item of items) {
      if (item.kind === 'system')
        this.applySample(item.data, true);
      else if (item.kind === 'metric')
        this.applyMetric(item.data, true);
      else if (item.kind === 'bot')
        this.botNames.set(item.data.bot_id, item.data.name);
    }
  }

  applySample(sample, live) {
    this.sample = sample;
    this.ensureCores(sample.cpu && sample.cpu.cores ? sample.cpu.cores.length : 0);
    if (live && this.loadedAt > 0) {
      const ts = sample.ts;
      const c = this.charts;
      if (sample.interval_ms > 0 && sample.cpu) {
        c.cpu.add(0, ts, sample.cpu.total);
        (sample.cpu.cores || []).forEach((v, i) => this.coreChart(i).add(this.coreIndex(i), ts, v));
      }
      if (sample.memory) {
        c.memory.add(0, ts, sample.memory.used);
        c.memory.add(1, ts, sample.memory.swap_used);
      }
      const nets = (sample.net || []).filter((n) => !n.loopback);
      if (nets.length && sample.interval_ms > 0) {
        c.network.add(0, ts, sum(nets.map((n) => n.rx_rate)));
        c.network.add(1, ts, sum(nets.map((n) => n.tx_rate)));
      }
      if (sample.load)
        c.load.add(0, ts, sample.load[0]);
      if (sample.disk)
        c.disk.add(0, ts, sample.disk.used);
      if (sample.process) {
        if (sample.interval_ms > 0)
          c.processCpu.add(0, ts, sample.process.cpu_pct);
        c.processMemory.add(0, ts, sample.process.rss_bytes);
      }
    }
    this.markDirty('figures', 'interfaces');
  }

  applyMetric(m, live) {
    if (m.name !== 'block_lag' && !m.name.startsWith(LATENCY))
      return;
    const venues = this.botViews.get(m.bot_id)?.venues;
    if (m.name !== 'block_lag' && venues && venues.size >= MAX_VENUES &&
        !venues.has(m.name.slice(LATENCY.length)))
      return;
    let metrics = this.botMetrics.get(m.bot_id);
    if (!metrics) {
      metrics = new Map();
      this.botMetrics.set(m.bot_id, metrics);
    }
    const known = metrics.has(m.name);
    metrics.set(m.name, m);
    const view = this.botView(m.bot_id);
    if (m.name.startsWith(LATENCY)) {
      const venue = m.name.slice(LATENCY.length);
      let index = view.venues.get(venue);
      if (index === undefined) {
        index = view.chart.addSeries(venue);
        view.venues.set(venue, index);
      }
      if (live && known && this.loadedAt > 0)
        view.chart.add(index, m.ts, m.value);
      else if (!known && this.visible)
        this.loadBotSeries(m.bot_id, venue, index);
      else if (!known)
        this.loadedAt = 0;   // loaded when the view is shown
    }
    this.markDirty('bots');
  }

  // ------------------------------------------------------------ charts

  ensureCores(n) {
    if (n <= this.cores)
      return;
    const separate = n > CORES_WITH_TOTAL;
    if (separate && !this.charts.cores) {
      this.charts.cores = new TimeChart({ title: S.cpuPerCore, format: (v) => formatPct(v), min: 0, max: 100 });
      this.charts.cores.setShown(this.visible);
      this.charts.cpu.element.after(this.charts.cores.element);
    }
    for (let i = this.cores; i < n; i++)
      this.coreChart(i).addSeries(S.core(i));
    this.cores = n;
  }

  coreChart() {
    return this.charts.cores || this.charts.cpu;
  }

  coreIndex(i) {
    return this.charts.cores ? i : i + 1;
  }

  // Every chart from its series, over the current range.
  async reload() {
    const token = ++this.loading;
    const range = currentRange();
    const now = Date.now();
    const points = pointsFor(this.charts.cpu.box);
    const jobs = [];
    const c = this.charts;
    let names;
    try {
      names = await seriesNames();
    } catch {
      this.loadedAt = 0;   // tried again when next shown
      return;
    }
    if (token !== this.loading)
      return;
    const show = (chart, index, metric) => jobs.push(loadSeries(metric, range.spanMs, points, now, names).then((s) => {
      if (token !== this.loading)
        return;
      chart.setWindow(range.spanMs, s ? s.stepMs : 0);
      chart.setPoints(index, s ? s.points : []);
    }));
    show(c.cpu, 0, 'cpu.total');
    for (let i = 0; i < this.cores; i++)
      show(this.coreChart(i), this.coreIndex(i), `cpu.core.${i}`);
    show(c.memory, 0, 'mem.used');
    show(c.memory, 1, 'mem.swap_used');
    show(c.network, 0, 'net.rx');
    show(c.network, 1, 'net.tx');
    show(c.load, 0, 'load.1');
    show(c.disk, 0, 'disk.used');
    show(c.processCpu, 0, 'process.cpu');
    show(c.processMemory, 0, 'process.rss');
    for (const [botId, view] of this.botViews)
      for (const [venue, index] of view.venues)
        show(view.chart, index, `bot.${botId}.${LATENCY}${venue}`);
    this.loadedAt = now;
    clearInterval(this.timer);
    if (this.visible)
      this.timer = setInterval(() => this.slide(), Math.max(1000, range.spanMs / 1000));
    const results = await Promise.allSettled(jobs);
    if (token === this.loading && results.some((r) => r.status === 'rejected'))
      this.loadedAt = 0;   // try again when next shown
  }

  async loadBotSeries(botId, venue, index) {
    const view = this.botViews.get(botId);
    const range = currentRange();
    try {
      const metric = `bot.${botId}.${LATENCY}${venue}`;
      const s = await loadSeries(metric, range.spanMs, pointsFor(view.chart.box), Date.now(),
                                 await seriesNames(metric));
      if (s) {
        view.chart.setWindow(range.spanMs, s.stepMs);
        view.chart.setPoints(index, s.points);
      }
    } catch {
      // the next reload tries again
    }
  }

  botView(botId) {
    let view = this.botViews.get(botId);
    if (view)
      return view;
    const card = el('section', 'panel bot-net');
    card.dataset.botId = botId;
    const title = el('h3', '', botId);
    const lag = el('p', 'bot-lag', S.lagUnknown);
    const table = tableOf([S.colVenue, S.colLatency], [false, true]);
    const chart = new TimeChart({ title: S.rpcLatency, format: formatMs, min: 0, emptyText: S.chartWaitingReports });
    chart.setWindow(currentRange().spanMs);
    chart.setShown(this.visible);
    card.append(title, lag, table.wrap, chart.element);
    view = { card, title, lag, table, chart, venues: new Map() };
    this.botViews.set(botId, view);
    this.markDirty('bots');
    return view;
  }

  // ------------------------------------------------------------ DOM out

  render() {
    if (!this.visible)
      return;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has('figures'))
      this.renderFigures();
    if (dirty.has('interfaces'))
      this.renderInterfaces();
    if (dirty.has('bots'))
      this.renderBots();
  }

  renderFigures() {
    const s = this.sample;
    const f = this.figures;
    if (!s)
      return;
    f.cpu.set(s.interval_ms > 0 && s.cpu ? formatPct(s.cpu.total) : '–',
              s.cpu ? S.cores(s.cpu.cores.length) : '');
    if (s.memory) {
      const m = s.memory;
      f.memory.set(formatBytes(m.used), S.ofTotalCached(formatBytes(m.total), formatBytes(m.cached)));
      f.swap.set(m.swap_total > 0 ? formatBytes(m.swap_used) : S.noSwap,
                 m.swap_total > 0 ? S.ofTotal(formatBytes(m.swap_total)) : '');
    }
    if (s.load)
      f.load.set(s.load.map(formatValue).join('  '), S.loadDetail);
    if (s.disk)
      f.disk.set(formatBytes(s.disk.used), S.diskDetail(formatBytes(s.disk.total), s.disk.path));
    f.uptime.set(formatDuration(s.uptime_s), '');
    if (s.process)
      f.process.set(formatBytes(s.process.rss_bytes),
                    S.processDetail(s.interval_ms > 0 ? formatPct(s.process.cpu_pct) : '–', s.process.threads));
  }

  renderInterfaces() {
    const nets = this.sample ? this.sample.net || [] : [];
    const ok = this.sample && this.sample.interval_ms > 0;
    this.interfaces.fill(nets.map((n) => ({
      key: n.name,
      cells: [n.name, ok ? formatRate(n.rx_rate) : '–', ok ? formatRate(n.tx_rate) : '–',
              formatBytes(n.rx_bytes), formatBytes(n.tx_bytes)],
    })));
    this.interfacesEmpty.hidden = nets.length > 0;
  }

  renderBots() {
    const ids = [...this.botViews.keys()].sort();
    for (const id of ids) {
      const view = this.botViews.get(id);
      const metrics = this.botMetrics.get(id) || new Map();
      view.title.textContent = this.botNames.get(id) || id;
      const lag = metrics.get('block_lag');
      view.lag.textContent = lag ? S.blockLag(lag.value) : S.lagUnknown;
      view.lag.classList.toggle('warning', !!lag && lag.value > 1);
      const rows = [...view.venues.keys()].sort().map((venue) => {
        const m = metrics.get(LATENCY + venue);
        return { key: venue, cells: [venue, m ? formatMs(m.value) : '–'] };
      });
      view.table.fill(rows);
      if (view.card.parentNode !== this.botsBox)
        this.botsBox.append(view.card);
      view.chart.refresh();
    }
    this.botsEmpty.hidden = ids.length > 0;
  }
}
