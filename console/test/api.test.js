import { describe, expect, it, vi } from 'vitest';
import { ApiError, allPages, api, get, isHttpUrl, isTenantRoute, onUnauthorized, post, query, setCsrfToken, setTenant,
  streamUrl, takeNext } from '../src/api.js';
import { mockFetch, problem } from './helpers.js';

describe('api client', () => {
  it('sends the CSRF token only on state-changing requests, with the cookie', async () => {
    const calls = mockFetch([
      ['GET', '/v1/me', { body: { ok: 1 } }],
      ['POST', '/v1/conversations/cnv_1/messages', { status: 201, body: { id: 'msg_1' } }],
      ['PATCH', '/v1/conversations/cnv_1', { body: {} }],
      ['PUT', '/v1/me/presence', { status: 204 }],
      ['DELETE', '/v1/me/sessions/ses_1', { status: 204 }],
    ]);
    setCsrfToken('tok-1');
    await get('/v1/me');
    await post('/v1/conversations/cnv_1/messages', { text: 'hi' });
    await api('PATCH', '/v1/conversations/cnv_1', { status: 'human' });
    expect(await api('PUT', '/v1/me/presence', { status: 'away' })).toBeNull();
    await api('DELETE', '/v1/me/sessions/ses_1');
    expect(calls[0].headers['X-CSRF-Token']).toBeUndefined();
    for (const c of calls.slice(1)) expect(c.headers['X-CSRF-Token']).toBe('tok-1');
    for (const c of calls) expect(c.init.credentials).toBe('same-origin');
    expect(calls[1].headers['Content-Type']).toBe('application/json');
    expect(calls[1].body).toEqual({ text: 'hi' });
  });

  it('sends FormData as multipart, leaving the Content-Type and its boundary to the browser', async () => {
    const calls = mockFetch([['POST', '/v1/knowledge/documents', { status: 201, body: { id: 'doc_1' } }]]);
    const form = new FormData();
    form.append('file', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'a.pdf');
    expect(await post('/v1/knowledge/documents', form)).toEqual({ id: 'doc_1' });
    expect(calls[0].headers['Content-Type']).toBeUndefined();
    expect(calls[0].body).toBe(form);
  });

  it('names the tenant on tenant routes only', async () => {
    const calls = mockFetch([
      ['GET', /.*/, { body: { data: [] } }],
    ]);
    setTenant('ten_42');
    await get('/v1/inbox');
    await get('/v1/me');
    await get('/v1/auth/setup');
    await get('/admin/tenants');
    expect(calls.map((c) => c.headers['X-Clawless-Tenant'] || null)).toEqual(['ten_42', null, null, null]);
    expect(localStorage.getItem('clawless:tenant')).toBe('ten_42');
    expect(isTenantRoute('/v1/members')).toBe(true);
    expect(isTenantRoute('/v1/me/sessions')).toBe(false);
    expect(isTenantRoute('/v1/media')).toBe(true);
  });

  it('parses problem+json into an ApiError with status, type, detail and field errors', async () => {
    mockFetch([['POST', '/v1/invitations', problem(400, 'validation', '1 field is invalid',
      { errors: [{ field: 'email', message: 'must be an e-mail address' }], request_id: 'req_1' })]]);
    const err = await post('/v1/invitations', { email: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.type).toBe('urn:clawless:problem:validation');
    expect(err.is('validation')).toBe(true);
    expect(err.detail).toBe('1 field is invalid');
    expect(err.errors).toEqual([{ field: 'email', message: 'must be an e-mail address' }]);
    expect(err.fieldError('email')).toBe('must be an e-mail address');
    expect(err.requestId).toBe('req_1');
  });

  it('reads Retry-After on 429', async () => {
    mockFetch([['GET', '/v1/inbox', problem(429, 'rate-limited', 'slow down', { headers: { 'Retry-After': '17' } })]]);
    const err = await get('/v1/inbox').catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBe(17);
  });

  it('a network failure is an ApiError with status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    const err = await get('/v1/inbox').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
  });

  it('a 401 goes to the sign-in screen and remembers where the person was', async () => {
    mockFetch([['GET', '/v1/inbox', problem(401, 'unauthorized', 'session ended')]]);
    const seen = [];
    const off = onUnauthorized((e) => seen.push(e.status));
    window.location.hash = '#/inbox/cnv_9';
    setCsrfToken('tok');
    await get('/v1/inbox').catch(() => {});
    off();
    expect(window.location.hash).toBe('#/login');
    expect(seen).toEqual([401]);
    expect(takeNext()).toBe('#/inbox/cnv_9');
  });

  it('a 401 from login itself stays on the sign-in form', async () => {
    mockFetch([['POST', '/v1/auth/login', problem(401, 'unauthorized', 'no')]]);
    const seen = [];
    const off = onUnauthorized(() => seen.push(1));
    window.location.hash = '#/login';
    await post('/v1/auth/login', { email: 'a', password: 'b' }).catch(() => {});
    off();
    expect(seen).toEqual([]);
  });

  it('a 401 on a public screen (invitation) does not leave it', async () => {
    mockFetch([['POST', /accept/, problem(401, 'unauthorized', 'wrong password')]]);
    window.location.hash = '#/invite/abc';
    await post('/v1/auth/invitations/abc/accept', { password: 'x' }).catch(() => {});
    expect(window.location.hash).toBe('#/invite/abc');
  });

  it('builds queries without empty values', () => {
    expect(query({ status: 'human', channel: '', assignee: null, unread: 'true', label: 'vip & co' }))
      .toBe('?status=human&unread=true&label=vip%20%26%20co');
    expect(query({})).toBe('');
  });

  it('follows cursors through every page and remembers the last page cursor', async () => {
    const calls = mockFetch([['GET', '/v1/conversations/c/messages', ({ url }) => {
      const cursor = new URL(url, 'http://x').searchParams.get('cursor');
      if (!cursor) return { body: { data: [{ id: 1 }], next_cursor: 'p2' } };
      if (cursor === 'p2') return { body: { data: [{ id: 2 }], next_cursor: 'p3' } };
      return { body: { data: [{ id: 3 }], next_cursor: null } };
    }]]);
    const { data, lastCursor } = await allPages('/v1/conversations/c/messages');
    expect(data.map((d) => d.id)).toEqual([1, 2, 3]);
    expect(lastCursor).toBe('p3');
    expect(calls[0].url).toBe('/v1/conversations/c/messages?limit=200');
  });

  it('puts the tenant into stream URLs, as EventSource cannot send headers', () => {
    setTenant('ten_7');
    expect(streamUrl('/v1/inbox/events')).toBe('/v1/inbox/events?tenant=ten_7');
    expect(streamUrl('/v1/x?a=1')).toBe('/v1/x?a=1&tenant=ten_7');
  });

  it('links only http(s) URLs', () => {
    expect(isHttpUrl('https://example.com/a.png')).toBe(true);
    expect(isHttpUrl('http://example.com')).toBe(true);
    expect(isHttpUrl('javascript:alert(1)')).toBe(false);
    expect(isHttpUrl('data:text/html,<script>alert(1)</script>')).toBe(false);
    expect(isHttpUrl('/relative')).toBe(false);
    expect(isHttpUrl(null)).toBe(false);
  });
});
