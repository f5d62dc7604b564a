import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWidget } from '../src/widget.js';

/** A fake hub: sessions, messages and a stream the test writes events into. */
function fakeHub({ sessionStatus = 200, history = [] } = {}) {
  const sent = [];
  const sessions = [];
  const open = new Set();
  let controller;
  const encoder = new TextEncoder();
  const hub = {
    sent,
    sessions,
    open,
    sendStatus: [],
    sessionDelay: 0,
    streams: 0,
    lastEventIds: [],
    push(event, data, id) {
      controller.enqueue(encoder.encode(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    end() {
      controller.close();
    },
    fetch: vi.fn(async (url, init = {}) => {
      if (url.endsWith('/widget/v1/sessions')) {
        const body = JSON.parse(init.body);
        sessions.push(body);
        const n = sessions.length;
        if (hub.sessionDelay) await new Promise((r) => setTimeout(r, n === 1 ? hub.sessionDelay : 0));
        if (sessionStatus !== 200) {
          return new Response(JSON.stringify({ detail: 'origin not allowed' }), { status: sessionStatus });
        }
        return new Response(JSON.stringify({ session_token: `wst_${body.user_id || 'anon'}_${n}`, conversation_id: 'cnv_1',
          expires_at: new Date(Date.now() + 3600e3).toISOString(), history, theme: { accent: '#0a7' } }));
      }
      if (url.endsWith('/widget/v1/messages')) {
        const body = JSON.parse(init.body);
        const status = hub.sendStatus.shift();
        if (status) return new Response(JSON.stringify({ detail: 'slow down' }), { status });
        sent.push(body);
        return new Response(JSON.stringify({ id: `msg_${sent.length}`, role: 'user', text: body.text,
          status: 'received', created_at: new Date().toISOString() }), { status: 202 });
      }
      if (url.endsWith('/widget/v1/stream')) {
        hub.streams++;
        hub.lastEventIds.push(init.headers['Last-Event-ID'] || null);
        const token = init.headers.Authorization;
        return new Response(new ReadableStream({
          start(c) {
            controller = c;
            open.add(token);
            init.signal?.addEventListener('abort', () => {
              open.delete(token);
              try { c.error(new DOMException('aborted', 'AbortError')); } catch (e) { /* closed */ }
            });
          },
        }), { status: 200 });
      }
      return new Response('', { status: 404 });
    }),
  };
  return hub;
}

const tick = () => new Promise((r) => setTimeout(r, 20));
let widget;
afterEach(() => {
  widget?.destroy();
  localStorage.clear();
  document.body.innerHTML = '';
});

function start(hub, options = {}) {
  const events = [];
  widget = createWidget({ key: 'pk_test', baseUrl: 'https://hub.example', fetch: hub.fetch, ...options },
    (e, d) => events.push([e, d]));
  return { events, root: widget.ui.root };
}

describe('widget', () => {
  it('lives in a shadow root and shows history, streamed deltas, typing and the final answer', async () => {
    const hub = fakeHub({ history: [{ id: 'm0', role: 'assistant', text: 'Earlier **answer**', created_at: '2026-01-01T10:00:00Z' }] });
    const { events, root } = start(hub);
    await tick();
    expect(document.body.querySelector('[data-clawless]').shadowRoot).toBe(root);
    expect(document.body.querySelectorAll('.msg').length).toBe(0); // nothing outside the shadow root
    expect(events.map((e) => e[0])).toContain('ready');
    expect(root.querySelector('.log strong').textContent).toBe('answer');
    hub.push('message', { id: 'm1', role: 'user', text: 'When are you open?', created_at: '2026-01-01T10:01:00Z' }, '7');
    hub.push('typing', { typing: true });
    await tick();
    expect(root.querySelector('.typing').hidden).toBe(false);
    // deltas name the message they answer; the reply itself replaces them
    hub.push('delta', { message_id: 'm1', text: 'We open ' });
    hub.push('delta', { message_id: 'm1', text: 'at *nine*.' });
    await tick();
    expect(root.querySelector('[data-id="draft-m1"]').textContent).toBe('We open at nine.');
    expect(root.querySelector('.typing').hidden).toBe(true);
    hub.push('message', { id: 'm2', role: 'assistant', text: 'We open at nine.', created_at: '2026-01-01T10:01:02Z' }, '8');
    await tick();
    expect(root.querySelectorAll('[data-id="m2"]').length).toBe(1);
    expect(root.querySelectorAll('[data-id^="draft-"]').length).toBe(0);
    expect(root.querySelectorAll('.msg.assistant').length).toBe(2);
    expect(widget.state.lastEventId).toBe('8');
    expect(events.filter((e) => e[0] === 'message').map((e) => e[1].id)).toEqual(['m2']);
    expect(root.querySelector('.badge').hidden).toBe(false); // closed: one unread
    expect(root.querySelector('.badge').textContent).toBe('1');
    expect(root.querySelector('[role=log]').getAttribute('aria-live')).toBe('polite');
  });

  it('opens with the keyboard, sends on Enter, keeps Shift+Enter as a newline, closes on Escape', async () => {
    const hub = fakeHub();
    const { root, events } = start(hub);
    await tick();
    root.querySelector('.launcher').click();
    expect(root.querySelector('.panel').hidden).toBe(false);
    expect(root.querySelector('.launcher').getAttribute('aria-expanded')).toBe('true');
    expect(root.activeElement).toBe(root.querySelector('textarea'));
    expect(root.querySelector('.badge').hidden).toBe(true);
    const input = root.querySelector('textarea');
    input.value = 'line one';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
    expect(hub.sent).toHaveLength(0);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await tick();
    expect(hub.sent.map((s) => s.text)).toEqual(['line one']);
    expect(hub.sent[0].client_message_id).toMatch(/^c_/);
    root.querySelector('.panel').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(root.querySelector('.panel').hidden).toBe(true);
    expect(events.map((e) => e[0])).toEqual(expect.arrayContaining(['open', 'close']));
  });

  it('queues messages while offline and sends them once the stream is back', async () => {
    const hub = fakeHub();
    const realFetch = hub.fetch;
    let down = true;
    hub.fetch = vi.fn((url, init) => (down ? Promise.reject(new TypeError('Failed to fetch')) : realFetch(url, init)));
    const { root } = start(hub);
    await tick();
    await widget.send('typed while offline');
    await tick();
    expect(widget.state.status).toBe('offline');
    expect(widget.state.outbox).toHaveLength(1);
    expect(root.querySelector('.banner').hidden).toBe(false);
    down = false;
    window.dispatchEvent(new Event('online')); // wakes the reconnect wait
    await vi.waitFor(() => expect(hub.sent.map((s) => s.text)).toEqual(['typed while offline']));
    expect(widget.state.outbox).toHaveLength(0);
    expect(widget.state.status).toBe('online');
  });

  it('resumes the stream with Last-Event-ID after it drops', async () => {
    const hub = fakeHub();
    start(hub);
    await tick();
    hub.push('message', { id: 'm1', role: 'assistant', text: 'hi', created_at: '2026-01-01T00:00:00Z' }, '12');
    await tick();
    hub.end();
    window.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(hub.streams).toBe(2));
    expect(hub.lastEventIds).toEqual([null, '12']);
  });

  it('shows a clear refusal when the origin or key is refused, and stops retrying', async () => {
    const hub = fakeHub({ sessionStatus: 403 });
    const { root, events } = start(hub);
    await tick();
    expect(widget.state.status).toBe('refused');
    expect(root.querySelector('.banner').textContent).toBe('This chat is not available on this site.');
    expect(root.querySelector('textarea').disabled).toBe(true);
    expect(events.find((e) => e[0] === 'error')[1].status).toBe(403);
    await new Promise((r) => setTimeout(r, 600));
    expect(hub.fetch.mock.calls.length).toBe(1);
  });

  it('speaks the page language, right to left where needed, and renders quick replies', async () => {
    document.documentElement.lang = 'ar';
    const hub = fakeHub();
    const { root } = start(hub, { welcome: { text: 'Hi', quick_replies: ['Opening hours', { title: 'Prices', payload: 'What does it cost?' }] } });
    await tick();
    expect(root.querySelector('.root').getAttribute('dir')).toBe('rtl');
    const buttons = root.querySelectorAll('.replies button');
    expect([...buttons].map((b) => b.textContent)).toEqual(['Opening hours', 'Prices']);
    buttons[1].click();
    await tick();
    expect(hub.sent.map((s) => s.text)).toEqual(['What does it cost?']);
    document.documentElement.lang = '';
    widget.destroy();
    const es = fakeHub();
    start(es, { locale: 'es-MX' });
    await tick();
    expect(widget.ui.root.querySelector('textarea').getAttribute('placeholder')).toBe('Escribe un mensaje…');
  });

  it('shows attachments as thumbnails or links, and only http(s) ones', async () => {
    const hub = fakeHub({ history: [{ id: 'a1', role: 'operator', text: 'Files', created_at: '2026-01-01T10:00:00Z',
      attachments: [{ url: 'https://cdn.example/menu.png', content_type: 'image/png', file_name: 'menu.png' },
        { url: 'https://cdn.example/terms.pdf', content_type: 'application/pdf', file_name: 'terms.pdf' },
        { url: 'javascript:alert(1)', content_type: 'image/png' }] }] });
    const { root } = start(hub);
    await tick();
    const msg = root.querySelector('[data-id="a1"]');
    expect(msg.querySelector('img').getAttribute('src')).toBe('https://cdn.example/menu.png');
    expect([...msg.querySelectorAll('a')].map((a) => a.getAttribute('href')))
      .toEqual(['https://cdn.example/menu.png', 'https://cdn.example/terms.pdf']);
    expect(msg.innerHTML).not.toContain('javascript:');
  });

  it('applies theme colours as CSS variables and ignores unsafe values', async () => {
    const hub = fakeHub();
    const { root } = start(hub, { theme: { mode: 'dark', accent: '#ff0066', background: 'url(javascript:x)' } });
    await tick();
    expect(root.host.getAttribute('data-theme')).toBe('dark');
    const box = root.querySelector('.root');
    expect(box.style.getPropertyValue('--cl-accent')).toBe('#ff0066');
    expect(box.style.getPropertyValue('--cl-bg')).toBe('');
  });

  it('identify runs one connection for the new user and ignores the old session', async () => {
    const hub = fakeHub();
    hub.sessionDelay = 80; // the anonymous session is still on its way when the user signs in
    start(hub);
    await tick();
    widget.identify({ id: 'bob', hash: 'h' });
    await new Promise((r) => setTimeout(r, 150));
    expect(widget.state.token).toBe('wst_bob_2');
    expect([...hub.open]).toEqual(['Bearer wst_bob_2']);
    hub.push('delta', { message_id: 'm1', text: 'Hi ' });
    await tick();
    expect(widget.state.drafts.m1).toBe('Hi ');
  });

  it('sends the user\'s name and e-mail with the session', async () => {
    const hub = fakeHub();
    start(hub, { user: { id: 'u1', hash: 'h', name: 'Ada', email: 'ada@example.com' } });
    await tick();
    expect(hub.sessions[0]).toMatchObject({ user_id: 'u1', user_hash: 'h', name: 'Ada', email: 'ada@example.com' });
  });

  it('a stored token belongs to its user, and reset forgets the user', async () => {
    const first = fakeHub();
    start(first, { user: { id: 'alice', hash: 'a' } });
    await tick();
    expect(widget.state.token).toBe('wst_alice_1');
    widget.destroy();
    const second = fakeHub();
    start(second, { user: { id: 'bob', hash: 'b' } });
    await tick();
    expect(second.sessions.map((x) => x.user_id)).toEqual(['bob']);
    widget.reset();
    await tick();
    expect(second.sessions[1].user_id).toBeUndefined();
    expect(widget.state.messages).toEqual([]);
  });

  it('sends each queued message once, in order, and retries a throttled one', async () => {
    const hub = fakeHub();
    start(hub);
    await tick();
    hub.sendStatus.push(429);
    widget.send('one');
    widget.send('two');
    await vi.waitFor(() => expect(hub.sent.map((x) => x.text)).toEqual(['one', 'two']), { timeout: 5000 });
    expect(widget.state.outbox).toHaveLength(0);
  });

  it('an unknown key is refused, not retried', async () => {
    const hub = fakeHub({ sessionStatus: 401 });
    const { root } = start(hub);
    await tick();
    expect(widget.state.status).toBe('refused');
    expect(root.querySelector('.banner').hidden).toBe(false);
  });

  it('streams a reply by updating one bubble, leaving the others in place', async () => {
    const hub = fakeHub({ history: [{ id: 'm0', role: 'assistant', text: 'Hello', created_at: '2026-01-01T10:00:00Z' }] });
    const { root } = start(hub);
    await tick();
    const before = root.querySelector('[data-id="m0"]');
    hub.push('delta', { message_id: 'm1', text: 'a' });
    hub.push('delta', { message_id: 'm1', text: 'b' });
    await tick();
    expect(root.querySelector('[data-id="m0"]')).toBe(before);
    expect(root.querySelector('[data-id="draft-m1"]').getAttribute('aria-hidden')).toBe('true');
  });
});
