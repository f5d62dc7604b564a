// A form generated from a JSON Schema (a channel's or a plugin's config_schema) and a list of write-only secrets.
// Values are kept as the person typed them; `toConfig` turns them into the JSON the hub expects. Secrets are never
// read back from the hub: a stored one shows "set" and stays as it is while its field is left empty.
import { t } from '../i18n/index.js';
import { Field } from './common.jsx';

/** How a property is edited: a checkbox, a list (one per line), JSON, a number or text. */
export function kindOf(prop = {}) {
  if (prop.type === 'boolean') return 'boolean';
  if (prop.type === 'array') {
    const it = prop.items || {};
    return it.type === 'object' || it.type === 'array' ? 'json' : 'list';
  }
  if (prop.type === 'object') return 'json';
  if (prop.type === 'integer' || prop.type === 'number') return 'number';
  return 'text';
}

function label(name, prop) {
  return (prop && prop.title) || name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** The form state for a schema and an existing config: every property as the string/boolean its field holds. */
export function initialValues(schema, config = {}) {
  const values = {};
  for (const [name, prop] of Object.entries((schema && schema.properties) || {})) {
    const v = config[name];
    const kind = kindOf(prop);
    if (kind === 'boolean') values[name] = v === undefined ? prop.default === true : v === true;
    else if (kind === 'list') values[name] = Array.isArray(v) ? v.join('\n') : '';
    else if (kind === 'json') values[name] = v === undefined ? '' : JSON.stringify(v, null, 2);
    else values[name] = v === undefined || v === null ? '' : String(v);
  }
  return values;
}

/**
 * The config object from the form's values. Empty fields are left out (`forPatch`: sent as null so the hub removes
 * them); a JSON field that does not parse gives a field error instead. Answers {config, errors: [{field, message}]}.
 */
export function toConfig(schema, values, { forPatch = false, previous = {} } = {}) {
  const config = {};
  const errors = [];
  for (const [name, prop] of Object.entries((schema && schema.properties) || {})) {
    const raw = values[name];
    const kind = kindOf(prop);
    if (kind === 'boolean') {
      config[name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (!text) {
      if (forPatch && previous[name] !== undefined) config[name] = null;
      continue;
    }
    if (kind === 'list') {
      const items = text.split('\n').map((s) => s.trim()).filter(Boolean);
      const numeric = prop.items && (prop.items.type === 'integer' || prop.items.type === 'number');
      config[name] = numeric ? items.map(Number) : items;
    } else if (kind === 'json') {
      try {
        config[name] = JSON.parse(text);
      } catch (e) {
        errors.push({ field: `config.${name}`, message: t('schema.badJson') });
      }
    } else if (kind === 'number') {
      const n = Number(text);
      if (Number.isNaN(n)) errors.push({ field: `config.${name}`, message: t('schema.badNumber') });
      else config[name] = n;
    } else {
      config[name] = text;
    }
  }
  return { config, errors };
}

/** The message for `field` from the hub's problem (or our own check), if any. */
export function errorFor(error, field) {
  if (!error) return null;
  const list = error.errors || [];
  const hit = list.find((e) => e && (e.field === field || (e.field && e.field.startsWith(`${field}.`)) || (e.field && e.field.startsWith(`${field}[`))));
  return hit ? hit.message : null;
}

/** The fields of a schema; `prefix` names them for tests (`<prefix>-<name>`). */
export function SchemaFields({ schema, values, onChange, error, prefix = 'config' }) {
  const props = Object.entries((schema && schema.properties) || {});
  const required = new Set((schema && schema.required) || []);
  if (!props.length) return <p class="muted">{t('schema.noSettings')}</p>;
  const set = (name, value) => onChange({ ...values, [name]: value });
  return (
    <div class="schema-fields">
      {props.map(([name, prop]) => {
        const common = {
          key: name, label: `${label(name, prop)}${required.has(name) ? ' *' : ''}`, hint: prop.description,
          error: errorFor(error, `config.${name}`), test: `${prefix}-${name}`, name,
        };
        if (Array.isArray(prop.enum)) {
          return (
            <Field as="select" {...common} value={values[name] ?? ''} required={required.has(name)}
              onChange={(e) => set(name, e.currentTarget.value)}>
              {!required.has(name) && <option value="">{t('schema.default')}</option>}
              {required.has(name) && !values[name] && <option value="">{t('schema.choose')}</option>}
              {prop.enum.map((v) => <option key={String(v)} value={String(v)}>{String(v)}</option>)}
            </Field>
          );
        }
        const kind = kindOf(prop);
        if (kind === 'boolean') {
          return (
            <Field {...common} type="checkbox" class="checkbox" checked={values[name] === true}
              onChange={(e) => set(name, e.currentTarget.checked)} />
          );
        }
        if (kind === 'list' || kind === 'json') {
          return (
            <Field as="textarea" {...common} rows={kind === 'json' ? 6 : 3} value={values[name] ?? ''}
              class={kind === 'json' ? 'mono-field' : ''}
              hint={[prop.description, kind === 'list' ? t('schema.onePerLine') : t('schema.json')]
                .filter(Boolean).join(' · ')}
              onInput={(e) => set(name, e.currentTarget.value)} />
          );
        }
        return (
          <Field {...common} type={kind === 'number' ? 'number' : 'text'}
            value={values[name] ?? ''} required={required.has(name)} maxLength={prop.maxLength}
            onInput={(e) => set(name, e.currentTarget.value)} autocomplete="off" spellcheck={false} />
        );
      })}
    </div>
  );
}

/**
 * Write-only secrets: a password field each, empty by default. `stored` names the ones the hub holds; for those an
 * empty field keeps the stored value and a checkbox removes it.
 */
export function SecretFields({ required = [], optional = [], stored = [], values, onChange, error, prefix = 'secret' }) {
  const all = [...required.map((n) => [n, true]), ...optional.map((n) => [n, false])];
  if (!all.length) return null;
  const set = (name, value) => onChange({ ...values, [name]: value });
  return (
    <fieldset class="secrets">
      <legend>{t('schema.secrets')}</legend>
      <p class="hint">{t('schema.secretsHint')}</p>
      {all.map(([name, req]) => {
        const isStored = stored.includes(name);
        const v = values[name];
        return (
          <div key={name} class="secret-row">
            <Field label={`${label(name)}${req && !isStored ? ' *' : ''}`} type="password" autocomplete="new-password"
              value={v === null || v === undefined ? '' : v} disabled={v === null}
              placeholder={isStored ? t('schema.storedPlaceholder') : ''}
              hint={isStored ? t('schema.stored') : undefined} error={errorFor(error, `secrets.${name}`)}
              onInput={(e) => set(name, e.currentTarget.value)} test={`${prefix}-${name}`} />
            {isStored && !req && (
              <Field type="checkbox" class="checkbox" label={t('schema.removeSecret', { name: label(name) })}
                checked={v === null} onChange={(e) => set(name, e.currentTarget.checked ? null : '')}
                test={`${prefix}-${name}-remove`} />
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

/** The secrets to send: typed ones, and null for the ones to remove; untouched stored ones are left out. */
export function toSecrets(values) {
  const out = {};
  for (const [k, v] of Object.entries(values || {})) {
    if (v === null) out[k] = null;
    else if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}
