import { describe, expect, it } from 'vitest';
import { getTenant, takeNext } from '../src/api.js';
import { Invite, Login, Setup } from '../src/screens/Auth.jsx';
import { getState } from '../src/store.js';
import { $, installEventSource, mockFetch, mount, need, problem, session, submit, type, waitFor } from './helpers.js';

const tenantRoutes = [
  ['GET', '/v1/members', { body: { data: [] } }],
  ['GET', '/v1/teams', { body: { data: [] } }],
  ['GET', '/v1/labels', { body: { data: [] } }],
  ['GET', '/v1/channels', problem(403, 'insufficient-scope', 'no')],
];

describe('login', () => {
  it('asks for the code when the password was right and a second factor is needed, then signs in', async () => {
    installEventSource();
    const calls = mockFetch([
      ['POST', '/v1/auth/login', ({ body }) => (body.totp_code === '123456'
        ? { body: session() } : problem(401, 'totp-required', 'A code is needed'))],
      ...tenantRoutes,
    ]);
    window.location.hash = '#/login';
    const c = await mount(<Login />);
    expect($(c, 'login-totp')).toBeNull();
    await type(need(c, 'login-email'), 'ada@example.com');
    await type(need(c, 'login-password'), 'correct horse battery');
    await submit(need(c, 'login-form'));
    await waitFor(() => need(c, 'login-totp'));
    expect(need(c, 'login-error').textContent).toContain('6-digit code');
    expect(need(c, 'login-error').getAttribute('role')).toBe('alert');
    expect(calls[0].body).toEqual({ email: 'ada@example.com', password: 'correct horse battery' });
    // the code field has a visible label
    const code = need(c, 'login-totp');
    expect(c.querySelector(`label[for="${code.id}"]`).textContent).toBe('Authentication code');

    await type(code, '123456');
    await submit(need(c, 'login-form'));
    await waitFor(() => expect(window.location.hash).toBe('#/inbox'));
    const login = calls.filter((x) => x.url === '/v1/auth/login');
    expect(login[1].body).toEqual({ email: 'ada@example.com', password: 'correct horse battery', totp_code: '123456' });
    expect(getState().session.user.id).toBe('usr_me');
    expect(getTenant()).toBe('ten_1');
  });

  it('says when the code is wrong', async () => {
    mockFetch([['POST', '/v1/auth/login', problem(401, 'totp-required', 'A code is needed')]]);
    const c = await mount(<Login />);
    await type(need(c, 'login-email'), 'a@b.c');
    await type(need(c, 'login-password'), 'xxxxxxxxxxxx');
    await submit(need(c, 'login-form'));
    await waitFor(() => need(c, 'login-totp'));
    await type(need(c, 'login-totp'), '000000');
    await submit(need(c, 'login-form'));
    await waitFor(() => expect(need(c, 'login-error').textContent).toContain('not right'));
  });

  it('shows the problem detail of a failed sign-in and the wait of a throttled one', async () => {
    let n = 0;
    mockFetch([['POST', '/v1/auth/login', () => (++n === 1
      ? problem(401, 'unauthorized', 'Wrong email or password.')
      : problem(429, 'rate-limited', 'locked', { headers: { 'Retry-After': '42' } }))]]);
    const c = await mount(<Login />);
    await type(need(c, 'login-email'), 'a@b.c');
    await type(need(c, 'login-password'), 'xxxxxxxxxxxx');
    await submit(need(c, 'login-form'));
    await waitFor(() => expect(need(c, 'login-error').textContent).toBe('Wrong email or password.'));
    await submit(need(c, 'login-form'));
    await waitFor(() => expect(need(c, 'login-error').textContent).toBe('Too many attempts, try again in 42 s.'));
  });
});

