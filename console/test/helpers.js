// Test helpers: a scripted fetch, a fake EventSource, mounting with act(), waiting, and DOM events.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { vi } from 'vitest';

/**
 * Stubs fetch with `routes`: [[method, path or RegExp (matched against path+query), responder]]; the responder
 * gets {url, method, body, headers} and answers {status, body, headers} (body as an object). Unmatched calls get
 * 404. Answers the array of calls.
 */
export function mockFetch(routes) {
  const calls = [];
  const fn = vi.fn(async (url, init = {}) => {
    const method = init.method || 'GET';
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    const call = { url, method, body, headers: init.headers || {}, init };
    calls.push(call);
    for (const [m, path, responder] of routes) {
      if (m !== method) continue;
      const ok = typeof path === 'string' ? url === path || url.split('?')[0] === path : path.test(url);
      if (!ok) continue;
      const res = typeof responder === 'function' ? await responder(call) : responder;
      return toResponse(res);
    }
    return toResponse({ status: 404, body: { type: 'urn:clawless:problem:not-found', title: 'Not found', status: 404,
      detail: `no route ${method} ${url}` } });
  });
  vi.stubGlobal('fetch', fn);
  calls.fn = fn;
  return calls;
}

function toResponse(res = {}) {
  const status = res.status ?? 200;
  const problem = status >= 400;
  const headers = new Headers({ 'Content-Type': problem ? 'application/problem+json' : 'application/json',
    ...(res.headers || {}) });
  const text = status === 204 || res.body === undefined ? '' : JSON.stringify(res.body);
  return new Response(status === 204 ? null : text, { status, headers });
}

export const problem = (status, type, detail, extra = {}) => ({
  status, body: { type: `urn:clawless:problem:${type}`, title: type, status, detail, ...extra },
  headers: extra.headers || {},
});

/** A fake EventSource: tests call `FakeEventSource.last().emit(type, data)`. */
export class FakeEventSource {
  static instances = [];

  static last(match) {
    const list = match ? FakeEventSource.instances.filter((e) => e.url.includes(match)) : FakeEventSource.instances;
    return list[list.length - 1];
  }

  constructor(url, init) {
    this.url = url;
    this.init = init;
    this.readyState = 0;
    this.listeners = {};
    this.closed = false;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }

  removeEventListener(type, fn) {
    this.listeners[type] = (this.listeners[type] || []).filter((f) => f !== fn);
  }

  open() {
    this.readyState = 1;
    if (this.onopen) this.onopen({});
  }

  emit(type, data, id = '') {
    const ev = { type, data: JSON.stringify(data), lastEventId: id };
    for (const fn of this.listeners[type] || []) fn(ev);
  }

  close() {
    this.readyState = 2;
    this.closed = true;
  }
}

export function installEventSource() {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  return FakeEventSource;
}

let mounted = null;

export async function mount(vnode) {
  const container = document.createElement('div');
  document.body.appendChild(container);
  mounted = container;
  await act(async () => {
    render(vnode, container);
  });
  await flush();
  return container;
}

export async function unmount() {
  if (!mounted) return;
  const c = mounted;
  mounted = null;
  await act(async () => {
    render(null, c);
  });
  c.remove();
}

/** Lets pending promises, effects and renders run. */
export async function flush(ms = 0) {
  for (let i = 0; i < 3; i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, ms));
    });
  }
}

/** Retries `check` (which throws until satisfied) for up to `timeout` ms. */
export async function waitFor(check, timeout = 2000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw last;
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
  }
}

export const $ = (root, test) => root.querySelector(`[data-test="${test}"]`);
export const $$ = (root, test) => [...root.querySelectorAll(`[data-test="${test}"]`)];

export function need(root, test) {
  const el = $(root, test);
  if (!el) throw new Error(`no [data-test="${test}"]`);
  return el;
}

export async function type(el, value, caret) {
  await act(async () => {
    el.value = value;
    if (typeof caret === 'number' && el.setSelectionRange) el.setSelectionRange(caret, caret);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

export async function change(el, value) {
  await act(async () => {
    if (el.type === 'checkbox' || el.type === 'radio') el.checked = value;
    else el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

export async function click(el) {
  await act(async () => {
    el.click();
  });
  await flush();
}

export async function press(el, key, opts = {}) {
  let ev;
  await act(async () => {
    ev = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...opts });
    el.dispatchEvent(ev);
  });
  await flush();
  return ev;
}

export async function submit(form) {
  await act(async () => {
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  await flush();
}

/** A Session answer. */
export function session(overrides = {}) {
  return {
    user: { id: 'usr_me', email: 'ada@example.com', display_name: 'Ada', locale: 'en', platform_admin: false,
      totp_enabled: false, presence: 'online', created_at: '2026-01-01T00:00:00Z', ...(overrides.user || {}) },
    memberships: overrides.memberships || [{ tenant_id: 'ten_1', tenant_name: 'Acme', role: 'agent',
      require_totp: false }],
    csrf_token: overrides.csrf_token || 'csrf-123',
    expires_at: '2027-01-01T00:00:00Z',
  };
}
