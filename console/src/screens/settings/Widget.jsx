// The widget of a webchat connection: its appearance (saved in config.theme, which the hub hands to the widget), the
// options that go into the page's script tag, the snippet to paste, and a live preview drawn from the same values.
import { useState } from 'preact/hooks';
import { patch } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Problem, Status, useSubmit } from '../../ui/common.jsx';
import { CopyField } from '../../ui/settings.jsx';

const COLOR = /^#[0-9a-fA-F]{6}$/;

/** Escapes a value for a double-quoted HTML attribute of the snippet. */
export function attr(value) {
  return String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The script tag a site pastes, with the options that were set. */
export function snippet(base, key, opts) {
  const extra = [['title', opts.title], ['welcome', opts.welcome], ['position', opts.position !== 'right' && opts.position],
    ['locale', opts.locale]].filter(([, v]) => v).map(([k, v]) => ` data-${k}="${attr(v)}"`).join('');
  return `<script src="${attr(base)}/widget.js" data-key="${attr(key)}"${extra} async></script>`;
}

export function WidgetDesigner({ channel, onSaved }) {
  const theme = (channel.config && typeof channel.config.theme === 'object' && channel.config.theme) || {};
  const [look, setLook] = useState({
    mode: theme.mode || 'light', accent: COLOR.test(theme.accent || '') ? theme.accent : '#0f766e',
    accent_text: COLOR.test(theme.accent_text || '') ? theme.accent_text : '#ffffff',
  });
  const [opts, setOpts] = useState({ title: '', welcome: '', position: 'right', locale: '' });
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  // the hub's public address, as the platforms see it (webhook_url is built on it), else this page's
  const hook = typeof channel.webhook_url === 'string' ? channel.webhook_url : '';
  const base = hook.includes('/hooks/') ? hook.slice(0, hook.indexOf('/hooks/'))
    : (globalThis.location ? globalThis.location.origin : '');
  const save = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const saved = await patch(`/v1/channels/${encodeURIComponent(channel.id)}`,
        { config: { theme: { ...theme, ...look } } });
      onSaved(saved);
      setStatus(t('common.saved'));
    });
  };
  const setL = (k) => (e) => setLook({ ...look, [k]: e.currentTarget.value });
  const setO = (k) => (e) => setOpts({ ...opts, [k]: e.currentTarget.value });
  const origins = (channel.config && channel.config.allowed_origins) || [];
  return (
    <section class="panel" aria-labelledby="widget-title" data-test="widget-designer">
      <h2 id="widget-title">{t('widget.title')}</h2>
      <div class="widget-grid">
        <form onSubmit={save} data-test="widget-form">
          <Field as="select" label={t('widget.mode')} value={look.mode} onChange={setL('mode')} test="widget-mode">
            <option value="light">{t('widget.light')}</option>
            <option value="dark">{t('widget.dark')}</option>
            <option value="auto">{t('widget.auto')}</option>
          </Field>
          <Field type="color" label={t('widget.accent')} value={look.accent} onInput={setL('accent')} test="widget-accent" />
          <Field type="color" label={t('widget.accentText')} value={look.accent_text} onInput={setL('accent_text')}
            test="widget-accent-text" />
          <Problem error={error} test="widget-error" />
          <Status message={status} test="widget-status" />
          <button type="submit" class="primary" disabled={busy} data-test="widget-save">{t('widget.save')}</button>
          <h3 class="spaced">{t('widget.pageOptions')}</h3>
          <p class="hint">{t('widget.pageOptionsHint')}</p>
          <Field label={t('widget.heading')} value={opts.title} maxLength={80} onInput={setO('title')} test="widget-opt-title" />
          <Field label={t('widget.welcome')} value={opts.welcome} maxLength={300} onInput={setO('welcome')} test="widget-opt-welcome" />
          <Field as="select" label={t('widget.position')} value={opts.position} onChange={setO('position')} test="widget-opt-position">
            <option value="right">{t('widget.right')}</option>
            <option value="left">{t('widget.left')}</option>
          </Field>
          <Field as="select" label={t('widget.language')} value={opts.locale} onChange={setO('locale')} test="widget-opt-locale">
            <option value="">{t('widget.visitorLanguage')}</option>
            <option value="en">English</option><option value="es">Español</option><option value="pt">Português</option>
          </Field>
        </form>
        <WidgetPreview look={look} opts={opts} />
      </div>
      <CopyField label={t('widget.snippet')} value={snippet(base, channel.publishable_key, opts)} multiline
        test="widget-snippet" hint={origins.length ? t('widget.snippetHint', { origins: origins.join(', ') })
          : t('widget.noOrigins')} />
    </section>
  );
}

/** What a visitor will see: the panel and the launcher in the chosen colours (drawn here, nothing is opened). */
function WidgetPreview({ look, opts }) {
  const dark = look.mode === 'dark';
  const panel = { background: dark ? '#111827' : '#ffffff', color: dark ? '#f9fafb' : '#1f2937' };
  const accent = { background: look.accent, color: look.accent_text };
  return (
    <figure class={`widget-preview ${opts.position === 'left' ? 'left' : ''}`} data-test="widget-preview"
      aria-label={t('widget.preview')}>
      <figcaption>{t('widget.preview')}</figcaption>
      <div class="wp-panel" style={panel}>
        <div class="wp-header" style={accent} data-test="widget-preview-header">{opts.title || t('widget.defaultHeading')}</div>
        <div class="wp-body">
          <p class="wp-bubble bot">{opts.welcome || t('widget.defaultWelcome')}</p>
          <p class="wp-bubble me" style={accent}>{t('widget.sampleQuestion')}</p>
        </div>
        <div class="wp-input"><span>{t('widget.placeholder')}</span><span class="wp-send" style={accent}>➤</span></div>
      </div>
      <div class="wp-launcher" style={accent} aria-hidden="true">
        <svg viewBox="0 0 24 24" width="26" height="26" fill="currentColor" focusable="false">
          <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
        </svg>
      </div>
    </figure>
  );
}
