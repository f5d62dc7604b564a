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
  let user = options.user && (options.user.id || options.user.name || options.user.email) ? options.user : null;
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
    if (e.id) state.lastEventId = e.id;
    if (e.event === 'message') {
      const isNew = store.upsert(data);
      if (isNew && data.role !== 'user') {
        if (!state.open) state.unread++;
        store.persist();
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
    view();
  }

  // One connection loop at a time: restart() starts a new generation, and everything an older one was doing
  // (a session being opened, a stream, a wait) ends or is ignored.
  let generation = 0;
  let abort = null;
  let wake = null;
  let flushing = null;
  let flushRetry = null;

  /** Sends the outbox in order, one flush at a time; failures wait and retry while the stream is up. */
  function flush() {
    if (flushing) {
      flushing.again = true;
      return flushing.done;
    }
    const job = { again: true };
    flushing = job;
    job.done = (async () => {
      let failed = false;
      while (job.again && !failed) {
        job.again = false;
        for (const item of [...state.outbox]) {
          if (state.status !== 'online' || !state.outbox.includes(item)) continue;
          try {
            const m = await client.send(state.token, item.text, item.client_message_id);
            store.sent(item, m);
            channel?.postMessage({ type: 'sent', item, message: m });
          } catch (e) {
            if (e instanceof HubError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) {
              store.failed(item); // refused for good (too long, blank): shown as failed, never retried
              emit('error', { status: e.status, message: e.message });
            } else {
              failed = true;
              break; // offline, throttled or a lost session: keep the order, try again later
            }
          }
          view();
        }
      }
      flushing = null;
      if (failed && state.outbox.length && !flushRetry) {
        flushRetry = env.setTimeout(() => {
          flushRetry = null;
          flush();
        }, backoff(2));
      }
    })();
    return job.done;
  }

  function sleep(ms, gen) {
    return new Promise((resolve) => {
      wake = resolve;
      env.setTimeout(resolve, ms);
    }).then(() => gen === generation);
  }

  async function run(gen) {
    let attempt = 0;
    let fresh = false; // a session opened in this pass (a 401 on its stream means refused, not expired)
    while (gen === generation) {
      const controller = new AbortController();
      abort = controller;
      let healthy = null;
      try {
        fresh = false;
        if (!store.validToken(user && user.id)) {
          const s = await client.session(state.visitorId, user, controller.signal);
          if (gen !== generation) return;
          store.session(s.session_token, s.expires_at, user && user.id);
          store.history(s.history);
          fresh = true;
          if (s.theme && !options.theme) ui.applyTheme(s.theme);
          if (!ready) {
            ready = true;
            emit('ready', { conversationId: s.conversation_id });
          }
          view();
        }
        await client.stream(state.token, state.lastEventId, (e) => gen === generation && onEvent(e),
          controller.signal, () => {
            if (gen !== generation) return;
            status('online');
            healthy = env.setTimeout(() => { attempt = 0; }, 10000); // reset the backoff once it holds
            flush();
          });
      } catch (e) {
        if (gen !== generation) return;
        if (e instanceof HubError && e.status === 401 && !fresh && state.token) {
          store.session(null, null, null); // expired or revoked: open a new session at once
          env.clearTimeout(healthy);
          continue;
        }
        if (e instanceof HubError && [400, 401, 403, 404].includes(e.status)) {
          status('refused', { status: e.status, message: e.message });
          return;
        }
      } finally {
        env.clearTimeout(healthy);
      }
      if (gen !== generation) return;
      status('offline');
      if (!await sleep(backoff(attempt++), gen)) return;
    }
  }

  function restart() {
    generation++;
    abort?.abort();
    wake?.();
    state.status = 'connecting';
    view();
    run(generation);
  }

  async function send(text) {
    const clean = String(text ?? '').trim().slice(0, 4000);
    if (!clean || state.status === 'refused') return;
    const item = store.enqueue(clean);
    view();
    channel?.postMessage({ type: 'queued', item });
    if (state.status === 'online') await flush();
  }

  function identify(next, fromTab) {
    user = next && (next.id || next.name || next.email)
      ? { id: next.id && String(next.id), hash: next.hash, name: next.name, email: next.email } : null;
    store.reset(false);
    if (!fromTab) channel?.postMessage({ type: 'identify', user });
    restart();
  }

  function reset(fromTab) {
    user = null;
    store.reset(true);
    if (!fromTab) channel?.postMessage({ type: 'reset' });
    restart();
  }

  if (channel) {
    channel.onmessage = ({ data }) => {
      if (data.type === 'open') setOpen(data.open, false, true);
      else if (data.type === 'queued' && data.item) {
        store.queued(data.item);
        view();
      } else if (data.type === 'sent' && data.item) {
        store.sent(data.item, data.message);
        view();
      } else if (data.type === 'identify') identify(data.user, true);
      else if (data.type === 'reset') reset(true);
    };
  }
  const online = () => {
    wake?.();
    if (state.outbox.length) flush();
  };
  env.addEventListener?.('online', online);

  ui.setOpen(state.open, false);
  view();
  restart();

  return {
    open: () => setOpen(true, true),
    close: () => setOpen(false, true),
    toggle: () => setOpen(!state.open, true),
    send,
    identify: (next) => identify(next, false),
    reset: () => reset(false),
    destroy() {
      generation++;
      abort?.abort();
      wake?.();
      env.clearTimeout(flushRetry);
      env.removeEventListener?.('online', online);
      channel?.close();
      ui.host.remove();
    },
    state,
    ui,
  };
}
