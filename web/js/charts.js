// The time charts of the System, Trading and Resources views, and their range
// switch. Chart.js 3.9 (the system's libjs-chart.js) draws them on a linear x
// axis of millisecond times labelled with Intl, so no date adapter is needed.
// The server thins every series to about the chart's pixel width (/series
// with `points`); live values are merged into the last bucket of that width,
// so a chart looks the same whether it was loaded or grew live. Charts are
// redrawn at most once per animation frame, all of them in the same frame,
// and only while they are on screen. Colours come from CSS custom properties
// (--chart-1 ...), so the dark scheme applies, also when it changes.
import { S } from './strings.js';
import { getJson } from './api.js';
import { lazy } from './format.js';

// Chart.js (200 kB) is loaded when a chart is first drawn, or a few seconds
// after the page's start (main.js calls loadChartJs()), not before the
// Overview can show: the Overview draws no Chart.js chart.
let Chart = null;
let loading = null;

export function loadChartJs() {
  if (!loading) {
    loading = import('../vendor/chart.mjs').then((m) => {
      m.Chart.register(m.LineController, m.LineElement, m.PointElement, m.LinearScale, m.Filler, m.Tooltip);
      Chart = m.Chart;
      for (const chart of charts)
        chart.refresh();
    }, (error) => {
      loading = null;   // the next chart to draw asks again
      throw error;
    });
  }
  return loading;
}

export const RANGES = [
  { id: '5m', spanMs: 5 * 60 * 1000 },
  { id: '1h', spanMs: 3600 * 1000 },
  { id: '24h', spanMs: 24 * 3600 * 1000 },
  { id: '7d', spanMs: 7 * 24 * 3600 * 1000 },
];
const RANGE_KEY = 'arbdash.chart-range';
const DEFAULT_RANGE = '1h';
const MAX_SERIES_COLOURS = 8;
const MIN_POINTS = 60;
// Live values redraw a chart at most this often: with samples every second,
// more would draw the same picture again (Chart.js takes 1-3 ms a chart).
// New points from a (re)load are drawn on the next frame.
const MIN_REDRAW_MS = 1000;
const MAX_POINTS = 2000;

// ------------------------------------------------------------ the range

// One range for every view, kept like the app's "chart-range" setting.
let range = (() => {
  try {
    const saved = localStorage.getItem(RANGE_KEY);
    return RANGES.some((r) => r.id === saved) ? saved : DEFAULT_RANGE;
  } catch {
    return DEFAULT_RANGE;
  }
})();
const rangeListeners = new Set();

export function currentRange() {
  return RANGES.find((r) => r.id === range);
}

export function setRange(id) {
  if (id === range || !RANGES.some((r) => r.id === id))
    return;
  range = id;
  try {
    localStorage.setItem(RANGE_KEY, id);
  } catch {
    // private windows may refuse storage: the range then lasts for this page
  }
  for (const fn of rangeListeners)
    fn(currentRange());
}

export function onRangeChange(fn) {
  rangeListeners.add(fn);
  return () => rangeListeners.delete(fn);
}

let switchCount = 0;

// Linked toggle buttons as radio inputs (arrow keys move between them, as in
// any radio group); every switch on the page shows the same range.
export class RangeSwitch {
  constructor() {
    const name = `range-${++switchCount}`;
    this.element = document.createElement('fieldset');
    this.element.className = 'range-switch';
    const legend = document.createElement('legend');
    legend.className = 'visually-hidden';
    legend.textContent = S.rangeLabel;
    this.element.append(legend);
    this.inputs = new Map();
    for (const r of RANGES) {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = name;
      input.value = r.id;
      input.dataset.range = r.id;
      input.addEventListener('change', () => {
        if (input.checked)
          setRange(r.id);
      });
      const text = document.createElement('span');
      text.textContent = S.ranges[r.id];
      text.title = S.rangesLong[r.id];
      // the long name for screen readers, the short one on the button
      input.setAttribute('aria-label', S.rangesLong[r.id]);
      text.setAttribute('aria-hidden', 'true');
      label.append(input, text);
      this.inputs.set(r.id, input);
      this.element.append(label);
    }
    this.sync();
    this.off = onRangeChange(() => this.sync());
  }

