"""Run by the previous release's own python (tests/packaging/test_upgrade.py): write a store.

    python release_store.py DATA_DIR

Uses only that release's services: the demo users and fictional cases and records, one
password change, one verify. Prints, as JSON, what a user of that release would see:
the accounts, each case's records, the audit trail's length. Keep it working with the
release it runs under (0.1.0), not with the current code.
"""

import json
import sys
from pathlib import Path

from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, cases, demo, maintenance

NEW_PASSWORD = "copper kettle evening"  # fictional

paths = DataPaths(Path(sys.argv[1]))
demo.create_demo_store(paths, cases=3, records=12)
practitioner = accounts.sign_in(paths, username="demo.practitioner", password=demo.DEMO_PASSWORD)
accounts.change_password(practitioner, old_password=demo.DEMO_PASSWORD, new_password=NEW_PASSWORD)
practitioner.close()
store = accounts.sign_in(paths, username="demo.admin", password=demo.DEMO_PASSWORD)
try:
    users = sorted(
        [u.username, u.display_name, sorted(u.roles), str(u.status)]
        for u in accounts.list_users(store)
    )
    records = {
        c.case_reference: [e.record_id for e in cases.chronology(store, case_id=c.case_id)]
        for c in cases.list_cases(store)
    }
    checked = maintenance.verify(store)
finally:
    store.close()
print(
    json.dumps(
        {
            "users": users,
            "records": records,
            "audit_entries": checked.audit_entries,
            "verified": checked.ok,
            "new_password": NEW_PASSWORD,
        }
    )
)
