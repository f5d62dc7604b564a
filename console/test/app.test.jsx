import { describe, expect, it } from 'vitest';
import { setCsrfToken, setTenant } from '../src/api.js';
import { AdminTenants } from '../src/screens/Admin.jsx';
import { ContactPage } from '../src/screens/Contacts.jsx';
import { Profile } from '../src/screens/Profile.jsx';
import { Team } from '../src/screens/Team.jsx';
import { getState, setState } from '../src/store.js';
import { App } from '../src/ui/App.jsx';
import { qrPath } from '../src/ui/Qr.jsx';
import { $, $$, change, click, installEventSource, mockFetch, mount, need, problem, session, submit, type,
  waitFor } from './helpers.js';

function signedIn(overrides) {
  setTenant('ten_1');
  setCsrfToken('csrf-123');
  setState({ session: session(overrides), tenantId: 'ten_1' });
}

describe('app', () => {
  it('without a session, any screen leads to sign-in', async () => {
    installEventSource();
    mockFetch([['GET', '/v1/me', problem(401, 'unauthorized', 'no session')]]);
    window.location.hash = '#/contacts';
    const c = await mount(<App />);
    await waitFor(() => need(c, 'login-form'));
    expect(window.location.hash).toBe('#/login');
    expect(document.documentElement.lang).toBe('en');
  });

  it('restores the session, speaks the person’s language and opens the inbox with its stream', async () => {
    const ES = installEventSource();
    mockFetch([
      ['GET', '/v1/me', { body: session({ user: { locale: 'es' } }) }],
      ['GET', '/v1/inbox', { body: { data: [], next_cursor: null } }],
      ['GET', /./, { body: { data: [] } }],
    ]);
    window.location.hash = '#/inbox';
    const c = await mount(<App />);
    await waitFor(() => need(c, 'inbox-empty'));
    expect(document.documentElement.lang).toBe('es');
    expect(need(c, 'nav-inbox').textContent).toBe('Bandeja');
    expect(ES.last('/v1/inbox/events').url).toBe('/v1/inbox/events?tenant=ten_1');
    // accessible names on every button
    for (const b of c.querySelectorAll('button')) {
      expect((b.textContent.trim() || b.getAttribute('aria-label') || '').length, b.outerHTML).toBeGreaterThan(0);
    }
  });

  it('sign out revokes the session and shows the sign-in screen', async () => {
    installEventSource();
    const calls = mockFetch([
      ['GET', '/v1/me', { body: session() }],
      ['POST', '/v1/auth/logout', { status: 204 }],
      ['GET', /./, { body: { data: [] } }],
    ]);
    window.location.hash = '#/profile';
    const c = await mount(<App />);
    await waitFor(() => need(c, 'logout'));
    await click(need(c, 'logout'));
    await waitFor(() => need(c, 'login-form'));
    const logout = calls.find((x) => x.url === '/v1/auth/logout');
    expect(logout.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(getState().session).toBeNull();
  });

  it('switching the tenant changes the header of later calls', async () => {
    const ES = installEventSource();
    const calls = mockFetch([
      ['GET', '/v1/me', { body: session({ memberships: [{ tenant_id: 'ten_1', tenant_name: 'Acme', role: 'agent' },
        { tenant_id: 'ten_2', tenant_name: 'Beta', role: 'owner' }] }) }],
      ['GET', /./, { body: { data: [], next_cursor: null } }],
    ]);
    window.location.hash = '#/inbox';
    const c = await mount(<App />);
    await waitFor(() => need(c, 'tenant-switcher'));
    await change(need(c, 'tenant-switcher'), 'ten_2');
    await waitFor(() => expect(calls.at(-1).headers['X-Clawless-Tenant']).toBe('ten_2'));
    expect(localStorage.getItem('clawless:tenant')).toBe('ten_2');
    expect(ES.last('/v1/inbox/events').url).toBe('/v1/inbox/events?tenant=ten_2');
    expect(ES.instances.filter((e) => e.url.startsWith('/v1/inbox/events') && !e.closed)).toHaveLength(1);
  });

  it('a tenant that requires two-step sign-in (403 totp-required) shows a banner leading to the profile', async () => {
    installEventSource();
    mockFetch([
      ['GET', '/v1/me', { body: session() }],
      ['GET', /^\/v1\//, problem(403, 'totp-required', 'this tenant requires a second factor')],
    ]);
    window.location.hash = '#/inbox';
    const c = await mount(<App />);
    await waitFor(() => need(c, 'totp-required-banner'));
    expect(need(c, 'totp-required-banner').querySelector('a').getAttribute('href')).toBe('#/profile');
  });

  it('presence is changed with PUT /v1/me/presence', async () => {
    installEventSource();
    const calls = mockFetch([
      ['GET', '/v1/me', { body: session() }],
      ['PUT', '/v1/me/presence', { status: 204 }],
      ['GET', /./, { body: { data: [] } }],
    ]);
    window.location.hash = '#/profile';
    const c = await mount(<App />);
    await waitFor(() => need(c, 'presence-select'));
    await change(need(c, 'presence-select'), 'away');
    await waitFor(() => expect(calls.find((x) => x.method === 'PUT')?.body).toEqual({ status: 'away' }));
    await waitFor(() => expect(getState().session.user.presence).toBe('away'));
  });
});

describe('team', () => {
  it('owners invite by email and role and get the link to copy', async () => {
    signedIn({ memberships: [{ tenant_id: 'ten_1', tenant_name: 'Acme', role: 'owner' }] });
    const calls = mockFetch([
      ['GET', '/v1/members', { body: { data: [{ user_id: 'usr_me', email: 'ada@example.com', display_name: 'Ada',
        role: 'owner', presence: 'online', open_conversations: 2 }] } }],
      ['GET', '/v1/invitations', { body: { data: [] } }],
      ['POST', '/v1/invitations', ({ body }) => ({ status: 201, body: { id: 'inv_1', email: body.email, role: body.role,
        link: 'https://hub.example/console#/invite/tok_abc', expires_at: '2030-01-01T00:00:00Z', emailed: false } })],
      ['GET', /./, { body: { data: [] } }],
    ]);
    const c = await mount(<Team />);
    await waitFor(() => need(c, 'member-row'));
    await type(need(c, 'team-invite-email'), 'new@example.com');
    await change(need(c, 'team-invite-role'), 'admin');
    await submit(need(c, 'team-invite-form'));
    await waitFor(() => need(c, 'team-invite-result'));
    expect(calls.find((x) => x.method === 'POST').body).toEqual({ email: 'new@example.com', role: 'admin' });
    expect(need(c, 'team-invite-link').value).toBe('https://hub.example/console#/invite/tok_abc');
    expect(need(c, 'team-invite-result').textContent).toContain('No email was sent');
    expect(need(c, 'team-invite-copy').textContent).toBe('Copy link');
  });

  it('agents see the members but no invite form', async () => {
    signedIn();
    mockFetch([['GET', '/v1/members', { body: { data: [{ user_id: 'usr_me', display_name: 'Ada', role: 'agent' }] } }]]);
    const c = await mount(<Team />);
    await waitFor(() => need(c, 'member-row'));
    expect($(c, 'team-invite-form')).toBeNull();
    expect($(c, 'member-remove')).toBeNull();
  });
});

describe('admin', () => {
  it('platform admins create a tenant with POST /admin/tenants', async () => {
    installEventSource();
    signedIn({ user: { platform_admin: true }, memberships: [] });
    setState({ adminTenants: [{ id: 'ten_1', name: 'Acme', status: 'active', plan: 'free', created_at: '2026-01-01T00:00:00Z' }] });
    const calls = mockFetch([
      ['POST', '/admin/tenants', ({ body }) => ({ status: 201, body: { id: 'ten_9', name: body.name, status: 'active' } })],
      ['GET', /./, { body: { data: [] } }],
    ]);
    const c = await mount(<AdminTenants />);
    expect($$(c, 'tenant-row')).toHaveLength(1);
    await type(need(c, 'tenant-create-name'), 'Globex');
    await submit(need(c, 'tenant-create-form'));
    await waitFor(() => expect($$(c, 'tenant-row')).toHaveLength(2));
    const post = calls.find((x) => x.method === 'POST');
    expect(post.body).toEqual({ name: 'Globex' });
    expect(post.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(post.headers['X-Clawless-Tenant']).toBeUndefined();
  });
});

describe('profile', () => {
  it('turns on two-step sign-in: secret and QR code, then the code', async () => {
    signedIn();
    const uri = 'otpauth://totp/Clawless:ada@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Clawless';
    const calls = mockFetch([
      ['POST', '/v1/me/totp', { body: { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: uri } }],
      ['POST', '/v1/me/totp/confirm', { status: 204 }],
      ['GET', '/v1/me/sessions', { body: { data: [
        { id: 's1', user_agent: 'Firefox', current: true, created_at: '2026-01-01T00:00:00Z' },
        { id: 's2', user_agent: 'Chrome', current: false, created_at: '2026-01-01T00:00:00Z' }] } }],
      ['DELETE', '/v1/me/sessions/s2', { status: 204 }],
    ]);
    const c = await mount(<Profile />);
    await click(need(c, 'totp-start'));
    await waitFor(() => need(c, 'totp-qr'));
    expect(need(c, 'totp-secret').textContent).toBe('JBSWY3DPEHPK3PXP');
    const qr = need(c, 'totp-qr');
    expect(qr.getAttribute('role')).toBe('img');
    expect(qr.querySelector('path').getAttribute('d')).toBe(qrPath(uri).d);
    await type(need(c, 'totp-code'), '123456');
    await submit(need(c, 'totp-confirm-form'));
    await waitFor(() => expect(need(c, 'totp-state').textContent).toContain('is on'));
    expect(calls.find((x) => x.url === '/v1/me/totp/confirm').body).toEqual({ code: '123456' });
    // sessions: the current one is marked and cannot be revoked here
    await waitFor(() => expect($$(c, 'session-row')).toHaveLength(2));
    expect(need($$(c, 'session-row')[0], 'session-current')).toBeTruthy();
    expect($$(c, 'session-revoke')).toHaveLength(1);
    await click(need(c, 'session-revoke'));
    await waitFor(() => expect($$(c, 'session-row')).toHaveLength(1));
    expect(calls.some((x) => x.method === 'DELETE' && x.url === '/v1/me/sessions/s2')).toBe(true);
  });

  it('a wrong current password stays on the profile with the hub’s answer next to the field', async () => {
    signedIn();
    mockFetch([
      ['POST', '/v1/me/password', problem(400, 'validation', 'The current password is not right.',
        { errors: [{ field: 'current_password', message: 'is not your current password' }] })],
      ['GET', /./, { body: { data: [] } }],
    ]);
    window.location.hash = '#/profile';
    const c = await mount(<Profile />);
    await type(need(c, 'password-current'), 'wrong password');
    await type(need(c, 'password-new'), 'brand new password');
    await type(need(c, 'password-confirm'), 'brand new password');
    await submit(need(c, 'password-form'));
    await waitFor(() => expect(need(c, 'password-error').textContent).toContain('not right'));
    expect(window.location.hash).toBe('#/profile');
    const current = need(c, 'password-current');
    expect(current.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(current.getAttribute('aria-describedby')).textContent)
      .toBe('is not your current password');
  });
});

describe('contacts', () => {
  it('merges another contact only after confirming', async () => {
    signedIn();
    const calls = mockFetch([
      ['GET', '/v1/contacts/ctc_1', { body: { id: 'ctc_1', display_name: 'Maria', identities: [
        { id: 'idn_1', channel: 'whatsapp', connection_id: 'con_1', external_id: '+4915100000', display_name: 'Maria',
          username: null }], conversation_ids: ['cnv_1'] } }],
      ['GET', '/v1/contacts', { body: { data: [{ id: 'ctc_1', display_name: 'Maria' }, { id: 'ctc_2', display_name: 'Maria S.' }] } }],
      ['POST', '/v1/contacts/ctc_1/merge', { body: { id: 'ctc_1' } }],
    ]);
    const c = await mount(<ContactPage id="ctc_1" />);
    await waitFor(() => need(c, 'contact-page'));
    expect(need(c, 'contact-identities').textContent).toContain('+4915100000');
    expect(need(c, 'contact-conversation').getAttribute('href')).toBe('#/inbox/cnv_1');
    await type(need(c, 'merge-search-input'), 'maria');
    await submit(need(c, 'merge-search'));
    await waitFor(() => expect($$(c, 'merge-pick')).toHaveLength(1));
    await click(need(c, 'merge-pick'));
    expect(need(c, 'merge-confirm').textContent).toContain('Maria S.');
    expect(calls.some((x) => x.url.endsWith('/merge'))).toBe(false);
    await click(need(c, 'merge-confirm-yes'));
    await waitFor(() => expect(calls.find((x) => x.url.endsWith('/merge'))?.body).toEqual({ contact_id: 'ctc_2' }));
  });
});
