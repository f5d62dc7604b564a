// The signed-in person: applying a Session answer, choosing the tenant, loading the tenant's reference data,
// signing out.
import { allPages, get, getTenant, onTotpRequired, onUnauthorized, post, setCsrfToken, setTenant } from './api.js';
import { pickLocale, setLocale } from './i18n/index.js';
import { getState, resetState, setState } from './store.js';
import { startInboxStream, stopInboxStream } from './live.js';

onUnauthorized(() => {
  stopInboxStream();
  resetState();
});
onTotpRequired(() => setState({ totpNeeded: true }));

function browserLanguage() {
  return globalThis.navigator ? globalThis.navigator.language : null;
}

/** The tenants the person may act for: memberships, then (platform admins) every other tenant. */
export function tenantChoices(s = getState()) {
  if (!s.session) return [];
  const mine = (s.session.memberships || []).map((m) => ({ id: m.tenant_id, name: m.tenant_name, role: m.role }));
  const others = (s.adminTenants || []).filter((tn) => !mine.some((m) => m.id === tn.id))
    .map((tn) => ({ id: tn.id, name: tn.name, role: null }));
  return [...mine, ...others];
}

/** Stores a Session answer (login, setup, invitation, GET /v1/me) and picks the tenant. */
export async function applySession(session, preferredTenant) {
  setCsrfToken(session.csrf_token);
  setLocale(pickLocale(session.user && session.user.locale, browserLanguage()));
  setState({ session });
  if (session.user && session.user.platform_admin && !getState().adminTenants) await loadAdminTenants();
  const choices = tenantChoices();
  const wanted = preferredTenant || getTenant();
  const tenant = choices.find((c) => c.id === wanted) || choices[0] || null;
  await switchTenant(tenant ? tenant.id : null);
  return session;
}

export async function loadAdminTenants() {
  try {
    const { data } = await allPages('/admin/tenants', {}, { maxPages: 10 });
    setState({ adminTenants: data });
  } catch (e) {
    if (e && e.status === 401) throw e;
    setState({ adminTenants: [] });
  }
}

/** Acts for another tenant: new header, new inbox stream, new reference data. */
export async function switchTenant(id) {
  setTenant(id);
  setState({ tenantId: id, inboxRows: [], notices: [], totpNeeded: false,
    tenantData: { members: [], teams: [], labels: [], channels: null } });
  stopInboxStream();
  if (!id) return;
  startInboxStream((live) => setState({ live }));
  await loadTenantData();
}

async function listOrEmpty(path) {
  try {
    const res = await get(path);
    return (res && res.data) || [];
  } catch (e) {
    return null;
  }
}

/** Members, teams, labels and connections (null when the role may not list them: the features then hide). */
export async function loadTenantData() {
  const tenant = getState().tenantId;
  const [members, teams, labels, channels] = await Promise.all([
    listOrEmpty('/v1/members'), listOrEmpty('/v1/teams'), listOrEmpty('/v1/labels'), listOrEmpty('/v1/channels')]);
  if (getState().tenantId !== tenant) return;
  setState({ tenantData: { members: members || [], teams: teams || [], labels: labels || [], channels } });
}

/** GET /v1/me: the session after a reload (answers null and leaves for sign-in when there is none). */
export async function restoreSession() {
  const session = await get('/v1/me');
  return applySession(session);
}

export async function signOut() {
  try {
    await post('/v1/auth/logout', undefined, { noAuthRedirect: true });
  } catch (e) { /* the session is gone either way */ }
  stopInboxStream();
  setCsrfToken(null);
  resetState();
  globalThis.location.hash = '#/login';
}

/** Where to go after signing in: the remembered screen, the inbox, or (platform admin without tenants) admin. */
export function homeHash() {
  const s = getState();
  if (s.tenantId) return '#/inbox';
  if (s.session && s.session.user && s.session.user.platform_admin) return '#/admin/tenants';
  return '#/inbox';
}
