"""The Qt-free half of the data grid: the cells shown (converted off the UI thread), the per-cell
problem index, and the row order (filters, search, sorting).  ``booking_desktop.gui.grid_model``
adapts it to Qt; the review queue's grid reuses it over rejected rows (any :class:`TableSource`).
"""

from booking_desktop.grid.cells import (
    FILL_CHUNK_ROWS,
    FIRST_CHUNK_ROWS,
    GridData,
    build_grid_data,
    column_array,
    fill_column_cache,
    refresh_cells,
)
from booking_desktop.grid.columns import KEY_FIELD, column_title, numeric_columns
from booking_desktop.grid.problems import SEV_ERROR, SEV_NONE, SEV_WARNING, ProblemIndex, live_rows
from booking_desktop.grid.rows import RowFilter, filter_rows, next_problem_in, sort_keys, sorted_rows
from booking_desktop.grid.source import TableSource

__all__ = [
    "FILL_CHUNK_ROWS",
    "FIRST_CHUNK_ROWS",
    "KEY_FIELD",
    "SEV_ERROR",
    "SEV_NONE",
    "SEV_WARNING",
    "GridData",
    "ProblemIndex",
    "RowFilter",
    "TableSource",
    "build_grid_data",
    "column_array",
    "column_title",
    "fill_column_cache",
    "filter_rows",
    "live_rows",
    "next_problem_in",
    "numeric_columns",
    "refresh_cells",
    "sort_keys",
    "sorted_rows",
]
