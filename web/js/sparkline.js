// A small line chart of the last minutes, drawn by Chart.js (from the
// system's libjs-chart.js). Times are milliseconds on a linear axis labelled
// with Intl, so no date adapter is needed.
import { Chart, LineController, LineElement, PointElement, LinearScale, Filler } from '../vendor/chart.mjs';
import { formatShortTime } from './format.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler);

export class Sparkline {
  constructor(canvas, { windowMs, max, format }) {
    this.windowMs = windowMs;
    this.points = [];
    this.dirty = false;
    const style = getComputedStyle(canvas);
    const color = style.getPropertyValue('--chart-line').trim() || '#1c71d8';
    const fillColor = style.getPropertyValue('--chart-fill').trim() || 'rgba(28,113,216,0.2)';
    const grid = style.getPropertyValue('--chart-grid').trim() || 'rgba(128,128,128,0.2)';
    const text = style.color;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [{
          data: this.points,
          borderColor: color,
          backgroundColor: fillColor,
          borderWidth: 1.5,
          fill: 'origin',
          pointRadius: 0,
          tension: 0,
        }],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: {
            type: 'linear',
            grid: { display: false },
            ticks: { color: text, maxTicksLimit: 4, maxRotation: 0, callback: (v) => formatShortTime(v) },
          },
          y: {
            type: 'linear',
            min: 0,
            max,
            grid: { color: grid },
            ticks: { color: text, maxTicksLimit: 3, callback: format },
          },
        },
      },
    });
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
    this.dirty = true;
  }

  // Called once per animation frame at most.
  render(now) {
    if (!this.dirty)
      return;
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.points.length - 1 && this.points[drop].x < from)
      drop++;
    if (drop > 0)
      this.points.splice(0, drop);
    this.chart.options.scales.x.min = from;
    this.chart.options.scales.x.max = now;
    this.chart.update('none');
    this.dirty = false;
  }

  destroy() {
    this.chart.destroy();
  }
}
