import { describe, expect, it } from 'vitest';
import { setCsrfToken, setTenant } from '../src/api.js';
import { Conversation, buildTimeline } from '../src/screens/Conversation.jsx';
import { setState } from '../src/store.js';
import { $, $$, change, click, installEventSource, mockFetch, mount, need, session, submit, type, waitFor } from './helpers.js';

const T = (min) => new Date(Date.UTC(2026, 10, 5, 10, min)).toISOString();

function signedIn() {
  setTenant('ten_1');
  setCsrfToken('csrf-123');
  setState({ session: session(), tenantId: 'ten_1',
    tenantData: { members: [{ user_id: 'usr_me', display_name: 'Ada' }], teams: [], labels: [], channels: null } });
}

function hub({ messages, approvals = [], conversation = {}, extra = [] } = {}) {
  let msgs = messages || [
    { id: 'msg_1', role: 'user', direction: 'inbound', status: 'received', text: 'I need help', created_at: T(0) },
    { id: 'msg_2', role: 'assistant', direction: 'outbound', status: 'delivered', text: 'Sure, what is it?', created_at: T(1) },
    { id: 'msg_3', role: 'operator', direction: 'outbound', status: 'failed', error: '470 window closed', text: 'Hi', created_at: T(5) },
    { id: 'msg_4', role: 'operator', direction: 'outbound', status: 'sent', delivery_uncertain: true, text: 'Again', created_at: T(6),
      attachments: [{ kind: 'image', url: null, file_name: 'photo.jpg' }, { kind: 'file', url: 'https://cdn.example/a.pdf', file_name: 'a.pdf' }] },
  ];
  let pending = approvals;
  const calls = mockFetch([
    ['GET', '/v1/conversations/cnv_1', { body: { id: 'cnv_1', channel: 'whatsapp', status: 'bot', contact_id: 'ctc_1',
      contact: { id: 'ctc_1', display_name: 'Maria' }, ...conversation } }],
    ['GET', '/v1/conversations/cnv_1/messages', () => ({ body: { data: msgs, next_cursor: null } })],
    ['GET', '/v1/conversations/cnv_1/notes', { body: { data: [
      { id: 'note_1', conversation_id: 'cnv_1', text: 'Check her order', author_id: 'usr_me', author_name: 'Ada Lovelace',
        created_at: T(2) }] } }],
    ['GET', '/v1/conversations/cnv_1/tool-calls', { body: { data: [
      { tool: 'knowledge_search', arguments: {}, outcome: 'ok', duration_ms: 12, created_at: T(1) }], next_cursor: null } }],
    ['GET', '/v1/approvals', () => ({ body: { data: pending, next_cursor: null } })],
    ['POST', '/v1/conversations/cnv_1/read', { status: 204 }],
    ['PATCH', '/v1/conversations/cnv_1', ({ body }) => ({ body: { id: 'cnv_1', channel: 'whatsapp', status: body.status || 'bot',
      // like the hub: a take-over (status human, no assignee) assigns the caller
      contact_id: 'ctc_1', assignee_id: body.status === 'human' && !('assignee_id' in body) ? 'usr_me' : body.assignee_id } })],
    ['POST', /^\/v1\/approvals\/apr_1\/(approve|deny)$/, () => {
      pending = [];
      return { body: { id: 'apr_1', status: 'approved' } };
    }],
    ...extra,
  ]);
  calls.setMessages = (m) => { msgs = m; };
  return calls;
}

