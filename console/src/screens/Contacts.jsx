// Contacts: search, a contact's identities and conversations, renaming, merging another contact into this one.
import { useState } from 'preact/hooks';
import { get, patch, post, query } from '../api.js';
import { t } from '../i18n/index.js';
import { href, navigate } from '../router.js';
import { Field, Loading, PageTitle, Problem, SafeLink, Status, Time, displayName, useAsync, useSubmit } from '../ui/common.jsx';

function identityText(i) {
  const parts = [i.display_name, i.username ? `@${i.username}` : null, i.address || i.external_id];
  return parts.filter(Boolean).join(' · ') || i.id || '';
}

export function Contacts({ q = '' }) {
  const [draft, setDraft] = useState(q);
  const list = useAsync(() => get(`/v1/contacts${query({ q, limit: 50 })}`), [q]);
  const submit = (e) => {
    e.preventDefault();
    navigate(`#/contacts${query({ q: draft.trim() })}`);
  };
  const rows = (list.data && list.data.data) || [];
  return (
    <div class="page">
      <PageTitle>{t('nav.contacts')}</PageTitle>
      <form role="search" class="inline-form" onSubmit={submit} data-test="contacts-search">
        <Field label={t('contacts.search')} type="search" value={draft} onInput={(e) => setDraft(e.currentTarget.value)}
          test="contacts-search-input" />
        <button type="submit" data-test="contacts-search-submit">{t('common.search')}</button>
      </form>
      <Problem error={list.error} />
      {list.loading ? <Loading /> : (
        <ul class="list" data-test="contacts-list">
          {rows.map((c) => (
            <li key={c.id}>
              <a href={href('contacts', c.id)} data-test="contact-row">{displayName(c, 'common.aContact')}</a>
              {c.created_at && <> <span class="muted">·</span> <Time iso={c.created_at} /></>}
            </li>
          ))}
          {!rows.length && <li class="muted">{t('contacts.none')}</li>}
        </ul>
      )}
    </div>
  );
}

function MergePicker({ contact, onMerged }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState(null);
  const [chosen, setChosen] = useState(null);
  const { busy, error, run } = useSubmit();
  const search = (e) => {
    e.preventDefault();
    run(async () => {
      const res = await get(`/v1/contacts${query({ q: q.trim(), limit: 20 })}`);
      setResults(((res && res.data) || []).filter((c) => c.id !== contact.id));
    });
  };
  const merge = () => run(async () => {
    await post(`/v1/contacts/${encodeURIComponent(contact.id)}/merge`, { contact_id: chosen.id });
    setChosen(null);
    setResults(null);
    setQ('');
    onMerged(chosen);
  });
  return (
    <section class="panel" aria-labelledby="merge-title">
      <h2 id="merge-title">{t('contacts.mergeTitle')}</h2>
      <p>{t('contacts.mergeIntro')}</p>
      <form role="search" class="inline-form" onSubmit={search} data-test="merge-search">
        <Field label={t('contacts.mergeSearch')} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)}
          test="merge-search-input" />
        <button type="submit" disabled={busy} data-test="merge-search-submit">{t('common.search')}</button>
      </form>
      {results && (
        <ul class="list" data-test="merge-results">
          {results.map((c) => (
            <li key={c.id}>
              <span>{displayName(c, 'common.aContact')}</span>{' '}
              <button type="button" data-test="merge-pick" onClick={() => setChosen(c)}
                aria-label={t('contacts.mergePick', { name: displayName(c, 'common.aContact') })}>
                {t('contacts.mergePickShort')}
              </button>
            </li>
          ))}
          {!results.length && <li class="muted">{t('contacts.none')}</li>}
        </ul>
      )}
      {chosen && (
        <div class="confirm" role="group" aria-labelledby="merge-confirm-text" data-test="merge-confirm">
          <p id="merge-confirm-text">
            {t('contacts.mergeConfirm', { other: displayName(chosen, 'common.aContact'),
              name: displayName(contact, 'common.aContact') })}
          </p>
          <div class="button-row">
            <button type="button" class="danger" disabled={busy} onClick={merge} data-test="merge-confirm-yes">
              {t('contacts.mergeYes')}
            </button>
            <button type="button" onClick={() => setChosen(null)} data-test="merge-confirm-no">{t('common.cancel')}</button>
          </div>
        </div>
      )}
      <Problem error={error} test="merge-error" />
    </section>
  );
}

