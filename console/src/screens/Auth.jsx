// The screens before a session: first admin setup, sign-in (with the second factor), forgotten password, reset,
// and accepting an invitation.
import { useEffect, useState } from 'preact/hooks';
import { get, post, rememberNext, takeNext } from '../api.js';
import { pickLocale, t } from '../i18n/index.js';
import { navigate } from '../router.js';
import { applySession, homeHash } from '../session.js';
import { Field, Loading, PageTitle, Problem, Status, passwordProblem, useAsync, useSubmit } from '../ui/common.jsx';

export function AuthLayout({ children }) {
  return (
    <main id="main" class="auth">
      <div class="auth-card">
        <p class="brand" aria-hidden="true">Clawless</p>
        {children}
      </div>
    </main>
  );
}

/** Wraps a link's action: a 410 (the link was used or has expired) shows the expired page instead of an error. */
function unlessGone(setGone, action) {
  return async () => {
    try {
      await action();
    } catch (err) {
      if (err && err.status === 410) {
        setGone(true);
        return;
      }
      throw err;
    }
  };
}

/** The "this link was used or has expired" page (HTTP 410). */
export function LinkGone({ test = 'link-expired' }) {
  return (
    <AuthLayout>
      <div data-test={test}>
        <PageTitle>{t('link.goneTitle')}</PageTitle>
        <p>{t('link.goneText')}</p>
        <p><a href="#/login" data-test="link-expired-login">{t('link.toLogin')}</a></p>
      </div>
    </AuthLayout>
  );
}

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [message, setMessage] = useState('');
  const { busy, error, setError, run } = useSubmit();

  useEffect(() => {
    if (needCode) globalThis.document.getElementById('login-code')?.focus();
  }, [needCode]);

  const submit = (e) => {
    e.preventDefault();
    setMessage('');
    run(async () => {
      try {
        const body = { email: email.trim(), password };
        if (needCode) body.totp_code = code.trim();
        const session = await post('/v1/auth/login', body);
        await applySession(session);
        navigate(takeNext() || homeHash());
      } catch (err) {
        if (err && err.status === 401 && err.is('totp-required')) {
          setMessage(needCode ? t('login.codeWrong') : t('login.codeNeeded'));
          setCode('');
          setNeedCode(true);
          return;
        }
        if (err && err.status === 429) {
          setMessage(err.retryAfter != null ? t('login.tooMany', { seconds: err.retryAfter }) : t('error.tooManyNoTime'));
          return;
        }
        if (err && err.status === 401) {
          setMessage(err.detail || t('login.failed'));
          return;
        }
        setError(err);
      }
    });
  };

  return (
    <AuthLayout>
      <PageTitle>{t('login.title')}</PageTitle>
      <form onSubmit={submit} data-test="login-form" noValidate={false}>
        <Field label={t('field.email')} type="email" autocomplete="username" required value={email}
          onInput={(e) => setEmail(e.currentTarget.value)} test="login-email" name="email" />
        <Field label={t('field.password')} type="password" autocomplete="current-password" required value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} test="login-password" name="password" />
        {needCode && (
          <Field id="login-code" label={t('login.code')} hint={t('login.codeHint')} inputMode="numeric"
            autocomplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code}
            onInput={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))} test="login-totp" name="totp_code" />
        )}
        <Problem error={error} message={message} test="login-error" />
        <button type="submit" class="primary" disabled={busy} data-test="login-submit">
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
      <p><a href="#/forgot" data-test="forgot-link">{t('login.forgot')}</a></p>
    </AuthLayout>
  );
}

