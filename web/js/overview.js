// The Overview view: figures, sparklines, bots, alerts and the latest trades,
// kept up to date from the stream. The DOM and the charts are touched at most
// once per animation frame, whatever the rate of the stream.
import { S } from './strings.js';
import { formatMoney, formatNumber, formatPercent, formatTime } from './format.js';
import { Sparkline } from './sparkline.js';
import { getJson, sendCommand } from './api.js';
import { setText } from './view-kit.js';

const MAX_TRADES = 20;
const WINDOW_MS = 5 * 60 * 1000;
const SUMMARY_EVERY_MS = 2000;
// Trades that come at a human rate (the demo bot's) are painted on the next
// frame. Past FAST_TRADES in about a second, the latest trades are redrawn
// every FAST_TRADES_EVERY_MS, as the gauges are (MAX_RATE_HZ in main.js): a
// list that changes a hundred times a second cannot be read anyway, and
// each redraw is a style, layout and paint of the page.
const FAST_TRADES = 10;
const FAST_TRADES_EVERY_MS = 250;
const COMMANDS = ['pause', 'resume'];

// a command's name in the page's language (the protocol's word where the page does not know it)
function commandLabel(name) {
  return ['pause', 'resume', 'stop'].includes(name) ? S[name] : name;
}

const $ = (id) => document.getElementById(id);
const tradeKey = (t) => `${t.bot_id}:${t.seq}`;
const newerFirst = (a, b) => (b.ts - a.ts) || (b.seq - a.seq);

export class Overview {
  constructor(role) {
    this.role = role;
    this.bots = new Map();          // bot_id -> bot
    this.botRows = new Map();       // bot_id -> { li, name, state, result, buttons }
    this.commandText = new Map();   // bot_id -> the last command's outcome
    this.alerts = new Map();        // alert id -> alert
    this.trades = [];               // newest first, at most MAX_TRADES
    this.tradeKeys = new Set();
    this.summary = null;            // window "all", from the stream
    this.recent = null;             // window "1h" with today's profit, from REST
    this.memoryTotal = 0;
    this.sampleIntervalMs = 0;
    this.cpuNow = NaN;
    this.memoryNow = NaN;
    this.dirty = new Set();
    this.frame = 0;
    this.visible = true;
    this.summaryTimer = 0;
    this.summaryAt = 0;
    this.tradesTimer = 0;
    this.tradesAt = -Infinity;     // performance.now() of the last redraw of the trades
    this.tradeRate = 0;            // trades in about the last second, decaying
    this.tradeRateAt = 0;
    const spark = { windowMs: WINDOW_MS, max: 100, format: (v) => formatPercent(v / 100),
                    onResize: () => this.markDirty('charts') };
    this.cpu = new Sparkline($('cpu-chart'), spark);
    this.memory = new Sparkline($('memory-chart'), spark);
    // the charts' window slides even when no sample comes
    this.clock = setInterval(() => {
      this.cpu.dirty = this.memory.dirty = true;
      this.markDirty('charts');
    }, 1000);
  }

  destroy() {
    clearInterval(this.clock);
    clearTimeout(this.summaryTimer);
    clearTimeout(this.tradesTimer);
    cancelAnimationFrame(this.frame);
    this.cpu.destroy();
    this.memory.destroy();
    $('bots').replaceChildren();
    $('alerts').replaceChildren();
    $('trades').replaceChildren();
  }

  markDirty(...parts) {
    for (const p of parts)
      this.dirty.add(p);
    if (!this.frame && this.visible)
      this.frame = requestAnimationFrame(() => this.render());
  }

  // ------------------------------------------------------------ data in

  applySnapshot(topics) {
    const system = topics.system && topics.system.system;
    if (system)
      this.applySystem(system, false);
    if (topics.trading)
      this.summary = topics.trading.summary;
    if (topics.bots) {
      this.bots.clear();
      for (const bot of topics.bots.bots)
        this.bots.set(bot.bot_id, bot);
    }
    if (topics.alerts) {
      this.alerts.clear();
      for (const alert of topics.alerts.active)
        this.applyAlert(alert);
    }
    this.markDirty('figures', 'bots', 'alerts', 'charts');
    this.refreshRecent();
  }

