// Every text the page shows, in one place. Each is marked with _() or ngettext()
// so that xgettext finds it; fmt() fills {name} placeholders after translation
// (translators may reorder them). i18n.js says where the translations come from.
import { _, ngettext, fmt } from './i18n.js';
import { lazy } from './format.js';

export const S = {
  signInTitle: _('Sign in'),
  signInHelp: _('Enter a viewer or operator token, or open the sign-in link that arbdash prints ' +
    'when it starts (arbdash --login-link prints a new one).'),
  tokenLabel: _('Access token'),
  signIn: _('Sign in'),
  signingIn: _('Signing in…'),
  signOut: _('Sign out'),
  roleViewer: _('Viewer'),
  roleOperator: _('Operator'),

  wrongToken: _('This token is not valid: check it, or ask for a viewer or operator token.'),
  emptyToken: _('Enter a token first.'),
  rateLimited: _('Too many attempts: wait a minute, then try again.'),
  networkError: _('arbdash cannot be reached: check that it runs and that the address is right.'),
  serverError: (status) => fmt(_('arbdash answered with an error (HTTP {status}): try again.'), { status }),
  linkRefused: (message) => fmt(_('The sign-in link did not work: {message}. ' +
    'Sign in with a token, or run arbdash --login-link for a new link.'), { message }),
  sessionEnded: _('Your session has ended: sign in again.'),

  stateStarting: _('Starting…'),
  stateConnecting: _('Connecting…'),
  // TRANSLATORS: the connection state: data arrives as it happens
  stateLive: _('Live'),
  stateReconnecting: (s) => (s > 0 ? fmt(_('Reconnecting in {s} s…'), { s }) : _('Reconnecting…')),
  stateSignedOut: _('Signed out'),

  overviewTitle: _('Overview'),
  profitToday: _('Net profit today'),
  profitTotal: _('Net profit in total'),
  successRate: _('Success rate'),
  tradesPerMinute: _('Trades per minute (last hour)'),
  cpu: _('CPU'),
  memory: _('Memory'),
  cpuChart: _('CPU use over the last five minutes'),
  memoryChart: _('Memory use over the last five minutes'),

  botsTitle: _('Bots'),
  // TRANSLATORS: a bot's state, on a small badge next to its name
  botStates: { running: _('Running'), paused: _('Paused'), stopped: _('Stopped'), error: _('Error'),
    connected: _('Connected'), stale: _('Stale'), lost: _('Lost'), disconnected: _('Disconnected') },
  noBots: _('No bot has connected yet.'),
  pause: _('Pause'),
  resume: _('Resume'),
  stop: _('Stop'),
  // TRANSLATORS: {name} is a command (Pause, Resume), {bot} the bot's id
  commandFor: (name, bot) => fmt(_('{name} {bot}'), { name, bot }),
  commandPending: (name) => fmt(_('{name}: waiting for the bot…'), { name }),
  commandDone: (name, status, message) => (message
    // TRANSLATORS: {name} is a command (Pause, Resume), {status} its outcome (done, failed,
    // timed out), {message} the bot's answer
    ? fmt(_('{name}: {status} ({message})'), { name, status, message })
    : fmt(_('{name}: {status}'), { name, status })),
  // a command's outcome, as the protocol names it (PROTOCOL.md: "status")
  commandStatus: { done: _('done'), failed: _('failed'), timeout: _('timed out'), rejected: _('not sent') },
  commandFailed: (name, message) => fmt(_('{name} failed: {message}'), { name, message }),

  alertsTitle: _('Active alerts'),
  noAlerts: _('No active alerts.'),

  tradesTitle: _('Latest trades'),
  noTrades: _('No trades yet.'),
  colTime: _('Time'),
  colBot: _('Bot'),
  colPair: _('Pair'),
  // TRANSLATORS: the column of the venue a trade bought on and the one it sold on
  colVenues: _('Buy → sell'),
  colStatus: _('Status'),
  colProfit: _('Profit'),
  // TRANSLATORS: a trade's outcome, in the Status column of the latest trades
  tradeStatus: { filled: _('Filled'), failed: _('Failed'), reverted: _('Reverted') },

  viewsLabel: _('Views'),
  viewOverview: _('Overview'),
  viewAlerts: _('Alerts'),
  viewLog: _('Log'),
  pageTitle: (view) => fmt(_('{view} – arbdash'), { view }),

  alertsViewTitle: _('Alerts'),
  // TRANSLATORS: the heading of the alerts that are active now
  activeAlertsTitle: _('Active'),
  recentAlertsTitle: _('Recently cleared'),
  noRecentAlerts: _('No alert has been cleared recently.'),
  moreAlerts: (n) => fmt(ngettext('and {n} more', 'and {n} more', n), { n }),
  severity: { warning: _('Warning'), critical: _('Critical') },
  // TRANSLATORS: when an alert was raised; {time} is a time of day or a date and time
  alertRaised: (time) => fmt(_('raised {time}'), { time }),
  alertCleared: (raised, cleared) => fmt(_('raised {raised}, cleared {cleared}'), { raised, cleared }),
  // TRANSLATORS: the subject of an alert about the machine arbdash runs on
  alertHost: _('this computer'),
  alertSubject: (alert) => (alert.subject === 'host' ? S.alertHost : alert.subject || alert.rule),
  alertText: (alert) => alertText(alert),
  alertsLoadFailed: (message) => fmt(_('The recently cleared alerts could not be loaded: {message}'), { message }),

  logViewTitle: _('Log'),
  logLevelLabel: _('Level'),
  logComponentLabel: _('Component'),
  logTextLabel: _('Text'),
  logTextPlaceholder: _('Search messages'),
  levelAll: _('All levels'),
  levelAtLeast: { info: _('Info and above'), warning: _('Warning and above'),
    error: _('Error and above'), critical: _('Critical only') },
  // TRANSLATORS: a log message's level, on a small badge next to it
  levels: { debug: _('debug'), info: _('info'), warning: _('warning'), error: _('error'), critical: _('critical') },
  componentAll: _('All components'),
  logMessagesLabel: _('Log messages'),
  noLog: _('No log messages yet.'),
  noMatchingLog: _('No messages match the filters.'),
  // the counts come formatted ("1,234"); @n is the number that picks the plural form
  logCount: (shown, kept, max, n) =>
    fmt(ngettext('{shown} of {kept} message shown (the latest {max} are kept)',
      '{shown} of {kept} messages shown (the latest {max} are kept)', n), { shown, kept, max }),
  jumpToLatest: _('Jump to latest'),

  // ---- the System, Trading and Resources views (system.js, trading.js, resources.js, charts.js)
  viewSystem: _('System'),
  viewTrading: _('Trading'),
  viewResources: _('Resources'),
  systemViewTitle: _('System'),
  tradingViewTitle: _('Trading'),
  resourcesViewTitle: _('Resources'),

  rangeLabel: _('Chart range'),
  // TRANSLATORS: short names of chart ranges, on linked buttons
  ranges: { '5m': _('5 min'), '1h': _('1 h'), '24h': _('24 h'), '7d': _('7 d') },
  rangesLong: { '5m': _('Last 5 minutes'), '1h': _('Last hour'), '24h': _('Last 24 hours'), '7d': _('Last 7 days') },
  chartWaiting: _('Waiting for the first samples'),
  chartWaitingReports: _('Waiting for the first reports'),
  // TRANSLATORS: a chart's accessible name: its title, its range, the latest values
  chartLabel: (title, range, values) => fmt(_('{title}, {range}: latest {values}'), { title, range, values }),
  chartLabelEmpty: (title, state) => fmt(_('{title}: {state}'), { title, state }),

  cpuTotal: _('Total'),
  cpuPerCore: _('CPU per core'),
  // TRANSLATORS: a processor core, numbered from 0 as the kernel does: "Core 3"
  core: (n) => fmt(_('Core {n}'), { n }),
  cores: (n) => fmt(ngettext('{n} core', '{n} cores', n), { n }),
  swap: _('Swap'),
  noSwap: _('No swap'),
  memoryUsed: _('Used'),
  swapUsed: _('Swap used'),
  // TRANSLATORS: "of 16 GB · 5.1 GB cached", under the memory in use
  ofTotalCached: (total, cached) => fmt(_('of {total} · {cached} cached'), { total, cached }),
  ofTotal: (total) => fmt(_('of {total}'), { total }),
  load: _('Load'),
  load1: _('1 minute'),
  loadDetail: _('1, 5 and 15 minutes'),
  disk: _('Disk'),
  diskUsed: _('Used space'),
  // TRANSLATORS: under the disk space in use: "of 270 GB (/var/lib/arbdash)"
  diskDetail: (total, path) => fmt(_('of {total} ({path})'), { total, path }),
  uptime: _('Uptime'),
  network: _('Network'),
  received: _('Received'),
  sent: _('Sent'),
  dashboardProcess: _('arbdash'),
  dashboardCpu: _('Dashboard CPU'),
  dashboardMemory: _('Dashboard memory'),
  // TRANSLATORS: under the dashboard's memory: its CPU use and its number of threads
  processDetail: (cpu, threads) => fmt(ngettext('CPU {cpu} · {threads} thread', 'CPU {cpu} · {threads} threads', threads),
    { cpu, threads }),
  networkInterfaces: _('Network interfaces'),
  noInterfaces: _('No network interface reported yet.'),
  colInterface: _('Interface'),
  colReceived: _('Received'),
  colSent: _('Sent'),
  colReceivedTotal: _('Received in total'),
  colSentTotal: _('Sent in total'),
  botNetwork: _('The bots’ network'),
  noBotNetwork: _('No bot has reported its RPC latency or block lag yet.'),
  colVenue: _('Venue'),
  colLatency: _('RPC latency'),
  rpcLatency: _('RPC latency per venue'),
  blockLag: (n) => fmt(ngettext('Block lag: {n} block', 'Block lag: {n} blocks', n), { n }),
  lagUnknown: _('Block lag not reported'),

  figuresFor: _('Figures for'),
  windows: { '1h': _('The last hour'), '24h': _('The last 24 hours'), '7d': _('The last 7 days'), all: _('All time') },
  netProfit: _('Net profit'),
  trades: _('Trades'),
  tradesByStatus: (filled, failed, reverted) =>
    fmt(_('{filled} filled, {failed} failed, {reverted} reverted'), { filled, failed, reverted }),
  opportunities: _('Opportunities seen'),
  taken: (n) => fmt(_('{n} taken'), { n }),
  gas: _('Gas cost'),
  gasUsed: (n) => fmt(_('{n} gas'), { n }),
  fees: _('Fees'),
  latency: _('Latency (p50)'),
  latencyDetail: (p90, p99) => fmt(_('p90 {p90} · p99 {p99}'), { p90, p99 }),
  noLatency: _('No latency reported'),
  tradesPerMinuteShort: _('Trades per minute'),
  summaryIncomplete: _('These figures are still being rebuilt from the database.'),
  summaryFailed: (message) => fmt(_('The figures could not be loaded: {message}'), { message }),
  cumulativeProfit: _('Cumulative profit'),
  noTradesInRange: _('No trades in this range'),
  noTradesInWindow: _('No trades in this window.'),
  profitPerPair: _('Profit per pair'),
  profitPerVenues: _('Profit per venue pair'),
  colTrades: _('Trades'),
  colNetProfit: _('Net profit'),
  colGasCost: _('Gas cost'),
  // TRANSLATORS: the venues of a trade, where it bought and where it sold
  venuePair: (buy, sell) => fmt(_('{buy} → {sell}'), { buy, sell }),
  tradeHistory: _('Trade history'),
  tradeFilters: _('Filter trades'),
  allBots: _('All bots'),
  allStatuses: _('All statuses'),
  statuses: { filled: _('filled'), failed: _('failed'), reverted: _('reverted') },
  pairPlaceholder: _('Any pair'),
  sortBy: (column) => fmt(_('Sort by {column}'), { column }),
  newerTrades: _('Newer'),
  olderTrades: _('Older'),
  // TRANSLATORS: the rows of the trade history shown: "Trades 51 to 100"
  pageRange: (first, last) => fmt(_('Trades {first} to {last}'), { first, last }),
  downloadCsv: _('Download CSV'),
  loading: _('Loading…'),
  noMatchingTrades: _('No trades match the filters.'),
  tradesFailed: (message) => fmt(_('The trades could not be loaded: {message}'), { message }),

  dashboardResources: _('The dashboard'),
  threads: _('Threads'),
  storeQueue: _('Store queue'),
  storeQueueDetail: _('events waiting for the disk'),
  commits: _('Commits'),
  lastCommit: (ms) => fmt(_('the last took {ms}'), { ms }),
  resourcesFailed: (message) => fmt(_('The dashboard’s resources could not be loaded: {message}'), { message }),
  noResources: _('No bot has reported its resources yet.'),
  pool: _('Connection pool'),
  tasks: _('Tasks'),
  cache: _('Cache'),
  cacheHitRate: _('Cache hit rate'),
  poolAndTasks: _('Pool and tasks'),
  connectionsInUse: _('Connections in use'),
  runningTasks: _('Running tasks'),
  queuedTasks: _('Queued tasks'),
  resident: _('Resident'),
  cacheEntries: _('Entries'),
  // TRANSLATORS: connections of a pool: "4 of 16 in use"
  inUseOf: (used, size) => fmt(_('{used} of {size} in use'), { used, size }),
  waiting: (n) => fmt(_('{n} waiting'), { n }),
  running: (n) => fmt(_('{n} running'), { n }),
  tasksDetail: (queued, completed, failed) =>
    fmt(_('{queued} queued · {completed} completed · {failed} failed'), { queued, completed, failed }),
  heap: (size) => fmt(_('heap {size}'), { size }),
  cacheDetail: (size, evictions) => fmt(_('{size} · {evictions} evicted'), { size, evictions }),
  hitsMisses: (hits, misses) => fmt(_('{hits} hits · {misses} misses'), { hits, misses }),

  // the Bots view
  viewBots: _('Bots'),
  botsViewTitle: _('Bots'),
  botField: { id: _('Id'), strategy: _('Strategy'), version: _('Version'), quote: _('Quote currency'),
    heartbeat: _('Last heartbeat'), seq: _('Last event') },
  commandNames: { pause: _('Pause'), resume: _('Resume'), stop: _('Stop') },
  // a command's status in the audit log's table
  auditStatus: { pending: _('Pending'), done: _('Done'), failed: _('Failed'), timeout: _('Timed out'),
    rejected: _('Not sent'), error: _('Error') },
  // what became of the latest command to a bot, as the desktop app says it
  commandOutcome: (c) => {
    const name = S.commandNames[c.name] || c.name;
    switch (c.status) {
      case 'pending': return fmt(_('{name}: waiting for the bot…'), { name });
      case 'done': return c.message ? fmt(_('{name}: done ({message})'), { name, message: c.message })
        : fmt(_('{name}: done'), { name });
      case 'failed': return fmt(_('{name} failed: {message}'), { name, message: c.message || '' });
      case 'timeout': return fmt(_('{name}: the bot did not answer in time'), { name });
      case 'rejected': return fmt(_('{name} was not sent: {message}'), { name, message: c.message || '' });
      default: return fmt(_('{name} failed: {message}'), { name, message: c.message || '' });
    }
  },
  // TRANSLATORS: {bot} is a bot's name
  stopQuestion: (bot) => fmt(_('Stop {bot}?'), { bot }),
  stopBody: _('The bot stops looking for opportunities. Trades in flight still settle, and Resume starts it again.'),
  stopConfirm: _('Stop'),
  cancel: _('Cancel'),
  auditTitle: _('Audit log'),
  auditHelp: _('Every command sent to a bot, newest first (the latest 1,000).'),
  noAudit: _('No command has been sent yet.'),
  auditLoadFailed: (message) => fmt(_('The audit log could not be loaded: {message}'), { message }),
  auditPage: (page, pages) => fmt(_('Page {page} of {pages}'), { page, pages }),
  auditNewer: _('Newer'),
  auditOlder: _('Older'),
  auditLabel: _('Audit log pages'),
  colCommand: _('Command'),
  colBy: _('By'),
  colMessage: _('Message'),
  roleNames: { operator: _('Operator'), viewer: _('Viewer') },

  // browser notifications of new alerts (asked for on a click, never on load)
  notifyEnable: _('Notify me of new alerts'),
  notifyOn: _('This browser shows a notification for each new alert while the page is open.'),
  notifyBlocked: _('Notifications are blocked for this page: allow them in the browser\'s site settings.'),
  notifyUnsupported: _('This browser cannot show notifications here.'),
  // TRANSLATORS: {severity} is Warning or Critical, {subject} what the alert is about
  notificationTitle: (severity, subject) => fmt(_('{severity}: {subject}'), { severity, subject }),

  // the Log view's older messages, from GET /api/v1/logs
  loadOlder: _('Load older'),
  loadingOlder: _('Loading…'),
  noOlder: _('No older messages.'),
  olderFull: (max) => fmt(_('The latest {max} messages are kept: filter by level, component or text to reach older ones.'), { max }),
  olderFailed: (message) => fmt(_('Older messages could not be loaded: {message}'), { message }),
};

