// One widget instance: state, connection loop (session, stream with Last-Event-ID, reconnect with backoff and
// jitter), the offline outbox, tab sync (BroadcastChannel) and the UI.
import { createClient, HubError } from './client.js';
import { isRtl, pickLocale, translator } from './i18n.js';
import { backoff, createStore } from './state.js';
import { createUi } from './ui.js';

export function createWidget(options, emit, env = globalThis) {
  const doc = env.document;
  let storage = null;
  try {
    storage = env.localStorage;
  } catch (e) { /* blocked third-party storage: the session lives as long as the page */ }
  const store = createStore(options.key, storage);
  const { state } = store;
  const locale = pickLocale(options.locale, doc, env.navigator);
  const t = translator(locale);
  const client = createClient(options.baseUrl, options.key, options.fetch || ((...a) => env.fetch(...a)));
  let user = options.user || null;
  let abort = null;
  let stopped = false;
  let wake = null;
  let ready = false;
  const channel = env.BroadcastChannel ? new env.BroadcastChannel(`clawless:${options.key}`) : null;

  const ui = createUi(doc, {
    t, locale, rtl: options.dir ? options.dir === 'rtl' : isRtl(locale), position: options.position,
    theme: options.theme || 'light', title: options.title, placeholder: options.placeholder,
    onSend: (text) => send(text), onToggle: (open) => setOpen(open ?? !state.open, true), onReply: (text) => send(text),
  });
  (options.container || doc.body).appendChild(ui.host);

  const welcome = options.welcome === false ? null : typeof options.welcome === 'object' && options.welcome
    ? options.welcome : { text: options.welcome || t('welcome') };
  const view = () => {
    const shown = welcome && !state.messages.length
      ? { ...state, messages: [{ id: 'welcome', role: 'assistant', text: welcome.text,
        quick_replies: welcome.quick_replies || welcome.quickReplies }] }
      : state;
    ui.render(shown);
  };

  function setOpen(open, focus, fromTab) {
    state.open = open;
    if (open) state.unread = 0;
    store.persist();
    ui.setOpen(open, focus);
    view();
    if (!fromTab) channel?.postMessage({ type: 'open', open });
    emit(open ? 'open' : 'close');
  }

  function status(s, error) {
    if (state.status === s) return;
    state.status = s;
    view();
    if (error) emit('error', error);
  }

  function onEvent(e) {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (e.id) {
      state.lastEventId = e.id;
    }
    if (e.event === 'message') {
      const isNew = store.upsert(data);
      if (isNew && data.role !== 'user') {
        if (!state.open) state.unread++;
        emit('message', data);
      }
    } else if (e.event === 'delta' && data.message_id) {
      store.delta(data.message_id, data.text || '');
    } else if (e.event === 'typing') {
      state.typing = !!data.typing;
    } else if (e.event === 'status') {
      const m = state.messages.find((x) => x.id === data.message_id);
      if (m) m.status = data.status;
    }
    store.persist();
    view();
  }

  async function openSession() {
    const s = await client.session(state.visitorId, user);
    state.token = s.session_token;
    state.expiresAt = s.expires_at;
    store.history(s.history);
    if (s.theme && !options.theme) ui.applyTheme(s.theme);
    if (!ready) {
      ready = true;
      emit('ready', { conversationId: s.conversation_id });
    }
  }

  async function flush() {
    for (const item of [...state.outbox]) {
      if (state.status !== 'online') return;
      try {
        const m = await client.send(state.token, item.text, item.client_message_id);
        store.sent(item, m);
      } catch (e) {
        if (e instanceof HubError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) {
          store.sent(item, null); // refused for good (too long, blank): drop it rather than retry forever
          emit('error', { status: e.status, message: e.message });
        } else {
          return; // offline or throttled: it stays queued
        }
      }
      view();
    }
  }

  async function run() {
    let attempt = 0;
    while (!stopped) {
      try {
        if (!store.validToken()) await openSession();
        abort = new AbortController();
        await client.stream(state.token, state.lastEventId, onEvent, abort.signal, () => {
          attempt = 0;
          status('online');
          flush();
        });
      } catch (e) {
        if (stopped) return;
        if (e instanceof HubError && e.status === 401) {
          state.token = null; // expired or revoked: a new session on the next try
          if (user) {
            status('refused', { status: 401, message: e.message });
            return;
          }
        } else if (e instanceof HubError && (e.status === 403 || e.status === 404 || e.status === 400)) {
          status('refused', { status: e.status, message: e.message });
          return;
        }
      }
      if (stopped) return;
      status('offline');
      await new Promise((resolve) => {
        wake = resolve;
        env.setTimeout(resolve, backoff(attempt++));
      });
    }
  }

  async function send(text) {
    const clean = String(text ?? '').trim().slice(0, 4000);
    if (!clean || state.status === 'refused') return;
    store.enqueue(clean);
    view();
    channel?.postMessage({ type: 'queued' });
    if (state.status === 'online') await flush();
  }

  function restart() {
    stopped = true;
    abort?.abort();
    wake?.();
    stopped = false;
    state.status = 'connecting';
    view();
    run();
  }

  if (channel) {
    channel.onmessage = ({ data }) => {
      if (data.type === 'open') setOpen(data.open, false, true);
      else if (data.type === 'reset') {
        store.reset();
        restart();
      }
    };
  }
  env.addEventListener?.('online', () => wake?.());

  ui.setOpen(state.open, false);
  view();
  run();

  return {
    open: () => setOpen(true, true),
    close: () => setOpen(false, true),
    toggle: () => setOpen(!state.open, true),
    send,
    identify(next) {
      user = next || null;
      state.token = null;
      state.lastEventId = null;
      state.messages = [];
      restart();
    },
    reset() {
      store.reset();
      channel?.postMessage({ type: 'reset' });
      restart();
    },
    destroy() {
      stopped = true;
      abort?.abort();
      wake?.();
      channel?.close();
      ui.host.remove();
    },
    state,
    ui,
  };
}
