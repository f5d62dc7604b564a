// One conversation: header (status, assignee, team, labels, take over / hand back / resolve / reopen, transfer),
// the transcript (messages, private notes and tool calls merged by time), pending approvals and the composer.
// Live through the conversation's own event stream: each event re-reads what it changed.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { allPages, get, getTenant, isHttpUrl, patch, post, query } from '../api.js';
import { t } from '../i18n/index.js';
import { CONVERSATION_EVENTS, coalesce, notifyInbox, onInboxEvent, openStream } from '../live.js';
import { navigate, href } from '../router.js';
import { setState, useStore } from '../store.js';
import { Composer } from '../ui/Composer.jsx';
import { LeadPanel } from './LeadPanel.jsx';
import { Field, Loading, Problem, SafeLink, Status, Time, displayName, useId, useSubmit } from '../ui/common.jsx';

const idOf = (x) => x && x.id;

/** Replaces items with the same id and appends new ones. */
export function upsertById(list, items) {
  const out = [...list];
  for (const item of items) {
    if (!item || !item.id) continue;
    const i = out.findIndex((x) => x.id === item.id);
    if (i >= 0) out[i] = { ...out[i], ...item };
    else out.push(item);
  }
  return out;
}

/** Messages, notes and tool calls in one list, oldest first (stable for equal times). */
export function buildTimeline(messages, notes, tools) {
  const items = [
    ...messages.map((m) => ({ kind: 'message', key: `m:${m.id}`, at: m.created_at, item: m })),
    ...tools.map((c, i) => ({ kind: 'tool', key: `t:${c.id || i}`, at: c.created_at, item: c })),
    ...notes.map((n, i) => ({ kind: 'note', key: `n:${n.id || i}`, at: n.created_at, item: n })),
  ];
  const time = (x) => {
    const v = Date.parse(x.at);
    return Number.isNaN(v) ? Number.MAX_SAFE_INTEGER : v;
  };
  return items.map((x, i) => ({ x, i })).sort((a, b) => time(a.x) - time(b.x) || a.i - b.i).map((y) => y.x);
}

export function labelName(l) {
  return typeof l === 'string' ? l : (l && l.name) || '';
}

function attachmentHref(conversationId, messageId, index, att) {
  if (att && att.url) return isHttpUrl(att.url) ? att.url : null;
  const tenant = getTenant();
  return `/v1/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}`
    + `/attachments/${index}${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`;
}

function isOutbound(m) {
  if (m.direction) return m.direction === 'outbound';
  return m.role === 'assistant' || m.role === 'operator';
}

export function MessageItem({ m, conversationId, contactName }) {
  const role = m.role || 'system';
  const who = role === 'user' ? (contactName || t('role.contact'))
    : role === 'assistant' ? t('role.assistant')
      : role === 'operator' ? (m.author?.display_name || m.metadata?.author_name || t('role.operator'))
      : role === 'tool' ? t('role.tool') : t('role.system');
  const out = isOutbound(m);
  return (
    <li class={`msg role-${role} ${out ? 'out' : 'in'}`} data-test="message" data-message-id={m.id} data-role={role}>
      <div class="msg-meta">
        <span class="who" data-test="message-author">{who}</span>
        {role === 'user' && <span class="role-tag">{t('role.contact')}</span>}
        {role === 'assistant' && <span class="badge ai" title={t('role.assistant')}>{t('role.ai')}</span>}
        <Time iso={m.created_at} />
      </div>
      {m.text ? <p class="msg-text" data-test="message-text">{m.text}</p> : null}
      {role === 'assistant' && m.metadata?.thinking && (
        <details class="thinking" data-test="message-thinking">
          <summary>{t('message.thinking')}</summary>
          <p class="msg-text">{m.metadata.thinking}</p>
        </details>
      )}
      {Array.isArray(m.attachments) && m.attachments.length > 0 && (
        <ul class="attachments">
          {m.attachments.map((a, i) => {
            const name = (a && a.file_name) || t(`attachment.${(a && a.kind) || 'other'}`);
            const url = attachmentHref(conversationId, m.id, i, a);
            return (
              <li key={i}>
                {url && !(a && a.url) ? <a href={url} data-test="attachment" download>{name}</a>
                  : url ? <SafeLink url={url} test="attachment">{name}</SafeLink>
                    : <span data-test="attachment">{name}</span>}
              </li>
            );
          })}
        </ul>
      )}
      {out && m.status && (
        <p class={`delivery ${m.status === 'failed' ? 'failed' : ''}`} data-test="delivery-status">
          {t(`delivery.${m.status}`)}
          {m.status === 'failed' && m.error ? <span>: {m.error}</span> : null}
          {m.delivery_uncertain ? <span class="warn" data-test="delivery-uncertain"> {t('delivery.uncertain')}</span> : null}
        </p>
      )}
    </li>
  );
}

