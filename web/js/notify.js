// Browser notifications of new alerts. Permission is asked for only when the
// person clicks the button in the Alerts view, never on load (browsers
// penalise pages that ask unprompted, and it is rude). Only alerts raised
// while the page is live notify: the snapshot's and those replayed after a
// reconnection that the page already knew do not.
import { S } from './strings.js';

const $ = (id) => document.getElementById(id);
const MAX_KNOWN = 1000;

export class AlertNotifier {
  constructor() {
    this.known = new Set();       // alert ids seen, at most MAX_KNOWN
    this.button = $('notify-enable');
    this.onClick = () => this.enable();
    this.button.addEventListener('click', this.onClick);
    this.renderState();
  }

  destroy() {
    this.button.removeEventListener('click', this.onClick);
  }

  supported() {
    return typeof window.Notification === 'function';
  }

  permission() {
    return this.supported() ? Notification.permission : 'unsupported';
  }

  async enable() {
    if (!this.supported())
      return this.renderState();
    try {
      await Notification.requestPermission();
    } catch {
      // an old callback-only implementation: the state below says what came of it
    }
    this.renderState();
    return undefined;
  }

  renderState() {
    const permission = this.permission();
    this.button.hidden = permission !== 'default';
    $('notify-state').textContent = {
      granted: S.notifyOn,
      denied: S.notifyBlocked,
      unsupported: S.notifyUnsupported,
    }[permission] || '';
  }

  remember(id) {
    this.known.add(id);
    if (this.known.size > MAX_KNOWN)
      this.known.delete(this.known.values().next().value);
  }

  applySnapshot(topics) {
    if (topics.alerts)
      for (const alert of topics.alerts.active)
        this.remember(alert.id);
  }

  applyItems(items) {
    for (const item of items) {
      if (item.kind !== 'alert')
        continue;
      const alert = item.data;
      const fresh = alert.state === 'active' && !this.known.has(alert.id);
      this.remember(alert.id);
      if (fresh && this.permission() === 'granted')
        this.show(alert);
    }
  }

  show(alert) {
    try {
      // the tag replaces an earlier notification of the same alert
      const n = new Notification(S.notificationTitle(S.severity[alert.severity] || alert.severity,
                                                     alert.subject || alert.rule),
                                 { body: alert.message, tag: alert.id });
      n.onclick = () => {
        window.focus();
        location.hash = '#/alerts';
        n.close();
      };
    } catch {
      // some browsers only notify from a service worker: nothing more to do here
    }
  }
}
