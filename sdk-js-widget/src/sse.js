// A server-sent events parser for fetch() streams (EventSource cannot send Authorization or a chosen Last-Event-ID).

/** Feeds text chunks; calls onEvent({id, event, data}) for each complete event. */
export function sseParser(onEvent) {
  let buffer = '';
  let id = null;
  let event = '';
  let data = [];
  const line = (l) => {
    if (l === '') {
      if (data.length) onEvent({ id, event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    if (l[0] === ':') return;
    const i = l.indexOf(':');
    const field = i < 0 ? l : l.slice(0, i);
    let value = i < 0 ? '' : l.slice(i + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  return (chunk) => {
    buffer += chunk;
    let n;
    while ((n = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const eol = buffer[n] === '\r' && buffer[n + 1] === '\n' ? 2 : 1;
      line(buffer.slice(0, n));
      buffer = buffer.slice(n + eol);
    }
  };
}