  // What needs no snapshot, asked for at sign-in beside the stream's
  // connection rather than after it: the latest trades and today's figures.
  // A trade the stream brings meanwhile is kept once (by bot and seq).
  async loadTrades() {
    const trades = await getJson(`/api/v1/trades?limit=${MAX_TRADES}`);
    for (const trade of trades.trades)
      this.addTrade(trade);
    this.markDirty('trades');
  }

  // The history of the sparklines, after the first snapshot.
  async loadHistory() {
    const now = Date.now();
    const series = (metric) =>
      getJson(`/api/v1/series?metric=${metric}&after=${now - WINDOW_MS}&before=${now}&points=150`);
    // a series exists from its first value on: memory from the first sample, CPU
    // (a difference of two readings) from the second; asking earlier is a 404
    const [cpu, memory] = await Promise.all([
      this.sampleIntervalMs > 0 ? series('cpu.total').catch(() => null) : null,
      this.memoryTotal > 0 ? series('mem.used').catch(() => null) : null,
    ]);
    if (cpu)
      this.cpu.replace(cpu.points.map((p) => [p[0], p[2]]));
    if (memory && this.memoryTotal > 0)
      this.memory.replace(memory.points.map((p) => [p[0], (100 * p[2]) / this.memoryTotal]));
    this.markDirty('charts');
  }

  applyItems(items) {
    let trades = false;
    for (const item of items) {
      switch (item.kind) {
        case 'trade':
          trades = this.addTrade(item.data) || trades;
          this.countTrade();
          break;
        case 'summary':
          this.summary = item.data;
          this.markDirty('figures');
          break;
        case 'system':
          this.applySystem(item.data, true);
          break;
        case 'bot':
          this.bots.set(item.data.bot_id, item.data);
          this.markDirty('bots');
          break;
        case 'command':
          this.applyCommand(item.data);
          break;
        case 'alert':
          this.applyAlert(item.data);
          this.markDirty('alerts');
          break;
        default:
          break;
      }
    }
    if (trades) {
      this.tradesChanged();
      this.refreshRecent();
    }
  }

  countTrade() {
    const now = performance.now();
    this.tradeRate = this.tradeRate * Math.exp((this.tradeRateAt - now) / 1000) + 1;
    this.tradeRateAt = now;
  }

  tradesChanged() {
    if (this.tradesTimer)
      return;
    const every = this.tradeRate > FAST_TRADES ? FAST_TRADES_EVERY_MS : 0;
    const wait = this.tradesAt + every - performance.now();
    if (wait <= 0) {
      this.markDirty('trades');
      return;
    }
    this.tradesTimer = setTimeout(() => {
      this.tradesTimer = 0;
      this.markDirty('trades');
    }, wait);
  }

  applySystem(sample, live) {
    this.sampleIntervalMs = sample.interval_ms || 0;
    this.cpuNow = sample.cpu && this.sampleIntervalMs > 0 ? sample.cpu.total : NaN;
    if (sample.memory && sample.memory.total > 0) {
      this.memoryTotal = sample.memory.total;
      this.memoryNow = (100 * sample.memory.used) / sample.memory.total;
    }
    if (live) {
      if (Number.isFinite(this.cpuNow))
        this.cpu.add(sample.ts, this.cpuNow);
      if (Number.isFinite(this.memoryNow))
        this.memory.add(sample.ts, this.memoryNow);
    }
    this.markDirty('system', 'charts');
  }

  applyAlert(alert) {
    if (alert.state === 'active')
      this.alerts.set(alert.id, alert);
    else
      this.alerts.delete(alert.id);
  }

