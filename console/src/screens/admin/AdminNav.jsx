// The platform admin's section menu: tenants, marketplace review, audit log, system.
import { t } from '../../i18n/index.js';
import { useStore } from '../../store.js';
import { PageTitle } from '../../ui/common.jsx';

const ITEMS = ['tenants', 'marketplace', 'audit', 'system'];

export function AdminPage({ section, title, children }) {
  const s = useStore();
  if (!s.session.user.platform_admin) {
    return <div class="page" data-test="admin-forbidden"><PageTitle>{t('nav.admin')}</PageTitle><p>{t('admin.only')}</p></div>;
  }
  return (
    <div class="page settings-page">
      <nav class="settings-nav" aria-label={t('nav.admin')}>
        <ul>
          {ITEMS.map((i) => (
            <li key={i}><a href={`#/admin/${i}`} aria-current={i === section ? 'page' : undefined}
              data-test={`admin-nav-${i}`}>{t(`adminNav.${i}`)}</a></li>
          ))}
        </ul>
      </nav>
      <div class="settings-body" data-test={`admin-${section}`}>
        <PageTitle>{title}</PageTitle>
        {children}
      </div>
    </div>
  );
}
