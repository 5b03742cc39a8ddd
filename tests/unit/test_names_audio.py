"""Every directory entry has its rendered name (the confirm and choose prompts play it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_directory_name_has_current_audio() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render_names.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