describe('conversation', () => {
  it('merges messages, private notes and tool calls by time and marks the conversation read', async () => {
    signedIn();
    installEventSource();
    const calls = hub();
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => expect($$(c, 'message')).toHaveLength(4));
    const items = [...need(c, 'timeline').children].map((li) => li.dataset.test);
    expect(items).toEqual(['message', 'message', 'tool-call', 'note', 'message', 'message']);
    const note = need(c, 'note');
    expect(note.className).toContain('note');
    expect(note.textContent).toContain('Private note');
    expect(note.textContent).toContain('Check her order');
    expect(note.textContent).toContain('Ada Lovelace');
    expect(need(c, 'tool-call').textContent).toContain('tool: knowledge_search — ok');
    const [m1, m2, m3, m4] = $$(c, 'message');
    expect(m1.textContent).toContain('Maria');
    expect(m1.textContent).toContain('Contact');
    expect(m2.textContent).toContain('AI');
    expect(need(m2, 'delivery-status').textContent).toBe('Delivered');
    expect(need(m3, 'delivery-status').textContent).toBe('Not delivered: 470 window closed');
    expect(need(m4, 'delivery-uncertain').textContent).toContain('May have been sent twice');
    const [a1, a2] = $$(m4, 'attachment');
    expect(a1.getAttribute('href')).toBe('/v1/conversations/cnv_1/messages/msg_4/attachments/0?tenant=ten_1');
    expect(a2.getAttribute('href')).toBe('https://cdn.example/a.pdf');
    expect(a2.getAttribute('rel')).toContain('noopener');
    expect(calls.some((x) => x.method === 'POST' && x.url === '/v1/conversations/cnv_1/read')).toBe(true);
    expect(calls.find((x) => x.url.startsWith('/v1/approvals')).url)
      .toBe('/v1/approvals?status=pending&conversation_id=cnv_1');
  });

  it('Take over asks for status human (the hub assigns the caller, or answers 409 when someone else has it)', async () => {
    signedIn();
    installEventSource();
    const calls = hub();
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'take-over'));
    expect($(c, 'hand-back')).toBeNull();
    await click(need(c, 'take-over'));
    await waitFor(() => need(c, 'hand-back'));
    const p = calls.find((x) => x.method === 'PATCH');
    expect(p.body).toEqual({ status: 'human' });
    expect(p.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(need(c, 'conversation-status').textContent).toBe('Person');
    expect($(c, 'take-over')).toBeNull();
    await click(need(c, 'resolve'));
    await waitFor(() => need(c, 'reopen'));
    expect(calls.filter((x) => x.method === 'PATCH').at(-1).body).toEqual({ status: 'closed' });
  });

  it('shows pending approvals with their arguments and approves / denies through the right routes', async () => {
    signedIn();
    installEventSource();
    const approval = { id: 'apr_1', conversation_id: 'cnv_1', tool: 'http_request', status: 'pending',
      arguments: { method: 'POST', url: 'https://api.example/refund', body: '<script>alert(1)</script>' }, created_at: T(3) };
    const calls = hub({ approvals: [approval] });
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'approval'));
    expect(need(c, 'approval-tool').textContent).toBe('http_request');
    expect(need(c, 'approval-arguments').textContent).toContain('"url": "https://api.example/refund"');
    expect(need(c, 'approval-arguments').textContent).toContain('<script>alert(1)</script>');
    expect(c.querySelector('script')).toBeNull();
    await type(need(c, 'approval-reason'), 'refund ok');
    await click(need(c, 'approve'));
    await waitFor(() => expect($(c, 'approval')).toBeNull());
    const decided = calls.find((x) => x.url === '/v1/approvals/apr_1/approve');
    expect(decided.method).toBe('POST');
    expect(decided.body).toEqual({ reason: 'refund ok' });
  });

  it('Deny posts to /deny', async () => {
    signedIn();
    installEventSource();
    const calls = hub({ approvals: [{ id: 'apr_1', conversation_id: 'cnv_1', tool: 'sessions_send', arguments: {},
      created_at: T(3) }] });
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'deny'));
    await click(need(c, 'deny'));
    await waitFor(() => expect(calls.some((x) => x.url === '/v1/approvals/apr_1/deny')).toBe(true));
    expect(calls.find((x) => x.url === '/v1/approvals/apr_1/deny').body).toEqual({});
    expect(calls.some((x) => x.url === '/v1/approvals/apr_1/approve')).toBe(false);
  });

  it('adds a message from its event stream as it arrives', async () => {
    signedIn();
    const ES = installEventSource();
    const calls = hub({ messages: [{ id: 'msg_1', role: 'user', text: 'first', created_at: T(0) }] });
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => expect($$(c, 'message')).toHaveLength(1));
    const es = ES.last('/v1/conversations/cnv_1/events');
    expect(es.url).toBe('/v1/conversations/cnv_1/events?tenant=ten_1');
    const next = { id: 'msg_2', role: 'user', direction: 'inbound', text: 'are you there?', created_at: T(1) };
    calls.setMessages([{ id: 'msg_1', role: 'user', text: 'first', created_at: T(0) }, next]);
    es.emit('message.created', { conversation_id: 'cnv_1', message_id: 'msg_2' }, '41');
    await waitFor(() => expect($$(c, 'message')).toHaveLength(2));
    expect($$(c, 'message')[1].textContent).toContain('are you there?');
    // the delivery status of an outbound message follows message.status_changed
    calls.setMessages([{ id: 'msg_1', role: 'user', text: 'first', created_at: T(0) }, next,
      { id: 'msg_3', role: 'operator', direction: 'outbound', status: 'pending', text: 'yes', created_at: T(2) }]);
    es.emit('message.created', { conversation_id: 'cnv_1', message: { id: 'msg_3', role: 'operator',
      direction: 'outbound', status: 'pending', text: 'yes', created_at: T(2) } });
    await waitFor(() => expect($$(c, 'message')).toHaveLength(3));
    es.emit('message.status_changed', { conversation_id: 'cnv_1', message_id: 'msg_3', status: 'read' });
    await waitFor(() => expect(need($$(c, 'message')[2], 'delivery-status').textContent).toBe('Read'));
  });

  it('shows workspace commands, their live output as it streams, and why one was stopped', async () => {
    signedIn();
    const ES = installEventSource();
    let commands = [{ id: 'wsc_1', command: 'mvn test', status: 'running', exit_code: null, reason: null, output: '',
      created_at: T(1) }];
    mockFetch([
      ['GET', '/v1/conversations/cnv_1', { body: { id: 'cnv_1', channel: 'api', status: 'bot', contact: { display_name: 'M' } } }],
      ['GET', '/v1/conversations/cnv_1/workspace/commands', () => ({ body: { object: 'list', data: commands } })],
      ['GET', /./, { body: { data: [], next_cursor: null } }],
      ['POST', /./, { status: 204 }],
    ]);
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'workspace-command'));
    expect(need(c, 'workspace-command-status').textContent).toBe('Running');
    const es = ES.last('/v1/conversations/cnv_1/events');
    es.emit('workspace.output', { conversation_id: 'cnv_1', command_id: 'wsc_1', line: 'Tests run: 3' });
    es.emit('workspace.output', { conversation_id: 'cnv_1', command_id: 'wsc_1', line: 'BUILD SUCCESS' });
    es.emit('workspace.output', { conversation_id: 'cnv_1', command_id: 'wsc_other', line: 'not this one' });
    await waitFor(() => expect(need(c, 'workspace-command-output').textContent).toBe('Tests run: 3\nBUILD SUCCESS'));
    expect(need(c, 'workspace-command-output').getAttribute('aria-label')).toBe('Output of mvn test');
    // a command not listed yet: its first lines are kept until the list has it
    es.emit('workspace.output', { conversation_id: 'cnv_1', command_id: 'wsc_2', line: 'cloning' });
    commands = [...commands, { id: 'wsc_2', command: 'git clone x', status: 'running', exit_code: null, reason: null,
      output: '', created_at: T(2) }];
    es.emit('workspace.output', { conversation_id: 'cnv_1', command_id: 'wsc_2', line: 'done' });
    await waitFor(() => expect($$(c, 'workspace-command')).toHaveLength(2));
    await waitFor(() => expect(need($$(c, 'workspace-command')[1], 'workspace-command-output').textContent)
      .toBe('cloning\ndone'));
    commands = [commands[0]];
    commands = [{ ...commands[0], status: 'killed', reason: 'the command ran past its limit of 1800 s',
      output: 'Tests run: 3' }];
    es.emit('workspace.command_ended', { conversation_id: 'cnv_1', command_id: 'wsc_1', status: 'killed' });
    await waitFor(() => expect(need(c, 'workspace-command-status').textContent).toBe('Stopped at a limit'));
    expect(need(c, 'workspace-command-reason').textContent).toContain('past its limit');
    expect(need(c, 'workspace-command-output').textContent).toBe('Tests run: 3');
  });

  it('shows the channel reply window: open, a person only (human agent), or closed until the contact writes', async () => {
    signedIn();
    const ES = installEventSource();
    let window = { open: false, closes_at: T(0), human_open: true, human_closes_at: '2026-12-12T10:00:00Z' };
    let reads = 0;
    mockFetch([
      ['GET', '/v1/conversations/cnv_1', () => {
        reads++;
        return { body: { id: 'cnv_1', channel: 'messenger', status: 'human', contact: { display_name: 'Lucía' },
          reply_window: window } };
      }],
      ['GET', /./, { body: { data: [], next_cursor: null } }],
      ['POST', /./, { status: 204 }],
    ]);
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'reply-window'));
    expect(need(c, 'reply-window').dataset.state).toBe('human');
    expect(need(c, 'reply-window').textContent).toContain('tagged as a person');
    expect(need(c, 'reply-window').getAttribute('role')).toBe('status');
    // the contact writes again: the conversation is read again and the window shows open
    window = { open: true, closes_at: '2026-12-07T10:00:00Z', human_open: true, human_closes_at: '2026-12-13T10:00:00Z' };
    const es = ES.last();
    es.emit('message.created', { conversation_id: 'cnv_1', message: { id: 'msg_9', role: 'user', direction: 'inbound',
      status: 'received', text: 'hola', created_at: T(9) } });
    await waitFor(() => expect(need(c, 'reply-window').dataset.state).toBe('open'));
    expect(reads).toBeGreaterThan(1);
    window = { open: false, closes_at: T(0), human_open: false, human_closes_at: T(1) };
    es.emit('conversation.status_changed', { conversation_id: 'cnv_1', status: 'human' });
    await waitFor(() => expect(need(c, 'reply-window').dataset.state).toBe('closed'));
    expect(need(c, 'reply-window').textContent).toContain('until the contact writes again');
  });

  it('shows the lead: answers, a push retrying with its reason, then the CRM records; a failed push is sent again', async () => {
    signedIn();
    const ES = installEventSource();
    let lead = { id: 'lead_1', conversation_id: 'cnv_1', answers: { name: 'Ana <b>Gómez</b>', email: 'ana@tienda.co' },
      score: 50, qualified: true, asking: 'whatsapp_offer', transferred_at: null, crm_records: [],
      push: { status: 'retrying', attempts: 1, error: "HubSpot's rate limit was reached (429) (attempt 1 of 8; next in 1 s)", pushed_at: null } };
    const pushes = [];
    mockFetch([
      ['GET', '/v1/conversations/cnv_1', { body: { id: 'cnv_1', channel: 'webchat', status: 'bot', contact: { display_name: 'Ana' } } }],
      ['GET', '/v1/conversations/cnv_1/lead', () => ({ body: lead })],
      ['GET', '/v1/sales/lead-form', { body: { fields: [{ name: 'email', label: 'Correo' }, { name: 'name', label: 'Nombre' }] } }],
      ['POST', '/v1/leads/lead_1/push', () => { pushes.push(1); return { status: 202, body: { ...lead, push: { status: 'queued', attempts: 0 } } }; }],
      ['GET', /./, { body: { data: [], next_cursor: null } }],
      ['POST', /./, { status: 204 }],
    ]);
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'lead'));
    expect(need(c, 'lead-state').textContent).toBe('Qualified');
    expect(need(c, 'lead-answers').textContent).toContain('Ana <b>Gómez</b>');
    await waitFor(() => expect(need(c, 'lead-answers').textContent).toContain('Correo'));
    expect(need(c, 'lead-answers').querySelector('b')).toBeNull();
    expect(need(c, 'lead-push-error').textContent).toContain('(429)');
    expect(need(c, 'lead-asking').textContent).toContain('WhatsApp');
    expect($(c, 'lead-push-again')).toBeNull();
    lead = { ...lead, push: { status: 'pushed', attempts: 3, error: null, pushed_at: T(9) },
      crm_records: [{ crm: 'hubspot', object_type: 'contact', id: '1501', url: 'https://app.hubspot.com/contacts/4242/record/0-1/1501' },
        { crm: 'evil', object_type: 'contact', id: '2', url: 'javascript:alert(1)' }] };
    ES.last().emit('lead.pushed', { lead_id: 'lead_1', conversation_id: 'cnv_1' });
    await waitFor(() => expect(need(c, 'lead-push').dataset.status).toBe('pushed'));
    const links = $$(c, 'crm-record');
    expect(links[0].getAttribute('href')).toBe('https://app.hubspot.com/contacts/4242/record/0-1/1501');
    expect(links[1].getAttribute('href')).toBeNull();
    lead = { ...lead, push: { status: 'failed', attempts: 8, error: 'HubSpot refused the access token (401)', pushed_at: null } };
    ES.last().emit('lead.push_failed', { lead_id: 'lead_1', conversation_id: 'cnv_1' });
    await waitFor(() => expect(need(c, 'lead-push').dataset.status).toBe('failed'));
    expect(need(c, 'lead-push-error').className).toContain('field-error');
    click(need(c, 'lead-push-again'));
    await waitFor(() => expect(pushes).toHaveLength(1));
    await waitFor(() => expect(need(c, 'lead-push').dataset.status).toBe('queued'));
  });

  it('says when an SMS contact opted out, and updates when they opt back in', async () => {
    signedIn();
    const ES = installEventSource();
    let metadata = { opted_out: 'true' };
    mockFetch([
      ['GET', '/v1/conversations/cnv_1', () => ({ body: { id: 'cnv_1', channel: 'sms', status: 'bot',
        contact: { display_name: '+573001234567' }, metadata, reply_window: null } })],
      ['GET', /./, { body: { data: [], next_cursor: null } }],
      ['POST', /./, { status: 204 }],
    ]);
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'opted-out'));
    expect(need(c, 'opted-out').textContent).toContain('START');
    metadata = {};
    ES.last().emit('contact.opted_in', { conversation_id: 'cnv_1' });
    await waitFor(() => expect($(c, 'opted-out')).toBeNull());
  });

  it('shows no reply window on channels without one', async () => {
    signedIn();
    installEventSource();
    hub({ conversation: { reply_window: null } });
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'timeline'));
    expect($(c, 'reply-window')).toBeNull();
  });

  it('re-reads the conversation when its status changes elsewhere', async () => {
    signedIn();
    const ES = installEventSource();
    let status = 'bot';
    const calls = mockFetch([
      ['GET', '/v1/conversations/cnv_1', () => ({ body: { id: 'cnv_1', channel: 'webchat', status, contact: { display_name: 'M' } } })],
      ['GET', /./, { body: { data: [], next_cursor: null } }],
      ['POST', /./, { status: 204 }],
    ]);
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => expect(need(c, 'conversation-status').textContent).toBe('Assistant'));
    status = 'human';
    ES.last('/v1/conversations/cnv_1/events').emit('conversation.status_changed', { conversation_id: 'cnv_1', status: 'human' });
    await waitFor(() => expect(need(c, 'conversation-status').textContent).toBe('Person'));
    expect(calls.filter((x) => x.url === '/v1/conversations/cnv_1').length).toBe(2);
  });

  it('hides the transfer feature when channels cannot be listed, and offers it when they can', async () => {
    signedIn();
    installEventSource();
    const calls = hub({ extra: [['POST', '/v1/conversations/cnv_1/transfer', { status: 201, body: { id: 'cnv_2' } }]] });
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'take-over'));
    expect($(c, 'transfer-toggle')).toBeNull();
    setState((s) => ({ tenantData: { ...s.tenantData, channels: [{ id: 'con_wa', type: 'whatsapp', name: 'WA' }] } }));
    await waitFor(() => need(c, 'transfer-toggle'));
    await click(need(c, 'transfer-toggle'));
    await change(need(c, 'transfer-connection'), 'con_wa');
    await type(need(c, 'transfer-address'), '+4915112345678');
    await type(need(c, 'transfer-text'), 'Hi, continuing here');
    await submit(need(c, 'transfer-form'));
    await waitFor(() => expect(window.location.hash).toBe('#/inbox/cnv_2'));
    expect(calls.find((x) => x.url.endsWith('/transfer')).body).toEqual({ connection_id: 'con_wa',
      address: '+4915112345678', text: 'Hi, continuing here' });
  });

  it('edits labels only when they are known (from the conversation or its inbox row), replacing the whole set', async () => {
    signedIn();
    installEventSource();
    const calls = hub({ extra: [['POST', '/v1/conversations/cnv_1/labels', ({ body }) => ({ body: { labels: body.labels } })]] });
    const c = await mount(<Conversation id="cnv_1" />);
    await waitFor(() => need(c, 'labels-unknown'));
    expect($(c, 'label-input')).toBeNull();
    setState({ inboxRows: [{ conversation: { id: 'cnv_1', channel: 'whatsapp', status: 'bot' },
      contact: { id: 'ctc_1', display_name: 'Maria' }, labels: ['vip'], assignee: { id: 'usr_me', display_name: 'Ada' },
      unread: 0 }] });
    await waitFor(() => need(c, 'label-input'));
    expect(need(c, 'assignee-select').value).toBe('usr_me');
    await type(need(c, 'label-input'), 'billing');
    await click(need(c, 'label-add'));
    await waitFor(() => expect(need(c, 'labels-editor').textContent).toContain('billing'));
    expect(calls.find((x) => x.url.endsWith('/labels')).body).toEqual({ labels: ['vip', 'billing'] });
    await click(need(c, 'label-remove'));
    await waitFor(() => expect(calls.filter((x) => x.url.endsWith('/labels')).at(-1).body).toEqual({ labels: ['billing'] }));
  });

  it('orders the timeline by time, keeping equal times in input order', () => {
    const tl = buildTimeline([{ id: 'a', created_at: T(2) }, { id: 'b', created_at: T(0) }],
      [{ id: 'n', created_at: T(1) }], [{ created_at: T(2) }]);
    expect(tl.map((x) => x.key)).toEqual(['m:b', 'n:n', 'm:a', 't:0']);
  });
});
