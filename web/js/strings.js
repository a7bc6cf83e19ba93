// Every text the page shows, in one place, so that it can be translated later.
export const S = {
  signInTitle: 'Sign in',
  signInHelp: 'Enter a viewer or operator token, or open the sign-in link that arbdash prints ' +
    'when it starts (arbdash --login-link prints a new one).',
  tokenLabel: 'Access token',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  signOut: 'Sign out',
  roleViewer: 'Viewer',
  roleOperator: 'Operator',

  wrongToken: 'This token is not valid: check it, or ask for a viewer or operator token.',
  emptyToken: 'Enter a token first.',
  rateLimited: 'Too many attempts: wait a minute, then try again.',
  networkError: 'arbdash cannot be reached: check that it runs and that the address is right.',
  serverError: (status) => `arbdash answered with an error (HTTP ${status}): try again.`,
  linkRefused: (message) => `The sign-in link did not work: ${message}. ` +
    'Sign in with a token, or run arbdash --login-link for a new link.',
  sessionEnded: 'Your session has ended: sign in again.',

  stateStarting: 'Starting…',
  stateConnecting: 'Connecting…',
  stateLive: 'Live',
  stateReconnecting: (s) => (s > 0 ? `Reconnecting in ${s} s…` : 'Reconnecting…'),
  stateSignedOut: 'Signed out',

  overviewTitle: 'Overview',
  profitToday: 'Net profit today',
  profitTotal: 'Net profit in total',
  successRate: 'Success rate',
  tradesPerMinute: 'Trades per minute (last hour)',
  cpu: 'CPU',
  memory: 'Memory',
  cpuChart: 'CPU use over the last five minutes',
  memoryChart: 'Memory use over the last five minutes',

  botsTitle: 'Bots',
  noBots: 'No bot has connected yet.',
  pause: 'Pause',
  resume: 'Resume',
  commandFor: (name, bot) => `${name} ${bot}`,
  commandPending: (name) => `${name}: waiting for the bot…`,
  commandDone: (name, status, message) =>
    `${name}: ${status}${message ? ` (${message})` : ''}`,
  commandFailed: (name, message) => `${name} failed: ${message}`,

  alertsTitle: 'Active alerts',
  noAlerts: 'No active alerts.',

  tradesTitle: 'Latest trades',
  noTrades: 'No trades yet.',
  colTime: 'Time',
  colBot: 'Bot',
  colPair: 'Pair',
  colVenues: 'Buy → sell',
  colStatus: 'Status',
  colProfit: 'Profit',

  viewsLabel: 'Views',
  viewOverview: 'Overview',
  viewAlerts: 'Alerts',
  viewLog: 'Log',
  pageTitle: (view) => `${view} – arbdash`,

  alertsViewTitle: 'Alerts',
  activeAlertsTitle: 'Active',
  recentAlertsTitle: 'Recently cleared',
  noRecentAlerts: 'No alert has been cleared recently.',
  moreAlerts: (n) => `and ${n} more`,
  severity: { warning: 'Warning', critical: 'Critical' },
  alertRaised: (time) => `raised ${time}`,
  alertCleared: (raised, cleared) => `raised ${raised}, cleared ${cleared}`,
  alertsLoadFailed: (message) => `The recently cleared alerts could not be loaded: ${message}`,

  logViewTitle: 'Log',
  logLevelLabel: 'Level',
  logComponentLabel: 'Component',
  logTextLabel: 'Text',
  logTextPlaceholder: 'Search messages',
  levelAll: 'All levels',
  levelAtLeast: { info: 'Info and above', warning: 'Warning and above',
    error: 'Error and above', critical: 'Critical only' },
  levels: { debug: 'debug', info: 'info', warning: 'warning', error: 'error', critical: 'critical' },
  componentAll: 'All components',
  logMessagesLabel: 'Log messages',
  noLog: 'No log messages yet.',
  noMatchingLog: 'No messages match the filters.',
  logCount: (shown, kept, max) => `${shown} of ${kept} messages shown (the latest ${max} are kept)`,
  jumpToLatest: 'Jump to latest',
};

// Fills the elements that name a string: data-s (text), data-s-label (aria-label).
export function applyStrings(root) {
  for (const el of root.querySelectorAll('[data-s]'))
    el.textContent = S[el.dataset.s];
  for (const el of root.querySelectorAll('[data-s-label]'))
    el.setAttribute('aria-label', S[el.dataset.sLabel]);
}
