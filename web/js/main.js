// The page's start: sign in (a one-time link in the fragment, the session
// cookie, or a token), then the Overview, live from one stream connection.
import { S, applyStrings } from './strings.js';
import * as api from './api.js';
import { Stream } from './stream.js';
import { Overview } from './overview.js';

const TOPICS = ['system', 'trading', 'bots', 'alerts'];
// The Overview shows gauges that need no more than a few frames a second;
// trades, alerts and commands are never held back by this rate.
const MAX_RATE_HZ = 4;

const $ = (id) => document.getElementById(id);
let stream = null;
let overview = null;

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
  stream = null;
  overview = null;
}

function showSignIn(message) {
  stopDashboard();
  setConnection('signed-out');
  $('overview').hidden = true;
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
  $('overview').hidden = false;
  $('sign-out').hidden = false;
  $('role').hidden = false;
  $('role').textContent = role === 'operator' ? S.roleOperator : S.roleViewer;
  document.body.dataset.role = role;
  overview = new Overview(role);
  let first = true;
  stream = new Stream(TOPICS, MAX_RATE_HZ, {
    onState: setConnection,
    onSnapshot: (msg) => {
      overview.applySnapshot(msg.topics);
      if (first) {
        first = false;
        overview.loadHistory().catch(() => {});
      }
    },
    onItems: (items) => overview.applyItems(items),
    onSignedOut: () => showSignIn(S.sessionEnded),
  });
  stream.start();
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
