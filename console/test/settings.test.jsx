import { describe, expect, it } from 'vitest';
import { errorFor, initialValues, kindOf, toConfig, toSecrets } from '../src/ui/SchemaForm.jsx';
import { attr, snippet } from '../src/screens/settings/Widget.jsx';
import { fileToDocument, parseCsv } from '../src/screens/settings/Knowledge.jsx';
import { aliasesToText, answersWithoutLlm, promptsToText, textToAliases, textToPrompts } from '../src/screens/settings/Assistant.jsx';
import { formToHours, hoursToForm } from '../src/screens/settings/InboxSettings.jsx';
import { seriesOf } from '../src/screens/Usage.jsx';
import { compareVersions } from '../src/screens/settings/Plugins.jsx';
import { formSchema } from '../src/screens/settings/Channels.jsx';

const schema = {
  type: 'object', required: ['provider'],
  properties: {
    provider: { type: 'string', enum: ['twilio', 'meta'] },
    from: { type: 'string' },
    allowed_origins: { type: 'array', items: { type: 'string' } },
    theme: { type: 'object' },
    tools: { type: 'array', items: { type: 'object' } },
    require_identity: { type: 'boolean', default: false },
    port: { type: 'integer' },
  },
};

describe('schema forms', () => {
  it('edits each kind of property the way it is stored', () => {
    expect(kindOf(schema.properties.tools)).toBe('json');
    expect(kindOf(schema.properties.allowed_origins)).toBe('list');
    const v = initialValues(schema, { provider: 'twilio', allowed_origins: ['https://a.example', 'null'], theme: { accent: '#000' } });
    expect(v.allowed_origins).toBe('https://a.example\nnull');
    expect(JSON.parse(v.theme)).toEqual({ accent: '#000' });
    expect(v.require_identity).toBe(false);
  });

  it('builds the config, leaving out empty fields and reporting bad JSON and numbers by field', () => {
    const { config, errors } = toConfig(schema, { provider: 'twilio', from: ' whatsapp:+1 ', allowed_origins: 'https://a.example\n https://b.example',
      theme: '{bad', tools: '[{"name": "x"}]', require_identity: true, port: 'eighty' });
    expect(config).toEqual({ provider: 'twilio', from: 'whatsapp:+1', allowed_origins: ['https://a.example', 'https://b.example'],
      tools: [{ name: 'x' }], require_identity: true });
    expect(errors.map((e) => e.field).sort()).toEqual(['config.port', 'config.theme']);
  });

  it('sends null for a cleared field only when patching one that was set', () => {
    expect(toConfig(schema, { from: '' }, { forPatch: true, previous: { from: 'x' } }).config.from).toBeNull();
    expect('from' in toConfig(schema, { from: '' }, { forPatch: true, previous: {} }).config).toBe(false);
  });

  it('sends typed secrets and removals, never untouched ones', () => {
    expect(toSecrets({ auth_token: 'abc', account_sid: '', webhook_secret: null })).toEqual({ auth_token: 'abc', webhook_secret: null });
  });

  it('finds a field error by name, nested or indexed', () => {
    const error = { errors: [{ field: 'config.from', message: 'bad' }, { field: 'content[1]', message: 'x' }] };
    expect(errorFor(error, 'config.from')).toBe('bad');
    expect(errorFor(error, 'content')).toBe('x');
    expect(errorFor(error, 'config.fro')).toBeNull();
  });
});

describe('widget snippet', () => {
  it('escapes every option it writes into the tag', () => {
    expect(attr('"><script>')).toBe('&quot;&gt;&lt;script&gt;');
    const s = snippet('https://hub.example', 'pk_1', { title: 'A "b" <c>', welcome: '', position: 'left', locale: 'es' });
    expect(s).toBe('<script src="https://hub.example/widget.js" data-key="pk_1" data-title="A &quot;b&quot; &lt;c&gt;"'
      + ' data-position="left" data-locale="es" async></script>');
  });
});

