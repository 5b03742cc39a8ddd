"""``ivr directory import FILE.csv``: replace the directory from a force's export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ivr.directory_import import import_csv
from ivr.routing.schedules_add import HolidayHours
from ivr.shipped import ROUTING_RULES

DEFAULT_DEST = ROUTING_RULES / "directory.yaml"
WARNINGS_SHOWN = 50  # every error is shown; warnings (written all the same) up to this


def add_subcommands(subparsers: Any) -> None:
    directory = subparsers.add_parser("directory", help="the directory of officers and departments")
    actions = directory.add_subparsers(dest="directory_command", required=True)
    importer = actions.add_parser(
        "import", help="validate a CSV export and write it as the directory (all or nothing)"
    )
    importer.add_argument(
        "csv",
        type=Path,
        help="the export: CSV with columns id,kind,name,rank,aliases,extension,hours,team"
        " (or a directory YAML); hours: a schedule name or e.g. 'Mon-Fri 09:00-17:00'",
    )
    importer.add_argument(
        "--to", type=Path, default=DEFAULT_DEST, help=f"directory YAML to write ({DEFAULT_DEST})"
    )
    importer.add_argument(
        "--schedules",
        type=Path,
        help="schedules.yaml the hours column names or adds to"
        " (default: the one beside --to, else the shipped one, its additions beside --to)",
    )
    importer.add_argument(
        "--bank-holidays",
        choices=[choice.value for choice in HolidayHours],
        default=HolidayHours.AUTO.value,
        help="what schedules added for literal hours do on bank holidays: auto (default):"
        " open (usual hours) if the hours include a weekend day, else closed; or closed, open",
    )
    importer.set_defaults(run=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    def progress(rows: int) -> None:
        if rows % 1000 == 0:
            print(f"  {rows} rows checked", file=sys.stderr, flush=True)

    report = import_csv(
        args.csv, args.to, progress, args.schedules, bank_holidays=HolidayHours(args.bank_holidays)
    )
    for error in report.errors:
        print(error, file=sys.stderr)
    for warning in report.warnings[:WARNINGS_SHOWN]:
        print(warning, file=sys.stderr)
    if len(report.warnings) > WARNINGS_SHOWN:
        print(f"... and {len(report.warnings) - WARNINGS_SHOWN} more warnings", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1
