// Platform admins: every tenant, and a form to create one.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { t } from '../i18n/index.js';
import { navigate } from '../router.js';
import { loadAdminTenants, switchTenant } from '../session.js';
import { getState, setState, useStore } from '../store.js';
import { Field, Loading, PageTitle, Problem, Status, Time, useSubmit } from '../ui/common.jsx';

export function AdminTenants() {
  const s = useStore();
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  if (!s.session.user.platform_admin) {
    return <div class="page"><PageTitle>{t('nav.admin')}</PageTitle><p>{t('admin.only')}</p></div>;
  }
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const tenant = await post('/admin/tenants', { name: name.trim() });
      setName('');
      setState({ adminTenants: [...(getState().adminTenants || []), tenant] });
      setStatus(t('admin.created', { name: tenant.name }));
      if (!getState().tenantId) await switchTenant(tenant.id);
    });
  };
  const open = async (id) => {
    await switchTenant(id);
    navigate('#/inbox');
  };
  const tenants = s.adminTenants;
  return (
    <div class="page">
      <PageTitle>{t('admin.title')}</PageTitle>
      <section class="panel" aria-labelledby="tenant-create-title">
        <h2 id="tenant-create-title">{t('admin.create')}</h2>
        <form onSubmit={submit} class="inline-form" data-test="tenant-create-form">
          <Field label={t('admin.name')} required maxLength={200} value={name}
            onInput={(e) => setName(e.currentTarget.value)} test="tenant-create-name" />
          <button type="submit" class="primary" disabled={busy} data-test="tenant-create-submit">{t('admin.createButton')}</button>
        </form>
        <Problem error={error} test="tenant-create-error" />
        <Status message={status} test="tenant-create-status" />
      </section>
      <section aria-labelledby="tenants-title">
        <h2 id="tenants-title">{t('admin.tenants')}</h2>
        <button type="button" class="link-button" onClick={() => loadAdminTenants()} data-test="tenants-reload">
          {t('common.reload')}
        </button>
        {tenants === null ? <Loading /> : (
          <div class="table-wrap">
            <table data-test="tenants-table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.name')}</th><th scope="col">{t('admin.status')}</th>
                  <th scope="col">{t('admin.plan')}</th><th scope="col">{t('admin.createdAt')}</th>
                  <th scope="col"><span class="sr-only">{t('team.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {tenants.map((tn) => (
                  <tr key={tn.id} data-test="tenant-row" data-tenant-id={tn.id}>
                    <th scope="row">{tn.name}<div class="muted mono">{tn.id}</div></th>
                    <td>{tn.status ? t(`tenantStatus.${tn.status}`) : ''}</td>
                    <td>{tn.plan || ''}</td>
                    <td><Time iso={tn.created_at} /></td>
                    <td>
                      <button type="button" onClick={() => open(tn.id)} data-test="tenant-open"
                        aria-label={t('admin.openNamed', { name: tn.name })}>{t('admin.open')}</button>
                    </td>
                  </tr>
                ))}
                {!tenants.length && <tr><td colSpan={5} class="muted">{t('admin.none')}</td></tr>}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
