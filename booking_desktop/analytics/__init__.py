"""Analytics for managers (Qt-free): metric definitions, periods in a time zone, per-day rollups.

One definition serves the CLI (``report``), the GUI and the tests:

- :mod:`.periods`  day / ISO week (Monday) / month keys in a chosen IANA zone, zero-filled ranges;
- :mod:`.facts`    booking documents -> per-booking facts -> rollup rows (the unit every metric sums);
- :mod:`.rollup`   the rollup the commit engine maintains exactly once per booking change, its fold and
                   its rebuild from ``bookings``;
- :mod:`.metrics`  trends (bookings, cancellations + rate, nights, revenue per currency, ADR, lead time),
                   distributions (lead time, length of stay) and top N, from rollup rows;
- :mod:`.health`   vendor data quality and import health over ``imports`` / ``rejected_rows``, alerts.

See docs/ANALYTICS.md for the definitions and the trade-offs.
"""