// An alert in the page's words, from its rule and fields. The server's message
// is English (data of the API, the same for every reader); what only it holds
// (the bot's own text, the seconds of silence) is read from the server's fixed
// wording (src/core/arb-alerts.c), and a rule the page does not know shows it.
const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];
const wholeNumber = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }));
const oneDecimal = lazy(() => new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 }));

function alertText(alert) {
  const bot = alert.subject;
  const message = alert.message || '';
  const v = Number(alert.value);
  const t = Number(alert.threshold);
  switch (alert.rule) {
  case 'cpu':
    return fmt(_('CPU busy at {value} % (threshold {threshold} %)'),
      { value: wholeNumber().format(v), threshold: wholeNumber().format(t) });
  case 'memory':
    return fmt(_('Memory used at {value} % (threshold {threshold} %)'),
      { value: wholeNumber().format(v), threshold: wholeNumber().format(t) });
  case 'disk':
    return fmt(_('The database’s disk is {value} % full (threshold {threshold} %)'),
      { value: wholeNumber().format(v), threshold: wholeNumber().format(t) });
  case 'losing_streak':
    return fmt(ngettext('Bot {bot} lost money on {n} trade in a row',
      'Bot {bot} lost money on {n} trades in a row', v), { bot, n: wholeNumber().format(v) });
  case 'gas_spike':
    return fmt(_('Bot {bot} paid {value} gwei for gas (threshold {threshold} gwei)'),
      { bot, value: oneDecimal().format(v), threshold: oneDecimal().format(t) });
  case 'error_log': {
    const prefix = `Bot ${bot} logged ${LOG_LEVELS[v]}: `;
    if (!message.startsWith(prefix))
      return message;
    const text = message.slice(prefix.length);
    return LOG_LEVELS[v] === 'critical'
      ? fmt(_('Bot {bot} logged a critical error: {text}'), { bot, text })
      : fmt(_('Bot {bot} logged an error: {text}'), { bot, text });
  }
  case 'bot_stale':
  case 'bot_lost': {
    const m = / for (\d+) s$/.exec(message);
    const n = m ? Number(m[1]) : null;
    if (alert.rule === 'bot_stale')
      return n === null ? fmt(_('Bot {bot} sent no heartbeat'), { bot })
        : fmt(ngettext('Bot {bot} sent no heartbeat for {n} second',
          'Bot {bot} sent no heartbeat for {n} seconds', n), { bot, n: wholeNumber().format(n) });
    return n === null ? fmt(_('Bot {bot} is lost: no heartbeat'), { bot })
      : fmt(ngettext('Bot {bot} is lost: no heartbeat for {n} second',
        'Bot {bot} is lost: no heartbeat for {n} seconds', n), { bot, n: wholeNumber().format(n) });
  }
  default:
    return message;
  }
}

// Fills the elements that name a string: data-s (text), data-s-label (aria-label).
export function applyStrings(root) {
  for (const el of root.querySelectorAll('[data-s]'))
    el.textContent = S[el.dataset.s];
  for (const el of root.querySelectorAll('[data-s-label]'))
    el.setAttribute('aria-label', S[el.dataset.sLabel]);
}
