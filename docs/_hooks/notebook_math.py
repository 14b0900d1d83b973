"""Undo the second HTML escape of display math in notebook Markdown cells.

With `markdown_cell_processor: mkdocs`, mkdocs-jupyter 0.27 renders each
Markdown cell inside an md_in_html block. pymdownx.arithmatex escapes a
`$$ ... $$` block once, and the block is escaped again on its way out, so
`a &< b` reaches the browser as the text `a &amp;&lt; b` and MathJax reports
"Misplaced &". Inline math and plain Markdown pages are escaped once and are
left alone.
"""

from __future__ import annotations

import re

DISPLAY_MATH = re.compile(r'(<div class="arithmatex">)(.*?)(</div>)', re.DOTALL)
DOUBLE_ESCAPE = re.compile(r"&amp;(lt|gt|amp|quot|#39);")
NOTEBOOK_SUFFIXES = (".py", ".ipynb")


def _unescape_once(match: re.Match) -> str:
    opening, body, closing = match.groups()
    return opening + DOUBLE_ESCAPE.sub(r"&\1;", body) + closing


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(NOTEBOOK_SUFFIXES):
        return html
    return DISPLAY_MATH.sub(_unescape_once, html)
