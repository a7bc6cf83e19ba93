// The Trading view, like the desktop app's Trading page: the figures of a
// window (/summary: profit, trades by status, success rate, opportunities
// seen and taken, gas and its cost, fees, latency percentiles, profit per
// pair and per venue pair), each bot's cumulative profit over the chosen
// range (the series bot.<id>.profit, a value per trade), and the trade
// history: filtered, sorted and paged by the server (/trades cursors), with
// its CSV (/trades.csv with the same filters). The table holds one page; on
// the first page in time order, trades from the stream come in at the top
// and the oldest row goes, so memory stays flat.
import { S } from './strings.js';
import { getJson } from './api.js';
import { formatCount, formatMoney, formatNumber, formatPercent, formatTime, formatDateTime } from './format.js';
import {
  TimeChart, RangeSwitch, accumulate, currentRange, loadSeries, onRangeChange, pointsFor, schedule, seriesNames, unschedule,
} from './charts.js';
import { formatMs } from './units.js';
import { el, figure, section, tableOf } from './view-kit.js';

export const PAGE_ROWS = 50;
const SUMMARY_EVERY_MS = 2000;
const WINDOWS = ['1h', '24h', '7d', 'all'];
const STATUSES = ['filled', 'failed', 'reverted'];
// the table's columns: [string key, sort key of /trades or null]
const COLUMNS = [
  ['colTime', 'time'], ['colBot', 'bot_id'], ['colPair', 'pair'], ['colVenues', null],
  ['colStatus', 'status'], ['colProfit', 'profit'], ['colGasCost', 'gas_cost'],
];
const NUMERIC = [false, false, false, false, false, true, true];
const tradeKey = (t) => `${t.bot_id}:${t.seq}`;
const newerFirst = (a, b) => (b.ts - a.ts) || (b.seq - a.seq);

let controls = 0;

function labelled(text, control) {
  const field = el('div', 'field');
  control.id = `trading-control-${++controls}`;
  const label = el('label', '', text);
  label.htmlFor = control.id;
  field.append(label, control);
  return field;
}

function select(options) {
  const s = document.createElement('select');
  s.append(...options.map(([value, text]) => new Option(text, value)));
  return s;
}

export class TradingView {
  constructor() {
    this.root = document.getElementById('trading-view');
    this.visible = false;
    this.bots = new Map();            // bot_id -> bot
    this.summary = null;
    this.summaryError = '';
    this.summaryTimer = 0;
    this.summaryAt = 0;
    this.profitSums = new Map();      // bot_id -> running total shown in the chart
    this.profitIndex = new Map();     // bot_id -> series index
    this.profitBots = [];             // series index -> bot_id
    this.chartLoaded = false;
    this.chartLoading = 0;
    this.dirty = new Set();
    this.draw = (now) => this.render(now);

    // the table: filters, sort, the page shown and the cursors that led to it
    this.filters = { bot_id: '', pair: '', status: '' };
    this.sort = { key: 'time', order: 'desc' };
    this.cursors = [null];            // cursors[i]: the cursor of page i
    this.nextCursor = null;
    this.cursorStale = false;         // live rows came in: next_cursor no longer follows the last row
    this.rows = [];                   // the trades of the page shown
    this.rowKeys = new Set();
    this.tableState = 'loading';      // loading | ready | error
    this.tableError = '';
    this.tableLoad = 0;

    this.build();
    this.offRange = onRangeChange(() => this.loadChart());
  }

