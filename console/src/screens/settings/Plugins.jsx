// Plugins: the reviewed catalog with what each version may do (hosts it calls, secrets it asks for, tools that change
// things), installing with a config form and secrets, and for installed ones: configure, upgrade or roll back,
// disable, uninstall. Publishers upload a plugin JAR here for the platform's review.
import { useState } from 'preact/hooks';
import { del, get, patch, post, upload } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Status, useAsync, useSubmit } from '../../ui/common.jsx';
import { SchemaFields, SecretFields, initialValues, toConfig, toSecrets } from '../../ui/SchemaForm.jsx';
import { Confirm, SettingsPage } from '../../ui/settings.jsx';

const enc = encodeURIComponent;

export function Permissions({ p, test = 'plugin-permissions' }) {
  const perm = p || {};
  const list = (xs) => (xs && xs.length ? xs.join(', ') : t('plugins.none'));
  return (
    <dl class="facts" data-test={test}>
      <dt>{t('plugins.hosts')}</dt><dd class="mono">{list(perm.hosts)}</dd>
      <dt>{t('plugins.secrets')}</dt><dd class="mono">{list(perm.secrets)}</dd>
      <dt>{t('plugins.mutatingTools')}</dt><dd class="mono">{list(perm.mutating_tools)}</dd>
    </dl>
  );
}

export function Plugins() {
  const catalog = useAsync(() => get('/v1/marketplace/plugins').then((r) => r.data), []);
  const installed = useAsync(() => get('/v1/plugins/installations').then((r) => r.data), []);
  const reload = () => {
    catalog.reload();
    installed.reload();
  };
  const byPlugin = new Map((installed.data || []).map((i) => [i.plugin_id, i]));
  return (
    <SettingsPage section="plugins" title={t('settings.plugins')}>
      <p class="muted">{t('plugins.intro')}</p>
      <Problem error={catalog.error || installed.error} />
      <section aria-labelledby="installed-title">
        <h2 id="installed-title">{t('plugins.installed')}</h2>
        {!installed.data ? <Loading /> : (
          <ul class="plain-list" data-test="installations">
            {installed.data.map((i) => (
              <Installed key={i.id} i={i} plugin={(catalog.data || []).find((p) => p.plugin_id === i.plugin_id)}
                onChanged={reload} />
            ))}
            {!installed.data.length && <li class="muted">{t('plugins.noneInstalled')}</li>}
          </ul>
        )}
      </section>
      <section aria-labelledby="catalog-title">
        <h2 id="catalog-title">{t('plugins.catalog')}</h2>
        {!catalog.data ? <Loading /> : (
          <ul class="plain-list" data-test="catalog">
            {catalog.data.map((p) => (
              <CatalogEntry key={p.plugin_id} p={p} installed={byPlugin.get(p.plugin_id)} onInstalled={reload} />
            ))}
            {!catalog.data.length && <li class="muted">{t('plugins.emptyCatalog')}</li>}
          </ul>
        )}
      </section>
      <Publish />
    </SettingsPage>
  );
}

/** Semantic-version order (1.2.10 after 1.2.9; a pre-release before its release). */
export function compareVersions(a, b) {
  const parse = (v) => {
    const [core, pre] = String(v).split('-', 2);
    return { nums: core.split('.').map((x) => Number.parseInt(x, 10) || 0), pre: pre || null };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] || 0) - (y.nums[i] || 0);
    if (d) return d;
  }
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

function sortedVersions(p) {
  return (p.versions || []).map((v) => v.version).sort(compareVersions);
}

function versionPermissions(p, version) {
  const v = (p.versions || []).find((x) => x.version === version);
  return (v && v.permissions) || p.permissions;
}

function versionSchema(p, version) {
  const v = (p.versions || []).find((x) => x.version === version);
  return (v && v.config_schema) || p.config_schema;
}

function CatalogEntry({ p, installed, onInstalled }) {
  const [open, setOpen] = useState(false);
  const versions = sortedVersions(p);
  const latest = versions[versions.length - 1];
  return (
    <li class="panel" data-test="catalog-plugin" data-plugin-id={p.plugin_id}>
      <h3>{p.display_name || p.plugin_id} <span class="muted mono">{p.plugin_id}</span></h3>
      <p>{p.description}</p>
      <p class="muted">{t('plugins.versions', { list: versions.join(', ') })} · {t('plugins.installs', { count: p.installs })}</p>
      <Permissions p={versionPermissions(p, latest)} />
      {installed ? <p class="muted" data-test="catalog-installed">{t('plugins.alreadyInstalled', { version: installed.version })}</p> : (
        <button type="button" aria-expanded={open ? 'true' : 'false'} onClick={() => setOpen(!open)}
          data-test="plugin-install-open" aria-label={t('plugins.installNamed', { name: p.display_name || p.plugin_id })}>
          {t('plugins.install')}
        </button>
      )}
      {open && !installed && <InstallForm p={p} onInstalled={onInstalled} />}
    </li>
  );
}

