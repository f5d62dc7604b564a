import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dictionaries, pickLocale, setLocale, t } from '../src/i18n/index.js';

const SRC = join(__dirname, '..', 'src');

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'i18n' ? [] : sources(p);
    return /\.(js|jsx)$/.test(f) ? [p] : [];
  });
}

const params = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  const en = dictionaries.en;

  it('es and pt have exactly the keys of en, none empty', () => {
    for (const lang of ['es', 'pt']) {
      const d = dictionaries[lang];
      expect(Object.keys(d).sort(), lang).toEqual(Object.keys(en).sort());
      for (const [k, v] of Object.entries(d)) expect(v.trim(), `${lang} ${k}`).not.toBe('');
    }
  });

  it('translations use the same parameters as English', () => {
    for (const lang of ['es', 'pt']) {
      for (const [k, v] of Object.entries(en)) expect(params(dictionaries[lang][k]), `${lang} ${k}`).toEqual(params(v));
    }
  });

  it('every key the code uses exists (template keys through their known values)', () => {
    const dynamic = {
      'attachment.': ['image', 'audio', 'video', 'file', 'location', 'sticker', 'other'],
      'delivery.': ['received', 'pending', 'sent', 'delivered', 'read', 'failed'],
      'presence.': ['online', 'away'],
      'role.': ['agent', 'admin', 'owner', 'contact', 'assistant', 'operator', 'system', 'tool'],
      'status.': ['bot', 'human', 'closed'],
      'tenantStatus.': ['active', 'suspended'],
      'adminNav.': ['tenants', 'marketplace', 'audit', 'system'],
      'approval.': ['mutating', 'always', 'never'],
      'day.': ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      'format.': ['markdown', 'text', 'faq'],
      'installStatus.': ['active', 'failed', 'disabled'],
      'keyStatus.': ['active', 'expired', 'revoked'],
      'plugins.': ['hosts', 'secrets', 'mutatingTools'],
      'provider.': ['auto', 'retrieval', 'openai', 'anthropic', 'ollama'],
      'quota.': ['messages_per_month', 'tokens_per_month', 'requests_per_minute'],
      'review.': ['added', 'removed'],
      'scope.': ['chat', 'conversations:read', 'conversations:write', 'channels:admin', 'plugins:admin', 'usage:read',
        'tenant:admin', 'keys:admin', 'knowledge:admin', 'webhooks:admin', 'members:admin'],
      'settings.': ['channels', 'assistant', 'inbox', 'replies', 'knowledge', 'intents', 'plugins', 'apiKeys', 'webhooks'],
      'versionStatus.': ['pending_review', 'approved', 'rejected'],
    };
    const missing = [];
    for (const file of sources(SRC)) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/\bt\('([^']+)'/g)) {
        const key = m[1];
        if (!(key in en) && !(`${key}_one` in en && `${key}_other` in en)) missing.push(`${file}: ${key}`);
      }
      for (const m of code.matchAll(/\bt\(`([a-zA-Z]+\.)\$\{/g)) {
        if (!dynamic[m[1]]) missing.push(`${file}: ${m[1]}\${…} has no known values`);
      }
    }
    for (const [prefix, values] of Object.entries(dynamic)) {
      for (const v of values) if (!(`${prefix}${v}` in en)) missing.push(`${prefix}${v}`);
    }
    expect(missing).toEqual([]);
  });

  it('interpolates parameters and plural forms', () => {
    setLocale('en');
    expect(t('notice.title', { name: 'Ana' })).toBe('Ana wants a person');
    expect(t('inbox.unread', { count: 1 })).toBe('unread message');
    expect(t('inbox.unread', { count: 3 })).toBe('unread messages');
    setLocale('es');
    expect(t('notice.title', { name: 'Ana' })).toBe('Ana quiere hablar con una persona');
    expect(document.documentElement.lang).toBe('es');
    setLocale('pt');
    expect(t('composer.suggestionCount', { count: 2 })).toBe('2 respostas prontas. Use as setas e Enter.');
  });

  it('picks the first language the console speaks', () => {
    expect(pickLocale(null, 'pt-BR')).toBe('pt');
    expect(pickLocale('es-419')).toBe('es');
    expect(pickLocale('fr', 'de')).toBe('en');
  });
});
