// Drives a running hub with the official `openai` Node client, as a developer would: the models list, a plain and a
// streamed completion with sampling fields and usage, and the errors the client must be able to read. Prints one JSON
// object with what it saw; OpenAiClientServerTest (hub-server) starts the hub and checks it.
// Usage: HUB=http://localhost:8080/v1 KEY=ck_live_… node scripts/openai-client-check.mjs
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.HUB, apiKey: process.env.KEY, maxRetries: 0 });
const seen = {};

const models = await client.models.list();
seen.models = models.data.map((m) => m.id);

const plain = await client.chat.completions.create({
  model: process.env.MODEL || 'gpt-4o-mini', temperature: 0.2, max_tokens: 50, stop: ['END'], seed: 7, user: 'u-1',
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'How long does shipping take?' }],
});
seen.plain = { model: plain.model, content: plain.choices[0].message.content, finish: plain.choices[0].finish_reason,
  usage: plain.usage };

const stream = await client.chat.completions.create({
  model: process.env.MODEL || 'gpt-4o-mini', stream: true, stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'How long does shipping take?' }],
});
let text = '';
let usage = null;
for await (const chunk of stream) {
  if (chunk.choices[0]?.delta?.content) text += chunk.choices[0].delta.content;
  if (chunk.usage) usage = chunk.usage;
}
seen.stream = { content: text, usage };

// the client asks for base64 vectors by default and decodes them
const emb = await client.embeddings.create({ model: 'text-embedding-3-small',
  input: ['How long does shipping take?', 'When will my order arrive?', 'Tell me a joke about cats'] });
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const [a, b, c] = emb.data.map((d) => d.embedding);
seen.embeddings = { model: emb.model, count: emb.data.length, dimensions: a.length,
  related: dot(a, b), unrelated: dot(a, c), tokens: emb.usage.prompt_tokens };

async function failure(fn) {
  try {
    await fn();
    return { ok: true };
  } catch (e) {
    return { name: e.constructor.name, status: e.status, message: e.message, param: e.param ?? null, code: e.code ?? null };
  }
}
const wrongKey = new OpenAI({ baseURL: process.env.HUB, apiKey: 'ck_live_key_nope_0000', maxRetries: 0 });
seen.wrongKey = await failure(() => wrongKey.models.list());
seen.tools = await failure(() => client.chat.completions.create({ model: 'default',
  messages: [{ role: 'user', content: 'hi' }],
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] }));
seen.unknownProvider = await failure(() => client.chat.completions.create({ model: 'nope/x',
  messages: [{ role: 'user', content: 'hi' }] }));
seen.missingModel = await failure(() => client.models.retrieve('nope'));

console.log(JSON.stringify(seen));