  build() {
    this.range = new RangeSwitch();
    this.windowSelect = select(WINDOWS.map((w) => [w, S.windows[w]]));
    this.windowSelect.value = '1h';
    this.windowSelect.addEventListener('change', () => this.refreshSummary(true));
    const head = el('div', 'view-head');
    head.append(labelled(S.figuresFor, this.windowSelect), this.range.element);

    this.figures = {
      profit: figure(S.netProfit),
      trades: figure(S.trades),
      success: figure(S.successRate),
      opportunities: figure(S.opportunities),
      gas: figure(S.gas),
      fees: figure(S.fees),
      latency: figure(S.latency),
      rate: figure(S.tradesPerMinuteShort),
    };
    const figs = el('dl', 'figures');
    figs.append(...Object.values(this.figures).map((f) => f.element));
    this.incomplete = el('p', 'empty', S.summaryIncomplete);
    this.incomplete.hidden = true;
    this.summaryErrorText = el('p', 'error');
    this.summaryErrorText.setAttribute('role', 'alert');

    // each bot's total in its own currency; the axis in the common one, if any
    this.chart = new TimeChart({ title: S.cumulativeProfit,
                                 format: (v, i) => formatMoney(v, this.quote(i === undefined ? undefined : this.profitBots[i])),
                                 emptyText: S.noTradesInRange });
    this.chart.element.classList.add('chart-wide');
    const charts = el('div', 'chart-grid');
    charts.append(this.chart.element);

    this.pairs = tableOf([S.colPair, S.colTrades, S.colNetProfit], [false, true, true]);
    this.pairsEmpty = el('p', 'empty', S.noTradesInWindow);
    this.venues = tableOf([S.colVenues, S.colTrades, S.colNetProfit], [false, true, true]);
    this.venuesEmpty = el('p', 'empty', S.noTradesInWindow);
    const columns = el('div', 'columns');
    columns.append(section(S.profitPerPair, this.pairs.wrap, this.pairsEmpty),
                   section(S.profitPerVenues, this.venues.wrap, this.venuesEmpty));

    this.root.append(head, figs, this.incomplete, this.summaryErrorText, charts, columns, this.buildHistory());
  }

  buildHistory() {
    this.botFilter = select([['', S.allBots]]);
    this.pairFilter = document.createElement('input');
    this.pairFilter.type = 'search';
    this.pairFilter.autocomplete = 'off';
    this.pairFilter.spellcheck = false;
    this.pairFilter.placeholder = S.pairPlaceholder;
    this.pairList = document.createElement('datalist');
    this.pairList.id = 'trading-pairs';
    this.pairFilter.setAttribute('list', this.pairList.id);
    this.statusFilter = select([['', S.allStatuses], ...STATUSES.map((s) => [s, S.statuses[s]])]);
    const form = el('form', 'filters');
    form.setAttribute('role', 'search');
    form.setAttribute('aria-label', S.tradeFilters);
    form.noValidate = true;
    const pairField = labelled(S.colPair, this.pairFilter);
    pairField.classList.add('field-text');
    form.append(labelled(S.colBot, this.botFilter), pairField, labelled(S.colStatus, this.statusFilter),
                this.pairList);
    let pairTimer = 0;
    this.botFilter.addEventListener('change', () => this.readFilters());
    this.statusFilter.addEventListener('change', () => this.readFilters());
    this.pairFilter.addEventListener('input', () => {
      clearTimeout(pairTimer);
      pairTimer = setTimeout(() => this.readFilters(), 300);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.readFilters();
    });

    this.table = tableOf(COLUMNS.map(([s]) => S[s]), NUMERIC);
    this.table.table.classList.add('trades', 'trade-history');
    this.sortButtons = new Map();
    COLUMNS.forEach(([, key], i) => {
      if (!key)
        return;
      const th = this.table.ths[i];
      const button = el('button', 'sort', th.textContent);
      button.type = 'button';
      button.dataset.sort = key;
      button.addEventListener('click', () => this.sortBy(key));
      th.replaceChildren(button);
      this.sortButtons.set(key, { th, button });
    });
    this.tableStatus = el('p', 'empty table-status');
    this.tableStatus.setAttribute('role', 'status');

    this.newer = el('button', 'secondary', S.newerTrades);
    this.newer.type = 'button';
    this.newer.addEventListener('click', () => this.page(-1));
    this.older = el('button', 'secondary', S.olderTrades);
    this.older.type = 'button';
    this.older.addEventListener('click', () => this.page(1));
    this.pageText = el('span', 'page-text');
    this.csv = el('a', 'button-link', S.downloadCsv);
    this.csv.download = 'trades.csv';
    const pager = el('div', 'pager');
    pager.append(this.newer, this.pageText, this.older, this.csv);

    return section(S.tradeHistory, form, this.table.wrap, this.tableStatus, pager);
  }

  destroy() {
    clearTimeout(this.summaryTimer);
    unschedule(this.draw);
    this.offRange();
    this.range.destroy();
    this.chart.destroy();
    this.root.replaceChildren(this.root.querySelector('h2'));
  }

  show(visible) {
    if (visible === this.visible)
      return;
    this.visible = visible;
    this.chart.setShown(visible);
    if (!visible)
      return;
    this.refreshSummary(true);
    if (!this.chartLoaded)
      this.loadChart();
    else
      this.chart.refresh();
    this.loadPage();
    this.markDirty('figures', 'bots');
  }

