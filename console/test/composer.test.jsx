import { describe, expect, it, vi } from 'vitest';
import { Composer, shortcutAt } from '../src/ui/Composer.jsx';
import { $, $$, change, click, flush, mockFetch, mount, need, press, type, waitFor } from './helpers.js';

const canned = [
  { id: 'cr_1', shortcut: 'hours', text: 'We are open 9–17, Monday to Friday.' },
  { id: 'cr_2', shortcut: 'hello', text: 'Hello! How can I help?' },
];

function routes(extra = []) {
  return mockFetch([
    ['GET', '/v1/canned-responses', ({ url }) => {
      const q = new URL(url, 'http://x').searchParams.get('q') || '';
      return { body: { data: canned.filter((c) => c.shortcut.startsWith(q)), next_cursor: null } };
    }],
    ['POST', '/v1/conversations/cnv_1/messages', ({ body }) => ({ status: 201, body: { id: 'msg_9', role: 'operator', text: body.text } })],
    ['POST', '/v1/conversations/cnv_1/notes', ({ body }) => ({ status: 201, body: { id: 'note_1', text: body.text } })],
    ['POST', '/v1/conversations/cnv_1/typing', { status: 204 }],
    ...extra,
  ]);
}

describe('composer', () => {
  it('finds the /word before the caret', () => {
    expect(shortcutAt('/ho', 3)).toEqual({ start: 0, end: 3, q: 'ho' });
    expect(shortcutAt('Hi /he', 6)).toEqual({ start: 3, end: 6, q: 'he' });
    expect(shortcutAt('a/b', 3)).toBeNull();
    expect(shortcutAt('/ho there', 9)).toBeNull();
  });

  it('typing / opens a listbox of matches; arrows move and Enter inserts the text', async () => {
    const calls = routes();
    const c = await mount(<Composer conversationId="cnv_1" contactName="Maria" />);
    const box = need(c, 'reply-box');
    await type(box, 'Hi! /h');
    await waitFor(() => expect($$(c, 'canned-option')).toHaveLength(2));
    expect(calls.some((x) => x.url === '/v1/canned-responses?q=h')).toBe(true);
    const list = need(c, 'canned-list');
    expect(list.getAttribute('role')).toBe('listbox');
    expect(box.getAttribute('aria-controls')).toBe(list.id);
    const options = $$(c, 'canned-option');
    expect(options[0].getAttribute('aria-selected')).toBe('true');
    expect(box.getAttribute('aria-activedescendant')).toBe(options[0].id);
    await press(box, 'ArrowDown');
    expect($$(c, 'canned-option')[1].getAttribute('aria-selected')).toBe('true');
    const ev = await press(box, 'Enter');
    expect(ev.defaultPrevented).toBe(true);
    expect(box.value).toBe('Hi! Hello! How can I help?');
    expect($(c, 'canned-list')).toBeNull();
    // Enter with the list closed sends; nothing was sent while choosing
    expect(calls.some((x) => x.url.endsWith('/messages'))).toBe(false);
  });

  it('Escape closes the list and keeps the text', async () => {
    routes();
    const c = await mount(<Composer conversationId="cnv_1" />);
    const box = need(c, 'reply-box');
    await type(box, '/ho');
    await waitFor(() => expect($$(c, 'canned-option')).toHaveLength(1));
    await press(box, 'Escape');
    expect($(c, 'canned-list')).toBeNull();
    expect(box.value).toBe('/ho');
  });

  it('Enter sends a reply to /messages, Shift+Enter does not', async () => {
    const calls = routes();
    const sent = vi.fn();
    const c = await mount(<Composer conversationId="cnv_1" onSent={sent} />);
    const box = need(c, 'reply-box');
    await type(box, 'Thanks for waiting');
    const shift = await press(box, 'Enter', { shiftKey: true });
    expect(shift.defaultPrevented).toBe(false);
    expect(calls.some((x) => x.method === 'POST' && x.url.endsWith('/messages'))).toBe(false);
    await press(box, 'Enter');
    await waitFor(() => expect(sent).toHaveBeenCalled());
    const post = calls.find((x) => x.method === 'POST' && x.url.endsWith('/messages'));
    expect(post.url).toBe('/v1/conversations/cnv_1/messages');
    expect(post.body).toEqual({ text: 'Thanks for waiting' });
    expect(sent).toHaveBeenCalledWith('message', expect.objectContaining({ id: 'msg_9' }));
    expect(box.value).toBe('');
  });

  it('in Private note mode the text goes to /notes and never to /messages or /typing', async () => {
    const calls = routes();
    const sent = vi.fn();
    const c = await mount(<Composer conversationId="cnv_1" onSent={sent} />);
    await change(need(c, 'composer-mode-note'), true);
    const box = need(c, 'reply-box');
    expect(c.querySelector(`label[for="${box.id}"]`).textContent).toContain('Private note');
    expect(need(c, 'send').textContent).toBe('Save note');
    await type(box, 'Customer is a VIP');
    await click(need(c, 'send'));
    await waitFor(() => expect(sent).toHaveBeenCalledWith('note', expect.objectContaining({ id: 'note_1' })));
    const posts = calls.filter((x) => x.method === 'POST');
    expect(posts.map((x) => x.url)).toEqual(['/v1/conversations/cnv_1/notes']);
    expect(posts[0].body).toEqual({ text: 'Customer is a VIP' });
  });

  it('tells the contact "typing…" at most every 3 seconds', async () => {
    const calls = routes();
    const now = vi.spyOn(Date, 'now');
    let t = 1_000_000;
    now.mockImplementation(() => t);
    const c = await mount(<Composer conversationId="cnv_1" />);
    const box = need(c, 'reply-box');
    await type(box, 'H');
    t += 1000;
    await type(box, 'He');
    t += 1000;
    await type(box, 'Hel');
    t += 1500;
    await type(box, 'Hell');
    await flush();
    now.mockRestore();
    expect(calls.filter((x) => x.url.endsWith('/typing')).length).toBe(2);
  });

  it('keeps the text and shows the problem when sending fails', async () => {
    routes();
    mockFetch([['POST', '/v1/conversations/cnv_1/messages', { status: 409, body: { type: 'urn:clawless:problem:conflict',
      title: 'Conflict', status: 409, detail: 'The WhatsApp reply window is closed: send a template.' } }],
    ['POST', '/v1/conversations/cnv_1/typing', { status: 204 }]]);
    const c = await mount(<Composer conversationId="cnv_1" />);
    const box = need(c, 'reply-box');
    await type(box, 'Are you there?');
    await press(box, 'Enter');
    await waitFor(() => expect(need(c, 'composer-error').textContent).toContain('reply window is closed'));
    expect(box.value).toBe('Are you there?');
  });
});
