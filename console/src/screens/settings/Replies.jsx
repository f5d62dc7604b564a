// Labels and canned replies: what agents tag conversations with, and the texts they insert with "/shortcut".
import { useState } from 'preact/hooks';
import { del, get, patch, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { loadTenantData } from '../../session.js';
import { Field, Loading, Problem, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { Confirm, SettingsPage } from '../../ui/settings.jsx';

export function Replies() {
  return (
    <SettingsPage section="replies" title={t('settings.replies')}>
      <Labels />
      <Canned />
    </SettingsPage>
  );
}

function Labels() {
  const labels = useAsync(() => get('/v1/labels').then((r) => r.data), []);
  const [form, setForm] = useState({ name: '', color: '#0f766e' });
  const [confirming, setConfirming] = useState(null);
  const { busy, error, run } = useSubmit();
  const changed = () => {
    labels.reload();
    loadTenantData();
  };
  return (
    <section class="panel" aria-labelledby="labels-title" data-test="labels">
      <h2 id="labels-title">{t('replies.labels')}</h2>
      <Problem error={labels.error} />
      {!labels.data ? <Loading /> : (
        <ul class="plain-list chips" data-test="labels-list">
          {labels.data.map((l) => (
            <li key={l.name} data-test="label-row">
              <span class="label-swatch" style={{ background: l.color }} aria-hidden="true" /> {l.name}{' '}
              <button type="button" class="link-button" onClick={() => setConfirming(l.name)} data-test="label-delete"
                aria-label={t('replies.deleteLabelNamed', { name: l.name })}>{t('replies.delete')}</button>
            </li>
          ))}
          {!labels.data.length && <li class="muted">{t('replies.noLabels')}</li>}
        </ul>
      )}
      {confirming && (
        <Confirm test="label-delete-confirm" busy={busy} confirmLabel={t('replies.delete')}
          text={t('replies.deleteLabelText', { name: confirming })} onCancel={() => setConfirming(null)}
          onConfirm={() => run(async () => {
            await del(`/v1/labels/${encodeURIComponent(confirming)}`);
            setConfirming(null);
            changed();
          })} />
      )}
      <form class="inline-form" data-test="label-form" noValidate onSubmit={(e) => {
        e.preventDefault();
        run(async () => {
          await post('/v1/labels', { name: form.name.trim(), color: form.color });
          setForm({ ...form, name: '' });
          changed();
        });
      }}>
        <Field label={t('replies.labelName')} value={form.name} required maxLength={50} test="label-name"
          error={errorFor(error, 'name')} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <Field type="color" label={t('replies.labelColor')} value={form.color} test="label-color"
          error={errorFor(error, 'color')} onInput={(e) => setForm({ ...form, color: e.currentTarget.value })} />
        <button type="submit" class="primary" disabled={busy} data-test="label-create">{t('replies.addLabel')}</button>
      </form>
      <Problem error={error} test="label-error" />
    </section>
  );
}

function CannedRow({ c, onChanged }) {
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ shortcut: c.shortcut, text: c.text });
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  return (
    <li class="panel" data-test="canned-row" data-canned-id={c.id}>
      {!editing ? (
        <>
          <h3 class="mono">/{c.shortcut}</h3>
          <p class="pre-wrap">{c.text}</p>
          <div class="actions">
            <button type="button" onClick={() => setEditing(true)} data-test="canned-edit"
              aria-label={t('replies.editNamed', { name: c.shortcut })}>{t('replies.edit')}</button>
            <button type="button" class="danger" onClick={() => setConfirming(true)} data-test="canned-delete"
              aria-label={t('replies.deleteCannedNamed', { name: c.shortcut })}>{t('replies.delete')}</button>
          </div>
        </>
      ) : (
        <form data-test="canned-edit-form" noValidate onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await patch(`/v1/canned-responses/${encodeURIComponent(c.id)}`, { shortcut: form.shortcut.trim(), text: form.text });
            setEditing(false);
            onChanged();
          });
        }}>
          <Field label={t('replies.shortcut')} value={form.shortcut} maxLength={50} test="canned-edit-shortcut"
            error={errorFor(error, 'shortcut')} onInput={(e) => setForm({ ...form, shortcut: e.currentTarget.value })} />
          <Field as="textarea" rows={3} label={t('replies.text')} value={form.text} test="canned-edit-text"
            error={errorFor(error, 'text')} onInput={(e) => setForm({ ...form, text: e.currentTarget.value })} />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy} data-test="canned-save">{t('common.save')}</button>
            <button type="button" onClick={() => setEditing(false)}>{t('common.cancel')}</button>
          </div>
        </form>
      )}
      {confirming && (
        <Confirm test="canned-delete-confirm" busy={busy} confirmLabel={t('replies.delete')}
          text={t('replies.deleteCannedText', { name: c.shortcut })} onCancel={() => setConfirming(false)}
          onConfirm={() => run(async () => {
            await del(`/v1/canned-responses/${encodeURIComponent(c.id)}`);
            onChanged();
          })} />
      )}
      <Problem error={error} />
    </li>
  );
}

function Canned() {
  const list = useAsync(() => get('/v1/canned-responses').then((r) => r.data), []);
  const [form, setForm] = useState({ shortcut: '', text: '' });
  const { busy, error, run } = useSubmit();
  return (
    <section aria-labelledby="canned-title" data-test="canned">
      <h2 id="canned-title">{t('replies.canned')}</h2>
      <p class="muted">{t('replies.cannedIntro')}</p>
      <Problem error={list.error} />
      {!list.data ? <Loading /> : (
        <ul class="plain-list" data-test="canned-list">
          {list.data.map((c) => <CannedRow key={c.id} c={c} onChanged={list.reload} />)}
          {!list.data.length && <li class="muted">{t('replies.noCanned')}</li>}
        </ul>
      )}
      <form class="panel" data-test="canned-form" noValidate onSubmit={(e) => {
        e.preventDefault();
        run(async () => {
          await post('/v1/canned-responses', { shortcut: form.shortcut.trim().replace(/^\//, ''), text: form.text });
          setForm({ shortcut: '', text: '' });
          list.reload();
        });
      }}>
        <h3>{t('replies.newCanned')}</h3>
        <Field label={t('replies.shortcut')} value={form.shortcut} required maxLength={50} test="canned-shortcut"
          hint={t('replies.shortcutHint')} error={errorFor(error, 'shortcut')}
          onInput={(e) => setForm({ ...form, shortcut: e.currentTarget.value })} />
        <Field as="textarea" rows={3} label={t('replies.text')} value={form.text} required test="canned-text"
          error={errorFor(error, 'text')} onInput={(e) => setForm({ ...form, text: e.currentTarget.value })} />
        <Problem error={error} test="canned-error" />
        <button type="submit" class="primary" disabled={busy} data-test="canned-create">{t('replies.addCanned')}</button>
      </form>
    </section>
  );
}
