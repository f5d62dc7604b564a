// The reply box: Reply or Private note, Enter sends (Shift+Enter: new line), `/shortcut` opens the canned responses
// as a listbox (arrows move, Enter or Tab inserts, Escape closes), "typing…" at most every 3 s while replying.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, query } from '../api.js';
import { t } from '../i18n/index.js';
import { Problem, useId } from './common.jsx';

export const TYPING_INTERVAL_MS = 3000;
const MAX_SUGGESTIONS = 8;

/** The `/word` being typed just before the caret: {start, end, q}, or null. */
export function shortcutAt(text, caret) {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, end: caret, q: m[2] };
}

export function Composer({ conversationId, contactName, onSent }) {
  const [mode, setMode] = useState('reply');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [trigger, setTrigger] = useState(null);
  const [matches, setMatches] = useState([]);
  const [active, setActive] = useState(0);
  const area = useRef(null);
  const lastTyping = useRef(0);
  const lookup = useRef(0);
  const caretAfter = useRef(null);
  const listId = useId('canned');
  const base = `/v1/conversations/${encodeURIComponent(conversationId)}`;
  const open = trigger !== null && matches.length > 0;

  useEffect(() => {
    if (caretAfter.current !== null && area.current) {
      area.current.setSelectionRange?.(caretAfter.current, caretAfter.current);
      caretAfter.current = null;
    }
  }, [text]);

  const close = () => {
    lookup.current++;
    setTrigger(null);
    setMatches([]);
    setActive(0);
  };

  const findShortcuts = async (tr) => {
    const n = ++lookup.current;
    try {
      const res = await get(`/v1/canned-responses${query({ q: tr.q })}`);
      if (n !== lookup.current) return;
      const q = tr.q.toLowerCase();
      const list = ((res && res.data) || []).filter((c) => c && typeof c.text === 'string');
      // the hub's q may also match the text: shortcuts that start with what was typed come first
      list.sort((a, b) => Number(!String(a.shortcut || '').toLowerCase().startsWith(q))
        - Number(!String(b.shortcut || '').toLowerCase().startsWith(q)));
      setMatches(list.slice(0, MAX_SUGGESTIONS));
      setActive(0);
    } catch (e) {
      if (n === lookup.current) setMatches([]);
    }
  };

  const typing = () => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_INTERVAL_MS) return;
    lastTyping.current = now;
    post(`${base}/typing`).catch(() => {});
  };

  const onInput = (e) => {
    const el = e.currentTarget;
    const value = el.value;
    setText(value);
    setError(null);
    const caret = typeof el.selectionStart === 'number' ? el.selectionStart : value.length;
    const tr = shortcutAt(value, caret);
    if (tr) {
      setTrigger(tr);
      findShortcuts(tr);
    } else if (trigger) {
      close();
    }
    if (mode === 'reply' && value.trim()) typing();
  };

  const insert = (item) => {
    if (!trigger || !item) return;
    const next = text.slice(0, trigger.start) + item.text + text.slice(trigger.end);
    caretAfter.current = trigger.start + item.text.length;
    setText(next);
    close();
    area.current?.focus();
  };

  const send = async () => {
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(null);
    try {
      const kind = mode === 'note' ? 'note' : 'message';
      const created = await post(`${base}/${mode === 'note' ? 'notes' : 'messages'}`, { text: body });
      setText('');
      close();
      if (onSent) onSent(kind, created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e) => {
    if (open) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((active + 1) % matches.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((active - 1 + matches.length) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(matches[active]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        close();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      send();
    }
  };

  const optionId = (i) => `${listId}-${i}`;
  const isNote = mode === 'note';
  return (
    <form class={`composer ${isNote ? 'note-mode' : ''}`} data-test="composer"
      onSubmit={(e) => { e.preventDefault(); send(); }}>
      <fieldset class="segmented">
        <legend class="sr-only">{t('composer.kind')}</legend>
        <label class={!isNote ? 'on' : ''}>
          <input type="radio" name={`${listId}-kind`} value="reply" checked={!isNote} data-test="composer-mode-reply"
            onChange={() => { setMode('reply'); setError(null); }} />
          {t('composer.reply')}
        </label>
        <label class={isNote ? 'on' : ''}>
          <input type="radio" name={`${listId}-kind`} value="note" checked={isNote} data-test="composer-mode-note"
            onChange={() => { setMode('note'); setError(null); }} />
          {t('composer.note')}
        </label>
      </fieldset>
      <div class="composer-box">
        <label for={`${listId}-text`}>
          {isNote ? t('composer.noteLabel') : t('composer.replyLabel', { name: contactName || t('common.aContact') })}
        </label>
        <textarea id={`${listId}-text`} ref={area} rows={2} value={text} data-test="reply-box"
          aria-describedby={`${listId}-help`} aria-autocomplete="list"
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? optionId(active) : undefined}
          onInput={onInput} onKeyDown={onKeyDown} onBlur={() => setTimeout(close, 150)} />
        <p class="hint" id={`${listId}-help`}>{t('composer.help')}</p>
        {open && (
          <ul class="suggestions" role="listbox" id={listId} aria-label={t('composer.suggestions')}
            data-test="canned-list">
            {matches.map((m, i) => (
              <li key={m.id || m.shortcut} id={optionId(i)} role="option" aria-selected={i === active ? 'true' : 'false'}
                class={i === active ? 'active' : ''} data-test="canned-option"
                onMouseDown={(e) => { e.preventDefault(); insert(m); }}>
                <strong>/{m.shortcut}</strong> <span>{m.text}</span>
              </li>
            ))}
          </ul>
        )}
        <p class="sr-only" role="status">{open ? t('composer.suggestionCount', { count: matches.length }) : ''}</p>
      </div>
      <Problem error={error} test="composer-error" />
      <div class="composer-actions">
        <button type="submit" class="primary" disabled={busy || !text.trim()} data-test="send">
          {isNote ? t('composer.saveNote') : t('composer.send')}
        </button>
      </div>
    </form>
  );
}
