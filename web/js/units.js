// Sizes, rates and durations in the browser's locale, with units that Intl
// names (so they need no translation here): "1.2 GB", "300 kB/s", "45 ms".
import { lazy } from './format.js';

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'];
const cache = new Map();

function unitFormat(unit, digits) {
  const key = `${unit}:${digits}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: digits });
    cache.set(key, f);
  }
  return f;
}

function scaled(bytes, perSecond) {
  if (!Number.isFinite(bytes))
    return '–';
  let i = 0;
  let v = bytes;
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  const unit = perSecond ? `${UNITS[i]}-per-second` : UNITS[i];
  return unitFormat(unit, Math.abs(v) < 10 && i > 0 ? 1 : 0).format(v);
}

export const formatBytes = (bytes) => scaled(bytes, false);
export const formatRate = (bytesPerSecond) => scaled(bytesPerSecond, true);

export function formatMs(ms) {
  return Number.isFinite(ms) ? unitFormat('millisecond', ms < 10 ? 1 : 0).format(ms) : '–';
}

// @value: a percentage, 0 to 100
export function formatPct(value) {
  return Number.isFinite(value) ? unitFormat('percent', value < 10 ? 1 : 0).format(value) : '–';
}

const plain = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }));
export function formatValue(value) {
  return Number.isFinite(value) ? plain().format(value) : '–';
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds))
    return '–';
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const parts = [];
  if (days)
    parts.push(unitFormat('day', 0).format(days));
  if (days || hours)
    parts.push(unitFormat('hour', 0).format(hours));
  parts.push(unitFormat('minute', 0).format(minutes));
  return parts.join(' ');
}