describe('knowledge files', () => {
  it('parses CSV with quotes, commas and newlines in cells', () => {
    expect(parseCsv('q,a\n"Ship, when?","In 3 days.\nTracked."\r\nx;y\n')).toEqual([['q', 'a'],
      ['Ship, when?', 'In 3 days.\nTracked.'], ['x', 'y']]);
  });

  it('turns uploads into FAQ, markdown or text, PDF, Word and HTML into multipart uploads, refusing other files', () => {
    expect(fileToDocument('faq.csv', 'question,answer\nA?,B.\n')).toEqual({ title: 'faq', format: 'faq', content: [{ q: 'A?', a: 'B.' }] });
    expect(fileToDocument('f.json', '[{"q":"A?","a":"B."}]').format).toBe('faq');
    expect(fileToDocument('f.json', '{"x":1}').error).toBe('knowledge.jsonNotFaq');
    expect(fileToDocument('guide.md', '# Hi').format).toBe('markdown');
    expect(fileToDocument('Refunds.pdf', '')).toEqual({ title: 'Refunds', upload: true });
    expect(fileToDocument('guide.DOCX', '').upload).toBe(true);
    expect(fileToDocument('help.html', '').upload).toBe(true);
    expect(fileToDocument('logo.png', '').error).toBe('knowledge.unsupported');
  });
});

describe('assistant and hours', () => {
  it('round-trips mode prompts through their text form', () => {
    const prompts = { sales: 'Offer the premium plan.\nBe brief.', support: 'Be kind.' };
    expect(textToPrompts(promptsToText(prompts))).toEqual(prompts);
  });

  it('tells when the assistant answers without an LLM: retrieval, or auto on a hub without one', () => {
    const none = [{ name: 'auto', configured: true }, { name: 'retrieval', configured: true }, { name: 'openai', configured: false }];
    const openai = [{ name: 'auto', configured: true }, { name: 'openai', configured: true }];
    expect(answersWithoutLlm('retrieval', openai)).toBe(true);
    expect(answersWithoutLlm('auto', none)).toBe(true);
    expect(answersWithoutLlm('auto', openai)).toBe(false);
    expect(answersWithoutLlm('openai', none)).toBe(false);
  });

  it('round-trips model aliases through their text form, ignoring lines without an alias', () => {
    const aliases = { 'gpt-4o-mini': 'retrieval', 'support-bot': 'anthropic/claude-sonnet-4-5' };
    expect(textToAliases(aliasesToText(aliases))).toEqual(aliases);
    expect(textToAliases('  a = openai/gpt-4o \n= nothing\nno equals\n')).toEqual({ a: 'openai/gpt-4o' });
  });

  it('round-trips business hours', () => {
    const bh = { timezone: 'America/Bogota', days: { mon: ['09:00-13:00', '14:00-18:00'], sat: ['10:00-12:00'] } };
    expect(formToHours(hoursToForm(bh))).toEqual(bh);
    expect(formToHours({ ...hoursToForm(bh), enabled: false })).toBeNull();
  });
});

describe('plugins and channels', () => {
  it('orders versions as semantic versions', () => {
    expect(['2.0.0', '1.0.10', '1.0.9', '1.0.10-rc.1'].sort(compareVersions)).toEqual(['1.0.9', '1.0.10-rc.1', '1.0.10', '2.0.0']);
  });

  it('leaves the widget theme to its designer, not the connection form', () => {
    const ct = { type: 'webchat', config_schema: { type: 'object', properties: { allowed_origins: { type: 'array' }, theme: { type: 'object' } } } };
    expect(Object.keys(formSchema(ct).properties)).toEqual(['allowed_origins']);
    expect(Object.keys(formSchema({ ...ct, type: 'other' }).properties)).toEqual(['allowed_origins', 'theme']);
    // a save of the connection form then never sends theme (null would delete what the designer saved)
    expect('theme' in toConfig(formSchema(ct), { allowed_origins: 'https://a.example' }, { forPatch: true, previous: { theme: { mode: 'dark' } } }).config).toBe(false);
  });
});

