// The person's own settings: name and language, password, two-factor sign-in, sessions.
import { useState } from 'preact/hooks';
import { del, get, patch, post } from '../api.js';
import { LOCALES, setLocale, t } from '../i18n/index.js';
import { switchTenant } from '../session.js';
import { getState, setState, useStore } from '../store.js';
import { Qr } from '../ui/Qr.jsx';
import { Field, Loading, PageTitle, Problem, Status, Time, passwordProblem, useAsync, useSubmit } from '../ui/common.jsx';

const LANGUAGE_NAMES = { en: 'English', es: 'Español', pt: 'Português' };

function updateUser(user) {
  const s = getState().session;
  if (s) setState({ session: { ...s, user: { ...s.user, ...user } } });
}

function Details({ user }) {
  const [form, setForm] = useState({ display_name: user.display_name || '', locale: user.locale || 'en' });
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const body = { display_name: form.display_name.trim(), locale: form.locale };
      const updated = await patch('/v1/me', body);
      updateUser(updated && updated.id ? updated : body);
      setLocale(form.locale);
      setStatus(t('common.saved'));
    });
  };
  return (
    <section class="panel" aria-labelledby="profile-details">
      <h2 id="profile-details">{t('profile.details')}</h2>
      <p>{t('profile.signedInAs', { email: user.email })}</p>
      <form onSubmit={submit} data-test="profile-form">
        <Field label={t('field.displayName')} required maxLength={200} value={form.display_name}
          onInput={(e) => setForm({ ...form, display_name: e.currentTarget.value })} test="profile-display-name" />
        <Field as="select" label={t('profile.language')} value={form.locale}
          onChange={(e) => setForm({ ...form, locale: e.currentTarget.value })} test="profile-language">
          {LOCALES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
        </Field>
        <Problem error={error} test="profile-error" />
        <Status message={status} test="profile-status" />
        <button type="submit" class="primary" disabled={busy} data-test="profile-save">{t('common.save')}</button>
      </form>
    </section>
  );
}

function PasswordChange() {
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const [status, setStatus] = useState('');
  const [localError, setLocalError] = useState('');
  const { busy, error, run } = useSubmit();
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    const p = passwordProblem(form.next, form.confirm);
    setLocalError(p || '');
    if (p) return;
    run(async () => {
      await post('/v1/me/password', { current_password: form.current, new_password: form.next },
        { noAuthRedirect: true });
      setForm({ current: '', next: '', confirm: '' });
      setStatus(t('profile.passwordChanged'));
    });
  };
  return (
    <section class="panel" aria-labelledby="profile-password">
      <h2 id="profile-password">{t('profile.password')}</h2>
      <form onSubmit={submit} data-test="password-form">
        <Field label={t('field.currentPassword')} type="password" autocomplete="current-password" required
          value={form.current} onInput={set('current')} test="password-current"
          error={error?.fieldError?.('current_password')} />
        <Field label={t('field.newPassword')} type="password" autocomplete="new-password" required
          hint={t('password.rule')} value={form.next} onInput={set('next')} test="password-new"
          error={error?.fieldError?.('new_password')} />
        <Field label={t('field.confirmPassword')} type="password" autocomplete="new-password" required
          value={form.confirm} onInput={set('confirm')} test="password-confirm" />
        <Problem error={error} message={localError} test="password-error" />
        <Status message={status} test="password-status" />
        <button type="submit" class="primary" disabled={busy} data-test="password-submit">
          {t('profile.changePassword')}
        </button>
      </form>
    </section>
  );
}

