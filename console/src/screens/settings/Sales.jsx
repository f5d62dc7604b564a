// Sales: the lead form the assistant fills in sales conversations (fields and their questions, scoring, the CRM
// tool, the offer to continue on WhatsApp), and the tenant's context pack (export, import).
import { useState } from 'preact/hooks';
import { get, post, put } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Status, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { SettingsPage } from '../../ui/settings.jsx';

const TYPES = ['name', 'text', 'email', 'phone', 'number'];

/** A form to start from: name and e-mail required, phone optional, in the console's words. */
export function starterForm() {
  return {
    enabled: true, mode: 'sales', qualify_at: 50, default_region: 'US', thanks: t('sales.defaultThanks'),
    fields: [
      { name: 'name', label: t('sales.fieldName'), type: 'name', required: true, points: 20, question: t('sales.askName') },
      { name: 'email', label: t('sales.fieldEmail'), type: 'email', required: true, points: 30, question: t('sales.askEmail') },
      { name: 'phone', label: t('sales.fieldPhone'), type: 'phone', required: false, points: 10, question: t('sales.askPhone') },
    ],
    intent_points: {}, crm: null, whatsapp: null,
  };
}

/** "ecommerce=30" lines ⇄ {ecommerce: 30}. */
export function pointsText(points) {
  return Object.entries(points || {}).map(([k, v]) => `${k}=${v}`).join('\n');
}

export function parsePoints(text) {
  const out = {};
  text.split('\n').map((l) => l.trim()).filter(Boolean).forEach((l) => {
    const [k, v] = l.split('=').map((x) => x.trim());
    out[k] = Number(v);
  });
  return out;
}

export function Sales() {
  const loaded = useAsync(() => Promise.all([get('/v1/sales/lead-form'), get('/v1/channels').catch(() => ({ data: [] }))]), []);
  return (
    <SettingsPage section="sales" title={t('settings.sales')}>
      <p class="muted">{t('sales.intro')}</p>
      <Problem error={loaded.error} />
      {!loaded.data ? <Loading /> : (
        <LeadFormEditor key={loaded.data[0] ? JSON.stringify(loaded.data[0]) : 'none'}
          initial={loaded.data[0] && loaded.data[0].fields ? loaded.data[0] : null}
          whatsapp={((loaded.data[1] && loaded.data[1].data) || []).filter((c) => c.type === 'whatsapp')} />
      )}
      <ContextPack onImported={loaded.reload} />
    </SettingsPage>
  );
}