  applyCommand(command) {
    // the protocol's words, shown in the page's language where it knows them
    const name = commandLabel(command.name);
    const status = S.commandStatus[command.status] || command.status;
    let text;
    if (command.status === 'pending')
      text = S.commandPending(name);
    else
      text = S.commandDone(name, status, command.message);
    this.commandText.set(command.bot_id, text);
    this.markDirty('bots');
  }

  // Returns whether the list changed. A trade replayed after a reconnection,
  // or both in the first page and on the stream, is shown once.
  addTrade(trade) {
    const key = tradeKey(trade);
    if (this.tradeKeys.has(key))
      return false;
    const list = this.trades;
    if (list.length >= MAX_TRADES && newerFirst(trade, list[list.length - 1]) > 0)
      return false;
    let i = 0;
    while (i < list.length && newerFirst(list[i], trade) <= 0)
      i++;
    list.splice(i, 0, trade);
    this.tradeKeys.add(key);
    while (list.length > MAX_TRADES)
      this.tradeKeys.delete(tradeKey(list.pop()));
    return true;
  }

  // Today's profit (from the browser's midnight) and the last hour's rate come
  // from REST, at most every SUMMARY_EVERY_MS while trades come.
  refreshRecent() {
    if (this.summaryTimer)
      return;
    const wait = Math.max(0, this.summaryAt + SUMMARY_EVERY_MS - Date.now());
    this.summaryTimer = setTimeout(async () => {
      this.summaryAt = Date.now();
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      try {
        this.recent = await getJson(`/api/v1/summary?window=1h&tz=${encodeURIComponent(tz)}`);
        this.markDirty('figures');
      } catch {
        // the stream's state says what is wrong
      }
      this.summaryTimer = 0;
    }, wait);
  }

  // ------------------------------------------------------------ commands

  async command(botId, command) {
    const name = commandLabel(command);
    this.commandText.set(botId, S.commandPending(name));
    this.markDirty('bots');
    try {
      const answer = await sendCommand(botId, command);
      this.applyCommand(answer.command);
    } catch (error) {
      this.commandText.set(botId, S.commandFailed(name, error.message));
      this.markDirty('bots');
    }
  }

  // ------------------------------------------------------------ DOM out

  quote() {
    const quotes = new Set([...this.bots.values()].map((b) => b.quote || 'USD'));
    return quotes.size === 1 ? [...quotes][0] : quotes.size === 0 ? 'USD' : '';
  }

  // While another view is shown, the data still comes in but nothing is
  // drawn: what changed is drawn at once when the Overview is shown again.
  show(visible) {
    this.visible = visible;
    if (visible)
      this.markDirty('figures', 'system', 'charts', 'bots', 'alerts', 'trades');
  }

