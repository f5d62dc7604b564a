// API keys: create one with scopes and an expiry (its secret is shown once), rotate, revoke.
import { useState } from 'preact/hooks';
import { del, get, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Time, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { Confirm, CopyField, SettingsPage } from '../../ui/settings.jsx';

export const SCOPES = ['chat', 'conversations:read', 'conversations:write', 'channels:admin', 'plugins:admin',
  'usage:read', 'tenant:admin', 'keys:admin', 'knowledge:admin', 'webhooks:admin', 'members:admin'];

export function ApiKeys() {
  const keys = useAsync(() => get('/v1/api-keys?limit=200').then((r) => r.data), []);
  const [secret, setSecret] = useState(null); // {name, key}: shown once
  return (
    <SettingsPage section="apiKeys" title={t('settings.apiKeys')}>
      <p class="muted">{t('keys.intro')}</p>
      {secret && (
        <section class="panel highlight" aria-labelledby="key-secret-title" data-test="key-secret">
          <h2 id="key-secret-title">{t('keys.secretTitle', { name: secret.name })}</h2>
          <p>{t('keys.secretOnce')}</p>
          <CopyField label={t('keys.secret')} value={secret.key} test="key-secret-value" />
          <button type="button" onClick={() => setSecret(null)} data-test="key-secret-done">{t('keys.done')}</button>
        </section>
      )}
      <KeyForm onCreated={(k) => {
        setSecret({ name: k.name, key: k.key });
        keys.reload();
      }} />
      <section aria-labelledby="keys-title">
        <h2 id="keys-title">{t('keys.list')}</h2>
        <Problem error={keys.error} />
        {!keys.data ? <Loading /> : (
          <div class="table-wrap">
            <table data-test="keys-table">
              <thead><tr>
                <th scope="col">{t('keys.name')}</th><th scope="col">{t('keys.scopes')}</th>
                <th scope="col">{t('keys.status')}</th><th scope="col">{t('keys.expires')}</th>
                <th scope="col"><span class="sr-only">{t('team.actions')}</span></th>
              </tr></thead>
              <tbody>
                {keys.data.map((k) => <KeyRow key={k.id} k={k} onChanged={keys.reload}
                  onRotated={(r) => setSecret({ name: r.name, key: r.key })} />)}
                {!keys.data.length && <tr><td colSpan={5} class="muted">{t('keys.none')}</td></tr>}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </SettingsPage>
  );
}

function KeyRow({ k, onChanged, onRotated }) {
  const [confirming, setConfirming] = useState(null); // 'revoke' | 'rotate'
  const { busy, error, run } = useSubmit();
  const active = k.status === 'active';
  return (
    <tr data-test="key-row" data-key-id={k.id}>
      <th scope="row">{k.name}<div class="muted mono">{k.id} {k.hint}</div></th>
      <td class="mono small">{k.scopes.join(', ')}</td>
      <td>{t(`keyStatus.${k.status}`)}</td>
      <td>{k.expires_at ? <Time iso={k.expires_at} /> : t('keys.never')}</td>
      <td>
        {active && (
          <div class="actions">
            <button type="button" onClick={() => setConfirming('rotate')} data-test="key-rotate"
              aria-label={t('keys.rotateNamed', { name: k.name })}>{t('keys.rotate')}</button>
            <button type="button" class="danger" onClick={() => setConfirming('revoke')} data-test="key-revoke"
              aria-label={t('keys.revokeNamed', { name: k.name })}>{t('keys.revoke')}</button>
          </div>
        )}
        {confirming && (
          <Confirm test={`key-${confirming}-confirm`} busy={busy}
            confirmLabel={confirming === 'revoke' ? t('keys.revokeYes') : t('keys.rotateYes')}
            text={confirming === 'revoke' ? t('keys.revokeText', { name: k.name }) : t('keys.rotateText', { name: k.name })}
            onCancel={() => setConfirming(null)}
            onConfirm={() => run(async () => {
              if (confirming === 'revoke') await del(`/v1/api-keys/${encodeURIComponent(k.id)}`);
              else onRotated(await post(`/v1/api-keys/${encodeURIComponent(k.id)}/rotate`, {}));
              setConfirming(null);
              onChanged();
            })} />
        )}
        <Problem error={error} />
      </td>
    </tr>
  );
}

function KeyForm({ onCreated }) {
  const [form, setForm] = useState({ name: '', scopes: ['chat'], expires: '' });
  const { busy, error, run } = useSubmit();
  const toggle = (s) => setForm({ ...form, scopes: form.scopes.includes(s) ? form.scopes.filter((x) => x !== s)
    : [...form.scopes, s] });
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const body = { name: form.name.trim(), scopes: form.scopes };
      if (form.expires) body.expires_at = new Date(`${form.expires}T23:59:59`).toISOString();
      const created = await post('/v1/api-keys', body);
      setForm({ name: '', scopes: ['chat'], expires: '' });
      onCreated(created);
    });
  };
  return (
    <section class="panel" aria-labelledby="key-new-title">
      <h2 id="key-new-title">{t('keys.new')}</h2>
      <form onSubmit={submit} data-test="key-form" noValidate>
        <Field label={t('keys.name')} value={form.name} required maxLength={100} test="key-name"
          error={errorFor(error, 'name')} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <fieldset class="scopes" aria-describedby={errorFor(error, 'scopes') ? 'key-scopes-err' : undefined}>
          <legend>{t('keys.scopes')}</legend>
          {SCOPES.map((s) => (
            <label key={s} class="check"><input type="checkbox" checked={form.scopes.includes(s)}
              onChange={() => toggle(s)} data-test={`key-scope-${s}`} /> <span class="mono">{s}</span>
              <span class="muted"> — {t(`scope.${s}`)}</span></label>
          ))}
          {errorFor(error, 'scopes') && <p class="field-error" id="key-scopes-err">{errorFor(error, 'scopes')}</p>}
        </fieldset>
        <Field type="date" label={t('keys.expiresOn')} value={form.expires} test="key-expires"
          hint={t('keys.expiresHint')} error={errorFor(error, 'expires_at')}
          onInput={(e) => setForm({ ...form, expires: e.currentTarget.value })} />
        <Problem error={error} test="key-error" />
        <button type="submit" class="primary" disabled={busy} data-test="key-create">{t('keys.create')}</button>
      </form>
    </section>
  );
}
