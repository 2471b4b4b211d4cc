"""Run by an installed copy's own python (not the checkout's): print one case summary.

    python print_summary.py DATA_DIR USER OUT.pdf   (the password on standard input)

Signs in, adds one fictional case with a few records (the demo generator), builds its
case summary to OUT.pdf and prints, as JSON, where the package and its resources were
loaded from and the case reference, so the test can check they came from the install.
"""

import json
import sys
from importlib.resources import files
from pathlib import Path

import infoshare_desktop
from infoshare_desktop import demo
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, cases, printing

data_dir, user, out = sys.argv[1:4]
store = accounts.sign_in(DataPaths(Path(data_dir)), username=user, password=input())
try:
    demo.populate(store, cases=1, records=4)
    (case,) = cases.list_cases(store)
    pdf = printing.build_case_summary(
        store, case_id=case.case_id, options=printing.SummaryOptions()
    )
finally:
    store.close()
Path(out).write_bytes(pdf)
print(
    json.dumps(
        {
            "package": infoshare_desktop.__file__,
            "resources": str(files("infoshare_desktop.resources")),
            "case_reference": case.case_reference,
        }
    )
)
