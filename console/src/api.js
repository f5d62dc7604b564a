// The hub's REST API as the console uses it: one fetch wrapper (cookie session, CSRF and tenant headers, problem+json
// errors, 401 → sign-in), paging helpers and the URL of a server-sent event stream.

const TENANT_KEY = 'clawless:tenant';
const NEXT_KEY = 'clawless:next';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Screens reachable without a session: a 401 elsewhere never sends the person away from them. */
export const PUBLIC_SCREENS = new Set(['login', 'setup', 'forgot', 'reset', 'invite']);

let csrfToken = null;
const unauthorizedListeners = new Set();
const totpListeners = new Set();

/** Remembers the CSRF token of the last Session answer (login, setup, invitation, GET /v1/me). */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function csrf() {
  return csrfToken;
}

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch (e) {
    return null; // storage disabled: the tenant is then kept for this page only
  }
}

let memoryTenant = null;

/** The tenant the console acts for (`X-Clawless-Tenant`), kept across reloads. */
export function getTenant() {
  const s = storage();
  return (s ? s.getItem(TENANT_KEY) : memoryTenant) || null;
}

export function setTenant(id) {
  const s = storage();
  if (s) {
    if (id) s.setItem(TENANT_KEY, id);
    else s.removeItem(TENANT_KEY);
  }
  memoryTenant = id || null;
}

/** Tenant routes are /v1/* except the person's own routes (/v1/auth/*, /v1/me*), which have no tenant. */
export function isTenantRoute(path) {
  return path.startsWith('/v1/') && !/^\/v1\/(auth|me)(\/|\?|$)/.test(path);
}

