import { expect, it } from 'vitest';

it('adds no global but Clawless', async () => {
  const before = new Set(Object.keys(window));
  const { default: Clawless } = await import('../src/index.js');
  const added = Object.keys(window).filter((k) => !before.has(k));
  expect(added).toEqual(['Clawless']);
  expect(window.Clawless).toBe(Clawless);
  expect(typeof Clawless.init).toBe('function');
  expect(() => Clawless.init({})).toThrow(/publishable key/);
  for (const m of ['open', 'close', 'toggle', 'send', 'identify', 'reset', 'on']) {
    expect(typeof Clawless[m]).toBe('function');
  }
});