export function Setup({ token }) {
  const needed = useAsync(() => get('/v1/auth/setup'), []);
  const [form, setForm] = useState({ email: '', display_name: '', password: '', confirm: '' });
  const [localError, setLocalError] = useState('');
  const [gone, setGone] = useState(false);
  const { busy, error, run } = useSubmit();
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });

  if (gone) return <LinkGone test="setup-expired" />;
  if (!token) {
    return (
      <AuthLayout>
        <PageTitle>{t('setup.title')}</PageTitle>
        <p data-test="setup-no-token">{t('setup.noToken')}</p>
      </AuthLayout>
    );
  }
  if (needed.loading) return <AuthLayout><Loading /></AuthLayout>;
  if (needed.data && needed.data.needed === false) {
    return (
      <AuthLayout>
        <PageTitle>{t('setup.title')}</PageTitle>
        <p data-test="setup-done">{t('setup.notNeeded')}</p>
        <p><a href="#/login">{t('link.toLogin')}</a></p>
      </AuthLayout>
    );
  }

  const submit = (e) => {
    e.preventDefault();
    const p = passwordProblem(form.password, form.confirm);
    setLocalError(p || '');
    if (p) return;
    run(unlessGone(setGone, async () => {
      const session = await post('/v1/auth/setup', { token, email: form.email.trim(),
        display_name: form.display_name.trim(), password: form.password,
        locale: pickLocale(globalThis.navigator?.language) });
      await applySession(session);
      navigate(homeHash());
    }));
  };

  return (
    <AuthLayout>
      <PageTitle>{t('setup.title')}</PageTitle>
      <p>{t('setup.intro')}</p>
      <form onSubmit={submit} data-test="setup-form">
        <Field label={t('field.email')} type="email" autocomplete="username" required value={form.email}
          onInput={set('email')} test="setup-email" error={error?.fieldError?.('email')} />
        <Field label={t('field.displayName')} autocomplete="name" required value={form.display_name}
          onInput={set('display_name')} test="setup-display-name" error={error?.fieldError?.('display_name')} />
        <Field label={t('field.newPassword')} type="password" autocomplete="new-password" required minLength={10}
          maxLength={200} hint={t('password.rule')} value={form.password} onInput={set('password')}
          test="setup-password" error={error?.fieldError?.('password')} />
        <Field label={t('field.confirmPassword')} type="password" autocomplete="new-password" required
          value={form.confirm} onInput={set('confirm')} test="setup-confirm" />
        <Problem error={error?.status === 409 ? null : error}
          message={localError || (error?.status === 409 ? t('setup.exists') : '')} test="setup-error" />
        <button type="submit" class="primary" disabled={busy} data-test="setup-submit">{t('setup.submit')}</button>
      </form>
    </AuthLayout>
  );
}

export function Forgot() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      await post('/v1/auth/password-resets', { email: email.trim() });
      setSent(true);
    });
  };
  return (
    <AuthLayout>
      <PageTitle>{t('forgot.title')}</PageTitle>
      {sent ? (
        <p role="status" data-test="forgot-sent">{t('forgot.sent')}</p>
      ) : (
        <form onSubmit={submit} data-test="forgot-form">
          <p>{t('forgot.intro')}</p>
          <Field label={t('field.email')} type="email" autocomplete="username" required value={email}
            onInput={(e) => setEmail(e.currentTarget.value)} test="forgot-email" />
          <Problem error={error} test="forgot-error" />
          <button type="submit" class="primary" disabled={busy} data-test="forgot-submit">{t('forgot.submit')}</button>
        </form>
      )}
      <p><a href="#/login">{t('link.toLogin')}</a></p>
    </AuthLayout>
  );
}

export function Reset({ token }) {
  const info = useAsync(() => get(`/v1/auth/password-resets/${encodeURIComponent(token)}`), [token]);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [localError, setLocalError] = useState('');
  const [done, setDone] = useState(false);
  const [gone, setGone] = useState(false);
  const { busy, error, run } = useSubmit();

  if (gone || info.error?.status === 410) return <LinkGone test="reset-expired" />;
  if (info.loading) return <AuthLayout><Loading /></AuthLayout>;
  if (info.error) return <AuthLayout><Problem error={info.error} /></AuthLayout>;

  const submit = (e) => {
    e.preventDefault();
    const p = passwordProblem(password, confirm);
    setLocalError(p || '');
    if (p) return;
    run(unlessGone(setGone, async () => {
      await post(`/v1/auth/password-resets/${encodeURIComponent(token)}`, { password });
      setDone(true);
    }));
  };

  return (
    <AuthLayout>
      <PageTitle>{t('reset.title')}</PageTitle>
      {done ? (
        <div role="status" data-test="reset-done">
          <p>{t('reset.done')}</p>
          <p><a href="#/login">{t('link.toLogin')}</a></p>
        </div>
      ) : (
        <form onSubmit={submit} data-test="reset-form">
          <p>{t('reset.for', { email: info.data?.email || '' })}</p>
          <Field label={t('field.newPassword')} type="password" autocomplete="new-password" required
            hint={t('password.rule')} value={password} onInput={(e) => setPassword(e.currentTarget.value)}
            test="reset-password" />
          <Field label={t('field.confirmPassword')} type="password" autocomplete="new-password" required
            value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} test="reset-confirm" />
          <Problem error={error} message={localError} test="reset-error" />
          <button type="submit" class="primary" disabled={busy} data-test="reset-submit">{t('reset.submit')}</button>
        </form>
      )}
    </AuthLayout>
  );
}

