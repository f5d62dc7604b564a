// Markdown-lite to DOM nodes: paragraphs, line breaks, **bold**, *italics* / _italics_, `code`, ``` blocks,
// - and 1. lists, [links](https://…) and bare URLs. Text only ever becomes text nodes: no innerHTML, and links are
// limited to http(s) and mailto.

const SAFE = /^(https?:\/\/|mailto:)/i;

export function safeUrl(url) {
  return SAFE.test(url.trim()) ? url.trim() : null;
}

function el(doc, tag, text) {
  const e = doc.createElement(tag);
  if (text !== undefined) e.textContent = text;
  return e;
}

function link(doc, href, label) {
  const a = el(doc, 'a', label);
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer nofollow';
  return a;
}

const INLINE = /(`[^`\n]{1,500}`)|(\*\*[^*\n]{1,500}\*\*)|(\*[^*\s][^*\n]{0,500}\*|_[^_\s][^_\n]{0,500}_)|(\[[^\]\n]{1,300}\]\([^)\s]{1,2000}\))|(https?:\/\/[^\s<>()]{1,2000}[^\s<>().,;:!?'"])/; // bounded: linear on hostile text

/** Appends inline-formatted text to parent. */
export function inline(doc, parent, text) {
  let rest = text;
  let m;
  while (rest && (m = INLINE.exec(rest))) {
    if (m.index) parent.appendChild(doc.createTextNode(rest.slice(0, m.index)));
    const t = m[0];
    if (m[1]) parent.appendChild(el(doc, 'code', t.slice(1, -1)));
    else if (m[2]) inline(doc, parent.appendChild(el(doc, 'strong')), t.slice(2, -2));
    else if (m[3]) inline(doc, parent.appendChild(el(doc, 'em')), t.slice(1, -1));
    else if (m[4]) {
      const close = t.indexOf('](');
      const href = safeUrl(t.slice(close + 2, -1));
      const label = t.slice(1, close);
      parent.appendChild(href ? link(doc, href, label) : doc.createTextNode(label));
    } else parent.appendChild(link(doc, t, t));
    rest = rest.slice(m.index + t.length);
  }
  if (rest) parent.appendChild(doc.createTextNode(rest));
  return parent;
}

/** The text as a fragment of block elements. */
export function markdown(doc, text) {
  const out = doc.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const l = lines[i];
    if (/^```/.test(l)) {
      const code = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      i++;
      out.appendChild(el(doc, 'pre')).appendChild(el(doc, 'code', code.join('\n')));
      continue;
    }
    const bullet = /^\s*[-*•]\s+(.*)$/;
    const number = /^\s*\d+[.)]\s+(.*)$/;
    if (bullet.test(l) || number.test(l)) {
      const kind = bullet.test(l) ? bullet : number;
      const list = out.appendChild(el(doc, kind === bullet ? 'ul' : 'ol'));
      for (; i < lines.length && kind.test(lines[i]); i++) {
        inline(doc, list.appendChild(el(doc, 'li')), lines[i].match(kind)[1]);
      }
      continue;
    }
    if (!l.trim()) {
      i++;
      continue;
    }
    const p = out.appendChild(el(doc, 'p'));
    let first = true;
    for (; i < lines.length && lines[i].trim() && !/^```/.test(lines[i]) && !bullet.test(lines[i])
      && !number.test(lines[i]); i++) {
      if (!first) p.appendChild(el(doc, 'br'));
      inline(doc, p, lines[i]);
      first = false;
    }
  }
  return out;
}
