// The hub's public widget API: sessions, messages and the event stream (fetch, so headers and resumption are ours).
import { sseParser } from './sse.js';

export class HubError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
  }
}

export function createClient(baseUrl, key, fetchImpl = (...a) => fetch(...a)) {
  const base = String(baseUrl).replace(/\/+$/, '');

  async function call(path, { token, body, method = 'POST', signal } = {}) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetchImpl(base + path, { method, headers, body: body && JSON.stringify(body), credentials: 'omit',
      signal });
    if (!res.ok) {
      let detail = '';
      try {
        detail = (await res.json()).detail;
      } catch (e) { /* not a problem document */ }
      throw new HubError(res.status, detail);
    }
    return res.json();
  }

  return {
    /** Opens (or resumes) the visitor's session: {session_token, conversation_id, expires_at, history, theme}. */
    session: (visitorId, user, signal) => call('/widget/v1/sessions', {
      body: {
        publishable_key: key,
        visitor_id: visitorId,
        ...(user && user.id ? { user_id: user.id, user_hash: user.hash } : {}),
        ...(user && user.name ? { name: String(user.name).slice(0, 200) } : {}),
        ...(user && user.email ? { email: String(user.email).slice(0, 254) } : {}),
      },
      signal,
    }),

    /** Sends a visitor's message once per clientMessageId (safe to retry). */
    send: (token, text, clientMessageId) => call('/widget/v1/messages', {
      token, body: { text, client_message_id: clientMessageId },
    }),

    /**
     * Reads the event stream until it ends or `signal` aborts; resolves when the hub closes it, rejects with a
     * HubError (refused) or a network error. `onOpen` runs once the hub accepted the stream. A stream silent for
     * `idleMs` (the hub sends a keep-alive every 15 s) is taken for a dead connection and aborted.
     */
    async stream(token, lastEventId, onEvent, signal, onOpen, idleMs = 45000) {
      const headers = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      const inner = new AbortController();
      const stop = () => inner.abort();
      signal?.addEventListener('abort', stop);
      let idle;
      const watch = () => {
        clearTimeout(idle);
        idle = setTimeout(stop, idleMs);
      };
      try {
        watch();
        const res = await fetchImpl(`${base}/widget/v1/stream`, { headers, signal: inner.signal, credentials: 'omit',
          cache: 'no-store' });
        if (!res.ok) throw new HubError(res.status, '');
        if (onOpen) onOpen();
        const feed = sseParser(onEvent);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          watch();
          const { done, value } = await reader.read();
          if (done) return;
          feed(decoder.decode(value, { stream: true }));
        }
      } finally {
        clearTimeout(idle);
        signal?.removeEventListener('abort', stop);
      }
    },
  };
}
