"""What each dashboard page shows: its tables and the plain data of its charts.

Tables feed both the HTML page and the CSV downloads, so a download is the table behind the
chart, cell for cell (the page shows one page of the longer tables, the CSV every row). Data
is read lazily, so a CSV download only runs the queries of its own table. One module per page;
base.py holds the tables, links and formatting they share.
"""

from .base import Cell, Table, dashboard_url
from .compare import Compare
from .debt import Debt
from .overview import Overview

# Every downloadable table: the page that builds it and the method that does.
CSV_TABLES = {
    "levels": (Overview, "levels_table"),
    "microsoft-levels": (Overview, "microsoft_levels_table"),
    "ranking": (Overview, "ranking_table"),
    "heatmap": (Overview, "heatmap_table"),
    "trends": (Overview, "trends_table"),
    "average": (Overview, "average_table"),
    "gaps": (Overview, "gaps_table"),
    "debt-age": (Debt, "age_table"),
    "debt-teams": (Debt, "teams_table"),
    "debt-capabilities": (Debt, "capabilities_table"),
    "debt-items": (Debt, "items_table"),
    "compare-summary": (Compare, "summary_table"),
    "compare-dimensions": (Compare, "dimensions_table"),
    "compare-capabilities": (Compare, "capabilities_table"),
    "compare-trends": (Compare, "trends_table"),
}


__all__ = ["CSV_TABLES", "Cell", "Compare", "Debt", "Overview", "Table", "dashboard_url"]
