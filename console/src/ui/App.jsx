// The console: restores the session, then shows the screen the hash names.
import { useEffect, useState } from 'preact/hooks';
import { PUBLIC_SCREENS, get, takeNext } from '../api.js';
import { pickLocale, setLocale, t } from '../i18n/index.js';
import { navigate, useRoute } from '../router.js';
import { applySession, homeHash, restoreSession } from '../session.js';
import { useStore } from '../store.js';
import { AdminTenants } from '../screens/Admin.jsx';
import { Audit } from '../screens/admin/Audit.jsx';
import { MarketplaceReview } from '../screens/admin/Marketplace.jsx';
import { System } from '../screens/admin/System.jsx';
import { TenantAdmin } from '../screens/admin/TenantAdmin.jsx';
import { AdminPage } from '../screens/admin/AdminNav.jsx';
import { ApiKeys } from '../screens/settings/ApiKeys.jsx';
import { Assistant } from '../screens/settings/Assistant.jsx';
import { Channels } from '../screens/settings/Channels.jsx';
import { InboxSettings } from '../screens/settings/InboxSettings.jsx';
import { Intents } from '../screens/settings/Intents.jsx';
import { Sales } from '../screens/settings/Sales.jsx';
import { Knowledge } from '../screens/settings/Knowledge.jsx';
import { Replies } from '../screens/settings/Replies.jsx';
import { Plugins } from '../screens/settings/Plugins.jsx';
import { Webhooks } from '../screens/settings/Webhooks.jsx';
import { Usage } from '../screens/Usage.jsx';
import { Forgot, Invite, Login, Reset, Setup } from '../screens/Auth.jsx';
import { ContactPage, Contacts } from '../screens/Contacts.jsx';
import { Inbox } from '../screens/Inbox.jsx';
import { Profile } from '../screens/Profile.jsx';
import { SearchResults } from '../screens/Search.jsx';
import { Team } from '../screens/Team.jsx';
import { Shell } from './Shell.jsx';
import { SettingsPage, isAdmin } from './settings.jsx';
import { Loading, PageTitle } from './common.jsx';

const TENANT_SCREENS = new Set(['inbox', 'contacts', 'team', 'search', 'settings', 'usage']);

function NotFound() {
  return (
    <div class="page">
      <PageTitle>{t('notFound.title')}</PageTitle>
      <p><a href="#/inbox">{t('notFound.back')}</a></p>
    </div>
  );
}

function NoTenant() {
  return (
    <div class="page" data-test="no-tenant">
      <PageTitle>{t('noTenant.title')}</PageTitle>
      <p>{t('noTenant.text')}</p>
    </div>
  );
}

function Settings({ route }) {
  const s = useStore();
  const [, section, id] = route.parts;
  // agents get the explanation and no request at all (the hub would answer 403 anyway)
  if (!isAdmin(s)) return <SettingsPage section={section || 'channels'} title={t('settings.title')} />;
  switch (section || 'channels') {
    case 'channels': return <Channels id={id} query={route.query} />;
    case 'assistant': return <Assistant />;
    case 'inbox': return <InboxSettings />;
    case 'replies': return <Replies />;
    case 'knowledge': return <Knowledge id={id} />;
    case 'intents': return <Intents />;
    case 'sales': return <Sales />;
    case 'plugins': return <Plugins />;
    case 'api-keys': return <ApiKeys />;
    case 'webhooks': return <Webhooks />;
    default: return <NotFound />;
  }
}

function Admin({ route }) {
  const s = useStore();
  const [, section, id] = route.parts;
  if (!s.session.user.platform_admin) return <AdminPage section={section || 'tenants'} title={t('nav.admin')} />;
  switch (section || 'tenants') {
    case 'tenants': return id ? <TenantAdmin id={id} key={id} /> : <AdminTenants />;
    case 'marketplace': return <MarketplaceReview />;
    case 'audit': return <Audit />;
    case 'system': return <System />;
    default: return <NotFound />;
  }
}

function Screen({ route, tenantId }) {
  const [, second] = route.parts;
  if (TENANT_SCREENS.has(route.screen) && !tenantId) return <NoTenant />;
  switch (route.screen) {
    case 'inbox': return <Inbox conversationId={second} />;
    case 'contacts': return second ? <ContactPage id={second} key={second} /> : <Contacts q={route.query.q || ''} />;
    case 'search': return <SearchResults q={route.query.q || ''} />;
    case 'team': return <Team />;
    case 'profile': return <Profile />;
    case 'settings': return <Settings route={route} />;
    case 'usage': return <Usage />;
    case 'admin': return <Admin route={route} />;
    default: return <NotFound />;
  }
}

export function App() {
  const route = useRoute();
  const s = useStore();
  const [booting, setBooting] = useState(true);

  useEffect(() => {
    setLocale(pickLocale(globalThis.navigator && globalThis.navigator.language));
    const screen = route.screen;
    if (PUBLIC_SCREENS.has(screen) && screen !== 'login') {
      setBooting(false);
      return;
    }
    // on the sign-in screen an existing session skips it; anywhere else a missing one leads to it (api.js)
    const restore = screen === 'login'
      ? get('/v1/me', { noAuthRedirect: true }).then((session) => applySession(session)).then(
        () => navigate(takeNext() || homeHash()))
      : restoreSession();
    restore.catch(() => {}).finally(() => setBooting(false));
  }, []);

  useEffect(() => {
    if (!route.screen && !booting) navigate(s.session ? homeHash() : '#/login');
  }, [route.screen, booting, !!s.session]);

  useEffect(() => {
    if (!booting && !s.session && !PUBLIC_SCREENS.has(route.screen)) navigate('#/login');
  }, [booting, !!s.session, route.screen]);

  switch (route.screen) {
    case 'login': return booting ? <Loading /> : <Login />;
    case 'setup': return <Setup token={route.query.token || ''} />;
    case 'forgot': return <Forgot />;
    case 'reset': return <Reset token={route.parts[1] || ''} key={route.parts[1]} />;
    case 'invite': return <Invite token={route.parts[1] || ''} key={route.parts[1]} />;
    default:
  }
  if (booting || !s.session) return <main id="main"><Loading /></main>;
  return (
    <Shell route={route}>
      <Screen route={route} tenantId={s.tenantId} />
    </Shell>
  );
}
