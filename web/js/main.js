// The page's start: sign in (a one-time link in the fragment, the session
// cookie, or a token), then the views (Overview, Alerts, Log), all live from
// one stream connection. The view shown is in the fragment (#/alerts), next
// to the one-time #login=CODE, which is taken and removed first.
import { S, applyStrings } from './strings.js';
import * as api from './api.js';
import { Stream } from './stream.js';
import { Overview } from './overview.js';
import { AlertsView } from './alerts.js';
import { LogView } from './log.js';
import { SystemView } from './system.js';
import { TradingView } from './trading.js';
import { ResourcesView } from './resources.js';
import { BotsView } from './bots.js';
import { AlertNotifier } from './notify.js';
import { loadChartJs } from './charts.js';

const TOPICS = ['system', 'trading', 'bots', 'alerts', 'log', 'resources'];
const VIEWS = {
  overview: { section: 'overview', title: 'viewOverview' },
  system: { section: 'system-view', title: 'viewSystem', make: () => new SystemView() },
  trading: { section: 'trading-view', title: 'viewTrading', make: () => new TradingView() },
  resources: { section: 'resources-view', title: 'viewResources', make: () => new ResourcesView() },
  bots: { section: 'bots-view', title: 'viewBots' },
  alerts: { section: 'alerts-view', title: 'viewAlerts' },
  log: { section: 'log-view', title: 'viewLog' },
};
// The Overview shows gauges that need no more than a few frames a second;
// trades, alerts and commands are never held back by this rate.
const MAX_RATE_HZ = 4;
const CHARTS_AFTER_MS = 3000;

const $ = (id) => document.getElementById(id);
let stream = null;
let overview = null;
let alertsView = null;
let logView = null;
// the views that VIEWS makes (make()): name -> view, while signed in
const made = new Map();
let botsView = null;
let notifier = null;
let signedIn = false;

function setConnection(state, detail) {
  const el = $('connection');
  const text = {
    starting: S.stateStarting,
    connecting: S.stateConnecting,
    live: S.stateLive,
    reconnecting: S.stateReconnecting(detail),
    'signed-out': S.stateSignedOut,
  }[state];
  el.dataset.state = state;
  if (el.textContent !== text)
    el.textContent = text;
}

function stopDashboard() {
  if (stream)
    stream.stop();
  if (overview)
    overview.destroy();
  if (alertsView)
    alertsView.destroy();
  if (logView)
    logView.destroy();
  for (const view of made.values())
    view.destroy();
  made.clear();
  if (botsView)
    botsView.destroy();
  if (notifier)
    notifier.destroy();
  botsView = null;
  notifier = null;
  stream = null;
  overview = null;
  alertsView = null;
  logView = null;
}

// #/alerts, #/log, #/overview; anything else is the Overview
function viewFromHash() {
  const m = /^#\/([a-z]+)$/.exec(location.hash);
  return m && Object.hasOwn(VIEWS, m[1]) ? m[1] : 'overview';
}

function showView() {
  const current = signedIn ? viewFromHash() : null;
  for (const [name, view] of Object.entries(VIEWS))
    $(view.section).hidden = name !== current;
  for (const link of document.querySelectorAll('#views a[data-view]')) {
    if (link.dataset.view === current)
      link.setAttribute('aria-current', 'page');
    else
      link.removeAttribute('aria-current');
  }
  document.title = current ? S.pageTitle(S[VIEWS[current].title]) : 'arbdash';
  if (overview)
    overview.show(current === 'overview');
  if (alertsView)
    alertsView.show(current === 'alerts');
  if (logView)
    logView.show(current === 'log');
  for (const [name, view] of made)
    view.show(current === name);
  if (botsView)
    botsView.show(current === 'bots');
}

function showSignIn(message) {
  stopDashboard();
  signedIn = false;
  setConnection('signed-out');
  showView();
  $('views').hidden = true;
  $('sign-out').hidden = true;
  $('role').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('token').value = '';
  $('token').setAttribute('aria-invalid', message ? 'true' : 'false');
  $('token').focus();
}

