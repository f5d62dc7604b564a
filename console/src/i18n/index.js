// t(key, params): every visible string goes through here. Dictionaries are flat; `{name}` is replaced by
// params.name; a key with `_one`/`_other` variants picks one by params.count (Intl.PluralRules).
import enBase from './en.js';
import enSettings from './en-settings.js';
import esBase from './es.js';
import esSettings from './es-settings.js';
import ptBase from './pt.js';
import ptSettings from './pt-settings.js';
import { getState, setState } from '../store.js';

const en = { ...enBase, ...enSettings };
const es = { ...esBase, ...esSettings };
const pt = { ...ptBase, ...ptSettings };
export const dictionaries = { en, es, pt };
export const LOCALES = Object.keys(dictionaries);

/** The first of `candidates` (e.g. 'pt-BR', 'es') that the console speaks, else 'en'. */
export function pickLocale(...candidates) {
  for (const c of candidates) {
    if (!c) continue;
    const base = String(c).toLowerCase().split(/[-_]/)[0];
    if (dictionaries[base]) return base;
  }
  return 'en';
}

export function setLocale(locale) {
  const l = pickLocale(locale);
  if (globalThis.document) globalThis.document.documentElement.lang = l;
  if (getState().locale !== l) setState({ locale: l });
  return l;
}

export function locale() {
  return getState().locale;
}

export function t(key, params) {
  const dict = dictionaries[getState().locale] || en;
  let k = key;
  if (params && typeof params.count === 'number') {
    const rule = new Intl.PluralRules(getState().locale).select(params.count);
    const plural = `${key}_${rule}`;
    if (plural in dict || plural in en) k = plural;
    else if (`${key}_other` in dict || `${key}_other` in en) k = `${key}_other`;
  }
  let s = dict[k] ?? en[k] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, p) => (p in params ? String(params[p]) : m));
  return s;
}

/** "5 minutes ago" in the console's language. */
export function relativeTime(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const secs = Math.round((at - now) / 1000);
  const abs = Math.abs(secs);
  const rtf = new Intl.RelativeTimeFormat(getState().locale, { numeric: 'auto', style: 'short' });
  if (abs < 45) return t('time.now');
  if (abs < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(secs / 86400), 'day');
  return new Intl.DateTimeFormat(getState().locale, { dateStyle: 'medium' }).format(new Date(at));
}

export function dateTime(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  return new Intl.DateTimeFormat(getState().locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at));
}