export function Invite({ token }) {
  const [reload, setReload] = useState(0);
  const info = useAsync(() => get(`/v1/auth/invitations/${encodeURIComponent(token)}`), [token, reload]);
  const [form, setForm] = useState({ display_name: '', password: '', confirm: '' });
  const [localError, setLocalError] = useState('');
  const [gone, setGone] = useState(false);
  const { busy, error, run } = useSubmit();
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });

  if (gone || info.error?.status === 410) return <LinkGone test="invite-expired" />;
  if (info.loading) return <AuthLayout><Loading /></AuthLayout>;
  if (info.error) return <AuthLayout><Problem error={info.error} /></AuthLayout>;
  const inv = info.data || {};
  const signedInAs = inv.signed_in_as || null;
  const isInvitee = !!signedInAs && signedInAs.toLowerCase() === String(inv.email || '').toLowerCase();
  const path = `/v1/auth/invitations/${encodeURIComponent(token)}/accept`;

  const accepting = (body) => run(unlessGone(setGone, async () => {
    if (!body) {
      // signed in: the session's CSRF token comes with GET /v1/me
      await applySession(await get('/v1/me', { noAuthRedirect: true }));
    }
    const session = await post(path, body);
    await applySession(session, inv.tenant && inv.tenant.id);
    navigate('#/inbox');
  }));

  const submitNew = (e) => {
    e.preventDefault();
    const p = passwordProblem(form.password, form.confirm);
    setLocalError(p || '');
    if (p) return;
    accepting({ display_name: form.display_name.trim(), password: form.password,
      locale: pickLocale(globalThis.navigator?.language) });
  };
  const acceptSignedIn = (e) => {
    e.preventDefault();
    accepting(undefined);
  };
  const signInFirst = (e) => {
    e.preventDefault();
    rememberNext(`#/invite/${token}`);
    navigate('#/login');
  };
  const switchAccount = (e) => {
    e.preventDefault();
    run(async () => {
      await post('/v1/auth/logout', undefined, { noAuthRedirect: true }).catch(() => {});
      setReload((n) => n + 1);
    });
  };

  return (
    <AuthLayout>
      <PageTitle>{t('invite.title', { tenant: inv.tenant?.name || '' })}</PageTitle>
      <dl class="facts" data-test="invite-details">
        <dt>{t('invite.tenant')}</dt><dd data-test="invite-tenant">{inv.tenant?.name}</dd>
        <dt>{t('invite.role')}</dt><dd data-test="invite-role">{t(`role.${inv.role}`)}</dd>
        <dt>{t('field.email')}</dt><dd data-test="invite-email">{inv.email}</dd>
      </dl>
      {isInvitee && (
        <form onSubmit={acceptSignedIn} data-test="invite-accept-signed-in">
          <p>{t('invite.signedIn', { email: signedInAs })}</p>
          <Problem error={error} test="invite-error" />
          <button type="submit" class="primary" disabled={busy} data-test="invite-submit">{t('invite.submit')}</button>
        </form>
      )}
      {signedInAs && !isInvitee && (
        <form onSubmit={switchAccount} data-test="invite-other-account">
          <p>{t('invite.otherAccount', { signedIn: signedInAs, email: inv.email })}</p>
          <Problem error={error} test="invite-error" />
          <button type="submit" disabled={busy} data-test="invite-sign-out">{t('invite.signOut')}</button>
        </form>
      )}
      {!signedInAs && (
        <>
          <p>{t('invite.new')}</p>
          <form onSubmit={submitNew} data-test="invite-form">
            <Field label={t('field.displayName')} autocomplete="name" required value={form.display_name}
              onInput={set('display_name')} test="invite-display-name" error={error?.fieldError?.('display_name')} />
            <Field label={t('field.newPassword')} type="password" autocomplete="new-password" required
              value={form.password} hint={t('password.rule')} onInput={set('password')} test="invite-password"
              error={error?.fieldError?.('password')} />
            <Field label={t('field.confirmPassword')} type="password" autocomplete="new-password" required
              value={form.confirm} onInput={set('confirm')} test="invite-confirm" />
            <Problem error={error} message={error?.status === 409 ? t('invite.accountExists') : localError}
              test="invite-error" />
            <button type="submit" class="primary" disabled={busy} data-test="invite-submit">{t('invite.submit')}</button>
          </form>
          <p>{t('invite.haveAccount')} <a href={`#/login`} onClick={signInFirst}
            data-test="invite-sign-in">{t('invite.signInFirst')}</a></p>
        </>
      )}
    </AuthLayout>
  );
}
