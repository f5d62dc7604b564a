// Intents: named examples of what contacts ask for, each optionally switching the assistant to a mode; a test box
// shows which intent a message would get.
import { useState } from 'preact/hooks';
import { del, get, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Status, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { Confirm, SettingsPage } from '../../ui/settings.jsx';

export function Intents() {
  const list = useAsync(() => get('/v1/intents').then((r) => r.data), []);
  return (
    <SettingsPage section="intents" title={t('settings.intents')}>
      <p class="muted">{t('intents.intro')}</p>
      <IntentForm onAdded={list.reload} />
      <IntentTest />
      <section aria-labelledby="intents-title">
        <h2 id="intents-title">{t('intents.list')}</h2>
        <Problem error={list.error} />
        {!list.data ? <Loading /> : (
          <ul class="plain-list" data-test="intents-list">
            {list.data.map((i) => <IntentRow key={i.id} intent={i} onDeleted={list.reload} />)}
            {!list.data.length && <li class="muted">{t('intents.none')}</li>}
          </ul>
        )}
      </section>
    </SettingsPage>
  );
}

function IntentRow({ intent, onDeleted }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  return (
    <li class="panel" data-test="intent-row" data-intent-id={intent.id}>
      <h3>{intent.name}{intent.mode && <span class="badge"> {t('intents.modeBadge', { mode: intent.mode })}</span>}</h3>
      <ul>{intent.examples.map((e, i) => <li key={i}>{e}</li>)}</ul>
      <button type="button" class="danger" onClick={() => setConfirming(true)} data-test="intent-delete"
        aria-label={t('intents.deleteNamed', { name: intent.name })}>{t('intents.delete')}</button>
      {confirming && (
        <Confirm test="intent-delete-confirm" busy={busy} confirmLabel={t('intents.delete')}
          text={t('intents.deleteText', { name: intent.name })} onCancel={() => setConfirming(false)}
          onConfirm={() => run(async () => {
            await del(`/v1/intents/${encodeURIComponent(intent.id)}`);
            onDeleted();
          })} />
      )}
      <Problem error={error} />
    </li>
  );
}

function IntentForm({ onAdded }) {
  const [form, setForm] = useState({ name: '', examples: '', mode: '' });
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const examples = form.examples.split('\n').map((s) => s.trim()).filter(Boolean);
      const body = { name: form.name.trim(), examples };
      if (form.mode.trim()) body.mode = form.mode.trim();
      const created = await post('/v1/intents', body);
      setForm({ name: '', examples: '', mode: '' });
      setStatus(t('intents.added', { name: created.name }));
      onAdded();
    });
  };
  return (
    <section class="panel" aria-labelledby="intent-new-title">
      <h2 id="intent-new-title">{t('intents.new')}</h2>
      <form onSubmit={submit} data-test="intent-form" noValidate>
        <Field label={t('intents.name')} value={form.name} required maxLength={60} test="intent-name"
          error={errorFor(error, 'name')} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <Field as="textarea" rows={4} label={t('intents.examples')} value={form.examples} test="intent-examples"
          hint={t('intents.examplesHint')} error={errorFor(error, 'examples')}
          onInput={(e) => setForm({ ...form, examples: e.currentTarget.value })} />
        <Field label={t('intents.mode')} value={form.mode} maxLength={40} test="intent-mode"
          hint={t('intents.modeHint')} error={errorFor(error, 'mode')}
          onInput={(e) => setForm({ ...form, mode: e.currentTarget.value })} />
        <Problem error={error} test="intent-error" />
        <Status message={status} test="intent-status" />
        <button type="submit" class="primary" disabled={busy} data-test="intent-save">{t('intents.save')}</button>
      </form>
    </section>
  );
}

function IntentTest() {
  const [text, setText] = useState('');
  const [result, setResult] = useState(null);
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    run(async () => setResult(await post('/v1/intents/test', { text: text.trim() })));
  };
  return (
    <section class="panel" aria-labelledby="intent-test-title">
      <h2 id="intent-test-title">{t('intents.test')}</h2>
      <form onSubmit={submit} class="inline-form" data-test="intent-test-form">
        <Field label={t('intents.testText')} value={text} required maxLength={2000} test="intent-test-text"
          onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy} data-test="intent-test-run">{t('intents.testRun')}</button>
      </form>
      <Problem error={error} />
      {result && (
        <p role="status" data-test="intent-test-result">
          {result.intent ? t('intents.matched', { name: result.intent.name, score: result.score.toFixed(2) })
            : t('intents.noMatch', { score: result.score == null ? '—' : result.score.toFixed(2) })}
        </p>
      )}
    </section>
  );
}
