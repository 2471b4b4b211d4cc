"""Render sample pages of a case summary to packaging/screenshots/ (run on demand).

    .venv/bin/python tests/reports/make_sample_pages.py [--out DIR] [--pages N]

Builds the test suite's example case (tests/reports/conftest.py) in a throw-away store,
prints its summary with every section and signature block, and turns the first pages
into PNGs with pdftoppm (Debian's poppler-utils) at 70 dpi: case-summary-p1.png, ...
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from infoshare_desktop.paths import DataPaths  # noqa: E402
from infoshare_desktop.services import accounts, printing  # noqa: E402
from infoshare_desktop.store import keyslots as keystore  # noqa: E402
from tests.reports.conftest import make_printed_case  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "screenshots")
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 1
    keystore.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "data")
        store = accounts.first_run(
            paths, username="z.lead", display_name="Zofia Wiśniewska", password="plum orchard"
        )
        try:
            case = make_printed_case(paths, store)
            data = printing.build_case_summary(
                store,
                case_id=case.case_id,
                options=printing.SummaryOptions(signatures=tuple(printing.Signatory)),
            )
        finally:
            store.close()
        pdf = Path(tmp) / "summary.pdf"
        pdf.write_bytes(data)
        args.out.mkdir(parents=True, exist_ok=True)
        prefix = Path(tmp) / "page"
        subprocess.run(
            [pdftoppm, "-png", "-r", "70", "-l", str(args.pages), str(pdf), str(prefix)],
            check=True,
        )
        for number, png in enumerate(sorted(Path(tmp).glob("page-*.png")), start=1):
            target = args.out / f"case-summary-p{number}.png"
            shutil.copyfile(png, target)
            print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