function TwoFactor({ user, requiredBy }) {
  const [pending, setPending] = useState(null); // {secret, otpauth_uri}
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const start = () => run(async () => {
    setStatus('');
    setPending(await post('/v1/me/totp'));
  });
  const confirm = (e) => {
    e.preventDefault();
    run(async () => {
      await post('/v1/me/totp/confirm', { code: code.trim() });
      setPending(null);
      setCode('');
      updateUser({ totp_enabled: true });
      setStatus(t('totp.enabled'));
      if (getState().totpNeeded) await switchTenant(getState().tenantId); // the tenant answers now
    });
  };
  const disable = (e) => {
    e.preventDefault();
    run(async () => {
      await del('/v1/me/totp', { password }, { noAuthRedirect: true });
      setPassword('');
      updateUser({ totp_enabled: false });
      setStatus(t('totp.disabled'));
    });
  };
  return (
    <section class="panel" aria-labelledby="profile-totp" data-test="totp-section">
      <h2 id="profile-totp">{t('totp.title')}</h2>
      <p data-test="totp-state">{user.totp_enabled ? t('totp.isOn') : t('totp.isOff')}</p>
      {!user.totp_enabled && requiredBy.length > 0 && (
        <p class="warning">{t('totp.requiredBy', { tenants: requiredBy.join(', ') })}</p>
      )}
      {!user.totp_enabled && !pending && (
        <button type="button" class="primary" disabled={busy} onClick={start} data-test="totp-start">
          {t('totp.enable')}
        </button>
      )}
      {pending && (
        <div class="totp-setup">
          <p>{t('totp.scan')}</p>
          <Qr text={pending.otpauth_uri} label={t('totp.qrLabel')} />
          <p>{t('totp.secret')} <code class="secret" data-test="totp-secret">{pending.secret}</code></p>
          <form onSubmit={confirm} class="inline-form" data-test="totp-confirm-form">
            <Field label={t('totp.code')} inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}"
              maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
              test="totp-code" />
            <button type="submit" class="primary" disabled={busy} data-test="totp-confirm">{t('totp.confirm')}</button>
          </form>
        </div>
      )}
      {user.totp_enabled && (
        <form onSubmit={disable} class="inline-form" data-test="totp-disable-form">
          <Field label={t('field.yourPassword')} type="password" autocomplete="current-password" required
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} test="totp-disable-password" />
          <button type="submit" class="danger" disabled={busy} data-test="totp-disable">{t('totp.disable')}</button>
        </form>
      )}
      <Problem error={error} test="totp-error" />
      <Status message={status} test="totp-status" />
    </section>
  );
}

function Sessions() {
  const list = useAsync(() => get('/v1/me/sessions'), []);
  const { busy, error, run } = useSubmit();
  const revoke = (id) => run(async () => {
    await del(`/v1/me/sessions/${encodeURIComponent(id)}`);
    list.setData((d) => ({ ...d, data: d.data.filter((x) => x.id !== id) }));
  });
  const rows = (list.data && list.data.data) || [];
  return (
    <section class="panel" aria-labelledby="profile-sessions">
      <h2 id="profile-sessions">{t('sessions.title')}</h2>
      <Problem error={list.error || error} />
      {list.loading ? <Loading /> : (
        <ul class="list sessions" data-test="sessions-list">
          {rows.map((x) => (
            <li key={x.id} data-test="session-row" class={x.current ? 'current' : ''}>
              <div>
                <strong>{x.user_agent || t('sessions.unknownDevice')}</strong>
                {x.current && <span class="badge" data-test="session-current"> {t('sessions.current')}</span>}
              </div>
              <div class="muted">
                {x.ip ? `${x.ip} · ` : ''}{t('sessions.lastUsed')} <Time iso={x.last_used_at || x.created_at} />
              </div>
              {!x.current && (
                <button type="button" disabled={busy} onClick={() => revoke(x.id)} data-test="session-revoke"
                  aria-label={t('sessions.revokeNamed', { device: x.user_agent || t('sessions.unknownDevice') })}>
                  {t('sessions.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Profile() {
  const s = useStore();
  const user = s.session.user;
  const requiredBy = (s.session.memberships || []).filter((m) => m.require_totp).map((m) => m.tenant_name);
  return (
    <div class="page profile">
      <PageTitle>{t('nav.profile')}</PageTitle>
      <Details user={user} key={user.id} />
      <PasswordChange />
      <TwoFactor user={user} requiredBy={requiredBy} />
      <Sessions />
    </div>
  );
}
