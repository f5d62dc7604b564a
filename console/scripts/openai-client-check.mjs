// Drives a running hub with the official `openai` Node client, as a developer would: the models list, a plain and a
// streamed completion with sampling fields and usage, the client's own tools (a plain and a streamed call, and the
// client's runTools helper running the function and continuing with its result), JSON replies (a json_schema reply
// parsed by the client, and one the model got wrong), n choices, and the errors the client must be able to read.
// Without an LLM the tool and JSON requests are refused, and the script records the errors. Prints one JSON object
// with what it saw; OpenAiClientServerTest (hub-server) starts the hub and checks it.
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

function described(e) {
  return { name: e.constructor.name, status: e.status, message: e.message, param: e.param ?? null, code: e.code ?? null };
}
async function failure(fn) {
  try {
    await fn();
    return { ok: true };
  } catch (e) {
    return described(e);
  }
}
// what fn answered, or the error the client raised
async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: described(e) };
  }
}

const model = process.env.MODEL || 'gpt-4o-mini';
const ask = [{ role: 'user', content: 'Weather in Paris?' }];
const weatherParameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const weather = { type: 'function',
  function: { name: 'get_weather', description: 'The weather in a city', parameters: weatherParameters } };

seen.toolCall = await attempt(async () => {
  const r = await client.chat.completions.create({ model, tools: [weather], tool_choice: 'auto', messages: ask });
  return { finish: r.choices[0].finish_reason, content: r.choices[0].message.content,
    calls: r.choices[0].message.tool_calls };
});
// the client's stream helper assembles delta.tool_calls into the final message
seen.toolStream = await attempt(async () => {
  const s = client.chat.completions.stream({ model, tools: [weather], messages: ask,
    stream_options: { include_usage: true } });
  const final = await s.finalChatCompletion();
  return { finish: final.choices[0].finish_reason, calls: final.choices[0].message.tool_calls, usage: final.usage };
});
// runTools calls the function the model asked for and sends its result back as a tool message
for (const stream of [false, true]) {
  seen[stream ? 'runToolsStream' : 'runTools'] = await attempt(async () => {
    const calledWith = [];
    const runner = client.chat.completions.runTools({ model, stream, messages: ask, tools: [{ type: 'function',
      function: { name: 'get_weather', parameters: weatherParameters, parse: JSON.parse,
        function: (args) => { calledWith.push(args); return { city: args.city, sky: 'sunny', celsius: 24 }; } } }] });
    const content = await runner.finalContent();
    return { content, calledWith, roles: runner.messages.map((m) => m.role) };
  });
}

const person = { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: { type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } }, required: ['name', 'age'],
  additionalProperties: false } } };
// parse() reads the JSON reply into message.parsed
seen.jsonSchema = await attempt(async () => {
  const r = await client.chat.completions.parse({ model, response_format: person,
    messages: [{ role: 'user', content: 'Ada, 36' }] });
  return { parsed: r.choices[0].message.parsed };
});
seen.jsonSchemaMismatch = await attempt(() => client.chat.completions.create({ model, response_format: person,
  messages: [{ role: 'user', content: 'Bob, old' }] }));
seen.choices = await attempt(async () => {
  const r = await client.chat.completions.create({ model, n: 2, messages: [{ role: 'user',
    content: 'How long does shipping take?' }] });
  return { count: r.choices.length, contents: r.choices.map((c) => c.message.content) };
});
const wrongKey = new OpenAI({ baseURL: process.env.HUB, apiKey: 'ck_live_key_nope_0000', maxRetries: 0 });
seen.wrongKey = await failure(() => wrongKey.models.list());
seen.logprobs = await failure(() => client.chat.completions.create({ model: 'default', logprobs: true,
  messages: [{ role: 'user', content: 'hi' }] }));
seen.unknownProvider = await failure(() => client.chat.completions.create({ model: 'nope/x',
  messages: [{ role: 'user', content: 'hi' }] }));
seen.missingModel = await failure(() => client.models.retrieve('nope'));
// the upstream provider rate-limits this one (the test's stub): the client reads a 429 and its Retry-After
for (const stream of [false, true]) {
  seen[stream ? 'rateLimitedStream' : 'rateLimited'] = await attempt(async () => {
    try {
      await client.chat.completions.create({ model, stream, messages: [{ role: 'user', content: 'RATE LIMIT ME' }] });
      return { ok: true };
    } catch (e) {
      return { error: { ...described(e), retryAfter: e.headers?.get('retry-after') ?? null, type: e.type ?? null } };
    }
  });
}

console.log(JSON.stringify(seen));