function InstallForm({ p, onInstalled }) {
  const versions = sortedVersions(p);
  const [version, setVersion] = useState(versions[versions.length - 1] || '');
  const schema = versionSchema(p, version);
  const [values, setValues] = useState(() => initialValues(schema));
  const [secrets, setSecrets] = useState({});
  const { busy, error, setError, run } = useSubmit();
  const perm = versionPermissions(p, version) || {};
  const submit = (e) => {
    e.preventDefault();
    const { config, errors } = toConfig(schema, values);
    if (errors.length) {
      setError({ detail: t('schema.fixFields'), errors });
      return;
    }
    run(async () => {
      await post('/v1/plugins/installations', { plugin_id: p.plugin_id, version, config, secrets: toSecrets(secrets) });
      onInstalled();
    });
  };
  return (
    <form onSubmit={submit} data-test="plugin-install-form" noValidate>
      <Field as="select" label={t('plugins.version')} value={version} test="plugin-install-version"
        onChange={(e) => setVersion(e.currentTarget.value)}>
        {versions.map((v) => <option key={v} value={v}>{v}</option>)}
      </Field>
      <p class="hint">{t('plugins.grantHint')}</p>
      <Permissions p={perm} test="plugin-install-permissions" />
      <SchemaFields schema={schema} values={values} onChange={setValues} error={error} prefix="plugin-config" />
      <SecretFields optional={perm.secrets || []} values={secrets} onChange={setSecrets} error={error} prefix="plugin-secret" />
      <Problem error={error} test="plugin-install-error" />
      <button type="submit" class="primary" disabled={busy} data-test="plugin-install">{t('plugins.installGrant')}</button>
    </form>
  );
}

function Installed({ i, plugin, onChanged }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [version, setVersion] = useState(i.version);
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const versions = plugin ? sortedVersions(plugin) : [i.version];
  const name = (plugin && plugin.display_name) || i.plugin_id;
  const usage = useAsync(() => (confirming ? get(`/v1/plugins/installations/${enc(i.id)}`)
    .then((x) => x.in_use || { channel_connections: 0 }) : Promise.resolve(null)), [confirming]);
  const change = (body, message) => run(async () => {
    await patch(`/v1/plugins/installations/${enc(i.id)}`, body);
    setStatus(message);
    onChanged();
  });
  return (
    <li class="panel" data-test="installation" data-installation-id={i.id} data-plugin-id={i.plugin_id}>
      <h3>{name} <span class="muted mono">{i.plugin_id}@{i.version}</span></h3>
      <p data-test="installation-status">{t(`installStatus.${i.status}`)}{i.enabled ? '' : ` · ${t('plugins.disabled')}`}
        {i.failure && <span class="field-error"> {i.failure}</span>}</p>
      {i.tools && i.tools.length > 0 && (
        <p class="muted">{t('plugins.tools')}: {i.tools.map((x) => `${x.name}${x.mutating ? ' ⚠' : ''}`).join(', ')}</p>
      )}
      <div class="actions">
        <Field as="select" class="compact" label={t('plugins.versionOf', { name })} value={version}
          onChange={(e) => setVersion(e.currentTarget.value)} test="installation-version">
          {versions.map((v) => <option key={v} value={v}>{v}</option>)}
        </Field>
        <button type="button" disabled={busy || version === i.version} data-test="installation-change-version"
          onClick={() => change({ version }, t('plugins.movedTo', { version }))}>
          {compareVersions(version, i.version) < 0 ? t('plugins.rollback') : t('plugins.upgrade')}
        </button>
        <button type="button" disabled={busy} data-test="installation-toggle"
          onClick={() => change({ enabled: !i.enabled }, i.enabled ? t('plugins.disabledNow') : t('plugins.enabledNow'))}>
          {i.enabled ? t('plugins.disable') : t('plugins.enable')}
        </button>
        <button type="button" aria-expanded={editing ? 'true' : 'false'} onClick={() => setEditing(!editing)}
          data-test="installation-configure">{t('plugins.configure')}</button>
        <button type="button" class="danger" onClick={() => setConfirming(true)} data-test="installation-uninstall">
          {t('plugins.uninstall')}
        </button>
      </div>
      {confirming && usage.data && usage.data.channel_connections > 0 && (
        <div class="confirm" role="alert" data-test="uninstall-blocked">
          <p>{t('plugins.inUseByChannels', { name, count: usage.data.channel_connections })}</p>
          <ul>{(usage.data.connection_ids || []).map((cid) => (
            <li key={cid}><a href={`#/settings/channels/${enc(cid)}`}>{cid}</a></li>))}</ul>
          <button type="button" onClick={() => setConfirming(false)} data-test="uninstall-blocked-close">{t('common.close')}</button>
        </div>
      )}
      {confirming && usage.data && !usage.data.channel_connections && (
        <Confirm test="uninstall-confirm" busy={busy} confirmLabel={t('plugins.uninstallYes')}
          text={[t('plugins.uninstallText', { name }),
            i.tools && i.tools.length ? t('plugins.uninstallTools', { list: i.tools.map((x) => x.name).join(', ') }) : '']
            .filter(Boolean).join(' ')}
          onCancel={() => setConfirming(false)}
          onConfirm={() => run(async () => {
            await del(`/v1/plugins/installations/${enc(i.id)}`);
            onChanged();
          })} />
      )}
      <Status message={status} test="installation-status-line" />
      <Problem error={error} test="installation-error" />
      {editing && plugin && <ConfigureForm i={i} plugin={plugin} onSaved={() => {
        setEditing(false);
        setStatus(t('common.saved'));
        onChanged();
      }} />}
    </li>
  );
}

