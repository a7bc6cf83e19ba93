// The Overview's small line charts of the last minutes (CPU, memory): a
// filled line from 0 to @max, three labelled grid lines and a time label per
// two minutes, drawn with the canvas API itself. Chart.js draws the views'
// charts (charts.js), which have axes to fit, tooltips and legends; for these
// two it cost the Overview's first frame 50 to 90 ms and each redraw a few,
// which is most of the page's start and of its busy time at rest, and its
// 200 kB module would have to load before the Overview could show anything.
import { formatShortTime } from './format.js';

const TICK_MS = 2 * 60 * 1000;
const PAD = 4;                 // CSS pixels around the plot
const FONT_PX = 11;
const all = new Set();         // the sparklines that exist, for a scheme change

// light or dark: the colours come from CSS custom properties of the scheme
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const s of all) {
    s.colours = null;
    s.dirty = true;
    s.onResize();
  }
});

export class Sparkline {
  // @onResize: called when the chart needs drawing again at a new size
  constructor(canvas, { windowMs, max, format, onResize }) {
    this.canvas = canvas;
    this.windowMs = windowMs;
    this.max = max;
    this.format = format;
    this.onResize = onResize;
    this.points = [];           // {x: ms, y}, in time order
    this.dirty = false;
    this.colours = null;        // read from CSS when first drawn
    this.width = 0;             // CSS pixels, from the resize observer
    this.height = 0;
    // the box's size is known without a layout of its own in the frame that draws
    this.resizer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      this.width = box.width;
      this.height = box.height;
      this.dirty = true;
      onResize();
    });
    this.resizer.observe(canvas.parentElement);
    all.add(this);
  }

  // @points: [[ts, value], ...] in time order
  replace(points) {
    this.points.length = 0;
    for (const [x, y] of points)
      this.points.push({ x, y });
    this.dirty = true;
  }

  add(ts, value) {
    const last = this.points[this.points.length - 1];
    if (last && ts <= last.x)
      return;
    this.points.push({ x: ts, y: value });
    // what left the window goes here too: a hidden Overview draws nothing
    while (this.points.length > 1 && this.points[1].x < ts - this.windowMs)
      this.points.shift();
    this.dirty = true;
  }

  // Called once per animation frame at most.
  render(now) {
    if (!this.dirty || this.width === 0 || this.height === 0)
      return;
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.points.length - 1 && this.points[drop].x < from)
      drop++;
    if (drop > 0)
      this.points.splice(0, drop);
    if (!this.colours)
      this.colours = readColours(this.canvas);
    const ctx = this.prepare();
    if (ctx)
      this.draw(ctx, from, now);
    this.dirty = false;
  }

  // The backing store at the screen's pixel density; the context scaled to CSS pixels.
  prepare() {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(this.width * ratio);
    const h = Math.round(this.height * ratio);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx)
      return null;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.font = `${FONT_PX}px ${this.colours.font}`;
    return ctx;
  }

  draw(ctx, from, now) {
    const c = this.colours;
    const labels = [0, this.max / 2, this.max].map((v) => this.format(v));
    const left = PAD + Math.max(...labels.map((l) => ctx.measureText(l).width)) + 6;
    const right = this.width - PAD;
    const top = PAD + FONT_PX / 2;
    const bottom = this.height - PAD - FONT_PX - 4;
    if (right - left < 10 || bottom - top < 10)
      return;
    const xOf = (t) => left + ((t - from) / (now - from)) * (right - left);
    const yOf = (v) => bottom - (Math.min(Math.max(v, 0), this.max) / this.max) * (bottom - top);

    // grid lines at 0, half and the top, labelled on the left
    ctx.lineWidth = 1;
    ctx.strokeStyle = c.grid;
    ctx.fillStyle = c.text;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    labels.forEach((label, i) => {
      const y = Math.round(yOf((i * this.max) / 2)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
      ctx.stroke();
      ctx.fillText(label, left - 6, y);
    });
    // the time at every whole two minutes below
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = Math.ceil(from / TICK_MS) * TICK_MS; t <= now; t += TICK_MS)
      ctx.fillText(formatShortTime(t), Math.min(Math.max(xOf(t), left + 16), right - 16), bottom + 4);

    const pts = this.points.filter((p) => Number.isFinite(p.y));
    if (pts.length === 0)
      return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - 1, right - left, bottom - top + 2);
    ctx.clip();
    ctx.beginPath();
    pts.forEach((p, i) => (i === 0 ? ctx.moveTo(xOf(p.x), yOf(p.y)) : ctx.lineTo(xOf(p.x), yOf(p.y))));
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    ctx.strokeStyle = c.line;
    ctx.stroke();
    ctx.lineTo(xOf(pts[pts.length - 1].x), bottom);
    ctx.lineTo(xOf(pts[0].x), bottom);
    ctx.closePath();
    ctx.fillStyle = c.fill;
    ctx.fill();
    ctx.restore();
  }

  destroy() {
    this.resizer.disconnect();
    all.delete(this);
  }
}

function readColours(canvas) {
  const style = getComputedStyle(canvas);
  const v = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    line: v('--chart-line', '#1c71d8'),
    fill: v('--chart-fill', 'rgba(28,113,216,0.2)'),
    grid: v('--chart-grid', 'rgba(128,128,128,0.2)'),
    text: style.color,
    font: style.fontFamily || 'sans-serif',
  };
}
