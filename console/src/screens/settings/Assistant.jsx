// The assistant: provider and model, system prompt, default mode and mode prompts, tool approvals, and a playground
// that asks the tenant's assistant exactly as configured (POST /v1/chat/completions with the saved settings).
import { useState } from 'preact/hooks';
import { get, patch, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Status, useAsync, useSubmit } from '../../ui/common.jsx';
import { SettingsPage } from '../../ui/settings.jsx';

const APPROVALS = ['mutating', 'always', 'never'];

/** `sales: text` blocks (a line `## name` starts each) ⇄ the mode_prompts object. */
export function promptsToText(prompts) {
  return Object.entries(prompts || {}).map(([k, v]) => `## ${k}\n${v}`).join('\n\n');
}

export function textToPrompts(text) {
  const out = {};
  let name = null;
  let lines = [];
  const flush = () => {
    if (name) out[name] = lines.join('\n').trim();
  };
  for (const line of String(text || '').split('\n')) {
    const m = /^##\s+(\S+)\s*$/.exec(line);
    if (m) {
      flush();
      name = m[1];
      lines = [];
    } else {
      lines.push(line);
    }
  }
  flush();
  return out;
}

/** `alias = provider/model` lines ⇄ the model_aliases object. */
export function aliasesToText(aliases) {
  return Object.entries(aliases || {}).map(([k, v]) => `${k} = ${v}`).join('\n');
}

export function textToAliases(text) {
  const out = {};
  for (const line of String(text || '').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && line.slice(0, at).trim()) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** True when the chosen provider means the embedded retrieval assistant: chosen, or auto on a hub without an LLM. */
export function answersWithoutLlm(provider, providers) {
  if (provider === 'retrieval') return true;
  if (provider !== 'auto' || !providers) return false;
  return !providers.some((p) => ['openai', 'anthropic', 'ollama'].includes(p.name) && p.configured);
}

export function Assistant() {
  const tenant = useAsync(() => get('/v1/tenant'), []);
  const providers = useAsync(() => get('/v1/assistant/providers').catch(() => null), []);
  return (
    <SettingsPage section="assistant" title={t('settings.assistant')}>
      <Problem error={tenant.error} />
      {!tenant.data ? <Loading /> : (
        <AssistantForm settings={tenant.data.settings || {}} providers={(providers.data && providers.data.data) || null}
          onSaved={(tn) => tenant.setData(tn)} />
      )}
      {providers.data && <HubRouting rules={providers.data.routing || []} />}
      <Playground />
    </SettingsPage>
  );
}

function AssistantForm({ settings, providers, onSaved }) {
  const [form, setForm] = useState({
    provider: (settings.assistant && settings.assistant.provider) || 'auto',
    model: (settings.assistant && settings.assistant.model) || '',
    system_prompt: settings.system_prompt || '',
    mode: settings.mode || 'default',
    mode_prompts: promptsToText(settings.mode_prompts),
    approval_policy: settings.approval_policy || 'mutating',
    model_aliases: aliasesToText(settings.assistant && settings.assistant.model_aliases),
    thinking: settings.assistant && settings.assistant.thinking_budget_tokens != null
      ? String(settings.assistant.thinking_budget_tokens) : '',
  });
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const fe = (f) => error && error.fieldError && error.fieldError(f);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const list = providers || [{ name: 'auto', configured: true }, { name: 'retrieval', configured: true },
    { name: 'openai' }, { name: 'anthropic' }, { name: 'ollama' }];
  const chosen = list.find((p) => p.name === form.provider);
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const saved = await patch('/v1/tenant', { settings: {
        assistant: { provider: form.provider, model: form.model.trim() || null,
          model_aliases: textToAliases(form.model_aliases),
          thinking_budget_tokens: form.thinking.trim() === '' ? null : Number(form.thinking) },
        system_prompt: form.system_prompt, mode: form.mode.trim() || 'default',
        mode_prompts: textToPrompts(form.mode_prompts), approval_policy: form.approval_policy,
      } });
      onSaved(saved);
      setStatus(t('common.saved'));
    });
  };
  return (
    <form onSubmit={submit} class="panel" data-test="assistant-form" noValidate>
      <Field as="select" label={t('assistant.provider')} value={form.provider} onChange={set('provider')}
        test="assistant-provider" error={fe('settings.assistant.provider')}
        hint={chosen && chosen.configured === false ? t('assistant.notConfigured') : t('assistant.providerHint')}>
        {list.map((p) => (
          <option key={p.name} value={p.name}>
            {t(`provider.${p.name}`)}{p.configured === false ? ` (${t('assistant.notConfiguredShort')})` : ''}
          </option>
        ))}
      </Field>
      {answersWithoutLlm(form.provider, providers) && (
        <p class="hint" data-test="assistant-no-llm">{t('assistant.noLlm')}</p>
      )}
      {form.provider !== 'retrieval' && form.provider !== 'auto' && (
        <Field label={t('assistant.model')} value={form.model} onInput={set('model')} maxLength={200}
          test="assistant-model" error={fe('settings.assistant.model')}
          hint={chosen && chosen.default_model ? t('assistant.modelDefault', { model: chosen.default_model }) : undefined} />
      )}
      {form.provider === 'anthropic' && (
        <Field type="number" min="0" max="64000" label={t('assistant.thinking')} value={form.thinking}
          onInput={set('thinking')} test="assistant-thinking" error={fe('settings.assistant.thinking_budget_tokens')}
          hint={t('assistant.thinkingHint')} />
      )}
      <Field as="textarea" rows={3} label={t('assistant.modelAliases')} value={form.model_aliases}
        onInput={set('model_aliases')} test="assistant-model-aliases" error={fe('settings.assistant.model_aliases')}
        hint={t('assistant.modelAliasesHint')} />
      <Field as="textarea" rows={6} label={t('assistant.systemPrompt')} value={form.system_prompt}
        onInput={set('system_prompt')} maxLength={20000} test="assistant-system-prompt" error={fe('settings.system_prompt')}
        hint={t('assistant.systemPromptHint')} />
      <Field label={t('assistant.mode')} value={form.mode} onInput={set('mode')} maxLength={40} test="assistant-mode"
        error={fe('settings.mode')} hint={t('assistant.modeHint')} />
      <Field as="textarea" rows={6} label={t('assistant.modePrompts')} value={form.mode_prompts}
        onInput={set('mode_prompts')} test="assistant-mode-prompts" error={fe('settings.mode_prompts')}
        hint={t('assistant.modePromptsHint')} />
      <Field as="select" label={t('assistant.approvals')} value={form.approval_policy} onChange={set('approval_policy')}
        test="assistant-approvals" error={fe('settings.approval_policy')}>
        {APPROVALS.map((a) => <option key={a} value={a}>{t(`approval.${a}`)}</option>)}
      </Field>
      <p class="hint">{t('assistant.inboxHint')} <a href="#/settings/inbox">{t('settings.inbox')}</a></p>
      <Problem error={error} test="assistant-error" />
      <Status message={status} test="assistant-status" />
      <button type="submit" class="primary" disabled={busy} data-test="assistant-save">{t('common.save')}</button>
    </form>
  );
}

