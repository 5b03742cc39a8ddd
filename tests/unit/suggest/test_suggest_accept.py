"""Accepting a suggestion into a copy of the rules: one textual edit, then `ivr rules check`."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.directory import Directory
from ivr.directory.model import CSV_COLUMNS
from ivr.routing.bundle import DEFAULT_FOLDER
from ivr.routing.intents import IntentMatcher
from ivr.suggest.accept import AcceptError, accept, add_csv_alias
from ivr.suggest.model import CallEvidence, Suggestion, SuggestionKind

CALL = CallEvidence("c1", "my brother is a prisoner", "online", "directory:custody-enquiries", "t")


def alias(text: str = "prisoner", target: str = "custody-enquiries") -> Suggestion:
    return Suggestion(
        SuggestionKind.ALIAS, target, text, f"directory:{target}", (CALL,), "why", "Custody"
    )


def example(text: str = "there's a fight outside the takeaway") -> Suggestion:
    return Suggestion(SuggestionKind.EXAMPLE, "incident", text, "fcr", (CALL,), "why")


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    folder = tmp_path / "draft"
    shutil.copytree(DEFAULT_FOLDER, folder)
    return folder


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(), after.splitlines()
    assert len(new) == len(old)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_an_alias_goes_into_the_entry_and_the_folder_checks_clean(
    draft: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (draft / "directory.yaml").read_text(encoding="utf-8")
    done = accept(alias(), draft)
    after = done.file.read_text(encoding="utf-8")
    assert done.file == draft / "directory.yaml" and done.suggestion.calls == (CALL,)
    assert changed_lines(before, after) == [
        (
            "  aliases: [custody, custody suite, someone in custody, arrested]",
            "  aliases: [custody, custody suite, someone in custody, arrested, prisoner]",
        )
    ]
    entry = Directory.load_yaml(done.file).get("custody-enquiries")
    assert entry is not None and "prisoner" in entry.aliases
    assert main(["rules", "check", str(draft)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_an_example_goes_under_the_intent_s_examples_comments_kept(
    draft: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (draft / "intents.yaml").read_text(encoding="utf-8")
    done = accept(example(), draft)
    after = done.file.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["      - there's a fight outside the takeaway"]
    assert after.replace("      - there's a fight outside the takeaway\n", "", 1) == before
    incident = IntentMatcher.load(done.file).get("incident")
    assert incident is not None and incident.examples[-1] == "there's a fight outside the takeaway"
    assert main(["rules", "check", str(draft)]) == 0


def test_a_folder_with_only_some_files_gets_a_copy_of_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(
        (DEFAULT_FOLDER / "rules.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    done = accept(alias(), tmp_path)
    assert done.file == tmp_path / "directory.yaml"
    assert (DEFAULT_FOLDER / "directory.yaml").read_text(encoding="utf-8").count("prisoner") == 0


def test_the_shipped_and_live_folders_are_refused(draft: Path) -> None:
    with pytest.raises(AcceptError, match="never edited here"):
        accept(alias(), DEFAULT_FOLDER)
    with pytest.raises(AcceptError, match="never edited here"):
        accept(alias(), draft, live=[draft])


def test_what_is_there_already_is_refused_and_nothing_changes(draft: Path) -> None:
    before = (draft / "directory.yaml").read_text(encoding="utf-8")
    with pytest.raises(AcceptError, match="already has 'Custody Suite'"):
        accept(alias("Custody Suite"), draft)
    with pytest.raises(AcceptError, match="no id 'nobody'"):
        accept(alias(target="nobody"), draft)
    assert (draft / "directory.yaml").read_text(encoding="utf-8") == before


def test_an_edit_the_check_refuses_is_undone_with_its_errors(draft: Path) -> None:
    before = (draft / "intents.yaml").read_text(encoding="utf-8")
    with pytest.raises(AcceptError) as refused:
        accept(example("?!"), draft)  # normalises to nothing: no example
    assert any("empty example" in error for error in refused.value.errors)
    assert (draft / "intents.yaml").read_text(encoding="utf-8") == before


def test_a_csv_directory_gets_the_alias_in_its_own_row(draft: Path) -> None:
    shipped = Directory.load_yaml(draft / "directory.yaml")
    (draft / "directory.yaml").unlink()
    out = io.StringIO()
    rows = csv.writer(out)  # "\r\n" line ends, as a force's export may have
    rows.writerow(CSV_COLUMNS)
    for e in shipped:
        rows.writerow([e.id, e.kind, e.name, e.rank, "; ".join(e.aliases), e.extension,
                       e.hours, e.team])  # fmt: skip
    (draft / "directory.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    done = accept(alias(), draft)
    after = done.file.read_bytes().decode("utf-8")
    assert changed_lines(out.getvalue(), after) == [
        (
            "custody-enquiries,department,Custody Enquiries,,"
            "custody; custody suite; someone in custody; arrested,3009,,",
            "custody-enquiries,department,Custody Enquiries,,"
            "custody; custody suite; someone in custody; arrested; prisoner,3009,,",
        )
    ]
    assert "\r\n" in after and main(["rules", "check", str(draft)]) == 0


def test_a_csv_without_an_aliases_column_says_so() -> None:
    with pytest.raises(ValueError, match="no aliases column"):
        add_csv_alias("id,kind,name,extension\nx,department,X,1\n", "x", "y")