export function ContactPage({ id }) {
  const c = useAsync(() => get(`/v1/contacts/${encodeURIComponent(id)}`), [id]);
  const [name, setName] = useState(null);
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  if (c.loading && !c.data) return <div class="page"><Loading /></div>;
  if (c.error) {
    return (
      <div class="page">
        <p><a href="#/contacts">{t('contacts.back')}</a></p>
        <Problem error={c.error} message={c.error.status === 404 ? t('contacts.notFound') : ''} />
      </div>
    );
  }
  const contact = c.data;
  const value = name === null ? (contact.display_name || '') : name;
  const save = (e) => {
    e.preventDefault();
    run(async () => {
      const updated = await patch(`/v1/contacts/${encodeURIComponent(id)}`, { display_name: value.trim() });
      c.setData((d) => ({ ...d, ...(updated || {}), display_name: (updated && updated.display_name) ?? value.trim() }));
      setName(null);
      setStatus(t('common.saved'));
    });
  };
  const identities = contact.identities || [];
  // the hub answers conversation_ids; full objects are used when present
  const conversations = contact.conversations
    || (contact.conversation_ids || []).map((cid) => ({ id: cid }));
  return (
    <div class="page" data-test="contact-page">
      <p><a href="#/contacts" class="button back">{t('contacts.back')}</a></p>
      <PageTitle title={displayName(contact, 'common.aContact')}>{displayName(contact, 'common.aContact')}</PageTitle>
      <form onSubmit={save} class="inline-form" data-test="contact-edit">
        <Field label={t('field.displayName')} value={value} required maxLength={200}
          onInput={(e) => setName(e.currentTarget.value)} test="contact-name" />
        <button type="submit" disabled={busy} data-test="contact-save">{t('common.save')}</button>
      </form>
      <Problem error={error} />
      <Status message={status} />
      <section aria-labelledby="identities-title">
        <h2 id="identities-title">{t('contacts.identities')}</h2>
        <ul class="list" data-test="contact-identities">
          {identities.map((i, n) => (
            <li key={i.id || n}><span class="channel">{i.channel || i.type}</span> <span>{identityText(i)}</span></li>
          ))}
          {!identities.length && <li class="muted">{t('contacts.noIdentities')}</li>}
        </ul>
      </section>
      {(contact.crm_records || []).length > 0 && (
        <section aria-labelledby="crm-title">
          <h2 id="crm-title">{t('contacts.crm')}</h2>
          <ul class="list" data-test="contact-crm">
            {contact.crm_records.map((r) => (
              <li key={`${r.crm}-${r.object_type}-${r.id}`}>
                <SafeLink url={r.url} test="contact-crm-record">{t('lead.record', { crm: r.crm, type: r.object_type, id: r.id })}</SafeLink>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="conversations-title">
        <h2 id="conversations-title">{t('contacts.conversations')}</h2>
        <ul class="list" data-test="contact-conversations">
          {conversations.map((cv) => (
            <li key={cv.id}>
              <a href={href('inbox', cv.id)} data-test="contact-conversation">
                {cv.channel ? `${cv.channel} · ${t(`status.${cv.status || 'bot'}`)}` : t('contacts.conversation', { id: cv.id })}
              </a>{' '}
              <Time iso={cv.last_message_at || cv.created_at} />
            </li>
          ))}
          {!conversations.length && <li class="muted">{t('contacts.noConversations')}</li>}
        </ul>
      </section>
      <MergePicker contact={contact} onMerged={(other) => {
        setStatus(t('contacts.merged', { other: displayName(other, 'common.aContact') }));
        c.reload();
      }} />
    </div>
  );
}
