// Channels: every connection of the tenant, a form per type generated from the type's config schema (secrets
// write-only), the URL to paste on the platform, the connection's health with dead letters to retry, a test message,
// and for the widget its appearance, embed snippet and a live preview.
import { useState } from 'preact/hooks';
import { del, get, patch, post, put } from '../../api.js';
import { t } from '../../i18n/index.js';
import { href, navigate } from '../../router.js';
import { loadTenantData } from '../../session.js';
import { useStore } from '../../store.js';
import { Field, Loading, Problem, Status, Time, useAsync, useSubmit } from '../../ui/common.jsx';
import { SchemaFields, SecretFields, errorFor, initialValues, toConfig, toSecrets } from '../../ui/SchemaForm.jsx';
import { Confirm, CopyField, SettingsPage } from '../../ui/settings.jsx';
import { WidgetDesigner } from './Widget.jsx';

const enc = encodeURIComponent;

function typeName(type) {
  const known = { webchat: 'channelType.webchat', whatsapp: 'channelType.whatsapp', telegram: 'channelType.telegram',
    email: 'channelType.email', github: 'channelType.github' };
  return known[type] ? t(known[type]) : type;
}

async function loadTypes() {
  const res = await get('/v1/channel-types');
  return (res && res.data) || [];
}

export function Channels({ id, query }) {
  if (id === 'new') return <NewChannel type={query.type || ''} />;
  if (id) return <ChannelDetail id={id} key={id} />;
  return <ChannelList />;
}

function ChannelList() {
  const list = useAsync(() => get('/v1/channels'), []);
  const types = useAsync(loadTypes, []);
  const [type, setType] = useState('');
  const channels = (list.data && list.data.data) || [];
  return (
    <SettingsPage section="channels" title={t('settings.channels')}>
      <p class="muted">{t('channels.intro')}</p>
      <section class="panel" aria-labelledby="channel-new-title">
        <h2 id="channel-new-title">{t('channels.connect')}</h2>
        <form class="inline-form" data-test="channel-new-form" onSubmit={(e) => {
          e.preventDefault();
          if (type) navigate(`#/settings/channels/new?type=${enc(type)}`);
        }}>
          <Field as="select" label={t('channels.type')} value={type} required test="channel-new-type"
            onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">{t('schema.choose')}</option>
            {(types.data || []).map((ct) => (
              <option key={ct.type} value={ct.type}>{typeName(ct.type)}{ct.built_in ? '' : ` (${t('channels.plugin')})`}</option>
            ))}
          </Field>
          <button type="submit" class="primary" data-test="channel-new-go">{t('channels.continue')}</button>
        </form>
        <Problem error={types.error} test="channel-types-error" />
      </section>
      <section aria-labelledby="channels-title">
        <h2 id="channels-title">{t('channels.connections')}</h2>
        {list.loading && !list.data ? <Loading /> : (
          <div class="table-wrap">
            <table data-test="channels-table">
              <thead><tr>
                <th scope="col">{t('channels.name')}</th><th scope="col">{t('channels.type')}</th>
                <th scope="col">{t('channels.state')}</th><th scope="col">{t('channels.created')}</th>
              </tr></thead>
              <tbody>
                {channels.map((c) => (
                  <tr key={c.id} data-test="channel-row" data-channel-id={c.id}>
                    <th scope="row"><a href={href('settings', 'channels', c.id)} data-test="channel-open">{c.name}</a></th>
                    <td>{typeName(c.type)}</td>
                    <td>{c.enabled ? t('channels.enabled') : t('channels.disabled')}
                      {c.poll_error && <span class="badge danger" title={c.poll_error}> {t('channels.pollError')}</span>}</td>
                    <td><Time iso={c.created_at} /></td>
                  </tr>
                ))}
                {!channels.length && <tr><td colSpan={4} class="muted">{t('channels.none')}</td></tr>}
              </tbody>
            </table>
          </div>
        )}
        <Problem error={list.error} test="channels-error" />
      </section>
    </SettingsPage>
  );
}