/** `?a=1&b=x` from an object, leaving out null, undefined, '' and false. */
export function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params || {})) {
    if (v === null || v === undefined || v === '' || v === false) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A problem+json answer (RFC 9457) or a network failure, as an Error. */
export class ApiError extends Error {
  constructor({ status = 0, type = 'about:blank', title = '', detail = '', errors = [], request_id: requestId } = {},
    retryAfter = null) {
    super(detail || title || (status ? `HTTP ${status}` : 'Network error'));
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(errors) ? errors : [];
    this.requestId = requestId || null;
    this.retryAfter = retryAfter;
  }

  /** True when the problem type is `name` (types are URNs such as `urn:clawless:problem:totp-required`). */
  is(name) {
    return typeof this.type === 'string' && (this.type === name || this.type.endsWith(`:${name}`)
      || this.type.endsWith(`/${name}`));
  }

  /** The message of field `field` in `errors[]`, if any. */
  fieldError(field) {
    const e = this.errors.find((x) => x && x.field === field);
    return e ? e.message : null;
  }
}

/** Registers a listener for 403 `totp-required`: the tenant wants a second factor the person has not turned on. */
export function onTotpRequired(fn) {
  totpListeners.add(fn);
  return () => totpListeners.delete(fn);
}

/** Registers a listener for "the session is gone" (a 401); answers the function that removes it. */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

function currentScreen() {
  const hash = (globalThis.location && globalThis.location.hash) || '';
  return hash.replace(/^#\/?/, '').split(/[/?]/)[0];
}

/** Sends the person to the sign-in screen, remembering where they were. */
export function goToLogin() {
  const loc = globalThis.location;
  if (!loc || PUBLIC_SCREENS.has(currentScreen())) return;
  try {
    if (loc.hash && loc.hash !== '#/login') globalThis.sessionStorage?.setItem(NEXT_KEY, loc.hash);
  } catch (e) { /* no storage: after sign-in the inbox opens */ }
  loc.hash = '#/login';
}

/** Remembers a screen to open after the next sign-in (an invitation someone with an account accepts). */
export function rememberNext(hash) {
  try {
    globalThis.sessionStorage?.setItem(NEXT_KEY, hash);
  } catch (e) { /* no storage: after sign-in the inbox opens */ }
}

/** The screen to return to after signing in (once). */
export function takeNext() {
  try {
    const next = globalThis.sessionStorage?.getItem(NEXT_KEY);
    globalThis.sessionStorage?.removeItem(NEXT_KEY);
    return next && next.startsWith('#/') && !next.startsWith('#/login') ? next : null;
  } catch (e) {
    return null;
  }
}

function retryAfterSeconds(res) {
  const v = res.headers && res.headers.get('Retry-After');
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * Calls the hub. `opts.tenant` overrides the tenant header (false: none); `opts.noAuthRedirect` keeps a 401 on the
 * current screen (routes that check a password the person typed). Answers the parsed JSON, or null for 204.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  // a FormData body goes as multipart/form-data: the browser sets the Content-Type with its boundary
  const form = typeof FormData !== 'undefined' && body instanceof FormData;
  const raw = form || opts.contentType !== undefined;
  if (body !== undefined && !form) headers['Content-Type'] = raw ? opts.contentType : 'application/json';
  if (STATE_CHANGING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const tenant = opts.tenant !== undefined ? opts.tenant : (isTenantRoute(path) ? getTenant() : null);
  if (tenant) headers['X-Clawless-Tenant'] = tenant;
  let res;
  try {
    res = await globalThis.fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store', signal: opts.signal,
      body: body === undefined ? undefined : (raw ? body : JSON.stringify(body)),
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, type: 'network', detail: '' });
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (res.ok) return data;
  // OpenAI routes answer {"error": {message, type, param, code}} instead of problem+json
  const openAi = data && typeof data === 'object' && data.error && typeof data.error === 'object' ? data.error : null;
  const problem = openAi ? { type: openAi.code || openAi.type, detail: openAi.message,
    errors: openAi.param ? [{ field: openAi.param, message: openAi.message }] : [] }
    : (data && typeof data === 'object' ? data : {});
  const err = new ApiError({
    status: res.status,
    type: typeof problem.type === 'string' ? problem.type : 'about:blank',
    title: typeof problem.title === 'string' ? problem.title : (res.statusText || ''),
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    errors: problem.errors,
    request_id: problem.request_id,
  }, retryAfterSeconds(res));
  if (res.status === 401 && path !== '/v1/auth/login' && !opts.noAuthRedirect) {
    csrfToken = null;
    for (const fn of [...unauthorizedListeners]) fn(err);
    goToLogin();
  }
  if (res.status === 403 && err.is('totp-required')) for (const fn of [...totpListeners]) fn(err);
  throw err;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, body, opts) => api('DELETE', path, body, opts);

/** Sends a file (or any Blob) as the raw request body, e.g. a plugin JAR. */
export const upload = (path, blob, contentType, headers) => api('POST', path, blob, { contentType, headers });

/** One page of a list route: `{data, next_cursor}`. */
export function page(path, params, opts) {
  return get(path + query(params), opts);
}

/**
 * Every page of a list route (oldest first where the route is), up to `maxPages`. Answers {data, lastCursor}:
 * lastCursor fetched the last page, so `allPages(path, params, {from: lastCursor})` later re-reads only the tail.
 */
export async function allPages(path, params = {}, { from = null, maxPages = 50, limit = 200 } = {}) {
  const data = [];
  let cursor = from;
  let lastCursor = from;
  for (let i = 0; i < maxPages; i++) {
    const res = await get(path + query({ ...params, limit, cursor }));
    lastCursor = cursor;
    data.push(...((res && res.data) || []));
    if (!res || !res.next_cursor) break;
    cursor = res.next_cursor;
  }
  return { data, lastCursor };
}

/**
 * The URL of a server-sent event stream. EventSource cannot send headers, so the tenant goes in `?tenant=`
 * (the hub accepts it on GET stream routes); the cookie goes by itself (same origin).
 */
export function streamUrl(path) {
  const tenant = getTenant();
  if (!tenant) return path;
  return `${path}${path.includes('?') ? '&' : '?'}tenant=${encodeURIComponent(tenant)}`;
}

/** True for absolute http(s) URLs: the only ones the console links to. */
export function isHttpUrl(url) {
  if (typeof url !== 'string') return false;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch (e) {
    return false;
  }
}
