// The Bots view, like the desktop app's Bots page: each bot's state, and for
// operators its commands (Pause, Resume, Stop after a confirmation), the
// command in flight and its outcome, and the audit log of every command
// (GET /api/v1/audit, operator only). Viewers get neither buttons nor the
// audit, not even hidden. Outcomes come from the command's answer and from
// the stream's `command` items (commands of other operators too). The DOM is
// touched at most once per animation frame, and only while shown.
import { S } from './strings.js';
import { formatCount, formatDateTime } from './format.js';
import { getJson, sendCommand } from './api.js';

const COMMANDS = ['pause', 'resume', 'stop'];
// the audit route has no cursor: the latest AUDIT_MAX, shown AUDIT_PAGE at a time
const AUDIT_MAX = 1000;
const AUDIT_PAGE = 20;
const AUDIT_REFRESH_MS = 1000;

const $ = (id) => document.getElementById(id);

export class BotsView {
  constructor(role) {
    this.operator = role === 'operator';
    this.bots = new Map();          // bot_id -> bot
    this.cards = new Map();         // bot_id -> { li, ...parts }
    this.commands = new Map();      // bot_id -> the latest command record (or a local failure)
    this.audit = [];                // newest first
    this.auditPage = 0;
    this.auditError = '';
    this.auditLoaded = false;
    this.auditTimer = 0;
    this.auditAt = 0;
    this.visible = false;
    this.frame = 0;
    this.dialog = $('stop-dialog');
    this.stopTarget = null;         // { botId, button } while the dialog asks
    this.listeners = [
      [this.dialog, 'close', () => this.onDialogClose()],
      [$('audit-older'), 'click', () => this.turnAuditPage(1)],
      [$('audit-newer'), 'click', () => this.turnAuditPage(-1)],
    ];
    for (const [el, type, fn] of this.listeners)
      el.addEventListener(type, fn);
    $('audit').hidden = !this.operator;
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.auditTimer);
    for (const [el, type, fn] of this.listeners)
      el.removeEventListener(type, fn);
    if (this.dialog.open)
      this.dialog.close('cancel');
    $('bots-list').replaceChildren();
    $('audit-rows').replaceChildren();
    $('audit-error').textContent = '';
  }

  show(visible) {
    this.visible = visible;
    // going elsewhere (the browser's Back) while asked to confirm is No
    if (!visible && this.dialog.open)
      this.dialog.close('cancel');
    if (visible) {
      if (this.operator && !this.auditLoaded)
        this.loadAudit();
      this.markDirty();
    }
  }

  markDirty() {
    if (this.visible && !this.frame)
      this.frame = requestAnimationFrame(() => this.render());
  }

  // ------------------------------------------------------------ data in

  applySnapshot(topics) {
    if (!topics.bots)
      return;
    this.bots.clear();
    for (const bot of topics.bots.bots)
      this.bots.set(bot.bot_id, bot);
    this.markDirty();
  }

  applyItems(items) {
    let changed = false;
    for (const item of items) {
      if (item.kind === 'bot') {
        this.bots.set(item.data.bot_id, item.data);
        changed = true;
      } else if (item.kind === 'command') {
        this.applyCommand(item.data);
        changed = true;
      }
    }
    if (changed)
      this.markDirty();
  }

  // The newest command of a bot wins; a record of the same command only
  // moves forward (pending, then its outcome).
  applyCommand(command) {
    const known = this.commands.get(command.bot_id);
    const older = known && (known.id === command.id
      ? known.status !== 'pending' && command.status === 'pending'
      : !known.id.startsWith('local-') && (command.created || 0) < (known.created || 0));
    if (!older)
      this.commands.set(command.bot_id, command);
    if (this.operator) {
      const i = this.audit.findIndex((c) => c.id === command.id);
      if (i >= 0)
        this.audit[i] = command;
      else
        this.scheduleAudit();
    }
  }

  async loadAudit() {
    this.auditLoaded = true;
    this.auditAt = Date.now();
    try {
      const answer = await getJson(`/api/v1/audit?limit=${AUDIT_MAX}`);
      this.audit = answer.commands || [];
      this.auditError = '';
    } catch (error) {
      this.auditError = S.auditLoadFailed(error.message);
    }
    this.auditPage = Math.min(this.auditPage, this.lastAuditPage());
    this.markDirty();
  }

  // a new command: the audit is read again, at most every AUDIT_REFRESH_MS
  scheduleAudit() {
    if (this.auditTimer || !this.auditLoaded)
      return;
    const wait = Math.max(0, this.auditAt + AUDIT_REFRESH_MS - Date.now());
    this.auditTimer = setTimeout(() => {
      this.auditTimer = 0;
      this.loadAudit();
    }, wait);
  }

  lastAuditPage() {
    return Math.max(0, Math.ceil(this.audit.length / AUDIT_PAGE) - 1);
  }

  turnAuditPage(delta) {
    this.auditPage = Math.min(this.lastAuditPage(), Math.max(0, this.auditPage + delta));
    this.markDirty();
  }

  // ------------------------------------------------------------ commands

  ask(botId, name, button) {
    if (name !== 'stop')
      return this.command(botId, name);
    const bot = this.bots.get(botId);
    this.stopTarget = { botId, button };
    $('stop-title').textContent = S.stopQuestion(bot ? bot.name : botId);
    this.dialog.returnValue = '';
    this.dialog.showModal();
    // the safe choice has the focus: Enter or Escape does not stop the bot
    $('stop-cancel').focus();
    return null;
  }

  onDialogClose() {
    const target = this.stopTarget;
    this.stopTarget = null;
    if (!target)
      return;
    if (this.dialog.returnValue === 'stop')
      this.command(target.botId, 'stop');
    // back where the person was
    if (target.button.isConnected)
      target.button.focus();
  }

  async command(botId, name) {
    const local = { id: `local-${Date.now()}`, bot_id: botId, name, status: 'pending', created: Date.now() };
    this.commands.set(botId, local);
    this.markDirty();
    try {
      const answer = await sendCommand(botId, name);
      this.applyCommand(answer.command);
    } catch (error) {
      const current = this.commands.get(botId);
      // a stream item may have brought the outcome already
      if (current === local || (current && current.status === 'pending'))
        this.commands.set(botId, { ...local, status: 'error', message: error.message });
    }
    this.markDirty();
  }

  // ------------------------------------------------------------ DOM out

  render() {
    this.frame = 0;
    if (!this.visible)
      return;
    this.renderBots();
    if (this.operator)
      this.renderAudit();
  }

  renderBots() {
    const list = $('bots-list');
    const bots = [...this.bots.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const [id, card] of this.cards)
      if (!this.bots.has(id)) {
        card.li.remove();
        this.cards.delete(id);
      }
    bots.forEach((bot, i) => {
      const card = this.card(bot);
      this.fillCard(card, bot);
      if (list.children[i] !== card.li)
        list.insertBefore(card.li, list.children[i] || null);
    });
    $('bots-list-empty').hidden = bots.length > 0;
  }

  card(bot) {
    let card = this.cards.get(bot.bot_id);
    if (card)
      return card;
    const el = (tag, className) => {
      const e = document.createElement(tag);
      if (className)
        e.className = className;
      return e;
    };
    const li = el('li', 'bot-card');
    li.dataset.botId = bot.bot_id;
    const head = el('p', 'bot-card-head');
    const name = el('span', 'bot-name');
    const state = el('span', 'badge');
    state.dataset.role = 'state';
    head.append(name, ' ', state);
    const details = el('dl', 'bot-details');
    const fields = {};
    for (const key of ['id', 'strategy', 'version', 'quote', 'heartbeat', 'seq']) {
      const div = el('div');
      const dt = el('dt');
      dt.textContent = S.botField[key];
      const dd = el('dd');
      div.append(dt, dd);
      details.append(div);
      fields[key] = dd;
    }
    li.append(head, details);
    const buttons = new Map();
    let result = null;
    // viewers never get command buttons, not even hidden ones
    if (this.operator) {
      const group = el('div', 'bot-commands');
      for (const command of COMMANDS) {
        const button = el('button', command === 'stop' ? 'danger command' : 'secondary command');
        button.type = 'button';
        button.dataset.command = command;
        button.textContent = S.commandNames[command];
        button.addEventListener('click', () => this.ask(bot.bot_id, command, button));
        buttons.set(command, button);
        group.append(button);
      }
      result = el('p', 'command-result');
      result.setAttribute('role', 'status');
      li.append(group, result);
    }
    card = { li, name, state, fields, buttons, result };
    this.cards.set(bot.bot_id, card);
    return card;
  }

  fillCard(card, bot) {
    const set = (el, text) => {
      if (el.textContent !== text)
        el.textContent = text;
    };
    set(card.name, bot.name);
    const run = bot.run_state && bot.state === 'connected' ? bot.run_state : bot.state;
    set(card.state, S.botStates[run] || run);
    card.state.dataset.state = run;
    set(card.fields.id, bot.bot_id);
    set(card.fields.strategy, bot.strategy || '–');
    set(card.fields.version, bot.version || '–');
    set(card.fields.quote, bot.quote || '–');
    set(card.fields.heartbeat, bot.last_heartbeat ? formatDateTime(bot.last_heartbeat) : '–');
    set(card.fields.seq, bot.last_seq !== undefined && bot.last_seq !== null ? formatCount(bot.last_seq) : '–');
    if (!this.operator)
      return;
    const command = this.commands.get(bot.bot_id);
    const pending = command && command.status === 'pending';
    for (const [name, button] of card.buttons) {
      button.hidden = !(bot.commands || []).includes(name);
      button.disabled = bot.state !== 'connected' || pending;
      button.setAttribute('aria-label', S.commandFor(S.commandNames[name], bot.name));
    }
    set(card.result, command ? S.commandOutcome(command) : '');
    card.result.dataset.status = command ? command.status : '';
  }

  renderAudit() {
    const start = this.auditPage * AUDIT_PAGE;
    const rows = this.audit.slice(start, start + AUDIT_PAGE).map((c) => this.auditRow(c));
    $('audit-rows').replaceChildren(...rows);
    $('audit-empty').hidden = this.audit.length > 0 || !this.auditLoaded;
    $('audit-error').textContent = this.auditError;
    const pages = this.lastAuditPage() + 1;
    $('audit-page').textContent = this.audit.length ? S.auditPage(this.auditPage + 1, pages) : '';
    $('audit-newer').disabled = this.auditPage === 0;
    $('audit-older').disabled = this.auditPage >= pages - 1;
    $('audit-pager').hidden = pages <= 1;
  }

  auditRow(c) {
    const tr = document.createElement('tr');
    tr.dataset.command = c.id;
    const who = c.who || {};
    const cells = [
      formatDateTime(c.created),
      c.bot_id,
      S.commandNames[c.name] || c.name,
      // a token's name, which says more than its role; the role without one
      who.token || (who.role && (S.roleNames[who.role] || who.role)) || '–',
      S.auditStatus[c.status] || c.status,
      c.message || '',
    ];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tr.children[4].className = `status-${c.status}`;
    return tr;
  }
}