function NewChannel({ type }) {
  const types = useAsync(loadTypes, []);
  const ct = (types.data || []).find((x) => x.type === type);
  return (
    <SettingsPage section="channels" title={t('channels.newTitle', { type: typeName(type) })}>
      <p><a href="#/settings/channels">{t('channels.back')}</a></p>
      {types.loading ? <Loading /> : !ct ? <p data-test="channel-type-unknown">{t('channels.unknownType')}</p>
        : <ChannelForm channelType={ct} />}
      <Problem error={types.error} />
    </SettingsPage>
  );
}

/** The schema without the properties another panel edits (the widget's theme has its own designer). */
export function formSchema(channelType) {
  const schema = channelType.config_schema || {};
  if (channelType.type !== 'webchat' || !schema.properties || !schema.properties.theme) return schema;
  const { theme, ...rest } = schema.properties;
  return { ...schema, properties: rest };
}

/** Create (no `channel`) or edit a connection. */
function ChannelForm({ channelType, channel, onSaved }) {
  const schema = formSchema(channelType);
  const [name, setName] = useState(channel ? channel.name : typeName(channelType.type));
  const [values, setValues] = useState(() => initialValues(schema, channel ? channel.config : {}));
  const [secrets, setSecrets] = useState({});
  const [status, setStatus] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    const { config, errors } = toConfig(schema, values, { forPatch: !!channel, previous: channel ? channel.config : {} });
    if (errors.length) {
      setError({ detail: t('schema.fixFields'), errors });
      return;
    }
    run(async () => {
      if (channel) {
        const saved = await patch(`/v1/channels/${enc(channel.id)}`, { name: name.trim(), config, secrets: toSecrets(secrets) });
        setSecrets({});
        setValues(initialValues(schema, saved.config));
        setStatus(t('common.saved'));
        onSaved(saved);
      } else {
        const created = await post('/v1/channels', { type: channelType.type, name: name.trim(), config, secrets: toSecrets(secrets) });
        await loadTenantData();
        navigate(href('settings', 'channels', created.id));
      }
    });
  };
  return (
    <form onSubmit={submit} class="panel" data-test="channel-form" noValidate>
      <Field label={t('channels.name')} value={name} maxLength={200} required test="channel-name"
        error={error && error.fieldError && error.fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      <SchemaFields schema={schema} values={values} onChange={setValues} error={error} prefix="channel-config" />
      <SecretFields required={channelType.required_secrets || []} optional={channelType.optional_secrets || []}
        stored={channel ? channel.secrets : []} values={secrets} onChange={setSecrets} error={error}
        prefix="channel-secret" />
      <Problem error={error} test="channel-form-error" />
      <Status message={status} test="channel-form-status" />
      <button type="submit" class="primary" disabled={busy} data-test="channel-save">
        {channel ? t('common.save') : t('channels.create')}
      </button>
    </form>
  );
}

function ChannelDetail({ id }) {
  const channel = useAsync(() => get(`/v1/channels/${enc(id)}`), [id]);
  const types = useAsync(loadTypes, []);
  const health = useAsync(() => get(`/v1/channels/${enc(id)}/health`), [id]);
  const c = channel.data;
  const ct = c && (types.data || []).find((x) => x.type === c.type);
  return (
    <SettingsPage section="channels" title={c ? c.name : t('settings.channels')}>
      <p><a href="#/settings/channels">{t('channels.back')}</a></p>
      <Problem error={channel.error} test="channel-error" />
      {!c ? (channel.loading && <Loading />) : (
        <>
          <p class="muted" data-test="channel-summary">{typeName(c.type)} · <span class="mono">{c.id}</span> ·{' '}
            {c.enabled ? t('channels.enabled') : t('channels.disabled')}</p>
          {c.type !== 'webchat' && (
            <section class="panel" aria-labelledby="channel-url-title">
              <h2 id="channel-url-title">{t('channels.platformSetup')}</h2>
              <CopyField label={t('channels.webhookUrl')} value={c.webhook_url} test="channel-webhook-url"
                hint={t('channels.webhookUrlHint')} />
            </section>
          )}
          {c.type === 'webchat' && <WidgetDesigner channel={c} onSaved={channel.setData} />}
          <Health id={id} health={health} onChanged={health.reload} />
          {c.type !== 'webchat' && <TestMessage id={id} type={c.type} onSent={health.reload} />}
          <Routing id={id} />
          <section aria-labelledby="channel-edit-title">
            <h2 id="channel-edit-title">{t('channels.settings')}</h2>
            {ct ? <ChannelForm channelType={ct} channel={c} onSaved={channel.setData} /> : <Loading />}
          </section>
          <DangerZone channel={c} health={health.data} onChanged={channel.setData} />
        </>
      )}
    </SettingsPage>
  );
}

