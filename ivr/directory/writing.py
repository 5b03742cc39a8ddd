"""Writing the directory: YAML as admins read it, and a file replaced whole.

The importer and ``Directory.to_yaml`` write the live directory a running
IVR reloads; a half-written file would load as a broken directory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from ivr.directory.model import DirectoryEntry


def yaml_text(
    entries: Iterable[DirectoryEntry], header: str = "", team_map: Mapping[str, str] | None = None
) -> str:
    """The directory as admins edit it: the fields that say something, the header as
    comments, the top-level ``teams:`` map (team -> queue or entry) after the entries."""
    records: list[dict[str, Any]] = []
    for e in entries:
        record: dict[str, Any] = {"id": e.id, "kind": e.kind, "name": e.name}
        if e.kind == "person":
            record["rank"] = e.rank
            words = e.name.split()
            if e.surname != words[-1] or e.first_name != " ".join(words[:-1]):
                record["first_name"] = e.first_name
                record["surname"] = e.surname
        if e.team:
            record["team"] = e.team
        if e.aliases:
            record["aliases"] = list(e.aliases)
        if e.teams:
            record["teams"] = list(e.teams)
        record["extension"] = e.extension
        if e.hours:
            record["hours"] = e.hours
        records.append(record)
    body = yaml.safe_dump(
        {"entries": records},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=100,
    )
    if team_map:  # one team a line: admins scan and edit it like a list
        body += yaml.safe_dump(
            {"teams": dict(team_map)},
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )
    prefix = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return prefix + body


NEW_FILE_MODE = 0o640  # the IVR's group reads the directory; others do not


def replace_file(path: Path, text: str) -> None:
    """Replace ``path`` whole, keeping its mode (mkstemp's 0600 would lock the IVR out).

    A symlink is written through: its target is replaced and the link stays (a force
    that links routing_rules/directory.yaml to a managed copy keeps the link).
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
