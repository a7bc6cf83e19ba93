// The Alerts view: the active alerts and the recently cleared ones, from
// GET /api/v1/alerts at the start and the stream's `alerts` topic live. The
// DOM is touched at most once per animation frame, and only while shown.
import { S } from './strings.js';
import { formatDateTime } from './format.js';
import { getJson } from './api.js';

const MAX_ACTIVE = 100;   // shown; more are counted
const MAX_RECENT = 50;    // kept and shown

const $ = (id) => document.getElementById(id);

export class AlertsView {
  constructor() {
    this.active = new Map();    // id -> alert
    this.recent = new Map();    // id -> cleared alert, at most MAX_RECENT
    this.visible = false;
    this.dirty = true;
    this.frame = 0;
    this.error = '';
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    $('alerts-active').replaceChildren();
    $('alerts-recent').replaceChildren();
    $('alerts-error').textContent = '';
  }

  show(visible) {
    this.visible = visible;
    if (visible)
      this.markDirty();
  }

  markDirty() {
    this.dirty = true;
    if (this.visible && !this.frame)
      this.frame = requestAnimationFrame(() => this.render());
  }

  // ------------------------------------------------------------ data in

  applySnapshot(topics) {
    if (!topics.alerts)
      return;
    // the snapshot has every active alert: one missing was cleared meanwhile
    // (its cleared item came before the snapshot when resuming with since)
    const ids = new Set(topics.alerts.active.map((a) => a.id));
    for (const id of this.active.keys())
      if (!ids.has(id))
        this.active.delete(id);
    for (const alert of topics.alerts.active)
      this.apply(alert);
    this.markDirty();
  }

  async load() {
    try {
      const answer = await getJson(`/api/v1/alerts?limit=${MAX_RECENT}`);
      for (const alert of answer.recent || [])
        this.apply(alert);
      for (const alert of answer.active || [])
        this.apply(alert);
      this.error = '';
    } catch (error) {
      this.error = S.alertsLoadFailed(error.message);
    }
    this.markDirty();
  }

  applyItems(items) {
    let changed = false;
    for (const item of items)
      if (item.kind === 'alert') {
        this.apply(item.data);
        changed = true;
      }
    if (changed)
      this.markDirty();
  }

  // An alert goes from active to cleared, never back: a cleared one that is
  // known wins over an older active copy of it (from REST or the snapshot).
  apply(alert) {
    if (alert.state === 'active') {
      if (!this.recent.has(alert.id))
        this.active.set(alert.id, alert);
      return;
    }
    this.active.delete(alert.id);
    this.recent.set(alert.id, alert);
    if (this.recent.size > MAX_RECENT) {
      const oldest = [...this.recent.values()].sort((a, b) => (a.cleared || 0) - (b.cleared || 0));
      for (const a of oldest.slice(0, this.recent.size - MAX_RECENT))
        this.recent.delete(a.id);
    }
  }

  // ------------------------------------------------------------ DOM out

  render() {
    this.frame = 0;
    if (!this.dirty || !this.visible)
      return;
    this.dirty = false;
    const active = [...this.active.values()].sort((a, b) => b.raised - a.raised);
    const recent = [...this.recent.values()].sort((a, b) => (b.cleared || 0) - (a.cleared || 0));
    const shown = active.slice(0, MAX_ACTIVE);
    $('alerts-active').replaceChildren(...shown.map((a) => this.row(a)));
    $('alerts-active-empty').hidden = active.length > 0;
    $('alerts-active-more').hidden = active.length <= MAX_ACTIVE;
    $('alerts-active-more').textContent = S.moreAlerts(active.length - shown.length);
    $('alerts-recent').replaceChildren(...recent.map((a) => this.row(a)));
    $('alerts-recent-empty').hidden = recent.length > 0;
    $('alerts-error').textContent = this.error;
  }

  row(alert) {
    const li = document.createElement('li');
    li.className = 'alert-item';
    li.dataset.alert = alert.id;
    li.dataset.state = alert.state;
    const head = document.createElement('p');
    head.className = 'alert-head';
    const severity = document.createElement('span');
    severity.className = `badge severity severity-${alert.severity}`;
    severity.textContent = S.severity[alert.severity] || alert.severity;
    const subject = document.createElement('span');
    subject.className = 'alert-subject';
    subject.textContent = S.alertSubject(alert);
    head.append(severity, ' ', subject);
    const message = document.createElement('p');
    message.className = 'alert-message';
    message.textContent = S.alertText(alert);
    const when = document.createElement('p');
    when.className = 'alert-time';
    const raised = this.time(alert.raised);
    if (alert.state === 'active' || !alert.cleared) {
      when.append(S.alertRaised(''), raised);
    } else {
      const cleared = this.time(alert.cleared);
      // "raised TIME, cleared TIME", with both times in <time> elements
      const [before, middle] = S.alertCleared('\u0000', '\u0000').split('\u0000');
      when.append(before, raised, middle, cleared);
    }
    li.append(head, message, when);
    return li;
  }

  time(ms) {
    const t = document.createElement('time');
    t.dateTime = new Date(ms).toISOString();
    t.textContent = formatDateTime(ms);
    return t;
  }
}
