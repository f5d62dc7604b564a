import { expect, it } from 'vitest';
import { sseParser } from '../src/sse.js';

it('parses events split across chunks, with ids, comments and CRLF', () => {
  const events = [];
  const feed = sseParser((e) => events.push(e));
  feed(': keep-alive\n\nid: 41\nevent: mess');
  feed('age\ndata: {"a":1}\n\nevent: delta\r\ndata: {"text":"he"}\r\n\r\n');
  feed('data: line1\ndata: line2\n\n');
  expect(events).toEqual([
    { id: '41', event: 'message', data: '{"a":1}' },
    { id: '41', event: 'delta', data: '{"text":"he"}' },
    { id: '41', event: 'message', data: 'line1\nline2' },
  ]);
});
