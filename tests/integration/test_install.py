"""The package installed from a wheel, away from the repository, as the Docker image runs it.

The wheel is built from exactly what docker/Dockerfile copies before ``pip install .``, and
installed without dependencies into a fresh venv that borrows this interpreter's
site-packages (no network, no big install). Then ``ivr`` runs from another folder: the
default rules and the prompt catalogue must come from the package, not a source tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.shipped import REPO_ROOT

DOCKERFILE = REPO_ROOT / "docker" / "Dockerfile"
COPY = re.compile(r"^COPY\s+(?!--)(.+?)\s+(\S+)\s*$")


def dockerfile_sources() -> list[str]:
    """What the Dockerfile copies from the build context before it runs ``pip install .``."""
    sources: list[str] = []
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("RUN pip install"):
            return sources
        match = COPY.match(line)
        if match:
            sources += match.group(1).split()
    raise AssertionError("docker/Dockerfile never runs pip install")


def run(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_") and k != "PYTHONPATH"}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv's bin folder with ivr101 installed from a wheel of the Docker build context."""
    root = tmp_path_factory.mktemp("install")
    context = root / "context"
    context.mkdir()
    for source in dockerfile_sources():
        src = REPO_ROOT / source
        if src.is_dir():
            shutil.copytree(src, context / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, context / source)
    built = run(
        sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", root / "dist", context,
        cwd=root,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (root / "dist").glob("ivr101-*.whl")
    venv = root / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    assert made.returncode == 0, made.stderr
    purelib = run(
        venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
        cwd=root,
    ).stdout.strip()  # fmt: skip
    # The dependencies are this interpreter's; a plain path line, so its .pth files (the
    # editable install of the checkout among them) are not run.
    Path(purelib, "borrowed-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    pip = run(
        sys.executable, "-m", "pip", "--python", venv / "bin" / "python",
        "install", "-q", "--no-deps", "--no-index", wheel,
        cwd=root,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return venv / "bin"


@pytest.mark.slow
def test_the_installed_package_routes_with_its_shipped_rules_from_any_folder(
    installed: Path, tmp_path: Path
) -> None:
    where = run(installed / "python", "-c", "import ivr; print(ivr.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(installed.parent)), where.stdout + where.stderr
    routed = run(
        installed / "ivr", "route", "--text", "someone broke into my car", "--json", cwd=tmp_path
    )
    assert routed.returncode == 0, routed.stderr
    decision = json.loads(routed.stdout)
    assert decision["intent"] == "report_crime" and decision["destination"]


@pytest.mark.slow
def test_the_installed_package_checks_its_shipped_rules_against_its_prompts(
    installed: Path, tmp_path: Path
) -> None:
    checked = run(installed / "ivr", "rules", "check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK:" in checked.stdout and str(installed.parent) in checked.stdout
