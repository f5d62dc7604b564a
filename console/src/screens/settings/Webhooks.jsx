// Outbound webhooks: subscribe a URL to events (the signing secret is shown once), see each delivery attempt and
// resend one, delete a subscription.
import { useState } from 'preact/hooks';
import { del, get, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Time, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { Confirm, CopyField, SettingsPage } from '../../ui/settings.jsx';

export const EVENTS = ['conversation.created', 'message.created', 'conversation.status_changed', 'intent.detected',
  'approval.requested', 'message.status_changed', 'delivery.failed', 'delivery.uncertain'];

export function Webhooks() {
  const hooks = useAsync(() => get('/v1/webhooks').then((r) => r.data), []);
  const [secret, setSecret] = useState(null);
  return (
    <SettingsPage section="webhooks" title={t('settings.webhooks')}>
      <p class="muted">{t('webhooks.intro')}</p>
      {secret && (
        <section class="panel highlight" data-test="webhook-secret" aria-labelledby="webhook-secret-title">
          <h2 id="webhook-secret-title">{t('webhooks.secretTitle')}</h2>
          <p>{t('webhooks.secretOnce')}</p>
          <CopyField label={t('webhooks.secret')} value={secret} test="webhook-secret-value" />
          <button type="button" onClick={() => setSecret(null)}>{t('keys.done')}</button>
        </section>
      )}
      <WebhookForm onCreated={(w) => {
        setSecret(w.secret);
        hooks.reload();
      }} />
      <section aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">{t('webhooks.list')}</h2>
        <Problem error={hooks.error} />
        {!hooks.data ? <Loading /> : (
          <ul class="plain-list" data-test="webhooks-list">
            {hooks.data.map((w) => <WebhookRow key={w.id} w={w} onDeleted={hooks.reload} />)}
            {!hooks.data.length && <li class="muted">{t('webhooks.none')}</li>}
          </ul>
        )}
      </section>
    </SettingsPage>
  );
}

function WebhookRow({ w, onDeleted }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  return (
    <li class="panel" data-test="webhook-row" data-webhook-id={w.id}>
      <h3 class="mono">{w.url}</h3>
      <p class="muted">{(w.events || []).join(', ')} · {w.active ? t('webhooks.active') : t('webhooks.inactive')}</p>
      <div class="actions">
        <button type="button" aria-expanded={open ? 'true' : 'false'} onClick={() => setOpen(!open)}
          data-test="webhook-deliveries-toggle">{t('webhooks.deliveries')}</button>
        <button type="button" class="danger" onClick={() => setConfirming(true)} data-test="webhook-delete"
          aria-label={t('webhooks.deleteNamed', { url: w.url })}>{t('webhooks.delete')}</button>
      </div>
      {confirming && (
        <Confirm test="webhook-delete-confirm" busy={busy} confirmLabel={t('webhooks.delete')}
          text={t('webhooks.deleteText', { url: w.url })} onCancel={() => setConfirming(false)}
          onConfirm={() => run(async () => {
            await del(`/v1/webhooks/${encodeURIComponent(w.id)}`);
            onDeleted();
          })} />
      )}
      <Problem error={error} />
      {open && <Deliveries id={w.id} />}
    </li>
  );
}

function Deliveries({ id }) {
  const list = useAsync(() => get(`/v1/webhooks/${encodeURIComponent(id)}/deliveries?limit=50`).then((r) => r.data), [id]);
  const { busy, error, run } = useSubmit();
  if (!list.data) return <>{list.error ? <Problem error={list.error} /> : <Loading />}</>;
  return (
    <div class="table-wrap">
      <table data-test="webhook-deliveries">
        <thead><tr>
          <th scope="col">{t('webhooks.event')}</th><th scope="col">{t('webhooks.status')}</th>
          <th scope="col">{t('webhooks.attempts')}</th><th scope="col">{t('webhooks.lastError')}</th>
          <th scope="col">{t('webhooks.at')}</th><th scope="col"><span class="sr-only">{t('team.actions')}</span></th>
        </tr></thead>
        <tbody>
          {list.data.map((d) => (
            <tr key={d.id} data-test="webhook-delivery" data-delivery-id={d.id}>
              <td class="mono">{d.event_type}</td>
              <td>{d.status}{d.last_status ? ` (${d.last_status})` : ''}</td>
              <td>{d.attempts}</td><td>{d.last_error || ''}</td><td><Time iso={d.created_at} /></td>
              <td>
                <button type="button" disabled={busy} data-test="webhook-resend"
                  aria-label={t('webhooks.resendNamed', { event: d.event_type })}
                  onClick={() => run(async () => {
                    await post(`/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(d.id)}/resend`);
                    list.reload();
                  })}>{t('webhooks.resend')}</button>
              </td>
            </tr>
          ))}
          {!list.data.length && <tr><td colSpan={6} class="muted">{t('webhooks.noDeliveries')}</td></tr>}
        </tbody>
      </table>
      <Problem error={error} />
    </div>
  );
}

function WebhookForm({ onCreated }) {
  const [form, setForm] = useState({ url: '', events: ['*'] });
  const { busy, error, run } = useSubmit();
  const all = form.events.includes('*');
  const toggle = (ev) => setForm({ ...form, events: form.events.includes(ev) ? form.events.filter((x) => x !== ev)
    : [...form.events.filter((x) => x !== '*'), ev] });
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      onCreated(await post('/v1/webhooks', { url: form.url.trim(), events: form.events }));
      setForm({ url: '', events: ['*'] });
    });
  };
  return (
    <section class="panel" aria-labelledby="webhook-new-title">
      <h2 id="webhook-new-title">{t('webhooks.new')}</h2>
      <form onSubmit={submit} data-test="webhook-form" noValidate>
        <Field type="url" label={t('webhooks.url')} value={form.url} required maxLength={2000} test="webhook-url"
          placeholder="https://example.com/hooks/clawless" error={errorFor(error, 'url')}
          onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
        <fieldset class="scopes">
          <legend>{t('webhooks.events')}</legend>
          <label class="check"><input type="checkbox" checked={all} data-test="webhook-event-all"
            onChange={() => setForm({ ...form, events: all ? [] : ['*'] })} /> {t('webhooks.allEvents')}</label>
          {!all && EVENTS.map((ev) => (
            <label key={ev} class="check"><input type="checkbox" checked={form.events.includes(ev)}
              onChange={() => toggle(ev)} data-test={`webhook-event-${ev}`} /> <span class="mono">{ev}</span></label>
          ))}
          {errorFor(error, 'events') && <p class="field-error">{errorFor(error, 'events')}</p>}
        </fieldset>
        <Problem error={error} test="webhook-error" />
        <button type="submit" class="primary" disabled={busy} data-test="webhook-create">{t('webhooks.create')}</button>
      </form>
    </section>
  );
}
