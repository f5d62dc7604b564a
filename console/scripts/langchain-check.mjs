// Drives a running hub with LangChain JS (@langchain/openai), as a developer would with its defaults: ChatOpenAI with
// no model named (LangChain's default, gpt-3.5-turbo, a bare OpenAI name the hub resolves), invoke and stream, and an
// embeddings call. Prints one JSON object with what it saw; OpenAiClientServerTest (hub-server) checks it.
// Usage: HUB=http://localhost:8080/v1 KEY=ck_live_… node scripts/langchain-check.mjs
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';

const configuration = { baseURL: process.env.HUB };
const chat = new ChatOpenAI({ apiKey: process.env.KEY, configuration, maxRetries: 0 });
const seen = { model: chat.model };

const answer = await chat.invoke([['system', 'Be brief.'], ['human', 'How long does shipping take?']]);
seen.invoke = { content: answer.content, model: answer.response_metadata?.model_name ?? null,
  usage: answer.usage_metadata ?? null };

let streamed = '';
for await (const chunk of await chat.stream('How long does shipping take?')) {
  streamed += chunk.content;
}
seen.stream = streamed;

const embeddings = new OpenAIEmbeddings({ apiKey: process.env.KEY, configuration, maxRetries: 0 });
const [a, b] = await embeddings.embedDocuments(['How long does shipping take?', 'When will my order arrive?']);
seen.embeddings = { dimensions: a.length, related: a.reduce((s, x, i) => s + x * b[i], 0) };

console.log(JSON.stringify(seen));
