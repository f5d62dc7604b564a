import { describe, expect, it } from 'vitest';
import { backoff, createStore } from '../src/state.js';

const memory = () => {
  const m = new Map();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v), m };
};

describe('state', () => {
  it('survives a reload: visitor, token, messages, outbox', () => {
    const storage = memory();
    const a = createStore('pk_1', storage);
    a.state.token = 'wst_x';
    a.state.expiresAt = new Date(Date.now() + 3600e3).toISOString();
    a.upsert({ id: 'm1', role: 'assistant', text: 'hi', created_at: '2026-01-01T00:00:00Z' });
    a.enqueue('queued while offline');
    const b = createStore('pk_1', storage);
    expect(b.state.visitorId).toBe(a.state.visitorId);
    expect(b.validToken()).toBe('wst_x');
    expect(b.state.messages.map((m) => m.text)).toEqual(['hi', 'queued while offline']);
    expect(b.state.outbox).toHaveLength(1);
    expect(createStore('pk_2', storage).state.visitorId).not.toBe(a.state.visitorId);
  });

  it('replaces a local echo with the hub copy and streams deltas into a draft', () => {
    const s = createStore('pk', memory());
    const item = s.enqueue('hello');
    expect(s.state.messages[0]).toMatchObject({ status: 'queued', local: true });
    s.sent(item, { id: 'msg_1', role: 'user', text: 'hello', created_at: '2026-01-01T00:00:01Z', status: 'received' });
    expect(s.state.outbox).toHaveLength(0);
    expect(s.state.messages).toHaveLength(1);
    expect(s.upsert({ id: 'msg_1', role: 'user', text: 'hello', created_at: '2026-01-01T00:00:01Z' })).toBe(false);
    s.state.typing = true;
    s.delta('msg_1', 'Open ');
    s.delta('msg_1', 'at 9.');
    expect(s.state.drafts.msg_1).toBe('Open at 9.');
    expect(s.state.typing).toBe(false);
    expect(s.upsert({ id: 'msg_2', role: 'assistant', text: 'Open at 9.', created_at: '2026-01-01T00:00:02Z' })).toBe(true);
    expect(s.state.drafts).toEqual({});
  });

  it('ignores a delta that arrives after the reply it belonged to', () => {
    const s = createStore('pk', memory());
    s.upsert({ id: 'msg_1', role: 'user', text: 'hours?', created_at: '2026-01-01T00:00:01Z' });
    s.delta('msg_1', 'Open ');
    s.upsert({ id: 'msg_2', role: 'assistant', text: 'Open at 9.', created_at: '2026-01-01T00:00:02Z' });
    s.delta('msg_1', 'at 9.'); // the last delta, late
    expect(s.state.drafts).toEqual({});
    s.upsert({ id: 'msg_3', role: 'user', text: 'and Sunday?', created_at: '2026-01-01T00:00:03Z' });
    s.delta('msg_3', 'Closed');
    expect(s.state.drafts).toEqual({ msg_3: 'Closed' });
  });

  it('treats an expiring token as gone and resets to a new visitor', () => {
    const s = createStore('pk', memory());
    s.state.token = 't';
    s.state.expiresAt = new Date(Date.now() + 30e3).toISOString();
    expect(s.validToken()).toBeNull();
    const before = s.state.visitorId;
    s.reset();
    expect(s.state.visitorId).not.toBe(before);
    expect(s.state.messages).toEqual([]);
  });

  it('backs off exponentially with jitter, capped at 30 s', () => {
    expect(backoff(0, () => 0.5)).toBe(500);
    expect(backoff(3, () => 0.5)).toBe(4000);
    expect(backoff(20, () => 0.5)).toBe(30000);
    expect(backoff(2, () => 0)).toBe(1000);
    expect(backoff(2, () => 0.999)).toBeLessThan(3000);
  });
});
