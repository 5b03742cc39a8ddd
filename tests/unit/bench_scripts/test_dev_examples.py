"""bench/dev_examples.py: dev sets' requests become intent examples, held-out sets never."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bench.dev_examples import INTENTS, Example, examples_of, without_dev_examples, write

REQUESTS = """\
- {text: "someone's kicking my door in right now", expect: emergency, tags: [emergency]}
- {text: "there's a van parked across my drive", expect: fcr, tags: [fcr]}
- {text: "my bike was nicked from the station last week", expect: rc, tags: [rc]}
- {text: "any news on 42/11111/25", expect: "directory:jo-bloggs", tags: [update, reference]}
- {text: "PC Jones please", expect: switchboard, tags: [switchboard, ambiguous]}
- {text: "can I talk to a real person", expect: switchboard, tags: [switchboard, human]}
- {text: "Can I speak to Sergeant Morrison please?", expect: switchboard, tags: [switchboard]}
- {text: "the roads policing unit", expect: "directory:rpu", tags: [directory]}
"""


def dev_set(root: Path, name: str = "dev_z") -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "requests.yaml").write_text(REQUESTS, encoding="utf-8")
    return folder


def test_queue_and_update_requests_become_examples_names_do_not(tmp_path: Path) -> None:
    assert examples_of(dev_set(tmp_path)) == [
        Example("someone's kicking my door in right now", "emergency", "dev_z"),
        Example("there's a van parked across my drive", "incident", "dev_z"),
        Example("my bike was nicked from the station last week", "report_crime", "dev_z"),
        Example("any news on 42/11111/25", "update", "dev_z"),
        Example("can I talk to a real person", "switchboard", "dev_z"),
    ]


def test_a_held_out_set_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="never learnt from"):
        examples_of(dev_set(tmp_path, "set_z"))


def test_written_examples_land_under_their_intents_once_with_the_comments_kept(
    tmp_path: Path,
) -> None:
    intents = tmp_path / "intents.yaml"
    shutil.copyfile(INTENTS, intents)
    before = yaml.safe_load(intents.read_text(encoding="utf-8"))
    folder = dev_set(tmp_path)
    assert write([folder], intents) == 5
    assert write([folder], intents) == 0  # already there: nothing twice
    text = intents.read_text(encoding="utf-8")
    assert text.startswith(INTENTS.read_text(encoding="utf-8").split("\n")[0])
    assert "# callers' words from the dev sets (dev_z)" in text
    after = {i["name"]: i for i in yaml.safe_load(text)["intents"]}
    assert after["incident"]["examples"][-1] == "there's a van parked across my drive"
    assert after["update"]["examples"][-1] == "any news on 42/11111/25"
    assert "PC Jones please" not in after["switchboard"]["examples"]
    old = {i["name"]: i for i in before["intents"]}
    assert {k: v for k, v in after["incident"].items() if k != "examples"} == {
        k: v for k, v in old["incident"].items() if k != "examples"
    }


def test_the_check_leaves_out_every_block_written(tmp_path: Path) -> None:
    intents = tmp_path / "intents.yaml"
    shutil.copyfile(INTENTS, intents)
    authors = yaml.safe_load(without_dev_examples(INTENTS.read_text(encoding="utf-8")))
    write([dev_set(tmp_path)], intents)
    assert yaml.safe_load(without_dev_examples(intents.read_text(encoding="utf-8"))) == authors