function Health({ id, health, onChanged }) {
  const h = health.data;
  return (
    <section class="panel" aria-labelledby="channel-health-title" data-test="channel-health">
      <h2 id="channel-health-title">{t('channels.health')}</h2>
      <button type="button" class="link-button" onClick={onChanged} data-test="channel-health-reload">{t('common.reload')}</button>
      <Problem error={health.error} />
      {!h ? <Loading /> : (
        <>
          <dl class="facts">
            <dt>{t('channels.lastInbound')}</dt>
            <dd data-test="health-last-inbound">{h.last_inbound_at ? <Time iso={h.last_inbound_at} /> : t('channels.never')}</dd>
            <dt>{t('channels.lastDelivery')}</dt>
            <dd data-test="health-last-delivery">{h.last_delivery_at ? <Time iso={h.last_delivery_at} /> : t('channels.never')}</dd>
            <dt>{t('channels.openConversations')}</dt><dd data-test="health-open">{h.open_conversations}</dd>
            <dt>{t('channels.pollError')}</dt><dd data-test="health-poll-error">{h.poll_error || t('channels.noError')}</dd>
          </dl>
          <h3>{t('channels.deadLetters')}</h3>
          {!(h.dead_letters || []).length ? <p class="muted" data-test="dead-letters-none">{t('channels.noDeadLetters')}</p> : (
            <ul class="plain-list" data-test="dead-letters">
              {h.dead_letters.map((d) => <DeadLetter key={d.id} channelId={id} d={d} onRetried={onChanged} />)}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function DeadLetter({ channelId, d, onRetried }) {
  const { busy, error, run } = useSubmit();
  return (
    <li data-test="dead-letter" data-job-id={d.id}>
      <span class="mono">{d.kind}</span> · {t('channels.attempts', { count: d.attempts })} · <Time iso={d.failed_at} />
      <div class="muted">{d.error}</div>
      <button type="button" disabled={busy} data-test="dead-letter-retry"
        aria-label={t('channels.retryNamed', { id: d.id })}
        onClick={() => run(async () => {
          await post(`/v1/channels/${enc(channelId)}/dead-letters/${enc(d.id)}/retry`);
          onRetried();
        })}>{t('channels.retry')}</button>
      <Problem error={error} test="dead-letter-error" />
    </li>
  );
}

function TestMessage({ id, type, onSent }) {
  const [form, setForm] = useState({ to: '', text: t('channels.testText'), template: '' });
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const body = { to: form.to.trim() };
      if (form.template.trim()) body.template = { id: form.template.trim() };
      else body.text = form.text;
      await post(`/v1/channels/${enc(id)}/test-message`, body);
      setStatus(t('channels.testSent'));
      onSent();
    });
  };
  return (
    <section class="panel" aria-labelledby="channel-test-title">
      <h2 id="channel-test-title">{t('channels.test')}</h2>
      <form onSubmit={submit} data-test="channel-test-form" noValidate>
        <Field label={t('channels.testTo')} value={form.to} required hint={t('channels.testToHint')} test="channel-test-to"
          error={error && error.fieldError && error.fieldError('to')} onInput={(e) => setForm({ ...form, to: e.currentTarget.value })} />
        <Field label={t('channels.testMessage')} value={form.text} required test="channel-test-text"
          error={error && error.fieldError && error.fieldError('text')} onInput={(e) => setForm({ ...form, text: e.currentTarget.value })} />
        {type === 'whatsapp' && (
          <Field label={t('channels.testTemplate')} value={form.template} maxLength={200} test="channel-test-template"
            hint={t('channels.testTemplateHint')} error={errorFor(error, 'template')}
            onInput={(e) => setForm({ ...form, template: e.currentTarget.value })} />
        )}
        <Problem error={error} test="channel-test-error" />
        <Status message={status} test="channel-test-status" />
        <button type="submit" disabled={busy} data-test="channel-test-send">{t('channels.testSend')}</button>
      </form>
    </section>
  );
}

/** Who gets this connection's hand-offs: the queue, or round robin among online members (of a team). */
function Routing({ id }) {
  const s = useStore();
  const routing = useAsync(() => get(`/v1/channels/${enc(id)}/routing`), [id]);
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const r = routing.data;
  const save = (next) => {
    setStatus('');
    run(async () => {
      routing.setData(await put(`/v1/channels/${enc(id)}/routing`, next));
      setStatus(t('common.saved'));
    });
  };
  return (
    <section class="panel" aria-labelledby="channel-routing-title" data-test="channel-routing">
      <h2 id="channel-routing-title">{t('channels.routing')}</h2>
      <Problem error={routing.error || error} />
      {!r ? <Loading /> : (
        <>
          <Field type="checkbox" class="checkbox" label={t('channels.autoAssign')} checked={r.auto_assign}
            disabled={busy} test="routing-auto-assign" hint={t('channels.autoAssignHint')}
            onChange={(e) => save({ auto_assign: e.currentTarget.checked, team_id: r.team_id })} />
          <Field as="select" label={t('channels.routingTeam')} value={r.team_id || ''} disabled={busy || !r.auto_assign}
            test="routing-team" onChange={(e) => save({ auto_assign: r.auto_assign, team_id: e.currentTarget.value || null })}>
            <option value="">{t('channels.anyMember')}</option>
            {(s.tenantData.teams || []).map((tm) => <option key={tm.id} value={tm.id}>{tm.name}</option>)}
          </Field>
        </>
      )}
      <Status message={status} test="routing-status" />
    </section>
  );
}

function DangerZone({ channel, health, onChanged }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  const open = health ? health.open_conversations : 0;
  const toggle = () => run(async () => {
    onChanged(await patch(`/v1/channels/${enc(channel.id)}`, { enabled: !channel.enabled }));
  });
  const remove = () => run(async () => {
    await del(`/v1/channels/${enc(channel.id)}`);
    await loadTenantData();
    navigate('#/settings/channels');
  });
  return (
    <section class="panel danger-zone" aria-labelledby="channel-danger-title">
      <h2 id="channel-danger-title">{t('channels.danger')}</h2>
      <div class="actions">
        <button type="button" disabled={busy} onClick={toggle} data-test="channel-toggle">
          {channel.enabled ? t('channels.disable') : t('channels.enable')}
        </button>
        <button type="button" class="danger" disabled={!health} onClick={() => setConfirming(true)} data-test="channel-delete">
          {t('channels.delete')}
        </button>
      </div>
      <p class="hint">{t('channels.disableHint')}</p>
      {confirming && (
        <Confirm test="channel-delete-confirm" busy={busy} confirmLabel={t('channels.deleteYes')}
          text={open ? t('channels.deleteOpen', { name: channel.name, count: open }) : t('channels.deleteText', { name: channel.name })}
          onCancel={() => setConfirming(false)} onConfirm={remove} />
      )}
      <Problem error={error} test="channel-danger-error" />
    </section>
  );
}