  sync() {
    for (const [id, input] of this.inputs)
      input.checked = id === range;
  }

  destroy() {
    this.off();
  }
}

// ------------------------------------------------------------ frames

// Every chart and view that has something to draw asks here; one animation
// frame does all of them.
const pending = new Set();
let frame = 0;

export function schedule(fn) {
  pending.add(fn);
  if (!frame)
    frame = requestAnimationFrame(runFrame);
}

export function unschedule(fn) {
  pending.delete(fn);
}

function runFrame() {
  frame = 0;
  const now = Date.now();
  const fns = [...pending];
  pending.clear();
  for (const fn of fns)
    fn(now);
}

// Live values are drawn in rounds, at most one per MIN_REDRAW_MS, every chart
// with a new value in the same round: one timer for all of them, so that
// charts whose values come at different times do not each take a frame of
// their own (eight charts on their own timers drift into eight frames a
// second).
const liveDirty = new Set();
let liveTimer = 0;
let liveAt = -Infinity;

function runLive() {
  liveTimer = 0;
  liveAt = performance.now();
  for (const chart of liveDirty)
    if (chart.dirty && chart.shown)
      schedule(chart.draw);
  liveDirty.clear();
}

function scheduleLive(chart) {
  liveDirty.add(chart);
  if (!liveTimer)   // at once: after the task that brought the value, with the others it brought
    liveTimer = setTimeout(runLive, Math.max(0, liveAt + MIN_REDRAW_MS - performance.now()));
}

// ------------------------------------------------------------ colours

let colours = null;
const charts = new Set();

function readColours() {
  const style = getComputedStyle(document.documentElement);
  const get = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const series = [];
  for (let i = 1; i <= MAX_SERIES_COLOURS; i++)
    series.push(get(`--chart-${i}`, '#1c71d8'));
  return {
    series,
    grid: get('--chart-grid', 'rgba(128,128,128,0.2)'),
    text: get('--muted', '#5e5c64'),
    fill: get('--chart-fill', 'rgba(28,113,216,0.18)'),
  };
}

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
darkQuery.addEventListener('change', () => {
  colours = readColours();
  for (const chart of charts)
    chart.recolour();
});

// ------------------------------------------------------------ time labels

const timeFormats = {
  seconds: lazy(() => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })),
  minutes: lazy(() => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })),
  days: lazy(() => new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' })),
  full: lazy(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })),
};

function tickFormat(spanMs) {
  if (spanMs <= 10 * 60 * 1000)
    return timeFormats.seconds();
  if (spanMs <= 2 * 24 * 3600 * 1000)
    return timeFormats.minutes();
  return timeFormats.days();
}

export function formatWhen(ms) {
  return timeFormats.full().format(new Date(ms));
}

// ------------------------------------------------------------ data

// About one point per CSS pixel of the chart's width.
export function pointsFor(element) {
  const width = element && element.clientWidth ? element.clientWidth : 600;
  return Math.max(MIN_POINTS, Math.min(MAX_POINTS, Math.round(width)));
}

// The names of the series that exist (those starting with @prefix), as a
// Set: a series exists from its first value on, and asking for one before is
// a 404, which a browser reports as an error of the page.
export async function seriesNames(prefix = '') {
  const query = prefix ? `?prefix=${encodeURIComponent(prefix)}` : '';
  return new Set((await getJson(`/api/v1/series/names${query}`)).names);
}

