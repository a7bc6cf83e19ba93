// Numbers, money and times in the browser's locale.

// An Intl formatter made on its first use: making one loads the locale's
// data, which costs milliseconds each, and a page that made them all when
// its modules load shows its first figures that much later.
export function lazy(make) {
  let made = null;
  return () => made || (made = make());
}

const numberFormat = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }));
const percentFormat = lazy(() => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }));
const timeFormat = lazy(() => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
const shortTimeFormat = lazy(() => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }));
const dateTimeFormat = lazy(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' }));
const countFormat = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }));
const moneyFormats = new Map();

export function formatNumber(value) {
  return Number.isFinite(value) ? numberFormat().format(value) : '–';
}

// @fraction: 0 to 1
export function formatPercent(fraction) {
  return Number.isFinite(fraction) ? percentFormat().format(fraction) : '–';
}

// @currency: an ISO 4217 code such as USD, or another name (a token: "ETH")
export function formatMoney(value, currency) {
  if (!Number.isFinite(value))
    return '–';
  const key = currency || '';
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = /^[A-Z]{3}$/.test(key)
        ? new Intl.NumberFormat(undefined, { style: 'currency', currency: key, maximumFractionDigits: 2 })
        : null;
    } catch {
      format = null;
    }
    moneyFormats.set(key, format);
  }
  if (format)
    return format.format(value);
  const plain = new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 }).format(value);
  return key ? `${plain} ${key}` : plain;
}

export function formatTime(ms) {
  return timeFormat().format(new Date(ms));
}

export function formatShortTime(ms) {
  return shortTimeFormat().format(new Date(ms));
}

// A time that may be from another day: with its date.
export function formatDateTime(ms) {
  return dateTimeFormat().format(new Date(ms));
}

export function formatCount(n) {
  return countFormat().format(n);
}
