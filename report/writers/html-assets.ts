/** The HTML report's stylesheet and script, inlined so the page needs nothing else. */
export const REPORT_CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --dim: #656d76; --line: #d0d7de; --panel: #f6f8fa;
  --passed: #1a7f37; --failed: #cf222e; --warned: #9a6700; --skipped: #656d76; --not-applicable: #656d76; --not-run: #8250df; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --dim: #8d96a0; --line: #30363d; --panel: #161b22; } }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { padding: 12px 20px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--bg); z-index: 1; }
h1 { font-size: 20px; margin: 0 0 4px; }
.run, .dur, .suite, .seq, .times, .tags { color: var(--dim); }
main { padding: 12px 20px; }
details.case { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.case > summary { padding: 6px 10px; cursor: pointer; }
details.case.failed { border-left: 4px solid var(--failed); }
details.case.warned { border-left: 4px solid var(--warned); }
.body { padding: 4px 14px 12px; border-top: 1px solid var(--line); }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; background: none; color: var(--fg); cursor: default; }
button.badge { cursor: pointer; font: inherit; font-size: 12px; }
button.badge[aria-pressed="true"] { background: var(--panel); font-weight: 600; }
.badge.passed { color: var(--passed); } .badge.failed { color: var(--failed); } .badge.warned { color: var(--warned); }
.badge.skipped, .badge.not-applicable { color: var(--skipped); } .badge.not-run { color: var(--not-run); }
.tag { font-size: 11px; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; color: var(--dim); }
.title { font-weight: 600; }
.message { font-weight: 600; white-space: pre-wrap; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; overflow: auto; max-height: 420px; font-size: 12px; white-space: pre-wrap; word-break: break-all; }
figure.diagram { margin: 10px 0; overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; color: #27272a; }
figure.diagram svg { max-width: none; height: auto; }
figcaption { font-size: 12px; color: #656d76; }
details.call { margin: 2px 0; font-size: 13px; }
details.call > summary { cursor: pointer; font-family: ui-monospace, monospace; font-size: 12px; }
details.call.bad > summary .status { color: var(--failed); font-weight: 600; }
.fault { color: var(--warned); font-weight: 600; }
.exchange { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
@media (max-width: 900px) { .exchange { grid-template-columns: 1fr; } }
h3 { font-size: 14px; margin: 12px 0 4px; } h4 { font-size: 12px; margin: 6px 0 2px; }
input[type=search] { font: inherit; padding: 2px 6px; min-width: 240px; }
.hidden { display: none; }
`;

export const REPORT_JS = `
(function () {
  var outcome = '';
  var box = document.getElementById('filter');
  var cases = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  var buttons = Array.prototype.slice.call(document.querySelectorAll('button[data-filter]'));
  function apply() {
    var text = box ? box.value.trim().toLowerCase() : '';
    cases.forEach(function (c) {
      var show = (!outcome || c.getAttribute('data-outcome') === outcome) &&
        (!text || (c.getAttribute('data-text') || '').indexOf(text) >= 0);
      c.classList.toggle('hidden', !show);
    });
    buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === outcome && outcome !== '')); });
  }
  buttons.forEach(function (b) {
    b.addEventListener('click', function () { outcome = b.getAttribute('data-filter') || ''; apply(); });
  });
  if (box) box.addEventListener('input', apply);
  // A link to #case-... opens that case.
  function openHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') { el.open = true; el.scrollIntoView(); }
  }
  // Shared large bodies are copied into a request's <pre> when it first opens.
  var shared = document.getElementById('bodies');
  var bodies = shared ? JSON.parse(shared.textContent || '[]') : [];
  document.addEventListener('toggle', function (ev) {
    var d = ev.target;
    if (!d || !d.open || !d.querySelectorAll) return;
    Array.prototype.forEach.call(d.querySelectorAll(':scope > .exchange pre[data-body], :scope > pre[data-body]'), function (pre) {
      if (!pre.hasAttribute('data-filled')) { pre.textContent = bodies[Number(pre.getAttribute('data-body'))] || ''; pre.setAttribute('data-filled', ''); }
    });
  }, true);
  window.addEventListener('hashchange', openHash);
  openHash();
})();
`;
