"""The one place that wires things together: command line, logging, the window.

`infoshare-desktop` with no command starts the application. Scripted commands:

    infoshare-desktop init    --data-dir D --user NAME --password-stdin
    infoshare-desktop verify  --data-dir D --user NAME --password-stdin
    infoshare-desktop backup  DEST --data-dir D --user NAME --password-stdin
    infoshare-desktop restore SRC  --data-dir D --user NAME --password-stdin
    infoshare-desktop demo    --data-dir D --cases N --records M

Heavy modules (Qt, the storage stack) are imported only by the command that needs them,
so the unlock dialog appears without waiting for SQLAlchemy.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path

from infoshare_desktop import APP_NAME, __version__
from infoshare_desktop.diagnostics import disable_core_dumps, safe_traceback, setup_logging
from infoshare_desktop.paths import DataPaths, resolve

log = logging.getLogger("infoshare")


def _read_password(args: argparse.Namespace, prompt: str = "Password: ") -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    return getpass.getpass(prompt)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        help="the data folder (default: $INFOSHARE_DATA_DIR, or the platform's user data folder)",
    )
    creds = argparse.ArgumentParser(add_help=False)
    creds.add_argument("--user", required=True, help="your user name")
    creds.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    parser = argparse.ArgumentParser(
        prog="infoshare-desktop",
        description=f"{APP_NAME}: record information-sharing decisions in safeguarding.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command")
    init = sub.add_parser(
        "init", parents=[common, creds], help="create a store and its administrator"
    )
    init.add_argument("--display-name", default="", help="the administrator's full name")
    verify = sub.add_parser(
        "verify", parents=[common, creds], help="check integrity, the audit trail and envelopes"
    )
    verify.add_argument(
        "--full",
        action="store_true",
        help="check everything again (every page, entry and saved item), not only what was "
        "added since this user's last clean verify",
    )
    backup = sub.add_parser("backup", parents=[common, creds], help="write a verified backup")
    backup.add_argument("dest", type=Path)
    restore = sub.add_parser("restore", parents=[common, creds], help="restore a backup")
    restore.add_argument("src", type=Path)
    demo = sub.add_parser("demo", parents=[common], help="create a store of fictional demo data")
    demo.add_argument("--cases", type=int, default=50)
    demo.add_argument("--records", type=int, default=400)
    return parser


def _run_command(args: argparse.Namespace, paths: DataPaths) -> int:
    from infoshare_desktop.services import accounts, maintenance
    from infoshare_desktop.services.errors import UserFacingError

    maintenance.clean_leftovers(paths)
    try:
        if args.command == "init":
            store = accounts.first_run(
                paths,
                username=args.user,
                display_name=args.display_name,
                password=_read_password(args),
            )
            store.close()
            print(f"Created a new store with administrator '{args.user}'.")
            return 0
        if args.command == "restore":
            password = _read_password(args)
            plan = maintenance.preview_restore(
                paths, src=args.src, username=args.user, password=password
            )
            store = maintenance.restore(paths, src=args.src, username=args.user, password=password)
            store.close()
            print("Restored the backup.\n" + "\n".join(plan.lines()))
            return 0
        if args.command == "demo":
            from infoshare_desktop.demo import RateReport, create_demo_store

            report = RateReport(print)
            print(create_demo_store(paths, cases=args.cases, records=args.records, progress=report))
            report.finish()
            return 0
        store = accounts.sign_in(paths, username=args.user, password=_read_password(args))
        try:
            if args.command == "verify":
                result = maintenance.verify(store, full=args.full)
                print("\n".join(result.lines()))
                return 0 if result.ok else 1
            if args.command == "backup":
                head = maintenance.backup(store, dest=args.dest)
                print(f"Backup written and verified (audit chain head {head}).")
                return 0
        finally:
            store.close()
    except UserFacingError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return 2
    return 2


def main(argv: list[str] | None = None) -> int:
    """The program. `argv` None is the real command line: the process is then made unable
    to dump core before any password is read (tests pass `argv` and keep their limits)."""
    if argv is None:
        disable_core_dumps()
    args = _parser().parse_args(argv)
    paths = resolve(args.data_dir)
    setup_logging(paths)
    if args.command:
        try:
            return _run_command(args, paths)
        except Exception as exc:
            log.error("unexpected error in command %s\n%s", args.command, safe_traceback(exc))
            print(
                f"{APP_NAME}: an unexpected error occurred ({type(exc).__name__}); "
                "nothing further was changed. Details without personal data are in the log.",
                file=sys.stderr,
            )
            return 3
    from infoshare_desktop.ui.application import run

    return run(paths)


if __name__ == "__main__":
    raise SystemExit(main())
