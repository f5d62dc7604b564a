import { afterEach, beforeEach, vi } from 'vitest';
import { setCsrfToken } from '../src/api.js';
import { setLocale } from '../src/i18n/index.js';
import { stopInboxStream } from '../src/live.js';
import { resetState } from '../src/store.js';
import { unmount } from './helpers.js';

beforeEach(() => {
  setLocale('en');
});

afterEach(async () => {
  await unmount();
  stopInboxStream();
  resetState();
  setCsrfToken(null);
  localStorage.clear();
  sessionStorage.clear();
  window.location.hash = '';
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
