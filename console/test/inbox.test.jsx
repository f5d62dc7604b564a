import { describe, expect, it, vi } from 'vitest';
import { setTenant } from '../src/api.js';
import { startInboxStream } from '../src/live.js';
import { InboxList, inboxQuery, mergeFirstPage } from '../src/screens/Inbox.jsx';
import { getState, setState } from '../src/store.js';
import { Notices, listenForHandoffs } from '../src/ui/Shell.jsx';
import { $, $$, change, installEventSource, mockFetch, mount, need, session, waitFor } from './helpers.js';

const row = (id, name, extra = {}) => ({
  conversation: { id, channel: 'telegram', status: 'human', last_message_at: new Date().toISOString() },
  contact: { id: `ctc_${id}`, display_name: name },
  last_message: { role: 'user', text: `hello from ${name}`, created_at: new Date().toISOString() },
  unread: 0, assignee: null, team_id: null, labels: [], waiting_since: null, ...extra,
});

function signedIn() {
  setTenant('ten_1');
  setState({ session: session(), tenantId: 'ten_1',
    tenantData: { members: [{ user_id: 'usr_me', display_name: 'Ada' }, { user_id: 'usr_bo', display_name: 'Bo' }],
      teams: [], labels: [{ name: 'vip' }], channels: null } });
}

describe('inbox query', () => {
  it('leaves out "all" and "anyone" and sends the rest', () => {
    expect(inboxQuery({})).toEqual({ status: null, channel: null, assignee: null, team: null, label: null, unread: null,
      cursor: null, limit: 50 });
    expect(inboxQuery({ status: 'human', channel: 'whatsapp', assignee: 'me', label: 'vip', unread: true, team: 'tm_1' },
      'cur_2')).toEqual({ status: 'human', channel: 'whatsapp', assignee: 'me', team: 'tm_1', label: 'vip',
      unread: 'true', cursor: 'cur_2', limit: 50 });
    expect(inboxQuery({ assignee: 'none' }).assignee).toBe('none');
    expect(inboxQuery({ assignee: 'usr_bo' }).assignee).toBe('usr_bo');
  });

  it('merges a re-read first page over the loaded rows', () => {
    const a = row('cnv_a', 'A');
    const b = row('cnv_b', 'B');
    const c = row('cnv_c', 'C');
    const n = row('cnv_n', 'N');
    expect(mergeFirstPage([a, b, c], [n, a]).map((r) => r.conversation.id)).toEqual(['cnv_n', 'cnv_a', 'cnv_b', 'cnv_c']);
    // an event named b and b is not in the first page any more: it left the filter
    expect(mergeFirstPage([a, b, c], [a], new Set(['cnv_b'])).map((r) => r.conversation.id)).toEqual(['cnv_a', 'cnv_c']);
  });
});