  render() {
    this.frame = 0;
    if (!this.visible)
      return;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has('figures') || dirty.has('bots'))
      this.renderFigures();
    if (dirty.has('system')) {
      setText($('cpu-now'), formatPercent(this.cpuNow / 100));
      setText($('memory-now'), formatPercent(this.memoryNow / 100));
    }
    if (dirty.has('charts')) {
      const now = Date.now();
      this.cpu.render(now);
      this.memory.render(now);
    }
    if (dirty.has('bots'))
      this.renderBots();
    if (dirty.has('alerts'))
      this.renderAlerts();
    if (dirty.has('trades')) {
      this.tradesAt = performance.now();
      this.renderTrades();
    }
  }

  renderFigures() {
    const quote = this.quote();
    const s = this.summary;
    const r = this.recent;
    setText($('profit-total'), s ? formatMoney(s.net_profit, quote) : '–');
    setText($('success-rate'), s && s.success_rate !== null ? formatPercent(s.success_rate) : '–');
    setText($('profit-today'), r ? formatMoney(r.net_profit_today, quote) : '–');
    setText($('trades-per-minute'), r ? formatNumber(r.trades_per_minute) : '–');
  }

  botRow(bot) {
    let row = this.botRows.get(bot.bot_id);
    if (row)
      return row;
    const li = document.createElement('li');
    li.className = 'bot';
    li.dataset.botId = bot.bot_id;
    const name = document.createElement('span');
    name.className = 'bot-name';
    const state = document.createElement('span');
    state.className = 'badge';
    const result = document.createElement('span');
    result.className = 'bot-result';
    result.setAttribute('aria-live', 'polite');
    li.append(name, state);
    const buttons = new Map();
    // viewers never get command buttons, not even hidden ones
    if (this.role === 'operator') {
      const group = document.createElement('span');
      group.className = 'bot-commands';
      for (const command of COMMANDS) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'secondary command';
        button.dataset.command = command;
        button.textContent = S[command];
        button.addEventListener('click', () => this.command(bot.bot_id, command));
        buttons.set(command, button);
        group.append(button);
      }
      li.append(group);
    }
    li.append(result);
    row = { li, name, state, result, buttons };
    this.botRows.set(bot.bot_id, row);
    return row;
  }

  renderBots() {
    const list = $('bots');
    const bots = [...this.bots.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const [id, row] of this.botRows)
      if (!this.bots.has(id)) {
        row.li.remove();
        this.botRows.delete(id);
      }
    for (const bot of bots) {
      const row = this.botRow(bot);
      setText(row.name, bot.name);
      const run = bot.run_state && bot.state === 'connected' ? bot.run_state : bot.state;
      setText(row.state, S.botStates[run] || run);
      row.state.dataset.state = run;
      setText(row.result, this.commandText.get(bot.bot_id) || '');
      for (const [command, button] of row.buttons) {
        button.hidden = !(bot.commands || []).includes(command);
        button.disabled = bot.state !== 'connected';
        button.setAttribute('aria-label', S.commandFor(S[command], bot.name));
      }
      if (row.li.parentNode !== list)
        list.append(row.li);
    }
    $('bots-empty').hidden = bots.length > 0;
  }

  renderAlerts() {
    const items = [...this.alerts.values()].sort((a, b) => b.raised - a.raised).map((alert) => {
      const li = document.createElement('li');
      li.className = `alert severity-${alert.severity}`;
      const when = document.createElement('time');
      when.dateTime = new Date(alert.raised).toISOString();
      when.textContent = formatTime(alert.raised);
      li.append(when, ' ', S.alertText(alert));
      return li;
    });
    $('alerts').replaceChildren(...items);
    $('alerts-empty').hidden = items.length > 0;
  }

  // The rows stay and their text changes: a redraw makes no DOM nodes, so a
  // page open for days at any rate keeps the same nodes, and no new element
  // needs its style computed.
  renderTrades() {
    const body = $('trades');
    while (body.rows.length < this.trades.length)
      body.append(tradeRow());
    while (body.rows.length > this.trades.length)
      body.lastElementChild.remove();
    this.trades.forEach((t, i) => this.fillTradeRow(body.rows[i], t));
    $('trades-empty').hidden = this.trades.length > 0;
  }

  fillTradeRow(tr, t) {
    const key = tradeKey(t);
    if (tr.dataset.key === key)
      return;
    tr.dataset.key = key;
    tr.dataset.trade = t.id;
    const bot = this.bots.get(t.bot_id);
    const texts = [
      formatTime(t.ts),
      bot ? bot.name : t.bot_id,
      t.pair,
      `${t.buy_venue} → ${t.sell_venue}`,
      S.tradeStatus[t.status] || t.status,
      formatMoney(t.profit, bot ? bot.quote || 'USD' : 'USD'),
    ];
    texts.forEach((text, i) => setText(tr.cells[i], text));
    tr.cells[5].className = t.profit < 0 ? 'num loss' : 'num';
  }
}

// A row of the latest trades, its cells holding a text node each
function tradeRow() {
  const tr = document.createElement('tr');
  for (let i = 0; i < 6; i++) {
    const td = document.createElement('td');
    td.append('');
    tr.append(td);
  }
  return tr;
}
