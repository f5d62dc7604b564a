// The widget's DOM, inside a shadow root: launcher with unread badge, panel with header, message log (a live
// region), typing indicator, quick replies and an auto-growing input. Untrusted text only becomes text nodes.
import { markdown } from './markdown.js';
import { CSS } from './styles.js';

const ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

function h(doc, tag, attrs = {}, ...children) {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  children.forEach((c) => c && e.appendChild(c));
  return e;
}

export function createUi(doc, { t, locale, rtl, position, theme, title, placeholder, onSend, onToggle, onReply }) {
  // an element of its own, styled inline with !important, so page CSS (div { … }) cannot move or hide it
  const host = h(doc, 'clawless-widget', { 'data-clawless': '' });
  host.style.cssText = 'all:initial!important;display:block!important;position:static!important;'
    + 'transform:none!important;filter:none!important;contain:none!important;visibility:visible!important';
  const root = host.attachShadow({ mode: 'open' });
  const style = h(doc, 'style');
  style.textContent = CSS;
  const launcher = h(doc, 'button', { class: 'launcher', type: 'button', 'aria-label': t('launcher'),
    'aria-expanded': 'false', 'aria-controls': 'cl-panel', onclick: () => onToggle() });
  launcher.insertAdjacentHTML('afterbegin', ICON); // a constant, never untrusted text
  const badge = h(doc, 'span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
  launcher.appendChild(badge);
  const unreadLabel = h(doc, 'span', { class: 'sr', 'aria-live': 'polite' });
  const heading = h(doc, 'h2', { id: 'cl-title', text: title || t('title') });
  const close = h(doc, 'button', { type: 'button', 'aria-label': t('close'), text: '×', onclick: () => onToggle(false) });
  const banner = h(doc, 'div', { class: 'banner', role: 'status', hidden: true });
  const log = h(doc, 'div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
    'aria-labelledby': 'cl-title', tabindex: '0' });
  const typing = h(doc, 'div', { class: 'typing', hidden: true, role: 'status', 'aria-label': t('typing') },
    h(doc, 'span'), h(doc, 'span'), h(doc, 'span'));
  const replies = h(doc, 'div', { class: 'replies' });
  const input = h(doc, 'textarea', { rows: '1', 'aria-label': placeholder || t('placeholder'),
    placeholder: placeholder || t('placeholder'), maxlength: '4000' });
  const send = h(doc, 'button', { type: 'submit', text: t('send') });
  const form = h(doc, 'form', {}, input, send);
  const panel = h(doc, 'div', { class: 'panel', id: 'cl-panel', role: 'dialog', 'aria-modal': 'true',
    'aria-labelledby': 'cl-title', hidden: true },
  h(doc, 'header', {}, heading, close), banner, log, form);
  const box = h(doc, 'div', { class: `root${position === 'left' ? ' left' : ''}`, dir: rtl ? 'rtl' : 'ltr',
    lang: locale }, panel, launcher, unreadLabel);
  root.append(style, box);
  applyTheme(theme);

  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
  };
  const submit = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    grow();
    onSend(text);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  input.addEventListener('input', grow);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  // keyboard: Escape closes, Tab stays inside the open panel
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onToggle(false);
    } else if (e.key === 'Tab') {
      const items = [...panel.querySelectorAll('button,textarea,a[href],[tabindex="0"]')]
        .filter((x) => !x.disabled && x.offsetParent !== null);
      const first = items[0];
      const last = items[items.length - 1];
      const active = root.activeElement;
      if (e.shiftKey && (active === first || !panel.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && active === last) {
        e.preventDefault();
        first.focus();
      }
    }
  });

  function applyTheme(th) {
    const o = typeof th === 'object' && th ? th : {};
    host.setAttribute('data-theme', typeof th === 'string' ? th : o.mode || 'light');
    const vars = { accent: '--cl-accent', accent_text: '--cl-on-accent', background: '--cl-bg', text: '--cl-fg',
      bubble: '--cl-bubble', border: '--cl-border', radius: '--cl-radius' };
    for (const [k, v] of Object.entries(vars)) {
      const value = o[k] ?? o[k.replace('_t', 'T')];
      if (typeof value === 'string' && /^[#\w(),.%\s-]{1,40}$/.test(value)) box.style.setProperty(v, value);
    }
  }

  let clock = null;
  const time = (iso) => {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return '';
    clock = clock || new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
    return clock.format(when);
  };

  function bubble(m, draft) {
    const role = m.role === 'user' ? 'user' : m.role === 'system' ? 'system' : 'assistant';
    // a reply being streamed is hidden from screen readers; the finished message is announced once
    const e = h(doc, 'div', { class: `msg ${role}`, 'data-id': m.id, 'aria-hidden': draft !== undefined ? 'true' : null });
    e.appendChild(markdown(doc, draft ?? m.text ?? ''));
    for (const a of m.attachments || []) {
      const url = /^https?:\/\//i.test(a.url || '') ? a.url : null;
      if (url && /^image\//.test(a.content_type || '')) {
        e.appendChild(h(doc, 'a', { href: url, target: '_blank', rel: 'noopener noreferrer' },
          h(doc, 'img', { src: url, alt: a.file_name || t('attachment'), loading: 'lazy' })));
      } else if (url) {
        e.appendChild(h(doc, 'a', { href: url, target: '_blank', rel: 'noopener noreferrer',
          text: a.file_name || t('attachment') }));
      }
    }
    if (draft === undefined && m.created_at) {
      const note = m.status === 'queued' ? ` · ${t('queued')}` : m.status === 'failed' ? ' · ✕' : '';
      e.appendChild(h(doc, 'time', { class: 'meta', datetime: m.created_at, text: time(m.created_at) + note }));
    }
    return e;
  }

  const nodes = new Map(); // key → {node, sig}
  let repliesFor = null;

  return {
    host,
    root,
    input,
    /** Brings the log in line with the state, touching only what changed (a streamed reply: one bubble). */
    render(state) {
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      const items = state.messages.map((m) => ({ key: m.client_message_id || m.id, m,
        sig: [m.id, m.role, m.text, m.status, m.created_at, (m.attachments || []).length].join('\u0000') }));
      for (const [id, text] of Object.entries(state.drafts)) {
        items.push({ key: `draft-${id}`, m: { id: `draft-${id}`, role: 'assistant' }, draft: text, sig: text });
      }
      const keys = new Set(items.map((i) => i.key));
      for (const [key, entry] of nodes) {
        if (!keys.has(key)) {
          entry.node.remove();
          nodes.delete(key);
        }
      }
      let prev = null;
      let added = false;
      for (const item of items) {
        let entry = nodes.get(item.key);
        if (!entry || entry.sig !== item.sig) {
          const node = bubble(item.m, item.draft);
          if (entry) entry.node.replaceWith(node);
          else added = added || item.m.role === 'user';
          entry = { node, sig: item.sig };
          nodes.set(item.key, entry);
        }
        const next = prev ? prev.nextSibling : log.firstChild;
        if (entry.node !== next) log.insertBefore(entry.node, next);
        prev = entry.node;
      }
      if (replies.previousSibling !== typing || log.lastChild !== replies) log.append(typing, replies);
      const last = state.messages[state.messages.length - 1];
      const lastKey = last ? `${last.id}\u0000${last.role}` : '';
      if (lastKey !== repliesFor) {
        repliesFor = lastKey;
        replies.textContent = '';
        if (last && last.role !== 'user' && Array.isArray(last.quick_replies)) {
          for (const q of last.quick_replies.slice(0, 10)) {
            const label = typeof q === 'string' ? q : q && q.title;
            if (label) replies.appendChild(h(doc, 'button', { type: 'button', text: label,
              onclick: () => onReply(typeof q === 'string' ? q : q.payload || q.title) }));
          }
        }
      }
      typing.hidden = !state.typing;
      if (atBottom || added) log.scrollTop = log.scrollHeight;
      badge.hidden = !state.unread || state.open;
      badge.textContent = state.unread > 9 ? '9+' : String(state.unread);
      unreadLabel.textContent = state.unread && !state.open ? `${state.unread} ${t('unread')}` : '';
      const refused = state.status === 'refused';
      banner.hidden = state.status === 'online' || state.status === 'connecting';
      banner.className = `banner${refused ? ' refused' : ''}`;
      banner.textContent = refused ? t('refused') : state.outbox.length ? t('offline') : t('reconnecting');
      input.disabled = refused;
      send.disabled = refused;
    },
    setOpen(open, focus) {
      panel.hidden = !open;
      box.classList.toggle('open', open);
      launcher.setAttribute('aria-expanded', String(open));
      if (open) log.scrollTop = log.scrollHeight;
      if (open && focus) input.focus();
      else if (!open && focus) launcher.focus();
    },
    applyTheme,
  };
}
