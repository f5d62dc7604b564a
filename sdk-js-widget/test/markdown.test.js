import { describe, expect, it } from 'vitest';
import { markdown, safeUrl } from '../src/markdown.js';

const html = (text) => {
  const div = document.createElement('div');
  div.appendChild(markdown(document, text));
  return div.innerHTML;
};

describe('markdown-lite', () => {
  it('renders bold, italics, code, links and lists', () => {
    expect(html('**Hours**: *9-5*, `Mon-Fri`')).toBe('<p><strong>Hours</strong>: <em>9-5</em>, <code>Mon-Fri</code></p>');
    expect(html('- one\n- **two**')).toBe('<ul><li>one</li><li><strong>two</strong></li></ul>');
    expect(html('1. a\n2. b')).toBe('<ol><li>a</li><li>b</li></ol>');
    expect(html('see [docs](https://example.com/docs)')).toContain('<a href="https://example.com/docs" target="_blank" rel="noopener noreferrer nofollow">docs</a>');
    expect(html('```\nx < y\n```')).toBe('<pre><code>x &lt; y</code></pre>');
    expect(html('line one\nline two\n\nnext')).toBe('<p>line one<br>line two</p><p>next</p>');
    expect(html('go to https://example.com/a.')).toContain('<a href="https://example.com/a"');
  });

  it('never turns text into markup', () => {
    const evil = '<img src=x onerror=alert(1)> <script>alert(2)</script> **<b>x</b>**';
    const out = html(evil);
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const div = document.createElement('div');
    div.appendChild(markdown(document, evil));
    expect(div.querySelectorAll('img,script,b').length).toBe(0);
  });

  it('keeps only http(s) and mailto links', () => {
    expect(html('[click](javascript:alert(1))')).not.toContain('<a');
    expect(html('[click](javascript:void)')).toBe('<p>click</p>');
    expect(html('[x](data:text/html,hi)')).toBe('<p>x</p>');
    expect(safeUrl(' mailto:a@b.c ')).toBe('mailto:a@b.c');
    expect(safeUrl('vbscript:x')).toBeNull();
  });
});
