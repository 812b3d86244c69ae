"""Look and feel: theme, CSS and the page script that makes citation markers clickable.

Fonts are system fonts only (the app runs offline, so no web-font downloads); colours follow
the UN blue. Gradio 6 takes theme and CSS at ``launch()``, hence :func:`launch_styling`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

UN_BLUE = "#009edb"

_FONTS = (
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Noto Sans CJK SC",
    "PingFang SC",
    "Microsoft YaHei",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
)
_MONO = ("ui-monospace", "SFMono-Regular", "Consolas", "monospace")

# Runs once when the sources panel loads. A click (or Enter) on any ``.cite-ref`` anywhere on
# the page, chat included, fires the panel's "cite" event with the turn and citation number.
CITE_BRIDGE_JS = """
window.__assistantCite = trigger;
if (!window.__assistantCiteBound) {
  window.__assistantCiteBound = true;
  const target = (e) => e.target && e.target.closest ? e.target.closest('.cite-link') : null;
  const num = (el, prefix) => {
    const token = Array.from(el.classList).find((c) => c.startsWith(prefix));
    return token ? Number(token.slice(prefix.length)) : -1;
  };
  const fire = (el) => {
    window.__assistantCite('cite', {turn: num(el, 'cite-t'), n: num(el, 'cite-n')});
  };
  document.addEventListener('click', (e) => {
    const el = target(e);
    if (el) { e.preventDefault(); e.stopPropagation(); fire(el); }
  }, true);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const el = target(e);
    if (el) { e.preventDefault(); fire(el); }
  }, true);
}
watch('value', () => {
  const card = element.querySelector('.source-card.selected');
  if (card) card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
});
"""

# Copies the selected answer as plain text with its sources. The clipboard API needs a secure
# context (localhost is one); elsewhere the older execCommand route is used.
COPY_JS = """
(text) => {
  if (!text) return [];
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text);
  } else {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.left = '-9999px';
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  }
  return [];
}
"""

CSS = f"""
.gradio-container {{ max-width: 1440px !important; margin: 0 auto !important; }}
#app-header {{ align-items: center; border-bottom: 3px solid {UN_BLUE}; padding-bottom: 6px; }}
#app-header h1 {{ margin: 0; font-size: 1.45rem; color: #1b3a57; }}
#app-header p {{ margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: .92rem; }}
#ui-language {{ max-width: 240px; margin-left: auto; }}
#chatbot .message {{ line-height: 1.65; }}
#question-row {{ align-items: stretch; }}
#send-button {{ min-width: 96px; }}
#chat-status p {{ color: #8a5300; margin: 0; }}
.cite-ref {{
  display: inline-block; font-size: .75em; line-height: 1.2; vertical-align: super;
  padding: 0 5px; margin: 0 1px; border-radius: 4px; font-weight: 600;
  color: #00629b; background: #e3f3fb; border: 1px solid #a9d8ee; cursor: pointer;
  user-select: none;
}}
.cite-ref:hover, .cite-ref:focus {{ background: {UN_BLUE}; color: #fff; outline: none; }}
.cite-pending {{ cursor: default; opacity: .65; }}
.cite-pending:hover {{ background: #e3f3fb; color: #00629b; }}
.refused-badge, .error-badge {{
  display: inline-block; padding: 2px 12px; border-radius: 999px; font-weight: 600;
  font-size: .88em;
}}
.refused-badge {{ color: #a4161a; background: #fdecea; border: 1px solid #f3b7b3; }}
.error-badge {{ color: #8a5300; background: #fff4e0; border: 1px solid #f0cf94; }}
.thinking {{ color: var(--body-text-color-subdued); font-style: italic; }}
.understood-as {{ font-size: .85rem; color: var(--body-text-color-subdued); margin-bottom: 4px; }}
.unsupported-claim {{ color: var(--body-text-color-subdued);
  text-decoration: underline dotted #c98a00; text-underline-offset: 3px; }}
.unsupported-mark {{ font-size: .72em; color: #8a5300; margin-left: 3px; white-space: nowrap; }}
#sources-panel {{ max-height: 680px; overflow-y: auto; padding-right: 4px; }}
.sources-empty {{
  color: var(--body-text-color-subdued); padding: 28px 18px; text-align: center;
  border: 1px dashed var(--border-color-primary); border-radius: 10px; font-size: .92rem;
}}
.src-heading {{ font-size: .85rem; color: var(--body-text-color-subdued); margin-bottom: 8px; }}
.src-heading q {{ color: var(--body-text-color); font-weight: 600; }}
.source-card {{
  border: 1px solid var(--border-color-primary); border-left: 4px solid #a9d8ee;
  border-radius: 8px; padding: 10px 12px; margin-bottom: 10px;
  background: var(--background-fill-primary); scroll-margin: 8px;
}}
.source-card.selected {{ border-left-color: {UN_BLUE}; box-shadow: 0 0 0 2px rgba(0,158,219,.22); }}
.source-card.focused {{ animation: card-flash 1.4s ease-out; }}
@keyframes card-flash {{
  from {{ background: #fff3c4; }}
  to {{ background: var(--background-fill-primary); }}
}}
.source-card header {{ font-size: .98rem; }}
.source-card header .cite-ref {{ vertical-align: baseline; font-size: .8em; }}
.src-title {{ font-weight: 600; color: #1b3a57; }}
.src-meta {{ font-size: .82rem; color: var(--body-text-color-subdued); margin: 3px 0 6px; }}
.src-symbol {{ font-family: {", ".join(_MONO)}; background: #eef2f6; padding: 0 4px;
  border-radius: 3px; color: #1b3a57; }}
.src-ocr {{ background: #fff3d6; color: #7a4b00; padding: 0 4px; border-radius: 3px; }}
.src-text {{ font-size: .9rem; line-height: 1.65; white-space: pre-wrap; overflow-wrap: anywhere;
  max-height: 300px; overflow-y: auto; }}
.src-text mark {{ background: #ffe98a; color: inherit; padding: 0 1px; border-radius: 2px; }}
.src-warning {{ font-size: .85rem; background: #fff8e6; border: 1px solid #f0d9a0;
  border-radius: 8px; padding: 6px 10px; margin-bottom: 10px; }}
.src-warning ul {{ margin: 4px 0 0 18px; }}
.src-footer {{ font-size: .75rem; color: var(--body-text-color-subdued); text-align: right; }}
.upload-report {{ list-style: none; padding-left: 0; }}
.upload-report li {{ margin: 2px 0; }}
.upload-failed {{ color: #a4161a; }}
#documents-table, #documents-table * {{ font-family: var(--font) !important; }}
#admin-note {{ background: #f6f8fa; border-radius: 8px; padding: 4px 12px; }}
footer {{ display: none !important; }}
"""


def build_theme() -> gr.themes.Base:
    return gr.themes.Default(
        primary_hue="sky",
        secondary_hue="slate",
        neutral_hue="slate",
        radius_size="md",
        font=_FONTS,
        font_mono=_MONO,
    )


def launch_styling() -> dict[str, Any]:
    """The ``launch()`` keyword arguments that style the app."""
    return {"theme": build_theme(), "css": CSS}