function showDashboard(role) {
  stopDashboard();
  $('sign-in').hidden = true;
  $('sign-in-error').textContent = '';
  $('views').hidden = false;
  $('sign-out').hidden = false;
  $('role').hidden = false;
  $('role').textContent = role === 'operator' ? S.roleOperator : S.roleViewer;
  document.body.dataset.role = role;
  // What the Overview shows first is asked for before the other views are
  // made: their requests are on the wire while this thread builds them, and
  // the answers (the stream's snapshot too) come in later tasks, when every
  // view exists.
  overview = new Overview(role);
  overview.loadTrades().catch(() => {});
  overview.refreshRecent();
  let first = true;
  stream = new Stream(TOPICS, MAX_RATE_HZ, {
    onState: setConnection,
    onSnapshot: (msg) => {
      overview.applySnapshot(msg.topics);
      alertsView.applySnapshot(msg.topics);
      logView.applySnapshot(msg.topics);
      for (const view of made.values())
        view.applySnapshot(msg.topics);
      botsView.applySnapshot(msg.topics);
      notifier.applySnapshot(msg.topics);
      if (first) {
        first = false;
        overview.loadHistory().catch(() => {});
        alertsView.load();
        // the other views' charts are drawn at once when shown; not before
        // the Overview's first answers are in, whose start it would slow
        setTimeout(() => loadChartJs().catch(() => {}), CHARTS_AFTER_MS);
      }
    },
    onItems: (items) => {
      overview.applyItems(items);
      alertsView.applyItems(items);
      logView.applyItems(items);
      for (const view of made.values())
        view.applyItems(items);
      botsView.applyItems(items);
      notifier.applyItems(items);
    },
    onSignedOut: () => showSignIn(S.sessionEnded),
  });
  stream.start();
  alertsView = new AlertsView();
  logView = new LogView();
  for (const [name, view] of Object.entries(VIEWS))
    if (view.make)
      made.set(name, view.make());
  botsView = new BotsView(role);
  notifier = new AlertNotifier();
  signedIn = true;
  showView();
}

async function onSubmit(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  const button = $('sign-in-button');
  if (!token) {
    $('sign-in-error').textContent = S.emptyToken;
    $('token').setAttribute('aria-invalid', 'true');
    $('token').focus();
    return;
  }
  button.disabled = true;
  button.textContent = S.signingIn;
  try {
    const answer = await api.signInWithToken(token);
    showDashboard(answer.role);
  } catch (error) {
    showSignIn(api.signInMessage(error));
  } finally {
    button.disabled = false;
    button.textContent = S.signIn;
  }
}

async function onSignOut() {
  try {
    await api.signOut();
  } catch {
    // the cookie is gone with the server's session either way
  }
  showSignIn('');
}

// #login=CODE from a sign-in link: used once, then gone from the address bar
// (and so from the history and from bookmarks).
function takeLoginCode() {
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get('login');
  if (code === null)
    return null;
  history.replaceState(null, '', location.pathname + location.search);
  return code;
}

async function start() {
  applyStrings(document);
  setConnection('starting');
  $('sign-in-form').addEventListener('submit', onSubmit);
  $('sign-out').addEventListener('click', onSignOut);
  window.addEventListener('hashchange', () => {
    if (!/[#&]?login=/.test(location.hash))
      showView();
  });

  const code = takeLoginCode();
  if (code !== null) {
    try {
      const answer = await api.signInWithCode(code);
      showDashboard(answer.role);
    } catch (error) {
      showSignIn(error.status === 401 ? S.linkRefused(error.message) : api.signInMessage(error));
    }
    return;
  }
  try {
    const role = await api.currentRole();
    if (role)
      showDashboard(role);
    else
      showSignIn('');
  } catch (error) {
    showSignIn(api.signInMessage(error));
  }
}

start();
