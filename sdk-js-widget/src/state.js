// The widget's state, kept apart from the DOM so it can be tested: messages in order, the offline outbox, unread
// count, connection status, and what survives a reload (localStorage, per publishable key).

export function randomId(prefix) {
  const bytes = new Uint8Array(12);
  (globalThis.crypto || {}).getRandomValues?.(bytes);
  return prefix + Array.from(bytes, (b) => (b % 36).toString(36)).join('') + Date.now().toString(36);
}

export function createStore(storageKey, storage) {
  const key = `clawless:${storageKey}`;
  let saved = {};
  try {
    saved = JSON.parse(storage?.getItem(key) || '{}') || {};
  } catch (e) { saved = {}; }
  const state = {
    visitorId: saved.visitorId || randomId('v_'),
    token: saved.token || null,
    tokenUser: saved.tokenUser || null,
    expiresAt: saved.expiresAt || null,
    lastEventId: saved.lastEventId || null,
    messages: Array.isArray(saved.messages) ? saved.messages : [],
    outbox: Array.isArray(saved.outbox) ? saved.outbox : [],
    unread: saved.unread || 0,
    open: !!saved.open,
    status: 'connecting',
    typing: false,
    drafts: {},
  };

  function persist() {
    try {
      storage?.setItem(key, JSON.stringify({
        visitorId: state.visitorId, token: state.token, tokenUser: state.tokenUser, expiresAt: state.expiresAt,
        lastEventId: state.lastEventId, messages: state.messages.slice(-50), outbox: state.outbox,
        unread: state.unread, open: state.open,
      }));
    } catch (e) { /* storage full or blocked: the widget still works for this page */ }
  }
  if (!saved.visitorId) persist(); // at once: a second tab opened now finds the same visitor

  return {
    state,
    persist,
    /** The session token when it is still good for a minute and was issued to {@code userId} (null: anonymous). */
    validToken(userId = null) {
      const fresh = state.token && (!state.expiresAt || Date.parse(state.expiresAt) - Date.now() > 60000);
      return fresh && (state.tokenUser || null) === (userId || null) ? state.token : null;
    },
    session(token, expiresAt, userId) {
      Object.assign(state, { token, expiresAt, tokenUser: userId || null });
      persist();
    },
    /** Adds or replaces a message by id (a local echo is replaced by the hub's copy); answers whether it was new. */
    upsert(m, save = true) {
      if (!m || !m.id) return false;
      let i = state.messages.findIndex((x) => x.id === m.id
        || (m.client_message_id && x.client_message_id === m.client_message_id));
      if (i < 0 && m.role === 'user') {
        // the hub's copy of a message this tab sent before it learned the id
        i = state.messages.findIndex((x) => x.local && x.text === m.text);
      }
      const isNew = i < 0;
      if (isNew) state.messages.push(m);
      else state.messages[i] = { ...state.messages[i], ...m, local: m.local ?? false };
      state.messages.sort((a, b) => (a.created_at || '').localeCompare(b.created_at || ''));
      if (m.role !== 'user') {
        state.drafts = {}; // a reply supersedes the text streamed while it was written
        state.typing = false;
      }
      if (save) persist();
      return isNew;
    },
    /** History from a (re)opened session: the hub's list wins, local unsent echoes stay. */
    history(list) {
      const unsent = state.messages.filter((m) => m.local);
      state.messages = [];
      (list || []).forEach((m) => state.messages.push(m));
      unsent.forEach((m) => this.upsert(m, false));
      persist();
    },
    /** Queues a visitor's message and shows it at once. */
    enqueue(text) {
      const item = { client_message_id: randomId('c_'), text, created_at: new Date().toISOString() };
      this.queued(item);
      return item;
    },
    /** An outbox item (this tab's, or one another tab queued). */
    queued(item) {
      if (!state.outbox.some((x) => x.client_message_id === item.client_message_id)) state.outbox.push(item);
      this.upsert({ id: item.client_message_id, client_message_id: item.client_message_id, role: 'user',
        text: item.text, created_at: item.created_at, status: 'queued', local: true });
    },
    sent(item, message) {
      state.outbox = state.outbox.filter((x) => x.client_message_id !== item.client_message_id);
      if (message) this.upsert({ ...message, client_message_id: item.client_message_id, local: false });
      persist();
    },
    /** A message the hub refused for good: it leaves the outbox and shows as failed. */
    failed(item) {
      state.outbox = state.outbox.filter((x) => x.client_message_id !== item.client_message_id);
      const m = state.messages.find((x) => x.client_message_id === item.client_message_id);
      if (m) Object.assign(m, { status: 'failed', local: false });
      persist();
    },
    /** Streamed text of a reply being written, keyed by the message it answers (not persisted). */
    delta(messageId, text) {
      // a delta that arrives after the reply it was part of (another node's deltas come by Redis, the reply from
      // the database) would bring back a draft the reply replaced: once the message has an answer, it has no draft
      const i = state.messages.findIndex((x) => x.id === messageId);
      if (i >= 0 && state.messages.slice(i + 1).some((x) => x.role !== 'user')) return;
      state.drafts[messageId] = (state.drafts[messageId] || '') + text;
      state.typing = false;
    },
    /** Forgets the conversation (a new visitor when {@code newVisitor}). */
    reset(newVisitor = true) {
      Object.assign(state, { token: null, tokenUser: null, expiresAt: null, lastEventId: null, messages: [],
        outbox: [], unread: 0, drafts: {}, typing: false });
      if (newVisitor) state.visitorId = randomId('v_');
      persist();
    },
  };
}

/** Reconnect delay: exponential from 500 ms, capped at 30 s, with ±50 % jitter so tabs do not reconnect in step. */
export function backoff(attempt, random = Math.random) {
  const base = Math.min(30000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.5 + random()));
}
