// Teams (admins): named groups of members that hand-offs can be routed to; and (owners) the tenant's rule that every
// member signs in with a second factor.
import { useState } from 'preact/hooks';
import { del, get, patch, post } from '../api.js';
import { t } from '../i18n/index.js';
import { loadTenantData } from '../session.js';
import { useStore } from '../store.js';
import { Field, Loading, Problem, Status, displayName, useAsync, useSubmit } from '../ui/common.jsx';
import { errorFor } from '../ui/SchemaForm.jsx';
import { Confirm } from '../ui/settings.jsx';

function MemberChecks({ members, chosen, onChange, legend, test }) {
  return (
    <fieldset class="scopes" data-test={test}>
      <legend>{legend}</legend>
      {members.map((m) => (
        <label key={m.user_id} class="check">
          <input type="checkbox" checked={chosen.includes(m.user_id)} data-test={`${test}-${m.email}`}
            onChange={() => onChange(chosen.includes(m.user_id) ? chosen.filter((x) => x !== m.user_id)
              : [...chosen, m.user_id])} /> {displayName(m)}
        </label>
      ))}
    </fieldset>
  );
}

function TeamRow({ team, members, onChanged }) {
  const [editing, setEditing] = useState(false);
  const [chosen, setChosen] = useState(team.member_ids || []);
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  const names = members.filter((m) => (team.member_ids || []).includes(m.user_id)).map((m) => displayName(m));
  return (
    <li class="panel" data-test="team-row" data-team-id={team.id}>
      <h3>{team.name}</h3>
      <p class="muted">{names.length ? names.join(', ') : t('teams.noMembers')}</p>
      <div class="actions">
        <button type="button" aria-expanded={editing ? 'true' : 'false'} onClick={() => setEditing(!editing)}
          data-test="team-edit" aria-label={t('teams.editNamed', { name: team.name })}>{t('teams.edit')}</button>
        <button type="button" class="danger" onClick={() => setConfirming(true)} data-test="team-delete"
          aria-label={t('teams.deleteNamed', { name: team.name })}>{t('teams.delete')}</button>
      </div>
      {editing && (
        <form data-test="team-edit-form" onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await patch(`/v1/teams/${encodeURIComponent(team.id)}`, { member_ids: chosen });
            setEditing(false);
            onChanged();
          });
        }}>
          <MemberChecks members={members} chosen={chosen} onChange={setChosen} legend={t('teams.members')}
            test="team-edit-member" />
          <button type="submit" class="primary" disabled={busy} data-test="team-save">{t('common.save')}</button>
        </form>
      )}
      {confirming && (
        <Confirm test="team-delete-confirm" busy={busy} confirmLabel={t('teams.delete')}
          text={t('teams.deleteText', { name: team.name })} onCancel={() => setConfirming(false)}
          onConfirm={() => run(async () => {
            await del(`/v1/teams/${encodeURIComponent(team.id)}`);
            onChanged();
          })} />
      )}
      <Problem error={error} />
    </li>
  );
}

export function TeamsPanel({ members }) {
  const teams = useAsync(() => get('/v1/teams').then((r) => r.data), []);
  const [form, setForm] = useState({ name: '', member_ids: [] });
  const { busy, error, run } = useSubmit();
  const changed = () => {
    teams.reload();
    loadTenantData();
  };
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      await post('/v1/teams', { name: form.name.trim(), member_ids: form.member_ids });
      setForm({ name: '', member_ids: [] });
      changed();
    });
  };
  return (
    <section aria-labelledby="teams-title" data-test="teams">
      <h2 id="teams-title">{t('teams.title')}</h2>
      <p class="muted">{t('teams.intro')}</p>
      <Problem error={teams.error} />
      {!teams.data ? <Loading /> : (
        <ul class="plain-list" data-test="teams-list">
          {teams.data.map((tm) => <TeamRow key={tm.id} team={tm} members={members} onChanged={changed} />)}
          {!teams.data.length && <li class="muted">{t('teams.none')}</li>}
        </ul>
      )}
      <form class="panel" onSubmit={submit} data-test="team-create-form" noValidate>
        <h3>{t('teams.new')}</h3>
        <Field label={t('teams.name')} value={form.name} required maxLength={100} test="team-name"
          error={errorFor(error, 'name')} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <MemberChecks members={members} chosen={form.member_ids} legend={t('teams.members')} test="team-member"
          onChange={(ids) => setForm({ ...form, member_ids: ids })} />
        <Problem error={error} test="team-create-error" />
        <button type="submit" class="primary" disabled={busy} data-test="team-create">{t('teams.create')}</button>
      </form>
    </section>
  );
}

/** Owners: require every member to sign in with a second factor. */
export function SecurityPanel() {
  const st = useStore();
  const me = st.session.user;
  const sec = useAsync(() => get('/v1/tenant/security'), []);
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  return (
    <section class="panel" aria-labelledby="security-title" data-test="tenant-security">
      <h2 id="security-title">{t('teams.security')}</h2>
      <Problem error={sec.error || error} />
      {!sec.data ? <Loading /> : (
        <Field type="checkbox" class="checkbox" label={t('teams.requireTotp')} checked={sec.data.require_totp}
          disabled={busy} test="require-totp"
          hint={me.totp_enabled || me.platform_admin ? t('teams.requireTotpHint')
            : `${t('teams.requireTotpHint')} ${t('teams.requireTotpSelf')}`}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            setStatus('');
            run(async () => {
              sec.setData(await patch('/v1/tenant/security', { require_totp: on }));
              setStatus(t('common.saved'));
            });
          }} />
      )}
      <Status message={status} test="require-totp-status" />
    </section>
  );
}