describe('invitation', () => {
  it('shows a clear page when the link was used or has expired (410)', async () => {
    mockFetch([['GET', '/v1/auth/invitations/tok_old', problem(410, 'gone', 'used')]]);
    const c = await mount(<Invite token="tok_old" />);
    await waitFor(() => need(c, 'invite-expired'));
    expect(c.textContent).toContain('This link was used or has expired');
    expect($(c, 'invite-form')).toBeNull();
  });

  it('shows tenant, role and email, and accepts with name and password for a new person', async () => {
    installEventSource();
    const calls = mockFetch([
      ['GET', '/v1/auth/invitations/tok_1', { body: { email: 'bo@example.com', tenant: { id: 'ten_2', name: 'Beta <b>Co</b>' },
        role: 'admin', expires_at: '2030-01-01T00:00:00Z', signed_in_as: null } }],
      ['POST', '/v1/auth/invitations/tok_1/accept', { body: session({ memberships: [
        { tenant_id: 'ten_1', tenant_name: 'Acme', role: 'agent' }, { tenant_id: 'ten_2', tenant_name: 'Beta', role: 'admin' }] }) }],
      ...tenantRoutes,
    ]);
    const c = await mount(<Invite token="tok_1" />);
    await waitFor(() => need(c, 'invite-form'));
    expect(need(c, 'invite-tenant').textContent).toBe('Beta <b>Co</b>');
    expect(need(c, 'invite-role').textContent).toBe('Admin');
    expect(need(c, 'invite-email').textContent).toBe('bo@example.com');
    await type(need(c, 'invite-display-name'), 'Bo');
    await type(need(c, 'invite-password'), 'long enough pw');
    await type(need(c, 'invite-confirm'), 'long enough pw');
    await submit(need(c, 'invite-form'));
    await waitFor(() => expect(window.location.hash).toBe('#/inbox'));
    const accept = calls.find((x) => x.method === 'POST');
    expect(accept.body).toMatchObject({ display_name: 'Bo', password: 'long enough pw' });
    expect(getTenant()).toBe('ten_2');
  });

  it('someone with an account signs in first, comes back and accepts with the session (no password here)', async () => {
    installEventSource();
    mockFetch([['GET', '/v1/auth/invitations/tok_2', { body: { email: 'a@b.c', tenant: { id: 'ten_2', name: 'Beta' },
      role: 'agent', signed_in_as: null } }]]);
    const c = await mount(<Invite token="tok_2" />);
    await waitFor(() => need(c, 'invite-sign-in'));
    need(c, 'invite-sign-in').click();
    await waitFor(() => expect(window.location.hash).toBe('#/login'));
    expect(takeNext()).toBe('#/invite/tok_2');

    const calls = mockFetch([
      ['GET', '/v1/auth/invitations/tok_2', { body: { email: 'a@b.c', tenant: { id: 'ten_2', name: 'Beta' },
        role: 'agent', signed_in_as: 'A@b.c' } }],
      ['GET', '/v1/me', { body: session({ csrf_token: 'csrf-me' }) }],
      ['POST', '/v1/auth/invitations/tok_2/accept', { body: session({ memberships: [
        { tenant_id: 'ten_1', tenant_name: 'Acme', role: 'agent' }, { tenant_id: 'ten_2', tenant_name: 'Beta', role: 'agent' }] }) }],
      ...tenantRoutes,
    ]);
    const again = await mount(<Invite token="tok_2" />);
    await waitFor(() => need(again, 'invite-accept-signed-in'));
    expect($(again, 'invite-password')).toBeNull();
    expect(again.textContent).toContain('signed in as A@b.c');
    await submit(need(again, 'invite-accept-signed-in'));
    await waitFor(() => expect(window.location.hash).toBe('#/inbox'));
    const accept = calls.find((x) => x.method === 'POST');
    expect(accept.body).toBeUndefined();
    expect(accept.headers['X-CSRF-Token']).toBe('csrf-me');
    expect(getTenant()).toBe('ten_2');
  });

  it('signed in as someone else, it offers to sign out instead of accepting', async () => {
    let signedIn = 'other@b.c';
    const calls = mockFetch([
      ['GET', '/v1/auth/invitations/tok_4', () => ({ body: { email: 'a@b.c', tenant: { id: 't', name: 'T' },
        role: 'agent', signed_in_as: signedIn } })],
      ['POST', '/v1/auth/logout', () => {
        signedIn = null;
        return { status: 204 };
      }],
    ]);
    const c = await mount(<Invite token="tok_4" />);
    await waitFor(() => need(c, 'invite-other-account'));
    expect($(c, 'invite-submit')).toBeNull();
    expect(c.textContent).toContain('other@b.c');
    await submit(need(c, 'invite-other-account'));
    await waitFor(() => need(c, 'invite-form'));
    expect(calls.some((x) => x.method === 'POST' && x.url === '/v1/auth/logout')).toBe(true);
  });

  it('a new-account form for an address with an account says to sign in first (409)', async () => {
    mockFetch([
      ['GET', '/v1/auth/invitations/tok_5', { body: { email: 'a@b.c', tenant: { id: 't', name: 'T' }, role: 'agent',
        signed_in_as: null } }],
      ['POST', '/v1/auth/invitations/tok_5/accept', problem(409, 'conflict', 'an account with this address exists')],
    ]);
    const c = await mount(<Invite token="tok_5" />);
    await waitFor(() => need(c, 'invite-form'));
    await type(need(c, 'invite-display-name'), 'A');
    await type(need(c, 'invite-password'), 'long enough pw');
    await type(need(c, 'invite-confirm'), 'long enough pw');
    await submit(need(c, 'invite-form'));
    await waitFor(() => expect(need(c, 'invite-error').textContent).toContain('Sign in with it first'));
  });

  it('a 410 on accepting shows the expired page too', async () => {
    mockFetch([
      ['GET', '/v1/auth/invitations/tok_3', { body: { email: 'a@b.c', tenant: { id: 't', name: 'T' }, role: 'agent',
        signed_in_as: null } }],
      ['POST', '/v1/auth/invitations/tok_3/accept', problem(410, 'gone', 'expired')],
    ]);
    const c = await mount(<Invite token="tok_3" />);
    await waitFor(() => need(c, 'invite-form'));
    await type(need(c, 'invite-display-name'), 'A');
    await type(need(c, 'invite-password'), 'whatever123');
    await type(need(c, 'invite-confirm'), 'whatever123');
    await submit(need(c, 'invite-form'));
    await waitFor(() => need(c, 'invite-expired'));
  });
});

