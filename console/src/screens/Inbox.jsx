// The inbox: filters, the conversation list (live from /v1/inbox/events) and, beside it or instead of it on a
// narrow screen, the open conversation.
import { useEffect, useRef, useState } from 'preact/hooks';
import { page } from '../api.js';
import { t } from '../i18n/index.js';
import { coalesce, onInboxEvent } from '../live.js';
import { href } from '../router.js';
import { getState, setState, useStore } from '../store.js';
import { Field, Loading, PageTitle, Problem, Time, displayName } from '../ui/common.jsx';
import { Conversation, labelName } from './Conversation.jsx';

export const FALLBACK_CHANNELS = ['webchat', 'telegram', 'whatsapp', 'messenger', 'instagram', 'sms', 'email', 'github', 'api'];
const FILTERS_KEY = 'clawless:inbox-filters';
const PAGE_SIZE = 50;
export const DEFAULT_FILTERS = { status: 'all', channel: '', assignee: 'anyone', team: '', label: '', unread: false };

/** The query of GET /v1/inbox for these filters ('all' and 'anyone' send nothing). */
export function inboxQuery(filters, cursor) {
  const f = { ...DEFAULT_FILTERS, ...filters };
  return {
    status: f.status && f.status !== 'all' ? f.status : null,
    channel: f.channel || null,
    assignee: f.assignee && f.assignee !== 'anyone' ? f.assignee : null,
    team: f.team || null,
    label: f.label || null,
    unread: f.unread ? 'true' : null,
    cursor: cursor || null,
    limit: PAGE_SIZE,
  };
}

function loadFilters() {
  try {
    return { ...DEFAULT_FILTERS, ...JSON.parse(globalThis.sessionStorage.getItem(FILTERS_KEY) || '{}') };
  } catch (e) {
    return { ...DEFAULT_FILTERS };
  }
}

function saveFilters(f) {
  try {
    globalThis.sessionStorage.setItem(FILTERS_KEY, JSON.stringify(f));
  } catch (e) { /* kept for this page only */ }
}

const rowId = (r) => r && r.conversation && r.conversation.id;

/**
 * The list after re-reading its first page: that page first, then the rows already loaded below it, minus the
 * conversations an event named that are no longer in the first page (they left the filter).
 */
export function mergeFirstPage(oldRows, firstPage, changedIds = new Set()) {
  const ids = new Set(firstPage.map(rowId));
  return [...firstPage, ...oldRows.filter((r) => !ids.has(rowId(r)) && !changedIds.has(rowId(r)))];
}

function InboxRow({ r, selected }) {
  const c = r.conversation || {};
  const last = r.last_message || {};
  const name = r.contact?.display_name || c.title || t('common.aContact');
  const prefix = last.role === 'assistant' ? t('inbox.prefixAi') : last.role === 'operator' ? t('inbox.prefixOperator')
    : last.role === 'system' ? t('inbox.prefixSystem') : '';
  const labels = (r.labels || []).map(labelName).filter(Boolean);
  return (
    <li>
      <a href={href('inbox', c.id)} class={`row ${r.unread > 0 ? 'unread' : ''}`} data-test="inbox-row"
        data-conversation-id={c.id} aria-current={selected ? 'page' : undefined}>
        <span class="row-top">
          <span class="contact" data-test="inbox-row-contact">{name}</span>
          <Time iso={last.created_at || c.last_message_at || c.created_at} />
        </span>
        <span class="row-mid">
          <span class="channel">{c.channel}</span>
          <span class={`status-badge status-${c.status}`}>{t(`status.${c.status || 'bot'}`)}</span>
          {r.unread > 0 && (
            <span class="badge unread-badge" data-test="unread-badge">
              {r.unread}<span class="sr-only"> {t('inbox.unread', { count: r.unread })}</span>
            </span>
          )}
        </span>
        <span class="preview" data-test="inbox-row-preview">{prefix ? `${prefix} ` : ''}{last.text || ''}</span>
        <span class="row-bottom">
          <span class="assignee">{r.assignee ? displayName(r.assignee) : t('inbox.unassigned')}</span>
          {labels.map((l) => <span key={l} class="chip small">{l}</span>)}
        </span>
      </a>
    </li>
  );
}

function NotificationButton() {
  const N = globalThis.Notification;
  const [perm, setPerm] = useState(N ? N.permission : 'unsupported');
  if (!N || perm !== 'default') return null;
  return (
    <button type="button" class="link-button" data-test="enable-notifications"
      onClick={() => Promise.resolve(N.requestPermission()).then(setPerm, () => {})}>
      {t('inbox.enableNotifications')}
    </button>
  );
}

