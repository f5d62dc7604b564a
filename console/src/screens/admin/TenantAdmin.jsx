// One tenant, for the platform admin: name, plan, suspend or reactivate, quota overrides, this month's usage.
import { useState } from 'preact/hooks';
import { get, patch } from '../../api.js';
import { t } from '../../i18n/index.js';
import { navigate } from '../../router.js';
import { loadAdminTenants, switchTenant } from '../../session.js';
import { Field, Loading, Problem, Status, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { Confirm } from '../../ui/settings.jsx';
import { AdminPage } from './AdminNav.jsx';

const enc = encodeURIComponent;
const QUOTAS = ['messages_per_month', 'tokens_per_month', 'requests_per_minute'];

export function TenantAdmin({ id }) {
  const tenant = useAsync(() => get(`/admin/tenants/${enc(id)}`), [id]);
  const usage = useAsync(() => get(`/admin/tenants/${enc(id)}/usage`), [id]);
  const tn = tenant.data;
  return (
    <AdminPage section="tenants" title={tn ? tn.name : t('adminNav.tenants')}>
      <p><a href="#/admin/tenants">{t('admin.backToTenants')}</a></p>
      <Problem error={tenant.error} />
      {!tn ? <Loading /> : (
        <>
          <p class="muted mono">{tn.id}</p>
          <TenantForm tn={tn} onSaved={(x) => {
            tenant.setData(x);
            loadAdminTenants();
          }} />
          <Suspend tn={tn} onSaved={(x) => {
            tenant.setData(x);
            loadAdminTenants();
          }} />
          <section class="panel" aria-labelledby="tenant-usage-title" data-test="tenant-usage">
            <h2 id="tenant-usage-title">{t('admin.usage')}</h2>
            {!usage.data ? <Loading /> : (
              <dl class="facts">
                <dt>{t('admin.period')}</dt><dd>{usage.data.period}</dd>
                <dt>{t('usage.answers')}</dt><dd data-test="tenant-usage-messages">{usage.data.messages}</dd>
                <dt>{t('usage.tokensIn')}</dt><dd>{usage.data.tokens_in}</dd>
                <dt>{t('usage.tokensOut')}</dt><dd>{usage.data.tokens_out}</dd>
                <dt>{t('usage.cost')}</dt><dd>${Number(usage.data.cost_usd).toFixed(4)}</dd>
              </dl>
            )}
            <button type="button" onClick={async () => {
              await switchTenant(id);
              navigate('#/usage');
            }} data-test="tenant-open-usage">{t('admin.openReports')}</button>
          </section>
        </>
      )}
    </AdminPage>
  );
}

function TenantForm({ tn, onSaved }) {
  const over = tn.quota_overrides || {};
  const [form, setForm] = useState({ name: tn.name, plan: tn.plan,
    ...Object.fromEntries(QUOTAS.map((q) => [q, over[q] == null ? '' : String(over[q])])) });
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const quotas = {};
      for (const q of QUOTAS) quotas[q] = form[q].trim() === '' ? null : Number(form[q]);
      onSaved(await patch(`/admin/tenants/${enc(tn.id)}`, { name: form.name.trim(), plan: form.plan.trim(), quotas }));
      setStatus(t('common.saved'));
    });
  };
  return (
    <form class="panel" onSubmit={submit} data-test="tenant-admin-form" noValidate>
      <Field label={t('admin.name')} value={form.name} required maxLength={200} test="tenant-admin-name"
        error={errorFor(error, 'name')} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
      <Field label={t('admin.plan')} value={form.plan} maxLength={40} test="tenant-admin-plan"
        error={errorFor(error, 'plan')} onInput={(e) => setForm({ ...form, plan: e.currentTarget.value })} />
      <fieldset>
        <legend>{t('admin.quotaOverrides')}</legend>
        <p class="hint">{t('admin.quotaHint')}</p>
        {QUOTAS.map((q) => (
          <Field key={q} type="number" min={-1} label={t(`quota.${q}`)} value={form[q]} test={`tenant-admin-${q}`}
            hint={t('admin.planValue', { value: tn.quotas[q] < 0 ? t('usage.unlimited') : tn.quotas[q] })}
            error={errorFor(error, `quotas.${q}`)} onInput={(e) => setForm({ ...form, [q]: e.currentTarget.value })} />
        ))}
      </fieldset>
      <Problem error={error} test="tenant-admin-error" />
      <Status message={status} test="tenant-admin-status" />
      <button type="submit" class="primary" disabled={busy} data-test="tenant-admin-save">{t('common.save')}</button>
    </form>
  );
}

function Suspend({ tn, onSaved }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  const suspended = tn.status === 'suspended';
  const set = (status) => run(async () => {
    onSaved(await patch(`/admin/tenants/${enc(tn.id)}`, { status }));
    setConfirming(false);
  });
  return (
    <section class="panel danger-zone" aria-labelledby="tenant-status-title">
      <h2 id="tenant-status-title">{t('admin.status')}: <span data-test="tenant-admin-status-value">{t(`tenantStatus.${tn.status}`)}</span></h2>
      {suspended ? (
        <button type="button" disabled={busy} onClick={() => set('active')} data-test="tenant-reactivate">{t('admin.reactivate')}</button>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)} data-test="tenant-suspend">{t('admin.suspend')}</button>
      )}
      {confirming && (
        <Confirm test="tenant-suspend-confirm" busy={busy} confirmLabel={t('admin.suspendYes')}
          text={t('admin.suspendText', { name: tn.name })} onCancel={() => setConfirming(false)}
          onConfirm={() => set('suspended')} />
      )}
      <Problem error={error} />
    </section>
  );
}
