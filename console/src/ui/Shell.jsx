// The frame of a signed-in console: skip link, top bar (navigation, search, tenant, presence, sign-out), hand-off
// notifications and the screen.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, put } from '../api.js';
import { t } from '../i18n/index.js';
import { onInboxEvent } from '../live.js';
import { href, navigate, useRoute } from '../router.js';
import { signOut, switchTenant, tenantChoices } from '../session.js';
import { currentRole, getState, setState, useStore } from '../store.js';
import { displayName } from './common.jsx';

const NOTIFY_MAX_AGE_MS = 60000;

/** The contact's name for a hand-off: from the event, the inbox row, or the conversation's contact. */
async function handoffName(ev) {
  const d = ev.data || {};
  const direct = (d.contact && d.contact.display_name) || d.contact_name || d.display_name;
  if (direct) return direct;
  const row = getState().inboxRows.find((r) => r.conversation && r.conversation.id === ev.conversationId);
  if (row && row.contact && row.contact.display_name) return row.contact.display_name;
  try {
    const conv = await get(`/v1/conversations/${encodeURIComponent(ev.conversationId)}`);
    if (conv && conv.contact && conv.contact.display_name) return conv.contact.display_name;
    if (conv && conv.contact_id) {
      const c = await get(`/v1/contacts/${encodeURIComponent(conv.contact_id)}`);
      if (c && c.display_name) return c.display_name;
    }
  } catch (e) { /* a name is nice to have */ }
  return t('common.aContact');
}

/** Shows "X wants a person" in the page and, when allowed, as a desktop notification. */
export function listenForHandoffs(openedAt = Date.now()) {
  return onInboxEvent(async (ev) => {
    if (ev.type !== 'conversation.handoff' || !ev.conversationId) return;
    const at = Date.parse(ev.data && (ev.data.created_at || ev.data.occurred_at));
    const old = !Number.isNaN(at) && at < openedAt - NOTIFY_MAX_AGE_MS; // replayed from before this page
    if (old) return;
    const name = await handoffName(ev);
    const key = `${ev.conversationId}:${ev.id || Date.now()}`;
    setState((s) => ({ notices: [...s.notices.filter((n) => n.conversationId !== ev.conversationId),
      { key, conversationId: ev.conversationId, name }].slice(-5) }));
    const N = globalThis.Notification;
    if (N && N.permission === 'granted') {
      try {
        const n = new N(t('notice.title', { name }), { body: t('notice.body'), tag: ev.conversationId });
        n.onclick = () => {
          globalThis.focus();
          navigate(href('inbox', ev.conversationId));
        };
      } catch (e) { /* some browsers only allow notifications from a service worker */ }
    }
  });
}

export function Notices() {
  const s = useStore();
  const route = useRoute();
  const dismiss = (key) => setState((st) => ({ notices: st.notices.filter((n) => n.key !== key) }));
  // the conversation on screen needs no notice: it would only cover its composer
  const open = route.screen === 'inbox' ? route.parts[1] : null;
  useEffect(() => {
    if (open && s.notices.some((n) => n.conversationId === open)) {
      setState((st) => ({ notices: st.notices.filter((n) => n.conversationId !== open) }));
    }
  }, [open, s.notices]);
  return (
    <div class="notices" role="status" aria-live="polite" data-test="notices">
      {s.notices.filter((n) => n.conversationId !== open).map((n) => (
        <div class="notice" key={n.key} data-test="handoff-notice" data-conversation-id={n.conversationId}>
          <span>{t('notice.title', { name: n.name })}</span>{' '}
          <a href={href('inbox', n.conversationId)} onClick={() => dismiss(n.key)} data-test="handoff-open">
            {t('notice.open')}
          </a>
          <button type="button" class="chip-remove" aria-label={t('notice.dismiss')} onClick={() => dismiss(n.key)}
            data-test="handoff-dismiss">×</button>
        </div>
      ))}
    </div>
  );
}

function TotpBanner() {
  const s = useStore();
  if (!s.totpNeeded || s.session.user.totp_enabled) return null;
  return (
    <div class="banner warning" role="alert" data-test="totp-required-banner">
      {t('totp.tenantRequires')} <a href="#/profile">{t('totp.goToProfile')}</a>
    </div>
  );
}

