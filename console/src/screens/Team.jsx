// The tenant's people: members (owners change roles and remove), pending invitations and the invite form (the
// answer's link is shown with a copy button, as mail may be off).
import { useState } from 'preact/hooks';
import { del, get, patch, post } from '../api.js';
import { t } from '../i18n/index.js';
import { loadTenantData } from '../session.js';
import { currentRole, useStore } from '../store.js';
import { Field, Loading, PageTitle, Problem, Status, Time, displayName, useAsync, useSubmit } from '../ui/common.jsx';
import { SecurityPanel, TeamsPanel } from './TeamsPanel.jsx';

export const ROLES = ['agent', 'admin', 'owner'];

async function copyText(text) {
  try {
    await globalThis.navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    return false;
  }
}

function InviteForm({ onInvited }) {
  const [form, setForm] = useState({ email: '', role: 'agent' });
  const [created, setCreated] = useState(null);
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const inv = await post('/v1/invitations', { email: form.email.trim(), role: form.role });
      setCreated(inv);
      setForm({ email: '', role: form.role });
      onInvited();
    });
  };
  const copy = async () => {
    const ok = await copyText(created.link);
    if (!ok) globalThis.document.getElementById('invite-link')?.select();
    setStatus(ok ? t('team.copied') : t('team.copyManually'));
  };
  return (
    <section class="panel" aria-labelledby="invite-title">
      <h2 id="invite-title">{t('team.invite')}</h2>
      <form onSubmit={submit} class="inline-form" data-test="team-invite-form">
        <Field label={t('field.email')} type="email" required value={form.email}
          onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} test="team-invite-email" />
        <Field as="select" label={t('team.role')} value={form.role}
          onChange={(e) => setForm({ ...form, role: e.currentTarget.value })} test="team-invite-role">
          {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
        </Field>
        <button type="submit" class="primary" disabled={busy} data-test="team-invite-submit">{t('team.sendInvite')}</button>
      </form>
      <Problem error={error} test="team-invite-error" />
      {created && (
        <div class="invite-link" data-test="team-invite-result">
          <p>{created.emailed ? t('team.emailed', { email: created.email }) : t('team.notEmailed', { email: created.email })}</p>
          <Field id="invite-link" label={t('team.link')} value={created.link} readOnly test="team-invite-link"
            onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={copy} data-test="team-invite-copy">{t('team.copy')}</button>
          <Status message={status} test="team-invite-status" />
        </div>
      )}
    </section>
  );
}

function MemberRow({ m, isOwner, meId, onChanged }) {
  const { busy, error, run } = useSubmit();
  const [confirming, setConfirming] = useState(false);
  const name = displayName(m);
  return (
    <tr data-test="member-row" data-user-id={m.user_id}>
      <th scope="row">{name}{m.user_id === meId ? ` (${t('team.you')})` : ''}<div class="muted">{m.email}</div></th>
      <td>
        {isOwner ? (
          <Field as="select" label={t('team.roleOf', { name })} class="compact" value={m.role} disabled={busy}
            test="member-role" onChange={(e) => {
              const role = e.currentTarget.value;
              run(async () => {
                await patch(`/v1/members/${encodeURIComponent(m.user_id)}`, { role });
                onChanged();
              });
            }}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </Field>
        ) : t(`role.${m.role}`)}
      </td>
      <td>{t(`presence.${m.presence || 'away'}`)}</td>
      <td>{m.open_conversations ?? 0}{m.capacity ? ` / ${m.capacity}` : ''}</td>
      {isOwner && (
        <td>
          {!confirming ? (
            <button type="button" class="danger" disabled={busy} data-test="member-remove"
              aria-label={t('team.removeNamed', { name })} onClick={() => setConfirming(true)}>{t('team.remove')}</button>
          ) : (
            <span class="button-row">
              <button type="button" class="danger" disabled={busy} data-test="member-remove-confirm"
                aria-label={t('team.removeConfirmNamed', { name })}
                onClick={() => run(async () => {
                  await del(`/v1/members/${encodeURIComponent(m.user_id)}`);
                  onChanged();
                })}>{t('team.removeConfirm')}</button>
              <button type="button" onClick={() => setConfirming(false)}>{t('common.cancel')}</button>
            </span>
          )}
          <Problem error={error} />
        </td>
      )}
    </tr>
  );
}

export function Team() {
  const s = useStore();
  const role = currentRole(s);
  const isOwner = role === 'owner';
  const members = useAsync(() => get('/v1/members'), [s.tenantId]);
  const invitations = useAsync(() => (isOwner ? get('/v1/invitations') : Promise.resolve({ data: [] })),
    [s.tenantId, isOwner]);
  const { busy, error, run } = useSubmit();
  const reloadMembers = () => {
    members.reload();
    loadTenantData();
  };
  const rows = (members.data && members.data.data) || [];
  const pending = (invitations.data && invitations.data.data) || [];
  return (
    <div class="page">
      <PageTitle>{t('nav.team')}</PageTitle>
      <section aria-labelledby="members-title">
        <h2 id="members-title">{t('team.members')}</h2>
        <Problem error={members.error} />
        {members.loading && !members.data ? <Loading /> : (
          <div class="table-wrap">
            <table data-test="members-table">
              <thead>
                <tr>
                  <th scope="col">{t('team.name')}</th><th scope="col">{t('team.role')}</th>
                  <th scope="col">{t('team.presence')}</th><th scope="col">{t('team.open')}</th>
                  {isOwner && <th scope="col"><span class="sr-only">{t('team.actions')}</span></th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => <MemberRow key={m.user_id} m={m} isOwner={isOwner} meId={s.session.user.id}
                  onChanged={reloadMembers} />)}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {isOwner && <InviteForm onInvited={() => invitations.reload()} />}
      {isOwner && (
        <section aria-labelledby="invitations-title">
          <h2 id="invitations-title">{t('team.invitations')}</h2>
          <Problem error={invitations.error || error} />
          <ul class="list" data-test="invitations-list">
            {pending.map((inv) => (
              <li key={inv.id} data-test="invitation-row">
                <span>{inv.email}</span> · <span>{t(`role.${inv.role}`)}</span> · {t('team.expires')}{' '}
                <Time iso={inv.expires_at} />{' '}
                <button type="button" disabled={busy} data-test="invitation-revoke"
                  aria-label={t('team.revokeNamed', { email: inv.email })}
                  onClick={() => run(async () => {
                    await del(`/v1/invitations/${encodeURIComponent(inv.id)}`);
                    invitations.reload();
                  })}>{t('team.revoke')}</button>
              </li>
            ))}
            {!pending.length && <li class="muted">{t('team.noInvitations')}</li>}
          </ul>
        </section>
      )}
      {(isOwner || role === 'admin') && <TeamsPanel members={rows} />}
      {isOwner && <SecurityPanel />}
    </div>
  );
}