function NoteItem({ n }) {
  const author = n.author_name || (n.author ? displayName(n.author) : null);
  return (
    <li class="note" data-test="note">
      <div class="msg-meta">
        <span class="note-label">{t('note.label')}</span>
        {author && <span class="who">{author}</span>}
        <Time iso={n.created_at} />
      </div>
      <p class="msg-text">{n.text}</p>
    </li>
  );
}

// Workspace commands: each a job of its own; output arrives live on the conversation's stream and is kept (its tail)
// on the command. At most this many live lines are kept per command on screen.
const MAX_LIVE_LINES = 400;

export function appendLine(commands, id, line) {
  return commands.map((c) => {
    if (c.id !== id) return c;
    const lines = [...(c.live || []), line];
    return { ...c, live: lines.length > MAX_LIVE_LINES ? lines.slice(lines.length - MAX_LIVE_LINES) : lines };
  });
}

export function Workspace({ commands }) {
  if (!commands.length) return null;
  return (
    <section class="workspace" aria-labelledby="workspace-title" data-test="workspace">
      <h3 id="workspace-title">{t('workspace.title')}</h3>
      {commands.map((c) => {
        const shown = c.status === 'running' || c.status === 'queued' ? (c.live || []).join('\n') : (c.output || '');
        return (
          <article class="workspace-command" key={c.id} data-test="workspace-command" data-status={c.status}>
            <p>
              <code data-test="workspace-command-text">{c.command}</code>{' '}
              <span class="status-badge" data-test="workspace-command-status">
                {t(`workspace.status.${c.status}`)}{c.exit_code !== null && c.exit_code !== undefined
                  ? ` · ${t('workspace.exit', { code: c.exit_code })}` : ''}
              </span>{' '}
              <Time iso={c.created_at} />
            </p>
            {c.reason && <p class="field-error" data-test="workspace-command-reason">{c.reason}</p>}
            {shown && (
              <pre tabIndex={0} aria-label={t('workspace.output', { command: c.command })}
                data-test="workspace-command-output">{shown}</pre>
            )}
          </article>
        );
      })}
    </section>
  );
}

// The channel's reply window (Messenger, Instagram, WhatsApp): whether the assistant may still write, whether a
// person may (tagged as a human agent's reply), or whether nobody may until the contact writes again.
export function ReplyWindow({ window: w }) {
  if (!w) return null;
  if (w.open) {
    return (
      <p class="reply-window muted" data-test="reply-window" data-state="open">
        {t('window.open')} <Time iso={w.closes_at} />
      </p>
    );
  }
  if (w.human_open) {
    return (
      <p class="reply-window warning" role="status" data-test="reply-window" data-state="human">
        {t('window.human')} <Time iso={w.human_closes_at} />
      </p>
    );
  }
  return (
    <p class="reply-window field-error" role="status" data-test="reply-window" data-state="closed">
      {w.human_closes_at ? t('window.closedAll') : t('window.closedTemplate')}
    </p>
  );
}

function ToolItem({ c }) {
  return (
    <li class="tool-line" data-test="tool-call">
      {t('tool.line', { tool: c.tool || '?', outcome: c.outcome || '?' })} <Time iso={c.created_at} />
    </li>
  );
}

