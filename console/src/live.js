// Server-sent events: the tenant's inbox stream (one per page, shared by every screen through a small bus) and a
// conversation's own stream. EventSource reconnects by itself after a dropped connection; only when the hub refused
// the stream (readyState CLOSED: a 401, a 404) do we check the session and open it again later.
import { get, streamUrl } from './api.js';

export const INBOX_EVENTS = ['conversation.created', 'message.created', 'conversation.status_changed',
  'conversation.assigned', 'conversation.handoff', 'conversation.labels_changed', 'note.created',
  'approval.requested', 'approval.decided'];
export const CONVERSATION_EVENTS = ['conversation.created', 'message.created', 'message.status_changed',
  'note.created', 'approval.requested', 'approval.decided', 'conversation.status_changed',
  'conversation.assigned', 'conversation.labels_changed', 'delivery.failed', 'delivery.uncertain',
  'workspace.command_started', 'workspace.command_ended', 'workspace.output', 'contact.opted_out',
  'contact.opted_in', 'lead.updated', 'lead.qualified', 'lead.pushed', 'lead.push_failed'];
const RETRY_MS = 10000;

/**
 * `{type, data}` from an SSE message. The data is the event's own object; when the hub sends the webhook envelope
 * (`{id, type, created_at, data}`) its inner data is used.
 */
export function parseEvent(e) {
  let body = null;
  try {
    body = e.data ? JSON.parse(e.data) : null;
  } catch (err) {
    body = null;
  }
  let type = e.type;
  let data = body && typeof body === 'object' ? body : {};
  if (data.data && typeof data.data === 'object' && typeof data.type === 'string') {
    type = type === 'message' ? data.type : type;
    data = { created_at: data.created_at, ...data.data };
  }
  const conversationId = data.conversation_id || (data.conversation && data.conversation.id)
    || (data.message && data.message.conversation_id) || null;
  return { type, data, conversationId, id: e.lastEventId || null };
}

/**
 * Opens `path` as an EventSource and calls onEvent({type, data, conversationId}) for each of `types`;
 * onState('open' | 'connecting'). Answers a function that closes it for good.
 */
export function openStream(path, types, onEvent, onState = () => {}) {
  let es = null;
  let closed = false;
  let timer = null;
  const handle = (e) => {
    if (!closed) onEvent(parseEvent(e));
  };
  const connect = () => {
    if (closed || typeof globalThis.EventSource !== 'function') return;
    onState('connecting');
    es = new globalThis.EventSource(streamUrl(path));
    es.onopen = () => onState('open');
    es.onerror = () => {
      if (closed) return;
      onState('connecting');
      if (es.readyState === 2) { // CLOSED: refused, not merely dropped
        es.close();
        timer = setTimeout(async () => {
          try {
            await get('/v1/me'); // a 401 here goes to the sign-in screen
          } catch (err) {
            if (err && err.status === 401) return;
          }
          connect();
        }, RETRY_MS);
      }
    };
    for (const type of types) es.addEventListener(type, handle);
    es.addEventListener('message', handle); // events sent without a name
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    if (es) es.close();
  };
}

// The inbox stream, shared.
const inboxListeners = new Set();
let closeInbox = null;

export function startInboxStream(onState) {
  stopInboxStream();
  closeInbox = openStream('/v1/inbox/events', INBOX_EVENTS, (ev) => {
    for (const fn of [...inboxListeners]) fn(ev);
  }, onState);
}

export function stopInboxStream() {
  if (closeInbox) closeInbox();
  closeInbox = null;
}

/** Listens to the inbox stream; answers the function that stops listening. */
export function onInboxEvent(fn) {
  inboxListeners.add(fn);
  return () => inboxListeners.delete(fn);
}

/** Calls fn at most once per `ms`, at the end of a burst (a replay of stored events becomes one re-fetch). */
export function coalesce(fn, ms = 250) {
  let timer = null;
  const run = () => {
    timer = null;
    fn();
  };
  const call = () => {
    if (!timer) timer = setTimeout(run, ms);
  };
  call.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return call;
}

/** Tells the inbox listeners about a change made here (the hub's own event follows on the stream). */
export function notifyInbox(ev) {
  for (const fn of [...inboxListeners]) fn({ data: {}, conversationId: null, id: null, ...ev });
}