  markDirty(...parts) {
    for (const p of parts)
      this.dirty.add(p);
    if (this.visible)
      schedule(this.draw);
  }

  quote(botId) {
    if (botId !== undefined) {
      const bot = this.bots.get(botId);
      return bot && bot.quote ? bot.quote : 'USD';
    }
    const quotes = new Set([...this.bots.values()].map((b) => b.quote || 'USD'));
    return quotes.size === 1 ? [...quotes][0] : quotes.size === 0 ? 'USD' : '';
  }

  // ------------------------------------------------------------ data in

  applySnapshot(topics) {
    if (topics.bots) {
      for (const bot of topics.bots.bots)
        this.bots.set(bot.bot_id, bot);
      this.markDirty('bots');
    }
    // after a reconnection: what the stream missed comes from REST
    this.chartLoaded = false;
    if (this.visible) {
      this.loadChart();
      this.refreshSummary(false);
    }
  }

  applyItems(items) {
    let trades = false;
    for (const item of items) {
      if (item.kind === 'trade') {
        this.addLiveTrade(item.data);
        trades = true;
      } else if (item.kind === 'bot') {
        this.bots.set(item.data.bot_id, item.data);
        this.markDirty('bots');
      } else if (item.kind === 'opportunity' && this.visible) {
        this.refreshSummary(false);
      }
    }
    if (trades && this.visible)
      this.refreshSummary(false);
  }

  addLiveTrade(t) {
    // the chart: each bot's running total, once its history is loaded
    if (this.chartLoaded) {
      const index = this.profitSeries(t.bot_id);
      const total = (this.profitSums.get(t.bot_id) || 0) + t.profit;
      this.profitSums.set(t.bot_id, total);
      this.chart.addRunning(index, t.ts, total);
    }
    // the table: only its first page in time order takes live rows
    if (this.cursors.length !== 1 || this.sort.key !== 'time' || this.sort.order !== 'desc' ||
        this.tableState !== 'ready' || !this.matches(t) || this.rowKeys.has(tradeKey(t)))
      return;
    const list = this.rows;
    if (list.length >= PAGE_ROWS && newerFirst(t, list[list.length - 1]) > 0)
      return;
    let i = 0;
    while (i < list.length && newerFirst(list[i], t) <= 0)
      i++;
    list.splice(i, 0, t);
    this.rowKeys.add(tradeKey(t));
    while (list.length > PAGE_ROWS) {
      this.rowKeys.delete(tradeKey(list.pop()));
      this.cursorStale = true;
    }
    this.markDirty('table');
  }

  matches(t) {
    const f = this.filters;
    return (!f.bot_id || t.bot_id === f.bot_id) && (!f.pair || t.pair === f.pair) &&
      (!f.status || t.status === f.status);
  }

  // The window's figures from REST, at most every SUMMARY_EVERY_MS while
  // trades come (@now: at once, for a new window).
  refreshSummary(now) {
    if (now) {
      clearTimeout(this.summaryTimer);
      this.summaryTimer = 0;
      this.summaryAt = 0;
    }
    if (this.summaryTimer)
      return;
    const wait = Math.max(0, this.summaryAt + SUMMARY_EVERY_MS - Date.now());
    this.summaryTimer = setTimeout(async () => {
      this.summaryAt = Date.now();
      const window = this.windowSelect.value;
      try {
        this.summary = await getJson(`/api/v1/summary?window=${encodeURIComponent(window)}`);
        this.summaryError = '';
      } catch (error) {
        this.summaryError = S.summaryFailed(error.message);
      }
      this.summaryTimer = 0;
      this.markDirty('figures');
    }, wait);
  }

  profitSeries(botId) {
    let index = this.profitIndex.get(botId);
    if (index === undefined) {
      const bot = this.bots.get(botId);
      index = this.chart.addSeries(bot ? bot.name : botId);
      this.profitIndex.set(botId, index);
      this.profitBots[index] = botId;
    }
    return index;
  }

