// Small building blocks shared by the screens: labelled fields, the problem region, times, safe links, loading.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isHttpUrl } from '../api.js';
import { dateTime, relativeTime, t } from '../i18n/index.js';

/** The text to show for an error: the hub's problem detail, or a sentence of ours. */
export function problemText(err) {
  if (!err) return '';
  if (err.status === 0) return t('error.network');
  if (err.status === 429 && err.retryAfter != null) return t('error.tooMany', { seconds: err.retryAfter });
  if (err.status === 429) return t('error.tooManyNoTime');
  if (err.status === 403 && !err.detail) return t('error.forbidden');
  return err.detail || err.title || t('error.generic');
}

/** An always-present live region: screen readers announce the problem as soon as it appears. */
export function Problem({ error, message, test = 'form-error' }) {
  const text = message || (error ? problemText(error) : '');
  const fieldErrors = error && error.errors ? error.errors.filter((e) => e && e.message) : [];
  return (
    <div class={text ? 'problem' : 'problem empty'} role="alert" data-test={test}>
      {text && <p>{text}</p>}
      {fieldErrors.length > 0 && (
        <ul>{fieldErrors.map((e) => <li key={`${e.field}:${e.message}`}>{e.field ? `${e.field}: ` : ''}{e.message}</li>)}</ul>
      )}
    </div>
  );
}

/** A polite status line (saved, sent, copied…). */
export function Status({ message, test = 'form-status' }) {
  return <p class={message ? 'status-line' : 'status-line empty'} role="status" data-test={test}>{message || ''}</p>;
}

let fieldSeq = 0;
export function useId(prefix = 'f') {
  const ref = useRef(null);
  if (!ref.current) ref.current = `${prefix}-${++fieldSeq}`;
  return ref.current;
}

/** A visible label with its input (or textarea/select), a hint and an error tied to it by aria-describedby. */
export function Field({ label, as = 'input', error, hint, children, test, id: givenId, class: cls, ...rest }) {
  const autoId = useId('field');
  const id = givenId || autoId;
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const Tag = as;
  const onInput = rest.onInput;
  return (
    <div class={`field ${cls || ''}`}>
      <label for={id}>{label}</label>
      <Tag id={id} data-test={test} aria-describedby={describedBy} aria-invalid={error ? 'true' : undefined} {...rest}
        onInput={onInput}>{children}</Tag>
      {hint && <p class="hint" id={hintId}>{hint}</p>}
      {error && <p class="field-error" id={errId}>{error}</p>}
    </div>
  );
}

export function Time({ iso }) {
  if (!iso) return null;
  return <time dateTime={iso} title={dateTime(iso)}>{relativeTime(iso)}</time>;
}

/** A link only when the URL is http(s); anything else (javascript:, data:) is shown as text. */
export function SafeLink({ url, children, test }) {
  if (!isHttpUrl(url)) return <span data-test={test}>{children || String(url || '')}</span>;
  return <a href={url} target="_blank" rel="noopener noreferrer nofollow" data-test={test}>{children || url}</a>;
}

export function Loading() {
  return <p class="loading" role="status">{t('common.loading')}</p>;
}

/** The screen's heading; it takes the focus when the screen changes so screen readers hear where they are. */
export function PageTitle({ children, title }) {
  useEffect(() => {
    globalThis.document.title = `${title || (typeof children === 'string' ? children : '')} · Clawless`;
  }, [title, children]);
  return <h1 tabIndex={-1} data-page-title>{children}</h1>;
}

/** Runs an async loader when deps change: {data, error, loading, reload, setData}. */
export function useAsync(fn, deps) {
  const [st, setSt] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setSt((s) => ({ ...s, loading: true }));
    return Promise.resolve().then(fn).then(
      (data) => { if (n === seq.current) setSt({ data, error: null, loading: false }); },
      (error) => { if (n === seq.current) setSt({ data: null, error, loading: false }); },
    );
  }, deps);
  useEffect(() => {
    run();
    return () => { seq.current++; };
  }, [run]);
  const setData = (data) => setSt((s) => ({ ...s, data: typeof data === 'function' ? data(s.data) : data }));
  return { ...st, reload: run, setData };
}

/** Client-side check before the hub's own: 10–200 characters and the confirmation matches. */
export function passwordProblem(password, confirm) {
  if (password.length < 10 || password.length > 200) return t('password.length');
  if (confirm !== undefined && password !== confirm) return t('password.mismatch');
  return null;
}

/** A form's submit state: busy flag, error, and a wrapper that sets both around an async action. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (action) => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export function displayName(person, fallbackKey = 'common.unknown') {
  return (person && (person.display_name || person.name || person.email)) || t(fallbackKey);
}
