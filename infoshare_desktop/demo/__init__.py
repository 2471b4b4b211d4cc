"""A store of clearly fictional cases and records, for newcomers, screenshots and
benchmarks (`infoshare-desktop demo`, `make demo`).

demo.content says what the records say; demo.populate writes them through the same
row builders and repository functions as the application's own saves."""

from infoshare_desktop.demo.populate import (
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoResult,
    RateReport,
    create_demo_store,
    populate,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoResult",
    "RateReport",
    "create_demo_store",
    "populate",
]
