// System: the database (and Redis where configured), the job queue, dead letters per kind, loaded plugins, version,
// and the hub's backups (take one now, download one).
import { useState } from 'preact/hooks';
import { get, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Loading, Problem, Time, useAsync } from '../../ui/common.jsx';
import { AdminPage } from './AdminNav.jsx';

function Up({ status }) {
  return <span class={`badge ${status === 'UP' ? 'ok' : 'danger'}`}>{status === 'UP' ? t('system.up') : t('system.down')}</span>;
}

function size(bytes) {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

function Backups() {
  const list = useAsync(() => get('/admin/backups'), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [made, setMade] = useState(null);
  async function takeOne() {
    setBusy(true);
    setError(null);
    try {
      const b = await post('/admin/backups');
      setMade(b.name);
      list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="panel" aria-labelledby="backups-title">
      <h2 id="backups-title">{t('system.backups')}</h2>
      <p class="muted">{t('system.backupsHint')}</p>
      <button type="button" onClick={takeOne} disabled={busy} data-test="backup-now">
        {busy ? t('system.backupRunning') : t('system.backupNow')}
      </button>
      <Problem error={error || list.error} />
      {made && <p role="status" data-test="backup-made">{t('system.backupMade', { name: made })}</p>}
      {!list.data ? <Loading /> : (
        <ul data-test="backup-list">
          {list.data.data.map((b) => (
            <li key={b.name} data-test="backup-row">
              <a href={b.download} download={b.name} class="mono">{b.name}</a> · {size(b.size)} · <Time iso={b.created_at} />
            </li>
          ))}
          {!list.data.data.length && <li class="muted">{t('system.noBackups')}</li>}
        </ul>
      )}
    </section>
  );
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
          <Backups />
        </>
      )}
    </AdminPage>
  );
}
