// REST calls of the page. The session cookie (HttpOnly) authenticates them;
// fetch() sends it on same-origin requests, with the page's Origin.
import { S } from './strings.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', S.networkError);
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = json && json.error ? json.error : {};
    throw new ApiError(response.status, error.code || 'internal',
                       error.message || S.serverError(response.status));
  }
  return json;
}

export const getJson = (path) => request('GET', path);

// The role of the current session, or null when the page is signed out.
export async function currentRole() {
  return (await request('GET', '/api/v1/session')).role;
}

export const signInWithToken = (token) => request('POST', '/api/v1/session', { token });
export const signInWithCode = (code) => request('POST', '/api/v1/session', { login_code: code });
export const signOut = () => request('DELETE', '/api/v1/session');

export const sendCommand = (botId, name) =>
  request('POST', `/api/v1/bots/${encodeURIComponent(botId)}/commands`, { name, args: {} });

// What to tell a person whose sign-in failed.
export function signInMessage(error) {
  if (error.status === 401)
    return S.wrongToken;
  if (error.status === 429)
    return S.rateLimited;
  if (error.status === 0)
    return S.networkError;
  return error.message || S.serverError(error.status);
}
