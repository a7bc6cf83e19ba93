// Every text the page shows, in one place. Each is marked with _() or ngettext()
// so that xgettext finds it; fmt() fills {name} placeholders after translation
// (translators may reorder them). i18n.js says where the translations come from.
import { _, ngettext, fmt } from './i18n.js';

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
  noBots: _('No bot has connected yet.'),
  pause: _('Pause'),
  resume: _('Resume'),
  // TRANSLATORS: {name} is a command (Pause, Resume), {bot} the bot's id
  commandFor: (name, bot) => fmt(_('{name} {bot}'), { name, bot }),
  commandPending: (name) => fmt(_('{name}: waiting for the bot…'), { name }),
  commandDone: (name, status, message) => (message
    ? fmt(_('{name}: {status} ({message})'), { name, status, message })
    : fmt(_('{name}: {status}'), { name, status })),
  commandFailed: (name, message) => fmt(_('{name} failed: {message}'), { name, message }),

  alertsTitle: _('Active alerts'),
  noAlerts: _('No active alerts.'),

  tradesTitle: _('Latest trades'),
  noTrades: _('No trades yet.'),
  colTime: _('Time'),
  colBot: _('Bot'),
  colPair: _('Pair'),
  colVenues: _('Buy → sell'),
  colStatus: _('Status'),
  colProfit: _('Profit'),

  viewsLabel: _('Views'),
  viewOverview: _('Overview'),
  viewAlerts: _('Alerts'),
  viewLog: _('Log'),
  pageTitle: (view) => fmt(_('{view} – arbdash'), { view }),

  alertsViewTitle: _('Alerts'),
  activeAlertsTitle: _('Active'),
  recentAlertsTitle: _('Recently cleared'),
  noRecentAlerts: _('No alert has been cleared recently.'),
  moreAlerts: (n) => fmt(ngettext('and {n} more', 'and {n} more', n), { n }),
  severity: { warning: _('Warning'), critical: _('Critical') },
  alertRaised: (time) => fmt(_('raised {time}'), { time }),
  alertCleared: (raised, cleared) => fmt(_('raised {raised}, cleared {cleared}'), { raised, cleared }),
  alertsLoadFailed: (message) => fmt(_('The recently cleared alerts could not be loaded: {message}'), { message }),

  logViewTitle: _('Log'),
  logLevelLabel: _('Level'),
  logComponentLabel: _('Component'),
  logTextLabel: _('Text'),
  logTextPlaceholder: _('Search messages'),
  levelAll: _('All levels'),
  levelAtLeast: { info: _('Info and above'), warning: _('Warning and above'),
    error: _('Error and above'), critical: _('Critical only') },
  levels: { debug: _('debug'), info: _('info'), warning: _('warning'), error: _('error'), critical: _('critical') },
  componentAll: _('All components'),
  logMessagesLabel: _('Log messages'),
  noLog: _('No log messages yet.'),
  noMatchingLog: _('No messages match the filters.'),
  logCount: (shown, kept, max) =>
    fmt(ngettext('{shown} of {kept} message shown (the latest {max} are kept)',
      '{shown} of {kept} messages shown (the latest {max} are kept)', kept), { shown, kept, max }),
  jumpToLatest: _('Jump to latest'),

  // the Bots view
  viewBots: _('Bots'),
  botsViewTitle: _('Bots'),
  botField: { id: _('Id'), strategy: _('Strategy'), version: _('Version'), quote: _('Quote currency'),
    heartbeat: _('Last heartbeat'), seq: _('Last event') },
  botStates: { running: _('running'), paused: _('paused'), stopped: _('stopped'), error: _('error'),
    connected: _('connected'), stale: _('stale'), lost: _('lost'), disconnected: _('disconnected') },
  commandNames: { pause: _('Pause'), resume: _('Resume'), stop: _('Stop') },
  commandStatus: { pending: _('Pending'), done: _('Done'), failed: _('Failed'), timeout: _('Timed out'),
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

// Fills the elements that name a string: data-s (text), data-s-label (aria-label).
export function applyStrings(root) {
  for (const el of root.querySelectorAll('[data-s]'))
    el.textContent = S[el.dataset.s];
  for (const el of root.querySelectorAll('[data-s-label]'))
    el.setAttribute('aria-label', S[el.dataset.sLabel]);
}
