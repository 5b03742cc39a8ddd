"""Every settings sample the documentation shows starts: each ```toml block of every
Markdown file, and docker/ivr101.toml, through the real settings loader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ivr.config import load_settings
from ivr.shipped import REPO_ROOT

SKIP = {".git", ".venv", "var", "build", "node_modules", ".pytest_cache", ".mypy_cache"}


def markdown_files() -> list[Path]:
    return sorted(
        path
        for path in REPO_ROOT.rglob("*.md")
        if not SKIP & set(path.relative_to(REPO_ROOT).parts)
    )


def toml_samples() -> list[tuple[str, str]]:
    """(where, text): each block with its file and first line, then the Docker image's file."""
    samples = []
    for path in markdown_files():
        text = path.read_text(encoding="utf-8")
        # A block may be indented under a list item: drop the fence's indent from its lines.
        for match in re.finditer(r"^( *)```toml\n(.*?)^\1```", text, re.DOTALL | re.MULTILINE):
            indent = len(match.group(1))
            body = "\n".join(line[indent:] for line in match.group(2).splitlines())
            line = text.count("\n", 0, match.start()) + 1
            samples.append((f"{path.relative_to(REPO_ROOT)}:{line}", body))
    docker = REPO_ROOT / "docker" / "ivr101.toml"
    samples.append(("docker/ivr101.toml", docker.read_text(encoding="utf-8")))
    return samples


SAMPLES = toml_samples()


def test_the_readme_and_the_dialplan_guide_have_settings_samples() -> None:
    where = {w.split(":")[0] for w, _ in SAMPLES}
    assert {"README.md", "dialplans/README.md", "docker/ivr101.toml"} <= where


@pytest.mark.parametrize(("where", "text"), SAMPLES, ids=[w for w, _ in SAMPLES])
def test_a_documented_settings_sample_is_accepted_by_the_loader(
    where: str, text: str, tmp_path: Path
) -> None:
    path = tmp_path / "ivr.toml"
    path.write_text(text, encoding="utf-8")
    load_settings(path, env=environment_named_in(text))


def environment_named_in(text: str) -> dict[str, str]:
    """A sample that says a secret comes from the environment ("# secrets: IVR_X in the
    environment") is loaded with that variable set, as the deployment it shows would be."""
    names = set()
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            names.update(re.findall(r"\bIVR_[A-Z0-9_]+\b", line))
    return {name: "s" * 40 for name in sorted(names)}


def test_a_sample_naming_an_environment_secret_is_loaded_with_it_set() -> None:
    sample = "[chat]\n# secrets: IVR_CHAT_SECRET and IVR_CHAT_WEBHOOK_SECRET in the environment\n"
    assert set(environment_named_in(sample)) == {"IVR_CHAT_SECRET", "IVR_CHAT_WEBHOOK_SECRET"}
    assert environment_named_in('[chat]\nsecret = "IVR_CHAT_SECRET"\n') == {}
