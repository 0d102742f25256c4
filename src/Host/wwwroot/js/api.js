// The bearer token and the calls to the public API. The token comes from /?token=… (moved at once into this tab's
// sessionStorage and dropped from the address bar) or from the token box; it is only ever sent to this origin.

const KEY = 'comanagement.token';

/** Moves a ?token= from the address into sessionStorage, so it is neither bookmarked nor left in the history. */
export function adoptTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    setToken(token);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + (url.search ? url.search : '') + url.hash);
  }
}

export function getToken() {
  return sessionStorage.getItem(KEY) || '';
}

export function setToken(token) {
  const clean = (token || '').trim().replace(/^Bearer\s+/i, '');
  if (clean) sessionStorage.setItem(KEY, clean);
  else sessionStorage.removeItem(KEY);
}

/**
 * The token's claims, read without checking the signature: only to label the page and pick defaults (the role,
 * organisation and side). Every decision about what may be seen is the server's.
 */
export function claims(token = getToken()) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(b64 + '='.repeat((4 - b64.length % 4) % 4)),
      c => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    const payload = JSON.parse(json);
    return {
      user: payload.sub, role: payload.role, org: payload.org, side: payload.side,
      expires: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
    };
  } catch {
    return null;
  }
}

/**
 * GET an API path. Resolves to { ok, status, data } or { ok: false, status, title, detail } (the ProblemDetails the
 * API answers with); never throws for an HTTP error, so a section can say politely what went wrong.
 */
export async function get(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) value.forEach(v => url.searchParams.append(name, v));
    else url.searchParams.set(name, value);
  }
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = 'Bearer ' + token;
  let response;
  try {
    response = await fetch(url, { headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch (e) {
    return { ok: false, status: 0, title: '网络错误 Network error', detail: String(e && e.message || e) };
  }
  let body = null;
  const text = await response.text();
  if (text) {
    try { body = JSON.parse(text); } catch { body = null; }
  }
  if (response.ok) return { ok: true, status: response.status, data: body };
  return {
    ok: false, status: response.status,
    title: (body && body.title) || response.statusText, detail: (body && body.detail) || '',
  };
}