export function Approvals({ approvals, onDecided }) {
  if (!approvals.length) return null;
  return (
    <section class="approvals" aria-labelledby="approvals-title" data-test="approvals">
      <h3 id="approvals-title">{t('approval.title')}</h3>
      {approvals.map((a) => <ApprovalItem key={a.id} a={a} onDecided={onDecided} />)}
    </section>
  );
}

function ApprovalItem({ a, onDecided }) {
  const [reason, setReason] = useState('');
  const { busy, error, run } = useSubmit();
  const decide = (verb) => run(async () => {
    const body = reason.trim() ? { reason: reason.trim() } : {};
    await post(`/v1/approvals/${encodeURIComponent(a.id)}/${verb}`, body);
    if (onDecided) onDecided(a.id, verb);
  });
  let args;
  try {
    args = JSON.stringify(a.arguments ?? {}, null, 2);
  } catch (e) {
    args = String(a.arguments);
  }
  return (
    <article class="approval" data-test="approval" data-approval-id={a.id}>
      <p><strong>{t('approval.tool')}</strong> <code data-test="approval-tool">{a.tool}</code> <Time iso={a.created_at} /></p>
      <p class="sr-only">{t('approval.arguments')}</p>
      <pre data-test="approval-arguments">{args}</pre>
      <div class="inline-form">
        <Field label={t('approval.reason')} value={reason} onInput={(e) => setReason(e.currentTarget.value)}
          test="approval-reason" />
        <button type="button" class="primary" disabled={busy} onClick={() => decide('approve')} data-test="approve">
          {t('approval.approve')}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => decide('deny')} data-test="deny">
          {t('approval.deny')}
        </button>
      </div>
      <Problem error={error} test="approval-error" />
    </article>
  );
}

function LabelsEditor({ labels, onChange, known }) {
  const [draft, setDraft] = useState('');
  const listId = useId('labels');
  const add = (e) => {
    e.preventDefault();
    const name = draft.trim();
    if (!name || labels.includes(name)) return;
    onChange([...labels, name]).then((ok) => { if (ok) setDraft(''); });
  };
  return (
    <div class="labels-editor" data-test="labels-editor">
      <ul class="chips" aria-label={t('labels.current')}>
        {labels.map((l) => (
          <li key={l} class="chip">
            <span>{l}</span>
            <button type="button" class="chip-remove" aria-label={t('labels.remove', { label: l })}
              data-test="label-remove" onClick={() => onChange(labels.filter((x) => x !== l))}>×</button>
          </li>
        ))}
        {labels.length === 0 && <li class="muted">{t('labels.none')}</li>}
      </ul>
      <form class="inline-form" onSubmit={add}>
        <Field label={t('labels.add')} value={draft} list={listId} onInput={(e) => setDraft(e.currentTarget.value)}
          test="label-input" maxLength={100} />
        <datalist id={listId}>{known.map((k) => <option key={labelName(k)} value={labelName(k)} />)}</datalist>
        <button type="submit" data-test="label-add">{t('labels.addButton')}</button>
      </form>
    </div>
  );
}

function TransferForm({ conversationId, channels, onDone }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ connection_id: '', address: '', text: '' });
  const { busy, error, run } = useSubmit();
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const usable = channels.filter((c) => c.enabled !== false);
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const created = await post(`/v1/conversations/${encodeURIComponent(conversationId)}/transfer`, {
        connection_id: form.connection_id, address: form.address.trim(), text: form.text });
      setOpen(false);
      if (onDone) onDone(created);
    });
  };
  return (
    <div class="transfer">
      <button type="button" aria-expanded={open ? 'true' : 'false'} onClick={() => setOpen(!open)}
        data-test="transfer-toggle">{t('transfer.open')}</button>
      {open && (
        <form onSubmit={submit} data-test="transfer-form" class="panel">
          <Field as="select" label={t('transfer.connection')} required value={form.connection_id}
            onChange={set('connection_id')} test="transfer-connection">
            <option value="">{t('transfer.choose')}</option>
            {usable.map((c) => <option key={c.id} value={c.id}>{c.name ? `${c.name} (${c.type})` : c.type}</option>)}
          </Field>
          <Field label={t('transfer.address')} hint={t('transfer.addressHint')} required value={form.address}
            onInput={set('address')} test="transfer-address" />
          <Field as="textarea" label={t('transfer.text')} required rows={3} value={form.text} onInput={set('text')}
            test="transfer-text" />
          <Problem error={error} test="transfer-error" />
          <button type="submit" class="primary" disabled={busy} data-test="transfer-submit">{t('transfer.submit')}</button>
        </form>
      )}
    </div>
  );
}