  // Each bot's cumulative profit over the range, from its series.
  async loadChart() {
    const token = ++this.chartLoading;
    const range = currentRange();
    const now = Date.now();
    const points = pointsFor(this.chart.box);
    const ids = [...this.bots.keys()];
    this.chartLoaded = true;   // live trades from here on are added to what loads
    const sums = new Map(ids.map((id) => [id, 0]));
    this.profitSums = sums;
    try {
      const names = await seriesNames('bot.');
      const loaded = await Promise.all(ids.map((id) => loadSeries(`bot.${id}.profit`, range.spanMs, points, now, names)));
      if (token !== this.chartLoading)
        return;
      this.chart.setWindow(range.spanMs);
      ids.forEach((id, i) => {
        const s = loaded[i];
        if (!s && !this.profitIndex.has(id))
          return;   // no trade of that bot yet
        const index = this.profitSeries(id);
        if (!s) {
          this.chart.setPoints(index, []);
          return;
        }
        const run = accumulate(s, now);
        // trades that came while the series loaded are already in sums
        const extra = sums.get(id) || 0;
        sums.set(id, run.sum + extra);
        if (extra)
          run.points.push({ x: Date.now(), y: run.sum + extra, n: 1 });
        this.chart.setPoints(index, run.points, s.stepMs);
      });
    } catch {
      if (token === this.chartLoading)
        this.chartLoaded = false;   // tried again when next shown
    }
  }

  // ------------------------------------------------------------ the table

  readFilters() {
    const next = { bot_id: this.botFilter.value, pair: this.pairFilter.value.trim(), status: this.statusFilter.value };
    if (next.bot_id === this.filters.bot_id && next.pair === this.filters.pair && next.status === this.filters.status)
      return;
    this.filters = next;
    this.cursors = [null];
    this.loadPage();
  }

  sortBy(key) {
    if (this.sort.key === key)
      this.sort.order = this.sort.order === 'desc' ? 'asc' : 'desc';
    else
      this.sort = { key, order: key === 'time' || key === 'profit' || key === 'gas_cost' ? 'desc' : 'asc' };
    this.cursors = [null];
    this.loadPage();
  }