function ConfigureForm({ i, plugin, onSaved }) {
  const schema = versionSchema(plugin, i.version);
  const [values, setValues] = useState(() => initialValues(schema, i.config || {}));
  const [secrets, setSecrets] = useState({});
  const { busy, error, setError, run } = useSubmit();
  const perm = versionPermissions(plugin, i.version) || {};
  const submit = (e) => {
    e.preventDefault();
    const { config, errors } = toConfig(schema, values, { forPatch: true, previous: i.config || {} });
    if (errors.length) {
      setError({ detail: t('schema.fixFields'), errors });
      return;
    }
    run(async () => {
      await patch(`/v1/plugins/installations/${enc(i.id)}`, { config, secrets: toSecrets(secrets) });
      onSaved();
    });
  };
  return (
    <form onSubmit={submit} data-test="installation-config-form" noValidate>
      <SchemaFields schema={schema} values={values} onChange={setValues} error={error} prefix="installation-config" />
      <SecretFields optional={perm.secrets || []} stored={i.secrets || []} values={secrets} onChange={setSecrets}
        error={error} prefix="installation-secret" />
      <Problem error={error} test="installation-config-error" />
      <button type="submit" class="primary" disabled={busy} data-test="installation-save">{t('common.save')}</button>
    </form>
  );
}

/** Uploads a plugin JAR for review; the answer says it waits for the platform admin. */
function Publish() {
  const [file, setFile] = useState(null);
  const [signature, setSignature] = useState('');
  const [done, setDone] = useState(null);
  const [checkId, setCheckId] = useState('');
  const [uploads, setUploads] = useState(null);
  const { busy, error, setError, run } = useSubmit();
  const check = (id) => run(async () => {
    const p = await get(`/v1/marketplace/plugins/${enc(id)}`);
    setUploads({ id, list: p.uploads || [] });
  });
  const submit = (e) => {
    e.preventDefault();
    setDone(null);
    if (!file) {
      setError({ detail: t('plugins.chooseJar'), errors: [] });
      return;
    }
    run(async () => {
      const headers = signature.trim() ? { 'X-Plugin-Signature': signature.trim() } : {};
      const up = await upload('/v1/marketplace/plugins', file, 'application/java-archive', headers);
      setDone(up);
      setCheckId(up.plugin_id);
      const p = await get(`/v1/marketplace/plugins/${enc(up.plugin_id)}`);
      setUploads({ id: up.plugin_id, list: p.uploads || [] });
    });
  };
  return (
    <section class="panel" aria-labelledby="publish-title">
      <h2 id="publish-title">{t('plugins.publish')}</h2>
      <p class="hint">{t('plugins.publishHint')}</p>
      <form onSubmit={submit} data-test="plugin-publish-form">
        <Field type="file" label={t('plugins.jar')} accept=".jar,application/java-archive" test="plugin-jar"
          onChange={(e) => setFile(e.currentTarget.files[0] || null)} />
        <Field label={t('plugins.signature')} value={signature} test="plugin-signature" hint={t('plugins.signatureHint')}
          onInput={(e) => setSignature(e.currentTarget.value)} />
        <Problem error={error} test="plugin-publish-error" />
        <Status message={done ? t('plugins.published', { id: done.plugin_id, version: done.version,
          status: t(`versionStatus.${done.status}`) }) : ''} test="plugin-publish-status" />
        <button type="submit" class="primary" disabled={busy} data-test="plugin-publish">{t('plugins.upload')}</button>
      </form>
      <form class="inline-form spaced" data-test="plugin-review-check" onSubmit={(e) => {
        e.preventDefault();
        if (checkId.trim()) check(checkId.trim());
      }}>
        <Field label={t('plugins.checkId')} value={checkId} maxLength={64} test="plugin-review-id"
          onInput={(e) => setCheckId(e.currentTarget.value)} />
        <button type="submit" disabled={busy} data-test="plugin-review-check-go">{t('plugins.check')}</button>
      </form>
      {uploads && (
        <ul class="plain-list" data-test="plugin-uploads">
          {uploads.list.map((v) => (
            <li key={v.version} data-test="plugin-upload" data-version={v.version}>
              <span class="mono">{uploads.id}@{v.version}</span>: {t(`versionStatus.${v.status}`)}
              {v.review_reason && <> — {t('plugins.reviewReason', { reason: v.review_reason })}</>}
            </li>
          ))}
          {!uploads.list.length && <li class="muted">{t('plugins.noUploads')}</li>}
        </ul>
      )}
    </section>
  );
}
