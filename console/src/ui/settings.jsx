// The frame of the tenant's settings (admins and owners): a section menu beside the screen, plus small pieces the
// settings screens share: a confirmation box for destructive actions and a read-only field with a copy button.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { currentRole, useStore } from '../store.js';
import { Field, PageTitle, Status } from './common.jsx';

export const SECTIONS = ['channels', 'assistant', 'inbox', 'replies', 'knowledge', 'intents', 'sales', 'plugins',
  'apiKeys', 'webhooks'];
const PATHS = { apiKeys: 'api-keys' };

export function sectionHash(section) {
  return `#/settings/${PATHS[section] || section}`;
}

export function sectionOf(path) {
  return SECTIONS.find((s) => (PATHS[s] || s) === path) || null;
}

/** True when the person may change the tenant's settings (the hub checks again: agents get 403). */
export function isAdmin(s) {
  const role = currentRole(s);
  return role === 'admin' || role === 'owner';
}

export function SettingsPage({ section, title, children }) {
  const s = useStore();
  if (!isAdmin(s)) {
    return (
      <div class="page" data-test="settings-forbidden">
        <PageTitle>{t('settings.title')}</PageTitle>
        <p>{t('settings.adminsOnly')}</p>
      </div>
    );
  }
  return (
    <div class="page settings-page">
      <nav class="settings-nav" aria-label={t('settings.title')}>
        <ul>
          {SECTIONS.map((sec) => (
            <li key={sec}>
              <a href={sectionHash(sec)} aria-current={sec === section ? 'page' : undefined}
                data-test={`settings-nav-${sec}`}>{t(`settings.${sec}`)}</a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="settings-body" data-test={`settings-${section}`}>
        <PageTitle>{title}</PageTitle>
        {children}
      </div>
    </div>
  );
}

/**
 * Asks before something that cannot be undone: says what will happen, focuses itself, Escape cancels. Rendered in
 * place (an alert dialog), so it works without any modal machinery.
 */
export function Confirm({ text, confirmLabel, onConfirm, onCancel, busy, test = 'confirm' }) {
  const ref = useRef(null);
  useEffect(() => {
    const first = ref.current && ref.current.querySelector('button');
    if (first) first.focus();
  }, []);
  return (
    <div class="confirm" role="alertdialog" aria-modal="false" aria-labelledby={`${test}-text`} ref={ref}
      data-test={test} onKeyDown={(e) => { if (e.key === 'Escape') onCancel(); }}>
      <p id={`${test}-text`}>{text}</p>
      <div class="actions">
        <button type="button" onClick={onCancel} data-test={`${test}-cancel`}>{t('common.cancel')}</button>
        <button type="button" class="danger" disabled={busy} onClick={onConfirm} data-test={`${test}-yes`}>
          {confirmLabel}
        </button>
      </div>
    </div>
  );
}

export async function copyText(text) {
  try {
    await globalThis.navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    return false;
  }
}

/** A read-only value (a webhook URL, a snippet, a key shown once) with a copy button. */
export function CopyField({ label, value, test, multiline = false, hint }) {
  const [status, setStatus] = useState('');
  const id = `${test}-value`;
  const copy = async () => {
    const ok = await copyText(value);
    if (!ok) globalThis.document.getElementById(id)?.select();
    setStatus(ok ? t('common.copied') : t('common.copyManually'));
  };
  return (
    <div class="copy-field">
      <Field id={id} as={multiline ? 'textarea' : 'input'} label={label} value={value} readOnly hint={hint}
        rows={multiline ? 4 : undefined} test={test} class="mono-field" onFocus={(e) => e.currentTarget.select()} />
      <button type="button" onClick={copy} data-test={`${test}-copy`}
        aria-label={t('common.copyNamed', { name: label })}>{t('common.copy')}</button>
      <Status message={status} test={`${test}-status`} />
    </div>
  );
}