  query(extra = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(this.filters))
      if (v)
        q.set(k, v);
    q.set('sort', this.sort.key);
    q.set('order', this.sort.order);
    for (const [k, v] of Object.entries(extra))
      if (v !== null && v !== undefined)
        q.set(k, v);
    return q;
  }

  // @step: -1 newer, 1 older
  async page(step) {
    if (step > 0) {
      if (!this.nextCursor)
        return;
      if (this.cursorStale && this.cursors.length === 1) {
        // live rows pushed some out of the page: ask again where it ends
        try {
          const fresh = await getJson(`/api/v1/trades?${this.query({ limit: PAGE_ROWS })}`);
          this.nextCursor = fresh.next_cursor;
        } catch {
          // the page below says what is wrong
        }
        if (!this.nextCursor)
          return;
      }
      this.cursors.push(this.nextCursor);
    } else if (this.cursors.length > 1) {
      this.cursors.pop();
    }
    this.loadPage();
  }

  async loadPage() {
    const token = ++this.tableLoad;
    const cursor = this.cursors[this.cursors.length - 1];
    this.tableState = 'loading';
    this.markDirty('table');
    try {
      const answer = await getJson(`/api/v1/trades?${this.query({ limit: PAGE_ROWS, cursor })}`);
      if (token !== this.tableLoad)
        return;
      this.rows = answer.trades;
      this.rowKeys = new Set(this.rows.map(tradeKey));
      this.nextCursor = answer.next_cursor;
      this.cursorStale = false;
      this.tableState = 'ready';
    } catch (error) {
      if (token !== this.tableLoad)
        return;
      this.rows = [];
      this.rowKeys = new Set();
      this.tableState = 'error';
      this.tableError = S.tradesFailed(error.message);
    }
    this.markDirty('table');
  }

  // ------------------------------------------------------------ DOM out

  render() {
    if (!this.visible)
      return;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has('bots'))
      this.renderBotFilter();
    if (dirty.has('figures') || dirty.has('bots'))
      this.renderSummary();
    if (dirty.has('table') || dirty.has('bots'))
      this.renderTable();
  }

  renderBotFilter() {
    const current = this.botFilter.value;
    const bots = [...this.bots.values()].sort((a, b) => a.name.localeCompare(b.name));
    const have = [...this.botFilter.options].slice(1).map((o) => `${o.value}\n${o.text}`).join('\n');
    const want = bots.map((b) => `${b.bot_id}\n${b.name}`).join('\n');
    if (have !== want) {
      this.botFilter.replaceChildren(new Option(S.allBots, ''), ...bots.map((b) => new Option(b.name, b.bot_id)));
      this.botFilter.value = current;
    }
  }

  renderSummary() {
    const s = this.summary;
    const f = this.figures;
    const q = this.quote();
    this.summaryErrorText.textContent = this.summaryError;
    if (!s)
      return;
    f.profit.set(formatMoney(s.net_profit, q));
    f.profit.element.classList.toggle('loss', s.net_profit < 0);
    f.trades.set(formatCount(s.trades.total),
                 S.tradesByStatus(formatCount(s.trades.filled), formatCount(s.trades.failed), formatCount(s.trades.reverted)));
    f.success.set(s.success_rate === null ? '–' : formatPercent(s.success_rate));
    f.opportunities.set(formatCount(s.opportunities.seen), S.taken(formatCount(s.opportunities.taken)));
    f.gas.set(formatMoney(s.gas.cost, q), S.gasUsed(formatCount(s.gas.used)));
    f.fees.set(formatMoney(s.fees, q));
    const l = s.latency_ms;
    f.latency.set(l ? formatMs(l.p50) : '–', l ? S.latencyDetail(formatMs(l.p90), formatMs(l.p99)) : S.noLatency);
    f.rate.set(formatNumber(s.trades_per_minute));
    this.incomplete.hidden = s.complete !== false;

    const money = (v) => formatMoney(v, q);
    const lossClass = (v) => [null, null, v < 0 ? 'loss' : null];
    this.pairs.fill(s.pairs.map((p) => ({
      key: p.pair, cells: [p.pair, formatCount(p.trades), money(p.net_profit)], classes: lossClass(p.net_profit),
    })));
    this.pairsEmpty.hidden = s.pairs.length > 0;
    this.venues.fill(s.venue_pairs.map((p) => ({
      key: `${p.buy_venue}\n${p.sell_venue}`,
      cells: [S.venuePair(p.buy_venue, p.sell_venue), formatCount(p.trades), money(p.net_profit)],
      classes: lossClass(p.net_profit),
    })));
    this.venuesEmpty.hidden = s.venue_pairs.length > 0;
    const pairs = s.pairs.map((p) => p.pair).join('\n');
    if (this.pairList.dataset.pairs !== pairs) {
      this.pairList.dataset.pairs = pairs;
      this.pairList.replaceChildren(...s.pairs.map((p) => new Option(p.pair)));
    }
  }

  renderTable() {
    const today = new Date().toDateString();
    this.table.fill(this.rows.map((t) => {
      const bot = this.bots.get(t.bot_id);
      const q = this.quote(t.bot_id);
      const when = new Date(t.ts).toDateString() === today ? formatTime(t.ts) : formatDateTime(t.ts);
      return {
        key: tradeKey(t),
        dataset: { trade: t.id },
        cells: [when, bot ? bot.name : t.bot_id, t.pair, S.venuePair(t.buy_venue, t.sell_venue),
                S.statuses[t.status] || t.status, formatMoney(t.profit, q),
                t.gas_cost === undefined || t.gas_cost === null ? '–' : formatMoney(t.gas_cost, q)],
        classes: [null, null, null, null, `status-${t.status}`, t.profit < 0 ? 'loss' : null, null],
      };
    }));
    for (const [key, { th, button }] of this.sortButtons) {
      const on = this.sort.key === key;
      th.setAttribute('aria-sort', on ? (this.sort.order === 'asc' ? 'ascending' : 'descending') : 'none');
      button.setAttribute('aria-label', S.sortBy(button.textContent));
      button.dataset.order = on ? this.sort.order : '';
    }
    let status = '';
    if (this.tableState === 'loading' && this.rows.length === 0)
      status = S.loading;
    else if (this.tableState === 'error')
      status = this.tableError;
    else if (this.rows.length === 0)
      status = Object.values(this.filters).some(Boolean) ? S.noMatchingTrades : S.noTrades;
    this.tableStatus.textContent = status;
    this.tableStatus.hidden = status === '';
    this.tableStatus.classList.toggle('error', this.tableState === 'error');
    const first = (this.cursors.length - 1) * PAGE_ROWS;
    this.pageText.textContent = this.rows.length
      ? S.pageRange(formatCount(first + 1), formatCount(first + this.rows.length)) : '';
    this.newer.disabled = this.cursors.length <= 1;
    this.older.disabled = !this.nextCursor || this.tableState !== 'ready';
    this.csv.href = `/api/v1/trades.csv?${this.query()}`;
  }
}