export function InboxList({ selected }) {
  const s = useStore();
  const [filters, setFilters] = useState(loadFilters);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [, tick] = useState(0);
  // open on wide screens; on a phone the list comes first and the filters fold away
  const [filtersOpen, setFiltersOpen] = useState(() => !(globalThis.matchMedia
    && globalThis.matchMedia('(max-width: 800px)').matches));
  const current = useRef(filters);
  const seq = useRef(0);
  const changed = useRef(new Set());
  current.current = filters;

  const load = async (cursor) => {
    const n = ++seq.current;
    setLoading(true);
    try {
      const res = await page('/v1/inbox', inboxQuery(current.current, cursor));
      if (n !== seq.current) return;
      const rows = (res && res.data) || [];
      setState((st) => ({ inboxRows: cursor ? [...st.inboxRows, ...rows.filter((r) => !st.inboxRows.some((o) => rowId(o) === rowId(r)))] : rows }));
      setNext((res && res.next_cursor) || null);
      setError(null);
    } catch (e) {
      if (n === seq.current) setError(e);
    } finally {
      if (n === seq.current) setLoading(false);
    }
  };

  const refresh = useRef(null);
  if (!refresh.current) {
    refresh.current = coalesce(async () => {
      const ids = changed.current;
      changed.current = new Set();
      const n = ++seq.current;
      try {
        const res = await page('/v1/inbox', inboxQuery(current.current));
        if (n !== seq.current) return;
        setState((st) => ({ inboxRows: mergeFirstPage(st.inboxRows, (res && res.data) || [], ids) }));
        if (!getState().inboxRows.length) setNext(null);
      } catch (e) { /* the next event or a reload tries again */ }
    }, 300);
  }

  useEffect(() => {
    saveFilters(filters);
    load(null);
  }, [filters, s.tenantId]);

  useEffect(() => {
    const off = onInboxEvent((ev) => {
      if (ev.conversationId) changed.current.add(ev.conversationId);
      refresh.current();
    });
    const timer = setInterval(() => tick((n) => n + 1), 60000);
    return () => {
      off();
      clearInterval(timer);
      refresh.current.cancel();
    };
  }, []);

  const set = (k) => (e) => {
    const el = e.currentTarget;
    setFilters({ ...filters, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const { members, teams, labels, channels } = s.tenantData;
  const channelTypes = Array.isArray(channels) && channels.length
    ? [...new Set(channels.map((c) => c.type).filter(Boolean))] : FALLBACK_CHANNELS;
  const meId = s.session?.user?.id;
  const active = ['status', 'channel', 'assignee', 'team', 'label', 'unread']
    .filter((k) => filters[k] && filters[k] !== DEFAULT_FILTERS[k]).length;

  return (
    <>
      <div class="list-head">
        <PageTitle title={t('nav.inbox')}>{t('nav.inbox')}</PageTitle>
        <p class={`live live-${s.live}`} role="status" data-test="live-status">
          {s.live === 'open' ? t('inbox.live') : s.live === 'connecting' ? t('inbox.reconnecting') : ''}
        </p>
      </div>
      <NotificationButton />
      <details class="filters-box" open={filtersOpen} data-test="inbox-filters-toggle"
        onToggle={(e) => setFiltersOpen(e.currentTarget.open)}>
        <summary>{active ? t('inbox.filtersActive', { count: active }) : t('inbox.filters')}</summary>
      <form class="filters" aria-label={t('inbox.filters')} data-test="inbox-filters" onSubmit={(e) => e.preventDefault()}>
        <Field as="select" label={t('inbox.status')} value={filters.status} onChange={set('status')}
          test="filter-status">
          <option value="all">{t('inbox.statusAll')}</option>
          <option value="bot">{t('status.bot')}</option>
          <option value="human">{t('status.human')}</option>
          <option value="closed">{t('status.closed')}</option>
        </Field>
        <Field as="select" label={t('inbox.channel')} value={filters.channel} onChange={set('channel')}
          test="filter-channel">
          <option value="">{t('inbox.channelAll')}</option>
          {channelTypes.map((c) => <option key={c} value={c}>{c}</option>)}
        </Field>
        <Field as="select" label={t('inbox.assignee')} value={filters.assignee} onChange={set('assignee')}
          test="filter-assignee">
          <option value="anyone">{t('inbox.assigneeAnyone')}</option>
          <option value="me">{t('inbox.assigneeMe')}</option>
          <option value="none">{t('inbox.assigneeNone')}</option>
          {members.filter((m) => m.user_id !== meId).map((m) => (
            <option key={m.user_id} value={m.user_id}>{displayName(m)}</option>
          ))}
        </Field>
        {teams.length > 0 && (
          <Field as="select" label={t('inbox.team')} value={filters.team} onChange={set('team')} test="filter-team">
            <option value="">{t('inbox.teamAll')}</option>
            {teams.map((tm) => <option key={tm.id} value={tm.id}>{tm.name}</option>)}
          </Field>
        )}
        <Field as="select" label={t('inbox.label')} value={filters.label} onChange={set('label')} test="filter-label">
          <option value="">{t('inbox.labelAll')}</option>
          {labels.map((l) => <option key={labelName(l)} value={labelName(l)}>{labelName(l)}</option>)}
        </Field>
        <div class="field checkbox">
          <input type="checkbox" id="filter-unread" checked={filters.unread} onChange={set('unread')}
            data-test="filter-unread" />
          <label for="filter-unread">{t('inbox.unreadOnly')}</label>
        </div>
      </form>
      </details>
      <Problem error={error} test="inbox-error" />
      {loading && !s.inboxRows.length ? <Loading /> : (
        <ul class="rows" data-test="inbox-rows" aria-label={t('inbox.conversations')}>
          {s.inboxRows.map((r) => <InboxRow key={rowId(r)} r={r} selected={rowId(r) === selected} />)}
          {!s.inboxRows.length && !loading && <li class="muted empty" data-test="inbox-empty">{t('inbox.empty')}</li>}
        </ul>
      )}
      {next && (
        <button type="button" class="more" disabled={loading} onClick={() => load(next)} data-test="inbox-more">
          {t('common.loadMore')}
        </button>
      )}
    </>
  );
}

export function Inbox({ conversationId }) {
  return (
    <div class={`inbox ${conversationId ? 'has-conversation' : ''}`}>
      <section class="inbox-list" aria-label={t('inbox.conversations')}>
        <InboxList selected={conversationId} />
      </section>
      <section class="inbox-conversation" aria-label={t('conversation.label')}>
        {conversationId ? <Conversation key={conversationId} id={conversationId} />
          : <p class="muted placeholder">{t('inbox.choose')}</p>}
      </section>
    </div>
  );
}
