// The little global state the screens share: the session, the tenant, the tenant's reference data (members, teams,
// labels, channels) and the inbox rows. Everything else lives in the screen that shows it.
import { useEffect, useReducer } from 'preact/hooks';

const state = {
  session: null, // the Session answer: {user, memberships, csrf_token, expires_at}
  tenantId: null,
  adminTenants: null, // platform admins: every tenant from GET /admin/tenants
  locale: 'en',
  tenantData: { members: [], teams: [], labels: [], channels: null }, // channels null: not allowed to list them
  inboxRows: [],
  notices: [], // hand-off notifications: {key, conversationId, name}
  live: 'idle', // the inbox stream: idle | open | connecting
  totpNeeded: false, // the tenant answered 403 totp-required: the person must turn on two-step sign-in
};
const listeners = new Set();

export function getState() {
  return state;
}

export function setState(patch) {
  Object.assign(state, typeof patch === 'function' ? patch(state) : patch);
  for (const fn of [...listeners]) fn();
}

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Re-renders the calling component whenever the shared state changes. */
export function useStore() {
  const [, bump] = useReducer((n) => n + 1, 0);
  useEffect(() => subscribe(bump), []);
  return state;
}

/** The person's role in the current tenant; a platform admin acts as its owner. */
export function currentRole(s = state) {
  if (!s.session) return null;
  if (s.session.user && s.session.user.platform_admin) return 'owner';
  const m = (s.session.memberships || []).find((x) => x.tenant_id === s.tenantId);
  return m ? m.role : null;
}

export function resetState() {
  setState({ session: null, tenantId: null, adminTenants: null, inboxRows: [], notices: [], live: 'idle',
    totpNeeded: false,
    tenantData: { members: [], teams: [], labels: [], channels: null } });
}