describe('usage series', () => {
  it('keeps every day and every series, gaps as null', () => {
    const s = seriesOf([{ date: '2026-12-01', a: 1 }, { date: '2026-12-02', a: 2, b: 5 }], (d) => (d.b === undefined ? { a: d.a } : { a: d.a, b: d.b }));
    expect(s.x).toEqual([Date.UTC(2026, 11, 1) / 1000, Date.UTC(2026, 11, 2) / 1000]);
    expect(s.series).toEqual({ a: [1, 2], b: [null, 5] });
  });
});

describe('settings screens', async () => {
  const { setCsrfToken, setTenant } = await import('../src/api.js');
  const { setState } = await import('../src/store.js');
  const { Channels } = await import('../src/screens/settings/Channels.jsx');
  const { App } = await import('../src/ui/App.jsx');
  const { $, change, installEventSource, mockFetch, mount, need, session, submit, type, waitFor } = await import('./helpers.js');

  function signedIn(role) {
    setTenant('ten_1');
    setCsrfToken('csrf-123');
    setState({ session: session({ memberships: [{ tenant_id: 'ten_1', tenant_name: 'Acme', role }] }), tenantId: 'ten_1' });
  }

  it('an agent sees no settings', async () => {
    signedIn('agent');
    installEventSource();
    const calls = mockFetch([
      ['GET', '/v1/me', { body: session({ memberships: [{ tenant_id: 'ten_1', tenant_name: 'Acme', role: 'agent' }] }) }],
      ['GET', /./, { body: { data: [] } }],
    ]);
    window.location.hash = '#/settings/channels';
    const c = await mount(<App />);
    await waitFor(() => need(c, 'settings-forbidden'));
    expect($(c, 'nav-settings')).toBeNull();
    expect($(c, 'nav-usage')).toBeNull();
    expect(calls.filter((x) => /^\/v1\/(channel-types|channels\/)/.test(x.url))).toEqual([]);
  });

  it('shows the hub\'s field error beside its field, keeps what was typed, and never echoes a secret', async () => {
    signedIn('admin');
    const types = { data: [{ type: 'whatsapp', built_in: true, required_secrets: [], optional_secrets: ['auth_token'],
      config_schema: { type: 'object', required: ['provider'], properties: { provider: { type: 'string', enum: ['twilio', 'meta'] },
        from: { type: 'string', description: 'the sender' } } } }] };
    const calls = mockFetch([
      ['GET', '/v1/channel-types', { body: types }],
      ['POST', '/v1/channels', { status: 400, body: { type: 'urn:clawless:problem:validation', title: 'Invalid request',
        status: 400, detail: 'the request has invalid fields', errors: [{ field: 'config.from', message: 'must match the pattern' }] } }],
    ]);
    const c = await mount(<Channels id="new" query={{ type: 'whatsapp' }} />);
    await waitFor(() => need(c, 'channel-form'));
    await type(need(c, 'channel-config-from'), '+57');
    await type(need(c, 'channel-secret-auth_token'), 'tok-0123456789abcdef');
    await change(need(c, 'channel-config-provider'), 'twilio');
    await submit(need(c, 'channel-form'));
    await waitFor(() => need(c, 'channel-config-from').getAttribute('aria-invalid') === 'true');
    const from = need(c, 'channel-config-from');
    expect(c.querySelector(`#${from.id}-err`).textContent).toBe('must match the pattern');
    expect(from.value).toBe('+57');
    const sent = calls.find((x) => x.method === 'POST');
    expect(sent.body).toEqual({ type: 'whatsapp', name: 'WhatsApp', config: { provider: 'twilio', from: '+57' },
      secrets: { auth_token: 'tok-0123456789abcdef' } });
    expect($(c, 'channel-secret-auth_token').getAttribute('type')).toBe('password');
  });
});
