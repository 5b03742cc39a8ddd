"""How far people agree on where a call should go: the ceiling a router is measured against.

.venv/bin/python bench/agreement.py dev_e dev_f

A set may carry ``labellers/<name>.tsv``: the same requests labelled again by people who
read only DOMAIN.md, the writers' policy and the set's directory and cases (never the
writer's labels, the intents or the router), one line per request:
``index <TAB> destination <TAB> also (comma-separated, or -) <TAB> sure|unsure``
(``index``: the request's place in requests.yaml, from 0).

Printed per set: each labeller scored as the router is (right = their destination is the
writer's ``expect`` or one of its ``also``), strict agreement between every two labels
(writer included), how many requests someone called an emergency and someone did not,
and the router's score on all requests and on those where every label agrees.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.heldout import route_text  # noqa: E402
from bench.heldout_sets import RequestSet, SetError, find_sets, load_set  # noqa: E402
from ivr.decisions import EMERGENCY, is_destination  # noqa: E402

WRITER = "writer"


@dataclass(frozen=True, slots=True)
class Label:
    destination: str
    also: frozenset[str]
    sure: bool

    @property
    def accepted(self) -> frozenset[str]:
        return self.also | {self.destination}


class LabelsError(ValueError):
    """A labeller's file that cannot be read as labels of its set."""


def read_labels(path: Path, size: int) -> list[Label]:
    """One Label per request of a set of ``size`` requests, in order."""
    labels: dict[int, Label] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        fields = line.split("\t")
        if len(fields) != 4:
            raise LabelsError(f"{where}: expected 4 tab-separated fields, got {len(fields)}")
        index_text, destination, also_text, sure = (f.strip() for f in fields)
        if not index_text.isdigit() or not 0 <= int(index_text) < size:
            raise LabelsError(f"{where}: index {index_text!r} is not 0..{size - 1}")
        also = frozenset() if also_text in ("", "-") else {a.strip() for a in also_text.split(",")}
        for d in (destination, *also):
            if not is_destination(d):
                raise LabelsError(f"{where}: {d!r} is not a destination")
        if sure not in ("sure", "unsure"):
            raise LabelsError(f"{where}: {sure!r} is neither sure nor unsure")
        if int(index_text) in labels:
            raise LabelsError(f"{where}: request {index_text} labelled twice")
        labels[int(index_text)] = Label(destination, frozenset(also), sure == "sure")
    missing = [i for i in range(size) if i not in labels]
    if missing:
        raise LabelsError(f"{path}: {len(missing)} requests unlabelled (first: {missing[0]})")
    return [labels[i] for i in range(size)]


def labellers_of(requests_set: RequestSet, folder: Path) -> dict[str, list[Label]]:
    """The writer's labels, then each labeller's (by file name)."""
    size = len(requests_set.requests)
    found = {WRITER: [Label(r.expect, frozenset(r.also), True) for r in requests_set.requests]}
    for path in sorted((folder / "labellers").glob("*.tsv")):
        found[path.stem] = read_labels(path, size)
    return found


def pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f} %)" if n else "-"


def report(requests_set: RequestSet, labels: dict[str, list[Label]]) -> list[str]:
    n = len(requests_set.requests)
    writer = labels[WRITER]
    lines = [f"### {requests_set.name} ({n} requests, {len(labels) - 1} labellers)", ""]
    lines += ["| who | right (scored as the router is) | unsure |", "|---|---|---|"]
    for name, own in labels.items():
        if name == WRITER:
            continue
        right = sum(lab.destination in w.accepted for lab, w in zip(own, writer, strict=True))
        unsure = sum(not lab.sure for lab in own)
        lines.append(f"| {name} | {pct(right, n)} | {unsure} |")
    scored = route_text(requests_set)
    router = sum(s.verdict.right for s in scored)
    agreed = [i for i in range(n) if len({lab[i].destination for lab in labels.values()}) == 1]
    router_agreed = sum(scored[i].verdict.right for i in agreed)
    lines.append(f"| the router (shipped engine) | {pct(router, n)} | |")
    lines += ["", "| pair | same destination |", "|---|---|"]
    for a, b in combinations(labels, 2):
        pairs = zip(labels[a], labels[b], strict=True)
        same = sum(x.destination == y.destination for x, y in pairs)
        lines.append(f"| {a} / {b} | {pct(same, n)} |")
    split = sum(
        len({lab[i].destination == EMERGENCY for lab in labels.values()}) == 2 for i in range(n)
    )
    lines += [
        "",
        f"every label the same: {pct(len(agreed), n)}; the router on those: "
        f"{pct(router_agreed, len(agreed))}; an emergency to some and not to others: {split}",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("sets", nargs="+", help="set names under bench/heldout/, or folders")
    args = parser.parse_args(argv)
    try:
        folders = find_sets(args.sets)
        sets = [(load_set(folder), folder) for folder in folders]
        labelled = [(s, labellers_of(s, folder)) for s, folder in sets]
    except (SetError, LabelsError, OSError) as exc:
        print(f"cannot load: {exc}", file=sys.stderr)
        return 2
    for requests_set, labels in labelled:
        if len(labels) == 1:
            print(f"{requests_set.name}: no labellers/ (nothing to compare)\n")
            continue
        print("\n".join(report(requests_set, labels)), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
