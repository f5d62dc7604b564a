// The widget's styles, inside its shadow root only. Colours are CSS variables (theme option, dark mode).
export const CSS = `
:host{all:initial;--cl-accent:#2563eb;--cl-on-accent:#fff;--cl-bg:#fff;--cl-fg:#111827;--cl-muted:#6b7280;
--cl-bubble:#f3f4f6;--cl-border:#e5e7eb;--cl-radius:14px}
:host([data-theme=dark]){--cl-bg:#111827;--cl-fg:#f9fafb;--cl-muted:#9ca3af;--cl-bubble:#1f2937;--cl-border:#374151}
@media (prefers-color-scheme:dark){:host([data-theme=auto]){--cl-bg:#111827;--cl-fg:#f9fafb;--cl-muted:#9ca3af;--cl-bubble:#1f2937;--cl-border:#374151}}
*{box-sizing:border-box}
.root{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;position:fixed;bottom:20px;right:20px;z-index:2147483000;color:var(--cl-fg);display:flex;flex-direction:column;align-items:flex-end;gap:12px}
.root.left{right:auto;left:20px;align-items:flex-start}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid var(--cl-accent);outline-offset:2px}
.launcher{position:relative;width:56px;height:56px;border-radius:50%;border:0;background:var(--cl-accent);color:var(--cl-on-accent);
box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center;transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher svg{width:26px;height:26px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#dc2626;color:#fff;font-size:12px;line-height:20px;text-align:center}
.badge[hidden]{display:none}
.panel{width:370px;height:min(600px,calc(100vh - 110px));background:var(--cl-bg);border:1px solid var(--cl-border);border-radius:var(--cl-radius);
box-shadow:0 12px 40px rgba(0,0,0,.2);display:flex;flex-direction:column;overflow:hidden;animation:cl-in .18s ease-out}
.panel[hidden]{display:none}
@keyframes cl-in{from{opacity:0;transform:translateY(8px)}to{opacity:1;transform:none}}
header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--cl-accent);color:var(--cl-on-accent)}
header h2{flex:1;margin:0;font-size:15px;font-weight:600}
header button{background:transparent;border:0;color:inherit;font-size:22px;line-height:1;width:32px;height:32px;border-radius:8px}
.banner{padding:6px 12px;font-size:12px;background:#fef3c7;color:#92400e}
.banner.refused{background:#fee2e2;color:#991b1b}
.banner[hidden]{display:none}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;overscroll-behavior:contain}
.msg{max-width:82%;padding:8px 12px;border-radius:var(--cl-radius);background:var(--cl-bubble);word-wrap:break-word;overflow-wrap:anywhere}
.msg.user{align-self:flex-end;background:var(--cl-accent);color:var(--cl-on-accent)}
.msg.system{align-self:center;background:transparent;color:var(--cl-muted);font-size:12px}
.msg p{margin:0 0 6px}.msg p:last-child{margin:0}
.msg ul,.msg ol{margin:4px 0;padding-inline-start:20px}
.msg pre{margin:6px 0;padding:8px;border-radius:8px;background:rgba(0,0,0,.08);overflow-x:auto}
.msg code{font:12px ui-monospace,Menlo,Consolas,monospace}
.msg a{color:inherit}
.msg img{display:block;max-width:100%;max-height:200px;border-radius:8px;margin-top:6px}
.meta{display:block;margin-top:4px;font-size:11px;opacity:.7}
.typing{align-self:flex-start;padding:10px 14px;border-radius:var(--cl-radius);background:var(--cl-bubble)}
.typing[hidden]{display:none}
.typing span{display:inline-block;width:6px;height:6px;margin:0 2px;border-radius:50%;background:var(--cl-muted);animation:cl-dot 1s infinite}
.typing span:nth-child(2){animation-delay:.15s}.typing span:nth-child(3){animation-delay:.3s}
@keyframes cl-dot{0%,60%,100%{opacity:.3}30%{opacity:1}}
.replies{display:flex;flex-wrap:wrap;gap:6px}
.replies button{border:1px solid var(--cl-accent);background:transparent;color:var(--cl-accent);border-radius:16px;padding:4px 12px}
form{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid var(--cl-border)}
textarea{flex:1;resize:none;max-height:120px;min-height:38px;padding:8px 10px;border:1px solid var(--cl-border);border-radius:10px;
background:var(--cl-bg);color:var(--cl-fg);font:inherit}
form button{border:0;border-radius:10px;background:var(--cl-accent);color:var(--cl-on-accent);padding:9px 14px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.root.open{inset:0}.root.open .panel{width:100vw;height:100vh;height:100dvh;border-radius:0;border:0}.root.open .launcher{display:none}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
`;
