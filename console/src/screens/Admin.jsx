// Platform admins: every tenant, and a form to create one.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { t } from '../i18n/index.js';
import { navigate } from '../router.js';
import { loadAdminTenants, switchTenant } from '../session.js';
import { getState, setState, useStore } from '../store.js';
import { Field, Loading, Problem, Status, Time, useSubmit } from '../ui/common.jsx';
import { CopyField } from '../ui/settings.jsx';
import { errorFor } from '../ui/SchemaForm.jsx';
import { AdminPage } from './admin/AdminNav.jsx';

export function AdminTenants() {
  const s = useStore();
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [status, setStatus] = useState('');
  const [invite, setInvite] = useState(null);
  const { busy, error, run } = useSubmit();
  const [created, setCreated] = useState(null); // a tenant whose owner's invitation is still to be sent
  const inviteOwner = async (tenant, email) => {
    // the owner's invitation is the tenant's own route: ask for it in that tenant's name
    const inv = await post('/v1/invitations', { email, role: 'owner' }, { tenant: tenant.id });
    setInvite(inv);
    setOwner('');
    setCreated(null);
  };
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    setInvite(null);
    run(async () => {
      if (created) { // the tenant exists already: only its owner's invitation failed
        await inviteOwner(created, owner.trim());
        return;
      }
      const tenant = await post('/admin/tenants', { name: name.trim() });
      setName('');
      setState({ adminTenants: [...(getState().adminTenants || []), tenant] });
      setStatus(t('admin.created', { name: tenant.name }));
      if (!getState().tenantId) await switchTenant(tenant.id);
      if (owner.trim()) {
        setCreated(tenant);
        await inviteOwner(tenant, owner.trim());
      }
    });
  };
  const open = async (id) => {
    await switchTenant(id);
    navigate('#/inbox');
  };
  const tenants = s.adminTenants;
  return (
    <AdminPage section="tenants" title={t('admin.title')}>
      <section class="panel" aria-labelledby="tenant-create-title">
        <h2 id="tenant-create-title">{t('admin.create')}</h2>
        <form onSubmit={submit} class="inline-form" data-test="tenant-create-form">
          {!created && (
            <Field label={t('admin.name')} required maxLength={200} value={name} error={errorFor(error, 'name')}
              onInput={(e) => setName(e.currentTarget.value)} test="tenant-create-name" />
          )}
          <Field label={t('admin.ownerEmail')} type="email" maxLength={320} value={owner}
            hint={created ? t('admin.ownerRetryHint', { name: created.name }) : t('admin.ownerHint')}
            error={errorFor(error, 'email')} onInput={(e) => setOwner(e.currentTarget.value)} test="tenant-create-owner" />
          <button type="submit" class="primary" disabled={busy} data-test="tenant-create-submit">
            {created ? t('admin.inviteOwner') : t('admin.createButton')}
          </button>
          {created && (
            <button type="button" onClick={() => { setCreated(null); setOwner(''); }} data-test="tenant-create-skip">
              {t('admin.skipOwner')}
            </button>
          )}
        </form>
        <Problem error={error} test="tenant-create-error" />
        <Status message={status} test="tenant-create-status" />
        {invite && (
          <div data-test="tenant-owner-invite">
            <p>{invite.emailed ? t('team.emailed', { email: invite.email }) : t('team.notEmailed', { email: invite.email })}</p>
            <CopyField label={t('admin.ownerLink')} value={invite.link} test="tenant-owner-link" />
          </div>
        )}
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
                    <th scope="row"><a href={`#/admin/tenants/${encodeURIComponent(tn.id)}`} data-test="tenant-manage">{tn.name}</a>
                      <div class="muted mono">{tn.id}</div></th>
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
    </AdminPage>
  );
}