describe('setup', () => {
  it('creates the first admin and opens the tenant list', async () => {
    installEventSource();
    const calls = mockFetch([
      ['GET', '/v1/auth/setup', { body: { needed: true } }],
      ['POST', '/v1/auth/setup', { status: 201, body: session({ user: { platform_admin: true }, memberships: [] }) }],
      ['GET', /^\/admin\/tenants/, { body: { data: [], next_cursor: null } }],
    ]);
    const c = await mount(<Setup token="setup_tok" />);
    await waitFor(() => need(c, 'setup-form'));
    await type(need(c, 'setup-email'), 'root@example.com');
    await type(need(c, 'setup-display-name'), 'Root');
    await type(need(c, 'setup-password'), 'short');
    await type(need(c, 'setup-confirm'), 'short');
    await submit(need(c, 'setup-form'));
    expect(need(c, 'setup-error').textContent).toContain('10 to 200');
    expect(calls.some((x) => x.method === 'POST')).toBe(false);
    await type(need(c, 'setup-password'), 'a good long password');
    await type(need(c, 'setup-confirm'), 'a good long password');
    await submit(need(c, 'setup-form'));
    await waitFor(() => expect(window.location.hash).toBe('#/admin/tenants'));
    expect(calls.find((x) => x.method === 'POST').body).toMatchObject({ token: 'setup_tok', email: 'root@example.com',
      display_name: 'Root', password: 'a good long password' });
  });
});
