// Search results: messages (each links to its conversation) and contacts.
import { get, query } from '../api.js';
import { t } from '../i18n/index.js';
import { href } from '../router.js';
import { Loading, PageTitle, Problem, Time, displayName, useAsync } from '../ui/common.jsx';

export function SearchResults({ q = '' }) {
  const res = useAsync(() => (q.trim() ? get(`/v1/search${query({ q: q.trim() })}`) : Promise.resolve(null)), [q]);
  const messages = (res.data && res.data.messages) || [];
  const contacts = (res.data && res.data.contacts) || [];
  return (
    <div class="page" data-test="search-results">
      <PageTitle title={t('search.title')}>{q ? t('search.titleFor', { q }) : t('search.title')}</PageTitle>
      <Problem error={res.error} />
      {res.loading ? <Loading /> : (
        <>
          <section aria-labelledby="search-messages">
            <h2 id="search-messages">{t('search.messages')}</h2>
            <ul class="list">
              {messages.map((m) => (
                <li key={m.id}>
                  <a href={href('inbox', m.conversation_id)} data-test="search-message">{m.text || '…'}</a>{' '}
                  <span class="muted">{t(`role.${m.role === 'user' ? 'contact' : m.role || 'system'}`)}</span>{' '}
                  <Time iso={m.created_at} />
                </li>
              ))}
              {!messages.length && <li class="muted">{t('search.none')}</li>}
            </ul>
          </section>
          <section aria-labelledby="search-contacts">
            <h2 id="search-contacts">{t('search.contacts')}</h2>
            <ul class="list">
              {contacts.map((c) => (
                <li key={c.id}><a href={href('contacts', c.id)} data-test="search-contact">{displayName(c, 'common.aContact')}</a></li>
              ))}
              {!contacts.length && <li class="muted">{t('search.none')}</li>}
            </ul>
          </section>
        </>
      )}
    </div>
  );
}