function LeadFormEditor({ initial, whatsapp }) {
  const [form, setForm] = useState(initial || starterForm());
  const [points, setPoints] = useState(pointsText((initial || {}).intent_points));
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const setField = (i, patch) => setForm({ ...form, fields: form.fields.map((f, n) => (n === i ? { ...f, ...patch } : f)) });
  const save = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const body = { ...form, intent_points: parsePoints(points) };
      const saved = await put('/v1/sales/lead-form', body);
      setForm(saved);
      setStatus(t('sales.saved'));
    });
  };
  const wa = form.whatsapp;
  return (
    <form onSubmit={save} class="panel" data-test="lead-form" noValidate aria-labelledby="lead-form-title">
      <h2 id="lead-form-title">{t('sales.form')}</h2>
      {!initial && <p class="muted" data-test="lead-form-starter">{t('sales.starter')}</p>}
      <Field type="checkbox" class="checkbox" label={t('sales.enabled')} checked={form.enabled} test="lead-enabled"
        onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })} />
      <div class="form-row">
        <Field label={t('sales.mode')} value={form.mode} maxLength={40} test="lead-mode" hint={t('sales.modeHint')}
          error={errorFor(error, 'mode')} onInput={(e) => setForm({ ...form, mode: e.currentTarget.value })} />
        <Field type="number" label={t('sales.qualifyAt')} value={form.qualify_at} min={0} max={1000} test="lead-qualify-at"
          error={errorFor(error, 'qualify_at')} onInput={(e) => setForm({ ...form, qualify_at: Number(e.currentTarget.value) })} />
        <Field label={t('sales.region')} value={form.default_region} maxLength={2} test="lead-region" hint={t('sales.regionHint')}
          error={errorFor(error, 'default_region')}
          onInput={(e) => setForm({ ...form, default_region: e.currentTarget.value.toUpperCase() })} />
      </div>
      <fieldset data-test="lead-fields">
        <legend>{t('sales.fields')}</legend>
        {form.fields.map((f, i) => (
          <div class="lead-field" key={i} data-test="lead-field">
            <Field label={t('sales.fieldKey', { n: i + 1 })} value={f.name} maxLength={40} test="lead-field-name"
              error={errorFor(error, `fields[${i}].name`)} onInput={(e) => setField(i, { name: e.currentTarget.value })} />
            <Field label={t('sales.fieldLabel', { n: i + 1 })} value={f.label} maxLength={100} test="lead-field-label"
              onInput={(e) => setField(i, { label: e.currentTarget.value })} />
            <Field as="select" label={t('sales.fieldType', { n: i + 1 })} value={f.type} test="lead-field-type"
              onChange={(e) => setField(i, { type: e.currentTarget.value })}>
              {TYPES.map((ty) => <option key={ty} value={ty}>{t(`sales.type.${ty}`)}</option>)}
            </Field>
            <Field type="number" label={t('sales.fieldPoints', { n: i + 1 })} value={f.points} min={0} max={100}
              test="lead-field-points" error={errorFor(error, `fields[${i}].points`)}
              onInput={(e) => setField(i, { points: Number(e.currentTarget.value) })} />
            <Field type="checkbox" class="checkbox" label={t('sales.fieldRequired', { n: i + 1 })} checked={f.required} test="lead-field-required"
              onChange={(e) => setField(i, { required: e.currentTarget.checked })} />
            <Field label={t('sales.fieldQuestion', { n: i + 1 })} value={f.question} maxLength={500} test="lead-field-question"
              error={errorFor(error, `fields[${i}].question`)} onInput={(e) => setField(i, { question: e.currentTarget.value })} />
            <button type="button" class="danger" data-test="lead-field-remove" aria-label={t('sales.removeField', { n: i + 1 })}
              onClick={() => setForm({ ...form, fields: form.fields.filter((_, n) => n !== i) })}>{t('sales.remove')}</button>
          </div>
        ))}
        <button type="button" data-test="lead-field-add" disabled={form.fields.length >= 20}
          onClick={() => setForm({ ...form, fields: [...form.fields, { name: '', label: '', type: 'text', required: false, points: 10, question: '' }] })}>
          {t('sales.addField')}
        </button>
      </fieldset>
      <Field as="textarea" rows={3} label={t('sales.intentPoints')} value={points} test="lead-intent-points"
        hint={t('sales.intentPointsHint')} error={errorFor(error, 'intent_points')} onInput={(e) => setPoints(e.currentTarget.value)} />
      <fieldset>
        <legend>{t('sales.crm')}</legend>
        <Field label={t('sales.crmTool')} value={form.crm ? form.crm.tool : ''} maxLength={64} test="lead-crm-tool"
          hint={t('sales.crmToolHint')} error={errorFor(error, 'crm.tool')}
          onInput={(e) => setForm({ ...form, crm: e.currentTarget.value ? { auto_push: form.crm ? form.crm.auto_push : true,
            tool: e.currentTarget.value } : null })} />
        {form.crm && (
          <Field type="checkbox" class="checkbox" label={t('sales.autoPush')} checked={form.crm.auto_push} test="lead-crm-auto"
            onChange={(e) => setForm({ ...form, crm: { ...form.crm, auto_push: e.currentTarget.checked } })} />
        )}
      </fieldset>
      <fieldset>
        <legend>{t('sales.whatsapp')}</legend>
        <Field as="select" label={t('sales.whatsappConnection')} value={wa ? wa.connection_id : ''} test="lead-whatsapp"
          error={errorFor(error, 'whatsapp.connection_id')}
          onChange={(e) => setForm({ ...form, whatsapp: e.currentTarget.value ? { offer: t('sales.defaultOffer'),
            message: t('sales.defaultMessage'), confirm: t('sales.defaultConfirm'), template: null, ...(wa || {}),
            connection_id: e.currentTarget.value } : null })}>
          <option value="">{whatsapp.length ? t('sales.noOffer') : t('sales.noWhatsApp')}</option>
          {whatsapp.map((c) => <option key={c.id} value={c.id}>{c.name || c.id}</option>)}
        </Field>
        {wa && ['offer', 'message', 'confirm'].map((k) => (
          <Field key={k} as="textarea" rows={2} label={t(`sales.wa.${k}`)} value={wa[k]} maxLength={1000} test={`lead-wa-${k}`}
            error={errorFor(error, `whatsapp.${k}`)} onInput={(e) => setForm({ ...form, whatsapp: { ...wa, [k]: e.currentTarget.value } })} />
        ))}
        {wa && (
          <Field label={t('sales.wa.template')} value={wa.template || ''} maxLength={200} test="lead-wa-template"
            hint={t('sales.wa.templateHint')}
            onInput={(e) => setForm({ ...form, whatsapp: { ...wa, template: e.currentTarget.value || null } })} />
        )}
      </fieldset>
      <Field as="textarea" rows={2} label={t('sales.thanks')} value={form.thanks} maxLength={1000} test="lead-thanks"
        onInput={(e) => setForm({ ...form, thanks: e.currentTarget.value })} />
      <Problem error={error} test="lead-form-error" />
      <Status message={status} test="lead-form-status" />
      <button type="submit" class="primary" disabled={busy} data-test="lead-form-save">{t('sales.save')}</button>
    </form>
  );
}

function ContextPack({ onImported }) {
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const exportPack = () => run(async () => {
    const pack = await get('/v1/context-pack');
    const url = URL.createObjectURL(new Blob([JSON.stringify(pack, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'context-pack.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setStatus(t('sales.packExported'));
  });
  const importPack = (file) => run(async () => {
    let pack;
    try {
      pack = JSON.parse(await file.text());
    } catch (e) {
      throw new Error(t('sales.packNotJson'));
    }
    const done = await post('/v1/context-pack', pack);
    setStatus(t('sales.packImported', { added: done.documents_added, replaced: done.documents_replaced,
      intents: done.intents }) + (done.notes.length ? ` ${done.notes.join(' ')}` : ''));
    // the imported lead form replaces the one being edited
    onImported();
  });
  return (
    <section class="panel" aria-labelledby="pack-title" data-test="context-pack">
      <h2 id="pack-title">{t('sales.pack')}</h2>
      <p class="muted">{t('sales.packIntro')}</p>
      <div class="button-row">
        <button type="button" disabled={busy} data-test="pack-export" onClick={exportPack}>{t('sales.packExport')}</button>
      </div>
      <Field type="file" label={t('sales.packImport')} accept="application/json,.json" test="pack-file" disabled={busy}
        hint={t('sales.packImportHint')} onChange={(e) => {
          const f = e.currentTarget.files[0];
          if (f) importPack(f);
          e.currentTarget.value = '';
        }} />
      <Problem error={error} test="pack-error" />
      <Status message={status} test="pack-status" />
    </section>
  );
}
