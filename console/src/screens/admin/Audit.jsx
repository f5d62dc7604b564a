// The audit log with filters (tenant, action), newest first, page by page.
import { useState } from 'preact/hooks';
import { get, query } from '../../api.js';
import { t } from '../../i18n/index.js';
import { useStore } from '../../store.js';
import { Field, Loading, Problem, Time, useAsync } from '../../ui/common.jsx';
import { AdminPage } from './AdminNav.jsx';

export function Audit() {
  const s = useStore();
  const [filter, setFilter] = useState({ tenant_id: '', action: '' });
  const [applied, setApplied] = useState(filter);
  const [more, setMore] = useState([]);
  const [cursor, setCursor] = useState(null);
  const first = useAsync(() => get(`/admin/audit${query({ ...applied, limit: 50 })}`).then((r) => {
    setMore([]);
    setCursor(r.next_cursor);
    return r.data;
  }), [applied.tenant_id, applied.action]);
  const rows = [...(first.data || []), ...more];
  const names = new Map((s.adminTenants || []).map((tn) => [tn.id, tn.name]));
  const loadMore = async () => {
    const r = await get(`/admin/audit${query({ ...applied, limit: 50, cursor })}`);
    setMore([...more, ...r.data]);
    setCursor(r.next_cursor);
  };
  return (
    <AdminPage section="audit" title={t('adminNav.audit')}>
      <form class="inline-form panel" data-test="audit-filter" onSubmit={(e) => {
        e.preventDefault();
        setApplied({ tenant_id: filter.tenant_id, action: filter.action.trim() });
      }}>
        <Field as="select" label={t('audit.tenant')} value={filter.tenant_id} test="audit-tenant"
          onChange={(e) => setFilter({ ...filter, tenant_id: e.currentTarget.value })}>
          <option value="">{t('audit.allTenants')}</option>
          {(s.adminTenants || []).map((tn) => <option key={tn.id} value={tn.id}>{tn.name}</option>)}
        </Field>
        <Field label={t('audit.action')} value={filter.action} placeholder="tenant.suspended" test="audit-action"
          onInput={(e) => setFilter({ ...filter, action: e.currentTarget.value })} />
        <button type="submit" class="primary" data-test="audit-apply">{t('audit.filter')}</button>
      </form>
      <Problem error={first.error} />
      {!first.data ? <Loading /> : (
        <div class="table-wrap">
          <table data-test="audit-table">
            <thead><tr>
              <th scope="col">{t('audit.when')}</th><th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.actor')}</th><th scope="col">{t('audit.tenant')}</th>
              <th scope="col">{t('audit.target')}</th><th scope="col">{t('audit.details')}</th>
            </tr></thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id} data-test="audit-row">
                  <td><Time iso={e.occurred_at} /></td><td class="mono">{e.action}</td><td class="mono">{e.actor}</td>
                  <td>{e.tenant_id ? (names.get(e.tenant_id) || e.tenant_id) : '—'}</td>
                  <td class="mono">{e.target_id || ''}</td>
                  <td class="mono small">{e.details && Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
                </tr>
              ))}
              {!rows.length && <tr><td colSpan={6} class="muted">{t('audit.none')}</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <button type="button" onClick={loadMore} data-test="audit-more">{t('common.loadMore')}</button>}
    </AdminPage>
  );
}
