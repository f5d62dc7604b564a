// System: the database (and Redis where configured), the job queue, dead letters per kind, loaded plugins, version.
import { get } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Loading, Problem, Time, useAsync } from '../../ui/common.jsx';
import { AdminPage } from './AdminNav.jsx';

function Up({ status }) {
  return <span class={`badge ${status === 'UP' ? 'ok' : 'danger'}`}>{status === 'UP' ? t('system.up') : t('system.down')}</span>;
}

export function System() {
  const sys = useAsync(() => get('/admin/system'), []);
  const d = sys.data;
  return (
    <AdminPage section="system" title={t('adminNav.system')}>
      <button type="button" onClick={sys.reload} data-test="system-reload">{t('common.reload')}</button>
      <Problem error={sys.error} />
      {!d ? <Loading /> : (
        <>
          <dl class="facts panel" data-test="system-facts">
            <dt>{t('system.version')}</dt><dd data-test="system-version">{d.version}</dd>
            <dt>{t('system.started')}</dt><dd><Time iso={d.started_at} /></dd>
            <dt>{t('system.database')}</dt>
            <dd data-test="system-database"><Up status={d.database && d.database.status} /> {d.database && d.database.product}</dd>
            <dt>Redis</dt><dd data-test="system-redis">{d.redis ? <Up status={d.redis.status} /> : t('system.notConfigured')}</dd>
            <dt>{t('system.queued')}</dt><dd data-test="system-queued">{d.jobs.queued}</dd>
            <dt>{t('system.running')}</dt><dd>{d.jobs.running}</dd>
            <dt>{t('system.dead')}</dt><dd data-test="system-dead">{d.jobs.dead}</dd>
          </dl>
          <section class="panel" aria-labelledby="dead-kinds-title">
            <h2 id="dead-kinds-title">{t('system.deadByKind')}</h2>
            <ul data-test="system-dead-kinds">
              {Object.entries(d.jobs.dead_by_kind || {}).map(([k, n]) => <li key={k}><span class="mono">{k}</span>: {n}</li>)}
              {!Object.keys(d.jobs.dead_by_kind || {}).length && <li class="muted">{t('system.noDead')}</li>}
            </ul>
          </section>
          <section class="panel" aria-labelledby="loaded-plugins-title">
            <h2 id="loaded-plugins-title">{t('system.plugins')}</h2>
            <ul data-test="system-plugins">
              {(d.plugins || []).map((p) => (
                <li key={`${p.plugin_id}@${p.version}`}><span class="mono">{p.plugin_id}@{p.version}</span> · {t('system.installations', { count: p.installations })}</li>
              ))}
              {!(d.plugins || []).length && <li class="muted">{t('system.noPlugins')}</li>}
            </ul>
          </section>
        </>
      )}
    </AdminPage>
  );
}
