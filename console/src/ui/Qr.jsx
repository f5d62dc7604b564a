// A QR code drawn as SVG elements by Preact (the `qrcode` package computes the modules; nothing is parsed as HTML).
import { useMemo } from 'preact/hooks';
import QRCode from 'qrcode/lib/core/qrcode.js';

const QUIET = 4;

/** The SVG path of the dark modules of `text`'s QR code, and its size in modules (quiet zone included). */
export function qrPath(text) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (modules.data[y * n + x]) d += `M${x + QUIET} ${y + QUIET}h1v1h-1z`;
    }
  }
  return { d, size: n + QUIET * 2 };
}

export function Qr({ text, label, size = 200 }) {
  const { d, size: s } = useMemo(() => qrPath(text), [text]);
  return (
    <svg class="qr" role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${s} ${s}`}
      shape-rendering="crispEdges" data-test="totp-qr">
      <rect width={s} height={s} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