// A series over @spanMs up to now, thinned by the server to @points, as
// { stepMs, points: [{x, y, n}] } (y null in a gap); null when the server has
// no such series: @names (from seriesNames()) says which exist, so that no
// request meets a 404.
export async function loadSeries(metric, spanMs, points, now = Date.now(), names = null) {
  if (names && !names.has(metric))
    return null;
  const query = new URLSearchParams({
    metric, after: String(now - spanMs), before: String(now), points: String(points), count: '1',
  });
  let answer;
  try {
    answer = await getJson(`/api/v1/series?${query}`);
  } catch (error) {
    if (error.status === 404)
      return null;
    throw error;
  }
  return {
    stepMs: answer.step_ms,
    unit: answer.unit,
    points: answer.points.map((p) => ({ x: p[0], y: p[2], n: p[4] || 0 })),
  };
}

// Each bucket's sum (avg × count) reached at the bucket's end, from 0 where
// the first one starts: the running total of a value per event (profit).
export function accumulate(series, toMs) {
  const out = [];
  let sum = 0;
  const pts = series.points;
  if (pts.length === 0)
    return { sum, points: out };
  out.push({ x: pts[0].x, y: 0, n: 0 });
  for (let i = 0; i < pts.length; i++) {
    if (pts[i].n > 0 && pts[i].y !== null)
      sum += pts[i].y * pts[i].n;
    const end = i + 1 < pts.length ? pts[i + 1].x : Math.max(toMs, pts[i].x);
    out.push({ x: end, y: sum, n: 1 });
  }
  return { sum, points: out };
}

// ------------------------------------------------------------ the chart

// Keeps the points from @from on, and one before them (the line enters the
// chart's left edge).
function dropBefore(data, from) {
  let drop = 0;
  while (drop + 1 < data.length && data[drop + 1].x < from)
    drop++;
  if (drop > 0)
    data.splice(0, drop);
}

// A titled line chart of one or more series over the current range, with a
// legend, an empty state and a text summary of the latest values.
// @options: { title, series: [label...] (may grow with addSeries),
//   format(value, series index or undefined for the axis), min, max,
//   emptyText, stepped, fill }
export class TimeChart {
  constructor(options) {
    this.options = options;
    this.stepMs = 1000;
    this.width = 600;         // points across the chart: about its pixels, once drawn
    this.windowMs = currentRange().spanMs;
    this.to = Date.now();
    this.dirty = false;
    this.shown = false;       // its view is shown: only then is it drawn
    this.datasets = [];
    this.labels = [];
    this.latest = [];
    this.draw = (now) => this.render(now);

    this.element = document.createElement('figure');
    this.element.className = 'chart-card';
    const caption = document.createElement('figcaption');
    const title = document.createElement('span');
    title.className = 'chart-title';
    title.textContent = options.title;
    this.summary = document.createElement('output');
    this.summary.className = 'chart-summary';
    this.summary.textContent = '–';
    caption.append(title, this.summary);
    this.legend = document.createElement('ul');
    this.legend.className = 'chart-legend';
    this.legend.hidden = true;
    this.box = document.createElement('div');
    this.box.className = 'chart-canvas';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.empty = document.createElement('p');
    this.empty.className = 'chart-empty';
    this.empty.textContent = options.emptyText || S.chartWaiting;
    this.box.append(this.canvas, this.empty);
    this.element.append(caption, this.legend, this.box);

    if (!colours)
      colours = readColours();
    // Chart.js makes its chart when the view is first shown (render()): a
    // chart made in a hidden view costs the page's start its layout and
    // options for nothing, and most views are hidden then.
    this.chart = null;
    this.chartData = { datasets: [] };
    this.recolour();
    for (const label of options.series || [])
      this.addSeries(label);
    charts.add(this);
    this.updateLabel();
  }

