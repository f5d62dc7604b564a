// Bundles src/index.js into one minified dist/widget.js (an IIFE: the only global is Clawless) and enforces the
// size budget: at most 15 KB minified and gzipped.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const BUDGET = 15 * 1024;
const out = process.argv[2] || 'dist';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/index.js'], bundle: true, minify: true, format: 'iife', target: ['es2020'],
  outfile: `${out}/widget.js`, legalComments: 'none', banner: { js: '/* Clawless widget */' },
});
const code = readFileSync(`${out}/widget.js`);
const gz = gzipSync(code, { level: 9 }).length;
writeFileSync(`${out}/widget-size.json`, JSON.stringify({ minified: code.length, gzipped: gz, budget: BUDGET }));
console.log(`widget.js: ${code.length} bytes minified, ${gz} bytes gzipped (budget ${BUDGET})`);
if (gz > BUDGET) {
  console.error(`widget.js is over its size budget: ${gz} > ${BUDGET} bytes gzipped`);
  process.exit(1);
}