function TopBar({ screen }) {
  const s = useStore();
  const user = s.session.user;
  const [q, setQ] = useState('');
  const [presenceError, setPresenceError] = useState('');
  const choices = tenantChoices(s);
  const mine = choices.filter((c) => c.role);
  const role = currentRole(s);
  const admin = s.tenantId && (role === 'admin' || role === 'owner');
  const others = choices.filter((c) => !c.role);
  const link = (to, label, name, test) => (
    <li><a href={to} aria-current={screen === name ? 'page' : undefined} data-test={test}>{label}</a></li>
  );
  const setPresence = async (e) => {
    const status = e.currentTarget.value;
    setPresenceError('');
    try {
      await put('/v1/me/presence', { status });
      setState({ session: { ...getState().session, user: { ...getState().session.user, presence: status } } });
    } catch (err) {
      setPresenceError(t('error.presence'));
    }
  };
  const search = (e) => {
    e.preventDefault();
    if (q.trim()) navigate(`#/search?q=${encodeURIComponent(q.trim())}`);
  };
  return (
    <header class="topbar">
      <a href="#/inbox" class="brand">Clawless</a>
      <nav aria-label={t('nav.label')}>
        <ul>
          {s.tenantId && link('#/inbox', t('nav.inbox'), 'inbox', 'nav-inbox')}
          {s.tenantId && link('#/contacts', t('nav.contacts'), 'contacts', 'nav-contacts')}
          {s.tenantId && link('#/team', t('nav.team'), 'team', 'nav-team')}
          {admin && link('#/settings/channels', t('nav.settings'), 'settings', 'nav-settings')}
          {admin && link('#/usage', t('nav.usage'), 'usage', 'nav-usage')}
          {user.platform_admin && link('#/admin/tenants', t('nav.admin'), 'admin', 'nav-admin')}
          {link('#/profile', t('nav.profile'), 'profile', 'nav-profile')}
        </ul>
      </nav>
      <div class="topbar-tools">
        {s.tenantId && (
          <form role="search" class="topbar-search" onSubmit={search} data-test="search-form">
            <label for="top-search">{t('nav.search')}</label>
            <input id="top-search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)}
              data-test="search-input" />
            <button type="submit" data-test="search-submit">{t('common.search')}</button>
          </form>
        )}
        {choices.length > 0 && (
          <div class="topbar-field">
            <label for="tenant-switcher">{t('nav.tenant')}</label>
            <select id="tenant-switcher" value={s.tenantId || ''} data-test="tenant-switcher"
              onChange={async (e) => {
                await switchTenant(e.currentTarget.value);
                navigate('#/inbox');
              }}>
              {others.length > 0 ? (
                <>
                  {mine.length > 0 && (
                    <optgroup label={t('nav.myTenants')}>
                      {mine.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                    </optgroup>
                  )}
                  <optgroup label={t('nav.allTenants')}>
                    {others.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </optgroup>
                </>
              ) : mine.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </div>
        )}
        <div class="topbar-field">
          <label for="presence">{t('nav.presence')}</label>
          <select id="presence" value={user.presence === 'away' ? 'away' : 'online'} onChange={setPresence}
            data-test="presence-select">
            <option value="online">{t('presence.online')}</option>
            <option value="away">{t('presence.away')}</option>
          </select>
          {presenceError && <span class="field-error" role="alert">{presenceError}</span>}
        </div>
        <span class="who-am-i" title={user.email}>{displayName(user)}</span>
        <button type="button" onClick={signOut} data-test="logout">{t('nav.signOut')}</button>
      </div>
    </header>
  );
}

export function Shell({ route, children }) {
  const first = useRef(true);
  useEffect(() => listenForHandoffs(), []);
  // move the focus to the new screen's heading so keyboard and screen reader users start there
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (route.screen === 'inbox' && route.parts[1]) return undefined; // the conversation focuses its heading
    const timer = setTimeout(() => {
      const main = globalThis.document.getElementById('main');
      const target = main && main.querySelector('[data-page-title]');
      if (target) target.focus();
    }, 0);
    return () => clearTimeout(timer);
  }, [route.hash]);
  return (
    <>
      <a href="#main" class="skip-link" onClick={(e) => {
        e.preventDefault();
        globalThis.document.getElementById('main')?.focus();
      }}>{t('nav.skip')}</a>
      <TopBar screen={route.screen} />
      <TotpBanner />
      <Notices />
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
