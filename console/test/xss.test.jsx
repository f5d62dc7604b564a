import { describe, expect, it } from 'vitest';
import { setTenant } from '../src/api.js';
import { Conversation } from '../src/screens/Conversation.jsx';
import { InboxList } from '../src/screens/Inbox.jsx';
import { setState } from '../src/store.js';
import { App } from '../src/ui/App.jsx';
import { $$, installEventSource, mockFetch, mount, need, session, type, waitFor } from './helpers.js';

const SCRIPT = '<script>window.__pwned = 1</script>';
const IMG = '<img src=x onerror="window.__pwned = 1">';
const EVIL = `${SCRIPT}${IMG}`;

function noMarkup(root) {
  expect(root.querySelector('script')).toBeNull();
  expect(root.querySelector('img')).toBeNull();
  expect(root.querySelector('[onerror]')).toBeNull();
  expect(window.__pwned).toBeUndefined();
}

describe('untrusted text is shown as text', () => {
  it('in inbox rows: contact names, previews and labels', async () => {
    setTenant('ten_1');
    setState({ session: session(), tenantId: 'ten_1' });
    mockFetch([['GET', '/v1/inbox', { body: { data: [{
      conversation: { id: 'cnv_x', channel: `web${IMG}`, status: 'human' },
      contact: { id: 'ctc_x', display_name: `Eve ${SCRIPT}` },
      last_message: { role: 'user', text: `hi ${IMG}`, created_at: new Date().toISOString() },
      unread: 1, assignee: { id: 'usr_z', display_name: IMG }, labels: [IMG], team_id: null,
    }], next_cursor: null } }]]);
    const c = await mount(<InboxList />);
    await waitFor(() => need(c, 'inbox-row'));
    const row = need(c, 'inbox-row');
    expect(need(row, 'inbox-row-contact').textContent).toBe(`Eve ${SCRIPT}`);
    expect(need(row, 'inbox-row-preview').textContent).toBe(`hi ${IMG}`);
    expect(row.textContent).toContain(IMG);
    noMarkup(c);
  });

  it('in a conversation: messages, notes, tool calls, attachment names and links, labels, canned responses', async () => {
    setTenant('ten_1');
    installEventSource();
    setState({ session: session(), tenantId: 'ten_1',
      tenantData: { members: [{ user_id: 'usr_x', display_name: EVIL }], teams: [{ id: 'tm_1', name: EVIL }],
        labels: [{ name: EVIL }], channels: null } });
    mockFetch([
      ['GET', '/v1/conversations/cnv_x', { body: { id: 'cnv_x', channel: 'webchat', status: 'human', labels: [EVIL],
        contact: { id: 'ctc_x', display_name: EVIL }, title: EVIL } }],
      ['GET', '/v1/conversations/cnv_x/messages', { body: { data: [
        { id: 'msg_1', role: 'user', text: EVIL, created_at: '2026-11-05T10:00:00Z',
          attachments: [{ kind: 'file', url: 'javascript:window.__pwned=1', file_name: EVIL },
            { kind: 'file', url: 'data:text/html,<script>1</script>', file_name: 'x.html' }] },
        { id: 'msg_2', role: 'operator', direction: 'outbound', status: 'failed', error: EVIL, text: 'ok',
          created_at: '2026-11-05T10:01:00Z' },
        { id: 'msg_3', role: 'assistant', direction: 'outbound', text: 'Three to five days.',
          metadata: { thinking: `The FAQ says 3-5 days ${EVIL}` }, created_at: '2026-11-05T10:01:30Z' }],
        next_cursor: null } }],
      ['GET', '/v1/conversations/cnv_x/notes', { body: { data: [{ id: 'n1', text: EVIL, author: { display_name: EVIL },
        created_at: '2026-11-05T10:02:00Z' }] } }],
      ['GET', '/v1/conversations/cnv_x/tool-calls', { body: { data: [{ tool: EVIL, outcome: IMG, created_at: '2026-11-05T10:03:00Z' }] } }],
      ['GET', '/v1/approvals', { body: { data: [{ id: 'apr_1', conversation_id: 'cnv_x', tool: EVIL,
        arguments: { html: EVIL } }] } }],
      ['GET', '/v1/canned-responses', { body: { data: [{ id: 'cr', shortcut: `x${IMG}`, text: EVIL }] } }],
      ['GET', '/v1/conversations/cnv_x/workspace/commands', { body: { data: [{ id: 'wsc_1', command: EVIL,
        status: 'killed', exit_code: null, reason: EVIL, output: EVIL, created_at: '2026-11-05T10:04:00Z' }] } }],
      ['POST', /./, { status: 204 }],
    ]);
    const c = await mount(<Conversation id="cnv_x" />);
    await waitFor(() => expect($$(c, 'message')).toHaveLength(3));
    await waitFor(() => need(c, 'approval'));
    expect(need(c, 'conversation-contact').textContent).toBe(EVIL);
    expect(need($$(c, 'message')[0], 'message-text').textContent).toBe(EVIL);
    expect(need(c, 'note').textContent).toContain(EVIL);
    // an LLM's thinking is shown to operators, folded, as text
    expect(need(c, 'message-thinking').textContent).toContain(`The FAQ says 3-5 days ${EVIL}`);
    expect(need(c, 'message-thinking').tagName).toBe('DETAILS');
    expect(need(c, 'tool-call').textContent).toContain(EVIL);
    await waitFor(() => need(c, 'workspace-command'));
    expect(need(c, 'workspace-command-text').textContent).toBe(EVIL);
    expect(need(c, 'workspace-command-reason').textContent).toBe(EVIL);
    expect(need(c, 'workspace-command-output').textContent).toBe(EVIL);
    expect(need(c, 'labels-editor').textContent).toContain(EVIL);
    expect(need(c, 'assignee-select').textContent).toContain(EVIL);
    // attachment URLs that are not http(s) are never links
    const atts = $$(c, 'attachment');
    expect(atts.map((a) => a.tagName)).toEqual(['SPAN', 'SPAN']);
    expect(atts[0].textContent).toBe(EVIL);
    expect(c.querySelector('a[href^="javascript:"], a[href^="data:"]')).toBeNull();
    await type(need(c, 'reply-box'), '/x');
    await waitFor(() => need(c, 'canned-option'));
    expect(need(c, 'canned-option').textContent).toContain(EVIL);
    noMarkup(c);
  });

  it('in the top bar: tenant names and the person’s own name', async () => {
    installEventSource();
    setTenant('ten_1');
    window.location.hash = '#/profile';
    mockFetch([
      ['GET', '/v1/me', { body: session({ user: { display_name: EVIL }, memberships: [
        { tenant_id: 'ten_1', tenant_name: EVIL, role: 'owner' }, { tenant_id: 'ten_2', tenant_name: IMG, role: 'agent' }] }) }],
      ['GET', '/v1/me/sessions', { body: { data: [{ id: 's1', user_agent: EVIL, ip: '1.2.3.4', current: true }] } }],
      ['GET', /./, { body: { data: [] } }],
    ]);
    const c = await mount(<App />);
    await waitFor(() => need(c, 'tenant-switcher'));
    await waitFor(() => need(c, 'session-row'));
    expect([...need(c, 'tenant-switcher').options].map((o) => o.textContent)).toEqual([EVIL, IMG]);
    expect(need(c, 'session-row').textContent).toContain(EVIL);
    noMarkup(c);
  });
});
