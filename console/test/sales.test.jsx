import { describe, expect, it } from 'vitest';
import { Funnel } from '../src/screens/Usage.jsx';
import { mockFetch, mount, need, waitFor, $, $$ } from './helpers.js';

describe('sales funnel', () => {
  it('shows conversations → leads → qualified → moved to WhatsApp for the month, with each step\'s share', async () => {
    const calls = mockFetch([
      ['GET', '/v1/usage', { body: { period: '2026-12', funnel: { conversations: 40, leads: 20, qualified: 5, transferred: 2, pushed: 5 } } }],
    ]);
    const c = await mount(<Funnel month="2026-12" />);
    await waitFor(() => need(c, 'funnel'));
    expect(need(c, 'funnel-conversations').textContent).toContain('40');
    expect(need(c, 'funnel-leads').textContent).toContain('50 %');
    expect(need(c, 'funnel-qualified').textContent).toContain('25 %');
    expect(need(c, 'funnel-transferred').textContent).toContain('40 %');
    expect(need(c, 'funnel-pushed').textContent).toContain('5 sent to the CRM');
    expect(calls.some((x) => x.url.includes('period=2026-12'))).toBe(true);
  });

  it('stays hidden for a tenant without leads', async () => {
    mockFetch([['GET', '/v1/usage', { body: { period: '2026-12', funnel: { conversations: 3, leads: 0, qualified: 0, transferred: 0, pushed: 0 } } }]]);
    const c = await mount(<Funnel month="2026-12" />);
    await new Promise((r) => setTimeout(r, 50));
    expect($(c, 'funnel')).toBeNull();
  });
});

describe('sales settings', () => {
  it('starts from a starter form, saves it, shows the hub\'s errors by field and offers the tenant\'s WhatsApp connections', async () => {
    const { setCsrfToken, setTenant } = await import('../src/api.js');
    const { setState } = await import('../src/store.js');
    const { Sales, parsePoints, pointsText } = await import('../src/screens/settings/Sales.jsx');
    const { change, session, submit, type } = await import('./helpers.js');
    setTenant('ten_1');
    setCsrfToken('csrf-123');
    setState({ session: session({ memberships: [{ tenant_id: 'ten_1', tenant_name: 'Acme', role: 'admin' }] }), tenantId: 'ten_1' });
    expect(parsePoints('ecommerce=30\n\n app = 20 ')).toEqual({ ecommerce: 30, app: 20 });
    expect(pointsText({ ecommerce: 30 })).toBe('ecommerce=30');
    let reply = { status: 400, body: { type: 'urn:clawless:problem:validation', title: 'Invalid request', status: 400,
      detail: 'the request has invalid fields', errors: [{ field: 'fields[1].question', message: 'is required: what the assistant asks' }] } };
    const calls = mockFetch([
      ['GET', '/v1/sales/lead-form', { body: { form: null } }],
      ['GET', '/v1/channels', { body: { data: [{ id: 'chn_wa', type: 'whatsapp', name: 'WhatsApp ventas' }, { id: 'chn_tg', type: 'telegram' }] } }],
      ['PUT', '/v1/sales/lead-form', (call) => (typeof reply === 'function' ? reply(call) : reply)],
    ]);
    const c = await mount(<Sales />);
    await waitFor(() => need(c, 'lead-form'));
    expect(need(c, 'lead-form-starter')).toBeTruthy();
    expect($$(c, 'lead-field')).toHaveLength(3);
    const options = [...need(c, 'lead-whatsapp').options].map((o) => o.value);
    expect(options).toEqual(['', 'chn_wa']);
    await type($$(c, 'lead-field-question')[1], ' ');
    await change(need(c, 'lead-whatsapp'), 'chn_wa');
    await type(need(c, 'lead-intent-points'), 'ecommerce=30');
    await submit(need(c, 'lead-form'));
    await waitFor(() => expect(c.textContent).toContain('is required: what the assistant asks'));
    const sent = calls.find((x) => x.method === 'PUT');
    expect(sent.body.fields[1].question).toBe(' ');
    expect(sent.body.whatsapp.connection_id).toBe('chn_wa');
    expect(sent.body.intent_points).toEqual({ ecommerce: 30 });
    reply = ({ body }) => ({ body });
    await type($$(c, 'lead-field-question')[1], '¿Tu correo?');
    await submit(need(c, 'lead-form'));
    await waitFor(() => expect(need(c, 'lead-form-status').textContent).toContain('saved'));
  });
});
