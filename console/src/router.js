// Hash routing (#/inbox/cnv_…), so the hub serves a single index.html for the whole console.
import { useEffect, useState } from 'preact/hooks';

/** `#/inbox/cnv_1?x=y` → {screen: 'inbox', parts: ['inbox', 'cnv_1'], query: {x: 'y'}, hash}. */
export function parseHash(hash) {
  const raw = String(hash || '').replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) query[k] = v;
  }
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch (e) {
      return p;
    }
  });
  return { screen: parts[0] || '', parts, query, hash: `#/${raw}` };
}

export function currentRoute() {
  return parseHash(globalThis.location ? globalThis.location.hash : '');
}

export function navigate(hash) {
  if (globalThis.location.hash === hash) globalThis.dispatchEvent(new HashChangeEvent('hashchange'));
  else globalThis.location.hash = hash;
}

/** `#/inbox/<id>` with every segment encoded. */
export function href(...segments) {
  return `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    globalThis.addEventListener('hashchange', update);
    update();
    return () => globalThis.removeEventListener('hashchange', update);
  }, []);
  return route;
}