export function Conversation({ id }) {
  const s = useStore();
  const me = s.session?.user;
  const row = s.inboxRows.find((r) => r.conversation && r.conversation.id === id);
  const [conv, setConv] = useState(null);
  const [convError, setConvError] = useState(null);
  const [messages, setMessages] = useState(null);
  const [notes, setNotes] = useState([]);
  const [tools, setTools] = useState([]);
  const [approvals, setApprovals] = useState([]);
  const [commands, setCommands] = useState([]);
  const [lead, setLead] = useState(null);
  const [leadLabels, setLeadLabels] = useState({});
  const [contact, setContact] = useState(null);
  const [labelsOverride, setLabelsOverride] = useState(null);
  const [status, setStatusMessage] = useState('');
  const action = useSubmit();
  const tail = useRef(null);
  const early = useRef(new Map());
  const log = useRef(null);
  const stuckToBottom = useRef(true);
  const base = `/v1/conversations/${encodeURIComponent(id)}`;

  const loaders = useMemo(() => {
    const soft = (p) => p.catch((e) => {
      if (e && e.status === 401) throw e;
      return null;
    });
    const l = {
      conv: () => get(base).then((c) => { setConv(c); setConvError(null); return c; }, (e) => setConvError(e)),
      messages: (onlyTail) => soft(allPages(`${base}/messages`, {}, { from: onlyTail ? tail.current : null })
        .then(({ data, lastCursor }) => {
          tail.current = lastCursor;
          setMessages((prev) => (onlyTail && prev ? upsertById(prev, data) : data));
        })),
      notes: () => soft(allPages(`${base}/notes`).then(({ data }) => setNotes(data))),
      tools: () => soft(allPages(`${base}/tool-calls`).then(({ data }) => setTools(data))),
      approvals: () => soft(get(`/v1/approvals${query({ status: 'pending', conversation_id: id })}`)
        .then((res) => setApprovals(((res && res.data) || []).filter((a) => !a.conversation_id
          || a.conversation_id === id)))),
      workspace: () => soft(get(`${base}/workspace/commands`).then((res) => setCommands((prev) => {
        const live = new Map(prev.map((c) => [c.id, c.live]));
        return ((res && res.data) || []).map((c) => {
          // lines that came before the command was listed (its start event and this read race them)
          const before = early.current.get(c.id) || [];
          early.current.delete(c.id);
          const lines = [...before, ...(live.get(c.id) || [])];
          return { ...c, live: lines.slice(Math.max(0, lines.length - MAX_LIVE_LINES)) };
        });
      }))),
      // the sales mode's lead, when the conversation has one (404 otherwise), and its form's labels
      lead: () => get(`${base}/lead`).then((l) => {
        setLead(l);
        get('/v1/sales/lead-form').then((f) => setLeadLabels(Object.fromEntries(((f && f.fields) || [])
          .map((x) => [x.name, x.label || x.name]))), () => {});
      }, () => setLead(null)),
      read: () => post(`${base}/read`).then(() => {
        setState((st) => ({ inboxRows: st.inboxRows.map((r) => (r.conversation?.id === id ? { ...r, unread: 0 } : r)) }));
      }, () => {}),
    };
    l.refreshMessages = coalesce(() => l.messages(true));
    l.refreshNotes = coalesce(l.notes);
    l.refreshTools = coalesce(l.tools, 500);
    l.refreshApprovals = coalesce(l.approvals);
    l.refreshWorkspace = coalesce(l.workspace, 300);
    l.refreshConv = coalesce(l.conv);
    l.refreshLead = coalesce(l.lead, 300);
    l.refreshRead = coalesce(l.read, 1000);
    return l;
  }, [id]);

  useEffect(() => {
    setConv(null);
    setMessages(null);
    setNotes([]);
    setTools([]);
    setApprovals([]);
    setCommands([]);
    setLead(null);
    early.current = new Map();
    setContact(null);
    setLabelsOverride(null);
    tail.current = null;
    stuckToBottom.current = true;
    loaders.conv();
    loaders.messages(false);
    loaders.notes();
    loaders.tools();
    loaders.approvals();
    loaders.workspace();
    loaders.lead();
    loaders.read();
    const onEvent = ({ type, data }) => {
      if (type === 'message.created') {
        const m = data && data.message && typeof data.message === 'object' ? data.message
          : (data && data.id && data.role ? data : null);
        if (m && m.id) setMessages((prev) => (prev && prev.some((x) => x.id === m.id) ? prev : upsertById(prev || [], [m])));
        loaders.refreshMessages();
        loaders.refreshTools();
        loaders.refreshRead();
        // a contact's message reopens a channel's reply window
        if (m && m.direction === 'inbound') loaders.refreshConv();
      } else if (type === 'message.status_changed' || type === 'delivery.failed' || type === 'delivery.uncertain') {
        const mid = data && (data.message_id || (data.message && data.message.id));
        if (mid && data.status) {
          setMessages((prev) => (prev || []).map((m) => (m.id === mid
            ? { ...m, status: data.status, error: data.error ?? m.error,
              delivery_uncertain: data.delivery_uncertain ?? (type === 'delivery.uncertain' ? true : m.delivery_uncertain) }
            : m)));
        }
        loaders.refreshMessages();
      } else if (type === 'note.created') {
        loaders.refreshNotes();
      } else if (type === 'approval.requested' || type === 'approval.decided') {
        loaders.refreshApprovals();
        loaders.refreshTools();
      } else if (type === 'workspace.output') {
        if (data && data.command_id && typeof data.line === 'string') {
          setCommands((prev) => {
            if (prev.some((c) => c.id === data.command_id)) return appendLine(prev, data.command_id, data.line);
            // not listed yet: kept until it is (a few commands' worth at most)
            const kept = early.current.get(data.command_id) || [];
            if (kept.length < MAX_LIVE_LINES && (kept.length || early.current.size < 8)) {
              early.current.set(data.command_id, [...kept, data.line]);
            }
            loaders.refreshWorkspace();
            return prev;
          });
        }
      } else if (type === 'workspace.command_started' || type === 'workspace.command_ended') {
        loaders.refreshWorkspace();
        loaders.refreshTools();
      } else if (type.startsWith('lead.')) {
        loaders.refreshLead();
      } else if (type.startsWith('conversation.') || type === 'contact.opted_out' || type === 'contact.opted_in') {
        loaders.refreshConv();
      }
    };
    const close = openStream(`${base}/events`, CONVERSATION_EVENTS, onEvent);
    const off = onInboxEvent((ev) => {
      if (ev.conversationId !== id) return;
      if (ev.type.startsWith('conversation.')) loaders.refreshConv();
      if (ev.type === 'approval.requested' || ev.type === 'approval.decided') loaders.refreshApprovals();
    });
    return () => {
      close();
      off();
      for (const k of ['refreshMessages', 'refreshNotes', 'refreshTools', 'refreshApprovals', 'refreshWorkspace',
        'refreshConv', 'refreshLead', 'refreshRead']) loaders[k].cancel();
    };
  }, [id]);

  // the contact's name: the conversation's own, the inbox row's, or the contact read by id
  const contactId = conv?.contact_id || conv?.contact?.id || row?.contact?.id;
  const knownName = conv?.contact?.display_name || row?.contact?.display_name;
  useEffect(() => {
    if (knownName || !contactId) return;
    get(`/v1/contacts/${encodeURIComponent(contactId)}`).then(setContact, () => {});
  }, [contactId, knownName]);
  const contactName = knownName || contact?.display_name || conv?.title || t('common.aContact');

  const heading = useRef(null);
  const loaded = !!conv;
  useEffect(() => {
    if (loaded && heading.current) heading.current.focus();
  }, [loaded, id]);

  const timeline = useMemo(() => buildTimeline(messages || [], notes, tools), [messages, notes, tools]);

  useEffect(() => {
    const el = log.current;
    if (el && stuckToBottom.current) el.scrollTop = el.scrollHeight;
  }, [timeline.length, approvals.length]);

  if (convError) {
    return (
      <div class="conversation">
        <a href="#/inbox" class="button back" data-test="back-to-inbox">{t('conversation.back')}</a>
        <Problem error={convError} message={convError.status === 404 ? t('conversation.notFound') : ''}
          test="conversation-error" />
      </div>
    );
  }
  if (!conv) return <div class="conversation"><Loading /></div>;

  const statusValue = conv.status || row?.conversation?.status || 'bot';
  const assigneeId = conv.assignee !== undefined ? (conv.assignee && conv.assignee.id)
    : conv.assignee_id !== undefined ? conv.assignee_id : (row?.assignee?.id || null);
  const teamId = conv.team_id !== undefined ? conv.team_id : (row?.team_id || null);
  const labelSource = labelsOverride || conv.labels || row?.labels || null;
  const labels = (labelSource || []).map(labelName).filter(Boolean);
  const assigneeKnown = conv.assignee !== undefined || conv.assignee_id !== undefined || !!row;
  const { members, teams, channels } = s.tenantData;

  const change = (body, done) => action.run(async () => {
    const updated = await patch(base, body);
    setConv((c) => ({ ...c, ...(updated || {}), ...(updated && updated.assignee === undefined
      && body.assignee_id !== undefined ? { assignee_id: body.assignee_id } : {}),
    ...(updated && updated.team_id === undefined && body.team_id !== undefined ? { team_id: body.team_id } : {}),
    ...(updated && !updated.status && body.status ? { status: body.status } : {}) }));
    setStatusMessage(done);
    notifyInbox({ type: 'local.changed', conversationId: id, data: {} });
  });

  const setLabels = async (next) => {
    const res = await action.run(async () => {
      const answer = await post(`${base}/labels`, { labels: next });
      setLabelsOverride(answer && Array.isArray(answer.labels) ? answer.labels.map(labelName) : next);
      notifyInbox({ type: 'local.changed', conversationId: id, data: {} });
      return true;
    });
    return !!res;
  };

  const meId = me?.id;
  // someone else's conversation is reassigned with the assignee field, not taken
  const canTakeOver = statusValue === 'bot' || (statusValue === 'human' && !assigneeId);
  const channelName = conv.channel || row?.conversation?.channel || '';

  const onSent = (kind, created) => {
    stuckToBottom.current = true;
    if (kind === 'note') {
      if (created && created.id) setNotes((prev) => upsertById(prev, [created]));
      loaders.refreshNotes();
      setStatusMessage(t('composer.noteSaved'));
    } else {
      if (created && created.id) setMessages((prev) => upsertById(prev || [], [created]));
      loaders.refreshMessages();
      setStatusMessage(t('composer.sent'));
    }
  };

  return (
    <div class="conversation" data-test="conversation" data-conversation-id={id}>
      <header class="conv-head">
        <a href="#/inbox" class="button back" data-test="back-to-inbox">{t('conversation.back')}</a>
        <div class="conv-title">
          <h2 tabIndex={-1} ref={heading} data-focus-target data-test="conversation-contact">{contactName}</h2>
          <p class="meta">
            <span class="channel" data-test="conversation-channel">{channelName}</span>
            {' · '}
            <span class={`status-badge status-${statusValue}`} data-test="conversation-status">
              {t(`status.${statusValue}`)}
            </span>
            {contactId && <>{' · '}<a href={href('contacts', contactId)}>{t('conversation.contactLink')}</a></>}
          </p>
        </div>
        <div class="button-row conv-actions">
          {canTakeOver && (
            <button type="button" class="primary" disabled={action.busy} data-test="take-over"
              onClick={() => change({ status: 'human' }, t('conversation.tookOver'))}>
              {t('conversation.takeOver')}
            </button>
          )}
          {statusValue === 'human' && (
            <button type="button" disabled={action.busy} data-test="hand-back"
              onClick={() => change({ status: 'bot' }, t('conversation.handedBack'))}>{t('conversation.handBack')}</button>
          )}
          {statusValue !== 'closed' && (
            <button type="button" disabled={action.busy} data-test="resolve"
              onClick={() => change({ status: 'closed' }, t('conversation.resolved'))}>{t('conversation.resolve')}</button>
          )}
          {statusValue === 'closed' && (
            <button type="button" disabled={action.busy} data-test="reopen"
              onClick={() => change({ status: 'human' }, t('conversation.reopened'))}>{t('conversation.reopen')}</button>
          )}
        </div>
        <div class="conv-fields">
          <Field as="select" label={t('conversation.assignee')} value={assigneeId || ''} test="assignee-select"
            disabled={action.busy}
            onChange={(e) => change({ assignee_id: e.currentTarget.value && e.currentTarget.value !== '-'
              ? e.currentTarget.value : null }, t('conversation.assigned'))}>
            {!assigneeKnown && <option value="" disabled>{t('conversation.assigneeUnknown')}</option>}
            <option value={assigneeKnown ? '' : '-'}>{t('conversation.unassigned')}</option>
            {assigneeId && !members.some((m) => m.user_id === assigneeId) && (
              <option value={assigneeId}>{row?.assignee?.display_name || conv.assignee?.display_name || assigneeId}</option>
            )}
            {members.map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.user_id === meId ? t('conversation.me', { name: displayName(m) }) : displayName(m)}
              </option>
            ))}
          </Field>
          {teams.length > 0 && (
            <Field as="select" label={t('conversation.team')} value={teamId || ''} test="team-select"
              disabled={action.busy}
              onChange={(e) => change({ team_id: e.currentTarget.value || null }, t('conversation.teamChanged'))}>
              <option value="">{t('conversation.noTeam')}</option>
              {teams.map((tm) => <option key={tm.id} value={tm.id}>{tm.name}</option>)}
            </Field>
          )}
        </div>
        {labelSource ? <LabelsEditor labels={labels} known={s.tenantData.labels} onChange={setLabels} />
          : <p class="muted" data-test="labels-unknown">{t('labels.unknown')}</p>}
        {Array.isArray(channels) && channels.length > 0 && (
          <TransferForm conversationId={id} channels={channels} onDone={(created) => {
            setStatusMessage(t('transfer.done'));
            if (created && created.id) navigate(href('inbox', created.id));
          }} />
        )}
        <Problem error={action.error} test="conversation-error" />
        <Status message={status} test="conversation-status-line" />
      </header>
      <LeadPanel lead={lead} labels={leadLabels} onChanged={(updated) => {
        if (updated && updated.id) setLead(updated);
        setStatusMessage(t('lead.pushQueued'));
      }} />
      <div class="transcript" ref={log} role="log" aria-label={t('conversation.transcript')} tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stuckToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}>
        {messages === null ? <Loading /> : (
          <ol class="timeline" data-test="timeline">
            {timeline.map((x) => (x.kind === 'message'
              ? <MessageItem key={x.key} m={x.item} conversationId={id} contactName={contactName} />
              : x.kind === 'note' ? <NoteItem key={x.key} n={x.item} /> : <ToolItem key={x.key} c={x.item} />))}
            {timeline.length === 0 && <li class="muted">{t('conversation.empty')}</li>}
          </ol>
        )}
      </div>
      <Workspace commands={commands} />
      <Approvals approvals={approvals} onDecided={(aid, verb) => {
        setApprovals((prev) => prev.filter((a) => a.id !== aid));
        setStatusMessage(verb === 'approve' ? t('approval.approved') : t('approval.denied'));
        loaders.refreshApprovals();
        loaders.refreshTools();
      }} />
      {conv.metadata && conv.metadata.opted_out === 'true' ? (
        <p class="reply-window field-error" role="status" data-test="opted-out">{t('window.optedOut')}</p>
      ) : <ReplyWindow window={conv.reply_window} />}
      <Composer conversationId={id} contactName={contactName} onSent={onSent} />
    </div>
  );
}

export { idOf };