describe('inbox list', () => {
  it('renders rows with contact, channel, preview, unread badge, assignee and labels', async () => {
    signedIn();
    mockFetch([['GET', '/v1/inbox', { body: { data: [
      row('cnv_1', 'Maria', { unread: 3, assignee: { id: 'usr_bo', display_name: 'Bo' }, labels: ['vip', { name: 'billing' }] }),
      row('cnv_2', 'João', { last_message: { role: 'assistant', text: 'Here you go', created_at: new Date().toISOString() } }),
    ], next_cursor: null } }]]);
    const c = await mount(<InboxList selected="cnv_2" />);
    await waitFor(() => expect($$(c, 'inbox-row')).toHaveLength(2));
    const [r1, r2] = $$(c, 'inbox-row');
    expect(r1.getAttribute('href')).toBe('#/inbox/cnv_1');
    expect(r1.textContent).toContain('Maria');
    expect(r1.textContent).toContain('telegram');
    expect(r1.textContent).toContain('hello from Maria');
    expect(r1.textContent).toContain('Bo');
    expect(r1.textContent).toContain('vip');
    expect(r1.textContent).toContain('billing');
    expect(need(r1, 'unread-badge').textContent).toBe('3 unread messages');
    expect(r1.querySelector('time').getAttribute('datetime')).toBeTruthy();
    expect($(r2, 'unread-badge')).toBeNull();
    expect(r2.textContent).toContain('AI: Here you go');
    expect(r2.getAttribute('aria-current')).toBe('page');
  });

  it('asks the hub again when a filter changes', async () => {
    signedIn();
    const calls = mockFetch([['GET', '/v1/inbox', { body: { data: [], next_cursor: null } }]]);
    const c = await mount(<InboxList />);
    await waitFor(() => need(c, 'inbox-empty'));
    await change(need(c, 'filter-status'), 'human');
    await change(need(c, 'filter-assignee'), 'me');
    await change(need(c, 'filter-label'), 'vip');
    await change(need(c, 'filter-unread'), true);
    await waitFor(() => expect(calls.at(-1).url).toBe('/v1/inbox?status=human&assignee=me&label=vip&unread=true&limit=50'));
    expect(calls[0].url).toBe('/v1/inbox?limit=50');
    expect(calls.at(-1).headers['X-Clawless-Tenant']).toBe('ten_1');
    // every filter control has a visible label
    for (const el of c.querySelectorAll('select, input')) {
      expect(c.querySelector(`label[for="${el.id}"]`), el.outerHTML).toBeTruthy();
    }
  });

  it('a new conversation from the event stream appears at the top without a reload, and unread counts update', async () => {
    signedIn();
    const ES = installEventSource();
    let rows = [row('cnv_1', 'Maria')];
    const calls = mockFetch([['GET', '/v1/inbox', () => ({ body: { data: rows, next_cursor: null } })]]);
    startInboxStream((live) => setState({ live }));
    const c = await mount(<InboxList />);
    await waitFor(() => expect($$(c, 'inbox-row')).toHaveLength(1));
    const es = ES.last('/v1/inbox/events');
    expect(es.url).toBe('/v1/inbox/events?tenant=ten_1');
    es.open();
    await waitFor(() => expect(need(c, 'live-status').textContent).toBe('Live'));

    rows = [row('cnv_new', 'Nina', { unread: 1 }), row('cnv_1', 'Maria', { unread: 2 })];
    es.emit('conversation.created', { conversation_id: 'cnv_new' });
    es.emit('message.created', { conversation_id: 'cnv_1' });
    await waitFor(() => expect($$(c, 'inbox-row').map((r) => r.dataset.conversationId)).toEqual(['cnv_new', 'cnv_1']));
    expect(need($$(c, 'inbox-row')[1], 'unread-badge').textContent).toContain('2');
    // the burst became one re-read
    expect(calls.filter((x) => x.url.startsWith('/v1/inbox?')).length).toBe(2);
  });
});

describe('hand-off notifications', () => {
  it('shows "X wants a person" with a link, and a desktop notification when allowed', async () => {
    signedIn();
    const ES = installEventSource();
    const shown = [];
    class FakeNotification {
      static permission = 'granted';

      constructor(title, opts) {
        shown.push({ title, opts });
      }
    }
    vi.stubGlobal('Notification', FakeNotification);
    mockFetch([['GET', '/v1/conversations/cnv_9', { body: { id: 'cnv_9', contact_id: 'ctc_9' } }],
      ['GET', '/v1/contacts/ctc_9', { body: { id: 'ctc_9', display_name: 'Lu <img src=x onerror=alert(1)>' } }]]);
    startInboxStream();
    const off = listenForHandoffs();
    ES.last().emit('conversation.handoff', { conversation_id: 'cnv_9' });
    await waitFor(() => expect(getState().notices).toHaveLength(1));
    off();
    expect(getState().notices[0]).toMatchObject({ conversationId: 'cnv_9', name: 'Lu <img src=x onerror=alert(1)>' });
    expect(shown).toEqual([{ title: 'Lu <img src=x onerror=alert(1)> wants a person',
      opts: { body: 'Open the conversation to answer.', tag: 'cnv_9' } }]);
  });

  it('a notice goes away once its conversation is open, and does not cover it', async () => {
    signedIn();
    setState({ notices: [{ key: 'a', conversationId: 'cnv_9', name: 'Lu' }, { key: 'b', conversationId: 'cnv_8', name: 'Bo' }] });
    window.location.hash = '#/inbox/cnv_9';
    const c = await mount(<Notices />);
    await waitFor(() => expect(getState().notices.map((n) => n.conversationId)).toEqual(['cnv_8']));
    expect($$(c, 'handoff-notice').map((n) => n.dataset.conversationId)).toEqual(['cnv_8']);
  });
});
