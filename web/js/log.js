// The Log view: the bots' log messages, live from the stream's `log` topic
// (the snapshot brings the latest 50), and older ones paged from
// GET /api/v1/logs with the filters shown ("Load older").
// Messages are keyed by (bot_id, seq), so that a replay after a reconnection
// (`since`) or the snapshot's copy of a message shows it once. At most
// MAX_ROWS are kept, so memory stays flat however long the page is open. The
// list follows the tail unless the reader scrolled up; the DOM is touched at
// most once per animation frame, and only while the view is shown.
import { S } from './strings.js';
import { formatCount, formatDateTime, formatTime } from './format.js';
import { getJson } from './api.js';

// the live tail; with older pages loaded above it, up to MAX_WITH_OLDER
export const MAX_ROWS = 1000;
const MAX_WITH_OLDER = 2000;
const OLDER_PAGE = 200;
// pages read at most per click, to pass those already shown (after the
// oldest loaded ones went, the reading starts again from the newest)
const OLDER_PAGES_PER_CLICK = 12;
const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];
const TEXT_DELAY_MS = 150;
const FOLLOW_SLACK_PX = 8;

const $ = (id) => document.getElementById(id);
const logKey = (l) => `${l.bot_id}:${l.seq}`;

export class LogView {
  constructor() {
    this.entries = [];              // oldest first, at most MAX_ROWS
    this.keys = new Set();
    this.components = new Set();
    this.bots = new Map();          // bot_id -> name
    this.added = [];                // entries not yet in the DOM
    this.removed = [];              // entries dropped since the last render
    this.rebuild = true;            // the filters changed: redo the list
    this.componentsChanged = true;
    this.follow = true;
    this.visible = false;
    this.frame = 0;
    this.textTimer = 0;
    this.filter = { level: 0, component: '', text: '' };
    this.olderCursor = null;        // where "Load older" continues; null: from the newest
    this.olderDone = false;
    this.olderLoading = false;
    this.olderError = '';
    this.showOlder = false;         // scroll to the top once the older ones are in

    this.scroll = $('log-scroll');
    this.list = $('log-list');
    this.jump = $('log-jump');
    this.levelSelect = $('log-level');
    this.componentSelect = $('log-component');
    this.textInput = $('log-text');
    this.textInput.placeholder = S.logTextPlaceholder;

    const all = new Option(S.levelAll, '0');
    this.levelSelect.replaceChildren(all, ...LEVELS.slice(1).map((l, i) => new Option(S.levelAtLeast[l], String(i + 1))));

    this.listeners = [
      [this.levelSelect, 'change', () => this.readFilters()],
      [this.componentSelect, 'change', () => this.readFilters()],
      [this.textInput, 'input', () => {
        clearTimeout(this.textTimer);
        this.textTimer = setTimeout(() => this.readFilters(), TEXT_DELAY_MS);
      }],
      [$('log-filters'), 'submit', (e) => { e.preventDefault(); this.readFilters(); }],
      [this.scroll, 'scroll', () => this.onScroll()],
      [this.jump, 'click', () => this.jumpToLatest()],
      [$('log-older'), 'click', () => this.loadOlder()],
    ];
    for (const [el, type, fn] of this.listeners)
      el.addEventListener(type, fn);
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.textTimer);
    for (const [el, type, fn] of this.listeners)
      el.removeEventListener(type, fn);
    this.list.replaceChildren();
    this.componentSelect.replaceChildren();
    this.levelSelect.value = '0';
    this.textInput.value = '';
    this.jump.hidden = true;
    $('log-older').disabled = false;
    $('log-older-state').textContent = '';
  }

  show(visible) {
    this.visible = visible;
    this.added = [];
    this.removed = [];
    this.rebuild = true;
    if (visible)
      this.markDirty();
  }

  markDirty() {
    if (this.visible && !this.frame)
      this.frame = requestAnimationFrame(() => this.render());
  }

  // ------------------------------------------------------------ data in

  applySnapshot(topics) {
    if (topics.bots)
      for (const bot of topics.bots.bots)
        this.bots.set(bot.bot_id, bot.name);
    if (topics.log)
      for (const log of topics.log.recent)
        this.add(log);
    this.markDirty();
  }

  applyItems(items) {
    let changed = false;
    for (const item of items) {
      if (item.kind === 'log')
        changed = this.add(item.data) || changed;
      else if (item.kind === 'bot')
        this.bots.set(item.data.bot_id, item.data.name);
    }
    if (changed)
      this.markDirty();
  }

  entry(log, older) {
    if (log.component && !this.components.has(log.component)) {
      this.components.add(log.component);
      this.componentsChanged = true;
    }
    return { key: logKey(log), log, older, level: Math.max(0, LEVELS.indexOf(log.level)), row: null,
      haystack: `${log.message}\n${log.component || ''}\n${log.bot_id}`.toLowerCase() };
  }

  // Older pages make room for themselves; once the last of them went from
  // the top, the list is back to the live tail's bound.
  cap() {
    return this.entries.length && this.entries[0].older ? MAX_WITH_OLDER : MAX_ROWS;
  }

  add(log) {
    const key = logKey(log);
    if (this.keys.has(key))
      return false;
    const entry = this.entry(log, false);
    this.entries.push(entry);
    this.keys.add(key);
    // while hidden, the list is redone when shown: nothing piles up meanwhile
    if (this.visible)
      this.added.push(entry);
    while (this.entries.length > this.cap()) {
      const old = this.entries.shift();
      this.keys.delete(old.key);
      if (old.older)
        this.resetOlder();
      if (this.visible)
        this.removed.push(old);
      else
        old.row = null;
    }
    return true;
  }

  // ------------------------------------------------------------ older messages

  resetOlder() {
    this.olderCursor = null;
    this.olderDone = false;
  }

  olderQuery() {
    const q = new URLSearchParams({ limit: String(OLDER_PAGE) });
    if (this.filter.level > 0)
      q.set('level', LEVELS[this.filter.level]);
    if (this.filter.component)
      q.set('component', this.filter.component);
    if (this.filter.text)
      q.set('text', this.filter.text.slice(0, 200));
    if (this.olderCursor)
      q.set('cursor', this.olderCursor);
    return q;
  }

  // Messages stored before the live tail: each page is older than the one
  // before, and those already shown are passed over by their key.
  async loadOlder() {
    if (this.olderLoading || this.olderDone)
      return;
    this.olderLoading = true;
    this.olderError = '';
    this.markDirty();
    const filter = this.filter;
    let added = 0;
    try {
      for (let i = 0; i < OLDER_PAGES_PER_CLICK && added === 0 && !this.olderDone && !this.full(); i++) {
        const page = await getJson(`/api/v1/logs?${this.olderQuery()}`);
        if (this.filter !== filter || !this.list.isConnected)
          return;   // the filters changed meanwhile: this page is for the old ones
        added += this.prepend(page.logs);
        this.olderCursor = page.next_cursor;
        this.olderDone = !page.next_cursor;
      }
    } catch (error) {
      this.olderError = S.olderFailed(error.message);
    } finally {
      this.olderLoading = false;
    }
    if (added > 0) {
      this.follow = false;
      this.showOlder = true;
      this.rebuild = true;
    }
    this.markDirty();
  }

  full() {
    return this.entries.length >= MAX_WITH_OLDER;
  }

  // @logs: newest first, older than every entry not yet known
  prepend(logs) {
    const fresh = [];
    for (const log of logs) {
      const key = logKey(log);
      if (this.keys.has(key) || this.entries.length + fresh.length >= MAX_WITH_OLDER)
        continue;
      fresh.push(this.entry(log, true));
      this.keys.add(key);
    }
    fresh.reverse();
    this.entries.unshift(...fresh);
    return fresh.length;
  }

  // ------------------------------------------------------------ filters and scrolling

  readFilters() {
    this.filter = {
      level: Number(this.levelSelect.value) || 0,
      component: this.componentSelect.value,
      text: this.textInput.value.trim().toLowerCase(),
    };
    // older pages were read with the old filters: they go, and are read anew
    if (this.entries.some((e) => e.older)) {
      for (const e of this.entries)
        if (e.older)
          this.keys.delete(e.key);
      this.entries = this.entries.filter((e) => !e.older);
    }
    this.resetOlder();
    this.rebuild = true;
    this.markDirty();
  }

  matches(entry) {
    const f = this.filter;
    return entry.level >= f.level &&
      (!f.component || entry.log.component === f.component) &&
      (!f.text || entry.haystack.includes(f.text));
  }

  atBottom() {
    const s = this.scroll;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= FOLLOW_SLACK_PX;
  }

  onScroll() {
    if (this.visible) {
      this.follow = this.atBottom();
      this.jump.hidden = this.follow;
    }
  }

  jumpToLatest() {
    this.follow = true;
    this.jump.hidden = true;
    this.scroll.scrollTop = this.scroll.scrollHeight;
    this.scroll.focus();
  }

  // ------------------------------------------------------------ DOM out

  render() {
    this.frame = 0;
    if (!this.visible)
      return;
    if (this.componentsChanged)
      this.renderComponents();
    // keep what the reader looks at in place when rows go from the top
    let anchor = null;
    let anchorTop = 0;
    if (!this.follow && !this.rebuild && this.removed.length) {
      anchor = this.firstKept();
      if (anchor)
        anchorTop = anchor.offsetTop - this.scroll.scrollTop;
    }
    if (this.rebuild) {
      this.rebuild = false;
      for (const old of this.removed)
        old.row = null;
      this.list.replaceChildren(...this.entries.filter((e) => this.matches(e)).map((e) => this.row(e)));
    } else {
      for (const old of this.removed) {
        if (old.row)
          old.row.remove();
        old.row = null;
      }
      const rows = this.added.filter((e) => this.keys.has(e.key) && this.matches(e)).map((e) => this.row(e));
      if (rows.length)
        this.list.append(...rows);
    }
    this.added = [];
    this.removed = [];

    const shown = this.list.childElementCount;
    $('log-empty').hidden = this.entries.length > 0;
    $('log-no-match').hidden = this.entries.length === 0 || shown > 0;
    $('log-count').textContent = S.logCount(formatCount(shown), formatCount(this.entries.length),
      formatCount(this.cap()), this.entries.length);

    if (this.showOlder) {
      this.showOlder = false;
      this.scroll.scrollTop = 0;
    } else if (this.follow)
      this.scroll.scrollTop = this.scroll.scrollHeight;
    else if (anchor && anchor.isConnected)
      this.scroll.scrollTop = anchor.offsetTop - anchorTop;
    this.jump.hidden = this.follow;
    $('log-older').disabled = this.olderLoading || this.olderDone || this.full();
    $('log-older-state').textContent = this.olderError ||
      (this.olderLoading ? S.loadingOlder : this.olderDone ? S.noOlder
        : this.full() ? S.olderFull(formatCount(MAX_WITH_OLDER)) : '');
  }

  firstKept() {
    for (const e of this.entries)
      if (e.row && e.row.isConnected)
        return e.row;
    return null;
  }

  renderComponents() {
    this.componentsChanged = false;
    const current = this.componentSelect.value;
    const names = [...this.components].sort((a, b) => a.localeCompare(b));
    this.componentSelect.replaceChildren(new Option(S.componentAll, ''), ...names.map((n) => new Option(n, n)));
    this.componentSelect.value = current;
  }

  row(entry) {
    if (entry.row)
      return entry.row;
    const log = entry.log;
    const li = document.createElement('li');
    li.className = `log-row level-${log.level}`;
    li.dataset.key = entry.key;
    li.dataset.level = log.level;
    const time = document.createElement('time');
    time.dateTime = new Date(log.ts).toISOString();
    time.title = formatDateTime(log.ts);
    time.textContent = formatTime(log.ts);
    const level = document.createElement('span');
    level.className = 'log-level';
    level.textContent = S.levels[log.level] || log.level;
    const bot = document.createElement('span');
    bot.className = 'log-bot';
    bot.textContent = this.bots.get(log.bot_id) || log.bot_id;
    const component = document.createElement('span');
    component.className = 'log-component';
    component.textContent = log.component || '';
    const message = document.createElement('span');
    message.className = 'log-message';
    message.textContent = log.message;
    li.append(time, ' ', level, ' ', bot, ' ', component, ' ', message);
    entry.row = li;
    return li;
  }
}
