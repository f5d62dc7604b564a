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
  const host = h(doc, 'div', { 'data-clawless': '' });
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

  function bubble(m, draft) {
    const role = m.role === 'user' ? 'user' : m.role === 'system' ? 'system' : 'assistant';
    const e = h(doc, 'div', { class: `msg ${role}`, 'data-id': m.id });
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
    if (!draft && m.created_at) {
      const when = new Date(m.created_at);
      const label = Number.isNaN(when.getTime()) ? '' : new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(when);
      e.appendChild(h(doc, 'time', { class: 'meta', datetime: m.created_at,
        text: label + (m.status === 'queued' ? ` · ${t('queued')}` : '') }));
    }
    return e;
  }

  return {
    host,
    root,
    input,
    /** Redraws the log from the state (small: at most a few hundred messages). */
    render(state) {
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      const nodes = state.messages.map((m) => bubble(m));
      for (const [id, text] of Object.entries(state.drafts)) nodes.push(bubble({ id: `draft-${id}`, role: 'assistant' }, text));
      const last = state.messages[state.messages.length - 1];
      replies.textContent = '';
      if (last && last.role !== 'user' && Array.isArray(last.quick_replies)) {
        for (const q of last.quick_replies.slice(0, 10)) {
          const label = typeof q === 'string' ? q : q.title;
          if (label) replies.appendChild(h(doc, 'button', { type: 'button', text: label,
            onclick: () => onReply(typeof q === 'string' ? q : q.payload || q.title) }));
        }
      }
      log.replaceChildren(...nodes, typing, replies);
      typing.hidden = !state.typing;
      if (atBottom || state.open) log.scrollTop = log.scrollHeight;
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
      if (open && focus) input.focus();
      else if (!open && focus) launcher.focus();
    },
    applyTheme,
  };
}