  makeChart() {
    const options = this.options;
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: this.chartData,
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: false,
        interaction: { mode: 'index', intersect: false, axis: 'x' },
        events: ['mousemove', 'mouseout', 'touchstart', 'touchmove'],
        plugins: {
          legend: { display: false },
          tooltip: {
            animation: false,
            callbacks: {
              title: (items) => (items.length ? formatWhen(items[0].parsed.x) : ''),
              label: (item) => `${this.labels[item.datasetIndex]}: ${options.format(item.parsed.y, item.datasetIndex)}`,
            },
          },
        },
        scales: {
          x: {
            type: 'linear',
            grid: { display: false },
            ticks: { maxTicksLimit: 5, maxRotation: 0, callback: (v) => tickFormat(this.windowMs).format(new Date(v)) },
          },
          y: {
            type: 'linear',
            min: options.min,
            max: options.max,
            beginAtZero: options.min === undefined,
            grid: {},
            ticks: { maxTicksLimit: 4, callback: (v) => options.format(v) },
          },
        },
      },
    });
    this.applyColours();
  }

  destroy() {
    charts.delete(this);
    unschedule(this.draw);
    liveDirty.delete(this);
    if (this.chart)
      this.chart.destroy();
    this.element.remove();
  }

  applyColours() {
    const c = colours;
    this.chartData.datasets.forEach((d, i) => {
      d.borderColor = c.series[i % c.series.length];
      d.backgroundColor = c.fill;
    });
    if (this.chart) {
      const o = this.chart.options;
      o.scales.x.ticks.color = o.scales.y.ticks.color = c.text;
      o.scales.y.grid.color = c.grid;
    }
  }

  recolour() {
    this.applyColours();
    this.invalidate();
  }

  // Returns the new series' index.
  addSeries(label) {
    const index = this.datasets.length;
    const data = [];
    this.datasets.push(data);
    this.labels.push(label);
    this.latest.push(NaN);
    this.chartData.datasets.push({
      data,
      borderColor: colours.series[index % colours.series.length],
      backgroundColor: colours.fill,
      borderWidth: 1.5,
      fill: this.options.fill && index === 0 ? 'origin' : false,
      pointRadius: 0,
      pointHitRadius: 4,
      tension: 0,
      stepped: this.options.stepped ? 'after' : false,
    });
    const li = document.createElement('li');
    li.className = `series-${index % MAX_SERIES_COLOURS}`;
    li.textContent = label;
    this.legend.append(li);
    this.legend.hidden = this.datasets.length < 2;
    return index;
  }

  get seriesCount() {
    return this.datasets.length;
  }

  // @points: [{x, y, n}] in time order, as loadSeries() gives them
  setPoints(index, points, stepMs) {
    const data = this.datasets[index];
    data.length = 0;
    for (const p of points)
      data.push({ x: p.x, y: p.y, n: p.n });
    if (stepMs)
      this.stepMs = stepMs;
    this.latest[index] = NaN;
    for (let i = data.length - 1; i >= 0; i--)
      if (data[i].y !== null) {
        this.latest[index] = data[i].y;
        break;
      }
    this.invalidate();
  }

  clear() {
    for (let i = 0; i < this.datasets.length; i++)
      this.setPoints(i, []);
  }

  // Live values go into buckets of the loaded series' step, or of about a
  // pixel of the chart where that is coarser: a series loaded while it was
  // short comes at its finest step, and a chart that grew live at that step
  // would hold a point a second for the whole range (3,600 an hour).
  liveStep() {
    return Math.max(this.stepMs || 1000, Math.ceil(this.windowMs / this.width));
  }

  // A live value: merged into the last bucket when it falls in it (a running
  // mean, or the value itself with @last, for running totals), else a new one.
  add(index, ts, value, last = false) {
    if (!Number.isFinite(value) || index >= this.datasets.length)
      return;
    const data = this.datasets[index];
    const step = this.liveStep();
    const bucket = Math.floor(ts / step) * step;
    const tail = data[data.length - 1];
    if (tail && bucket < tail.x)
      return;   // older than what is shown: the next reload has it
    if (tail && bucket === tail.x && tail.y !== null) {
      tail.y = last ? value : (tail.y * tail.n + value) / (tail.n + 1);
      tail.n++;
    } else {
      data.push({ x: bucket, y: value, n: 1 });
      this.bound(data, ts);
    }
    this.latest[index] = value;
    this.invalidateLive();
  }

  // A running total (profit so far) at @ts: the last point moves along
  // within a step, so the chart keeps about one point per step.
  addRunning(index, ts, value) {
    if (!Number.isFinite(value) || index >= this.datasets.length)
      return;
    const data = this.datasets[index];
    const step = this.liveStep();
    const tail = data[data.length - 1];
    const before = data[data.length - 2];
    if (!tail)
      data.push({ x: ts, y: 0, n: 0 });   // nothing in the range before: the total starts at 0
    if (tail && ts <= tail.x)
      tail.y = value;
    else if (tail && before && ts - before.x < step)
      Object.assign(tail, { x: ts, y: value });
    else {
      data.push({ x: ts, y: value, n: 1 });
      this.bound(data, ts);
    }
    this.latest[index] = value;
    this.invalidateLive();
  }

  // A hidden chart is not drawn, so render() does not drop what left the
  // window: past twice the points a chart can show, values grown live do.
  bound(data, now) {
    if (data.length <= 2 * MAX_POINTS)
      return;
    dropBefore(data, now - this.windowMs);
  }

  setWindow(windowMs, stepMs) {
    this.windowMs = windowMs;
    if (stepMs)
      this.stepMs = stepMs;
    this.invalidate();
  }

  // The window slides to @now on the next frame (while shown).
  invalidate() {
    this.dirty = true;
    if (this.shown)
      schedule(this.draw);
  }

  // A live value, or the window's slide: drawn within MIN_REDRAW_MS.
  invalidateLive() {
    this.dirty = true;
    if (this.shown)
      scheduleLive(this);
  }

  // Its view shows it, or hides it; a chart draws what it missed once shown.
  setShown(shown) {
    this.shown = shown;
    if (shown && this.dirty)
      schedule(this.draw);
  }

  refresh() {
    if (this.dirty)
      this.invalidate();
  }

  hasData() {
    return this.datasets.some((d) => d.some((p) => p.y !== null));
  }

  updateLabel() {
    const parts = [];
    this.latest.forEach((v, i) => {
      if (Number.isFinite(v))
        parts.push(this.datasets.length > 1 ? `${this.labels[i]} ${this.options.format(v, i)}` : this.options.format(v, i));
    });
    const text = parts.length ? parts.join(' · ') : '–';
    if (this.summary.textContent !== text)
      this.summary.textContent = text;
    const label = parts.length
      ? S.chartLabel(this.options.title, S.rangesLong[currentRange().id], text)
      : S.chartLabelEmpty(this.options.title, this.empty.textContent);
    if (this.canvas.getAttribute('aria-label') !== label)
      this.canvas.setAttribute('aria-label', label);
  }

  setEmptyText(text) {
    this.empty.textContent = text;
  }

  render(now) {
    if (!this.shown || !this.element.isConnected)
      return;   // hidden: stays dirty until shown
    this.dirty = false;
    const from = now - this.windowMs;
    for (const data of this.datasets)
      dropBefore(data, from);
    if (!Chart) {
      this.dirty = true;   // drawn when Chart.js is in (loadChartJs() refreshes every chart)
      loadChartJs().catch(() => {});
      this.updateLabel();
      return;
    }
    this.empty.hidden = this.hasData();
    this.width = pointsFor(this.box);
    if (!this.chart)
      this.makeChart();
    const x = this.chart.options.scales.x;
    x.min = from;
    x.max = now;
    this.chart.update('none');
    this.updateLabel();
  }
}

// The charts' elements in the views' grid of cards.
export function chartGrid(...charts) {
  const grid = document.createElement('div');
  grid.className = 'chart-grid';
  grid.append(...charts.map((c) => c.element));
  return grid;
}
