"""`elp report`: the study's figures as one self-contained HTML file (nl / fr / en).

Reads only the published snapshot (suppressed marts), so the report shows exactly what BI users
see. Each figure draws from one mart; a mart that is not (yet) published, or has no rows for
the figure, gives a clear "not available" panel instead of a chart.
"""

from __future__ import annotations

from elp_warehouse.report.figures import FIGURES
from elp_warehouse.report.i18n import number
from elp_warehouse.report.render import render_html, render_report
from elp_warehouse.report.snapshot import NotAvailableError

__all__ = ["FIGURES", "NotAvailableError", "number", "render_html", "render_report"]
