// The Clawless global: one script tag (data-key, optional data-* options) or Clawless.init({...}).
import { createWidget } from './widget.js';

const listeners = {};
let widget = null;

function emit(event, detail) {
  (listeners[event] || []).forEach((fn) => {
    try {
      fn(detail);
    } catch (e) { /* a host page's listener must not break the widget */ }
  });
}

const script = typeof document !== 'undefined' ? document.currentScript : null;

const Clawless = {
  version: '0.1.0',
  /** Starts the widget (once); options: key, baseUrl, user {id, hash, name, email}, theme, locale, position, welcome, placeholder, title. */
  init(options = {}) {
    if (widget) return Clawless;
    if (!options.key) throw new Error('Clawless.init needs the publishable key: {key: "pk_…"}');
    const baseUrl = options.baseUrl || (script && script.src ? new URL(script.src).origin : location.origin);
    widget = createWidget({ ...options, baseUrl }, emit);
    return Clawless;
  },
  open: () => widget?.open(),
  close: () => widget?.close(),
  toggle: () => widget?.toggle(),
  send: (text) => widget?.send(text),
  identify: (user) => widget?.identify(user),
  reset: () => widget?.reset(),
  /** Listens to ready, open, close, message, error; answers a function that stops listening. */
  on(event, fn) {
    (listeners[event] = listeners[event] || []).push(fn);
    return () => {
      listeners[event] = listeners[event].filter((f) => f !== fn);
    };
  },
  destroy() {
    widget?.destroy();
    widget = null;
  },
};

if (typeof window !== 'undefined') {
  const queued = window.Clawless && Array.isArray(window.Clawless.q) ? window.Clawless.q : [];
  window.Clawless = Clawless;
  queued.forEach(([method, ...args]) => Clawless[method]?.(...args));
  const d = script && script.dataset;
  if (d && d.key) {
    Clawless.init({ key: d.key, baseUrl: d.baseUrl, locale: d.locale, position: d.position, theme: d.theme,
      title: d.title, welcome: d.welcome, placeholder: d.placeholder });
  }
}

export default Clawless;