/** The operator's routing rules: read-only here, they are the hub's configuration. */
function HubRouting({ rules }) {
  return (
    <section class="panel" aria-labelledby="routing-rules-title" data-test="hub-routing">
      <h2 id="routing-rules-title">{t('assistant.routing')}</h2>
      <p class="hint">{t('assistant.routingHint')}</p>
      {!rules.length ? <p class="muted">{t('assistant.noRouting')}</p> : (
        <ul class="mono">{rules.map((r, i) => <li key={i}>{r.condition} → {r.target}</li>)}</ul>
      )}
    </section>
  );
}

/** Chats with the tenant's assistant as saved; nothing is stored in a conversation. */
function Playground() {
  const [messages, setMessages] = useState([]);
  const [text, setText] = useState('');
  const { busy, error, run } = useSubmit();
  const send = (e) => {
    e.preventDefault();
    const q = text.trim();
    if (!q) return;
    const next = [...messages, { role: 'user', content: q }];
    setMessages(next);
    setText('');
    run(async () => {
      const res = await post('/v1/chat/completions', { messages: next });
      const answer = res && res.choices && res.choices[0] && res.choices[0].message;
      setMessages([...next, { role: 'assistant', content: (answer && answer.content) || '', model: res && res.model }]);
    });
  };
  return (
    <section class="panel" aria-labelledby="playground-title" data-test="playground">
      <h2 id="playground-title">{t('assistant.playground')}</h2>
      <p class="hint">{t('assistant.playgroundHint')}</p>
      <ol class="playground-log" aria-live="polite" data-test="playground-log">
        {messages.map((m, i) => (
          <li key={i} class={`pg-${m.role}`} data-test={`playground-${m.role}`}>
            <span class="sr-only">{m.role === 'user' ? t('assistant.you') : t('assistant.answer')}: </span>{m.content}
            {m.model && <span class="muted mono"> · {m.model}</span>}
          </li>
        ))}
      </ol>
      <form onSubmit={send} class="inline-form" data-test="playground-form">
        <Field label={t('assistant.ask')} value={text} onInput={(e) => setText(e.currentTarget.value)} maxLength={4000}
          test="playground-input" />
        <button type="submit" class="primary" disabled={busy} data-test="playground-send">{t('assistant.send')}</button>
        <button type="button" onClick={() => setMessages([])} data-test="playground-clear">{t('assistant.clear')}</button>
      </form>
      <Problem error={error} test="playground-error" />
    </section>
  );
}
