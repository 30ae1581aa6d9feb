"""One self-contained HTML file: plotly.js from the installed plotly package inlined once, every figure's
data inside, a print stylesheet. The page makes no network request, so it opens offline and keeps
working when mailed or moved."""

from __future__ import annotations

from pathlib import Path

import jinja2
from plotly.offline import get_plotlyjs

from clusterpath.report.content import Report
from clusterpath.report.figures import figure

STYLE = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #212529; max-width: 1100px; margin: 0 auto;
       padding: 1.5rem; line-height: 1.45; }
h1 { margin-bottom: .2rem; } .subtitle { color: #495057; margin-top: 0; }
.note { background: #fff3cd; border-left: 4px solid #e9c46a; padding: .4rem .8rem; margin: .4rem 0; }
nav ol { columns: 2; } section { margin-top: 2rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #dee2e6; padding: .25rem .6rem; }
th { background: #f1f3f5; text-align: left; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
footer { margin-top: 3rem; color: #6c757d; font-size: .85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; } nav { display: none; }
  section { break-before: page; } section:first-of-type { break-before: auto; }
  .figure, table, tr { break-inside: avoid; }
  @page { size: A4; margin: 15mm; }
}
"""

TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }}</title><style>{{ style }}</style>
<script>{{ plotlyjs | safe }}</script></head>
<body>
<header><h1>{{ report.title }}</h1><p class="subtitle">{{ report.subtitle }}</p>
{% for note in report.notes %}<p class="note">{{ note }}</p>{% endfor %}</header>
<nav><h2>Contents</h2><ol>
{% for s in report.sections %}<li><a href="#{{ s.key }}">{{ s.title }}</a></li>{% endfor %}
</ol></nav>
{% for s in sections %}<section id="{{ s.key }}"><h2>{{ s.title }}</h2><p>{{ s.text }}</p>
{% for f in s.figures %}<div class="figure">{{ f | safe }}</div>{% endfor %}
{% for t in s.tables %}<table><caption>{{ t.title }}</caption>
<thead><tr>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in t.rows %}<tr>{% for cell in row %}
<td{% if t.numeric[loop.index0] %} class="number"{% endif %}>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% endfor %}</section>
{% endfor %}
<footer>Made with clusterpath on {{ report.created }}. Figures are interactive: hover for values; the page
works offline.</footer>
</body></html>
""")


def render(report: Report) -> str:
    sections = []
    for section in report.sections:
        figures = [figure(chart).to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
                   for chart in section.charts]  # fmt: skip
        tables = [{"title": t.title, "columns": list(t.frame.columns), "rows": t.cells(),
                   "numeric": [t.frame[c].dtype.kind in "iuf" for c in t.frame.columns]} for t in section.tables]
        sections.append({"key": section.key, "title": section.title, "text": section.text, "figures": figures,
                         "tables": tables})
    return TEMPLATE.render(report=report, sections=sections, style=STYLE, plotlyjs=get_plotlyjs())


def write(report: Report, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path

