"""A real Asterisk 22 for the tests: the build `../shared/asterisk/build.sh` made, started
on free loopback ports with a throw-away folder made the way `dialplans/README.md` says
(the stock samples, then the project's files over them, `ari.conf` through the same
`envsubst`), plus the test-only files named in ``TEST_FILES``.

Nothing of the project's files is edited except what a second Asterisk on the same
machine must change: the two ports (each substitution must match exactly once, so a
changed file fails here loudly rather than binding the default port).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ivr.shipped import REPO_ROOT

DIALPLANS = REPO_ROOT / "dialplans"
PROMPTS = REPO_ROOT / "prompts" / "sounds" / "en" / "ivr101"
HERE = Path(__file__).resolve().parent
BUILD_SCRIPT = REPO_ROOT.parent / "shared" / "asterisk" / "build.sh"
DEFAULT_HOME = Path.home() / ".cache" / "ivr101-asterisk" / "22.10.1"
# The README's step 1: these four copied as they are, ari.conf through envsubst.
COPIED = ("extensions.conf", "pjsip.conf", "http.conf", "modules.conf")
ARI_USER = "ivr101"
# The test's own ARI application: scripted callers and agents live in it.
TEST_APP = "ivr101-test"
BOOT_TIMEOUT_S = 60.0
STOP_WAIT_S = 3.0
READY = b"Asterisk Ready."  # the console's line once fully booted


def test_files() -> dict[str, str]:
    """tests/real/conf/<topic>/<file>: each appended to the deployed file of that name
    (a topic per test area, so each keeps its own contexts and endpoints)."""
    files: dict[str, str] = {}
    for path in sorted((HERE / "conf").glob("*/*.conf")):
        topic = path.parent.name
        files[path.name] = files.get(path.name, "") + f"\n; [{topic}]\n" + path.read_text()
    return files


class AsteriskMissing(RuntimeError):
    """No build here: the tests that need one are skipped, naming what to run."""


def asterisk_home() -> Path:
    """The build's folder: $IVR_ASTERISK_HOME, else the build script's default."""
    home = Path(os.environ.get("IVR_ASTERISK_HOME", DEFAULT_HOME))
    if not (home / "sbin" / "asterisk").is_file():
        raise AsteriskMissing(
            f"no Asterisk build at {home}: run {BUILD_SCRIPT} (once per machine, ~10 min)"
        )
    return home


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def substitute_once(text: str, old: str, new: str, where: str) -> str:
    """``old`` → ``new`` where it appears exactly once; a file that changed shape fails."""
    if text.count(old) != 1:
        raise AssertionError(f"{where}: expected {old!r} exactly once")
    return text.replace(old, new)


@dataclass
class AsteriskFolder:
    """The throw-away folder: asterisk.conf, etc/, var/, run/, log/ under ``root``."""

    root: Path
    home: Path
    http_port: int
    sip_port: int
    password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def data(self) -> Path:
        return self.root / "var"

    @property
    def log(self) -> Path:
        return self.root / "log"

    @property
    def conf(self) -> Path:
        return self.root / "asterisk.conf"

    def make(self, extra: Mapping[str, str]) -> None:
        """The deployment's steps 1 and 2, then the test-only files (``extra``: name →
        text, appended to the file of that name when the project ships one)."""
        for sub in ("etc", "var", "run", "log", "spool", "cache"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.home / "etc" / "asterisk", self.etc, dirs_exist_ok=True)
        for name in COPIED:
            shutil.copy(DIALPLANS / name, self.etc / name)
        self._envsubst_ari()
        self._own_ports()
        for name, text in extra.items():
            with (self.etc / name).open("a", encoding="utf-8") as out:
                out.write("\n; --- test-only, added by tests/real ---\n" + text)
        self._sounds()
        self.conf.write_text(self._asterisk_conf(), encoding="utf-8")

    def _envsubst_ari(self) -> None:
        """Exactly the README's command, so the documented step is the tested one."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "IVR_ARI_PASSWORD": self.password}
        with (DIALPLANS / "ari.conf").open("rb") as src, (self.etc / "ari.conf").open("wb") as dst:
            subprocess.run(
                ["envsubst", "${IVR_ARI_PASSWORD}"], stdin=src, stdout=dst, env=env, check=True
            )

    def _own_ports(self) -> None:
        http = self.etc / "http.conf"
        http.write_text(
            substitute_once(
                http.read_text(), "bindport = 8088", f"bindport = {self.http_port}", "http.conf"
            )
        )
        pjsip = self.etc / "pjsip.conf"
        pjsip.write_text(
            substitute_once(
                pjsip.read_text(),
                "bind = 127.0.0.1:5060",
                f"bind = 127.0.0.1:{self.sip_port}",
                "pjsip.conf",
            )
        )

    def _sounds(self) -> None:
        """The build's English sounds and music on hold, and the prompts (README step 2:
        the folder name is the sound prefix)."""
        built = self.home / "var" / "lib" / "asterisk"
        sounds = self.data / "sounds" / "en"
        sounds.mkdir(parents=True, exist_ok=True)
        for entry in (built / "sounds" / "en").iterdir():
            (sounds / entry.name).symlink_to(entry.resolve())
        (sounds / "ivr101").symlink_to(PROMPTS)
        (sounds / "test").mkdir()  # a test's own recordings (callers' voices)
        moh = built / "moh"
        if moh.exists():
            (self.data / "moh").symlink_to(moh.resolve())

    @property
    def test_sounds(self) -> Path:
        """Where a test puts a WAV a caller speaks: ``sound:test/<name>``."""
        return self.data / "sounds" / "en" / "test"

    def _asterisk_conf(self) -> str:
        r = self.root
        return (
            "[directories]\n"
            f"astetcdir => {self.etc}\n"
            f"astmoddir => {self.home / 'lib' / 'asterisk' / 'modules'}\n"
            f"astvarlibdir => {self.data}\n"
            f"astdbdir => {self.data}\n"
            f"astkeydir => {self.data}\n"
            f"astdatadir => {self.data}\n"
            f"astagidir => {self.data / 'agi-bin'}\n"
            f"astspooldir => {r / 'spool'}\n"
            f"astrundir => {r / 'run'}\n"
            f"astlogdir => {self.log}\n"
            f"astsbindir => {self.home / 'sbin'}\n"
            f"astcachedir => {r / 'cache'}\n"
            "[options]\n"
            "verbose = 0\n"
            "documentation_language = en_US\n"
        )


class RealAsterisk:
    """One Asterisk process over an ``AsteriskFolder``: start, the CLI, stop."""

    def __init__(self, folder: AsteriskFolder) -> None:
        self.folder = folder
        self._process: subprocess.Popen[bytes] | None = None
        self.boot_log = ""  # what Asterisk printed up to fully booted
        self._ready = threading.Event()
        self._console: threading.Thread | None = None

    @property
    def ari_url(self) -> str:
        return f"http://127.0.0.1:{self.folder.http_port}"

    @property
    def credentials(self) -> tuple[str, str]:
        return ARI_USER, self.folder.password

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    @property
    def console_log(self) -> Path:
        return self.folder.log / "console.txt"

    def start(self) -> None:
        binary = self.folder.home / "sbin" / "asterisk"
        self._process = subprocess.Popen(
            [str(binary), "-C", str(self.folder.conf), "-f", "-n", "-vvv"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._console = threading.Thread(target=self._copy_console, name="asterisk-console")
        self._console.start()
        self._until_booted()
        self.boot_log = self.console_log.read_text(errors="replace")

    def _copy_console(self) -> None:
        """Asterisk's console into ``console_log``, line by line; ``_ready`` set when it
        says it has booted, ``_ready`` set too when it exits (start() then says why)."""
        assert self._process is not None and self._process.stdout is not None
        with self._process.stdout as console, self.console_log.open("wb") as out:
            for line in console:
                out.write(line)
                out.flush()
                if READY in line:
                    self._ready.set()
        self._ready.set()

    def _until_booted(self) -> None:
        """Until the console prints that Asterisk is ready (every module loaded); the
        process dying first fails with its log."""
        if not self._ready.wait(BOOT_TIMEOUT_S):
            raise RuntimeError(f"Asterisk did not boot; see {self.console_log}")
        self._still_running()

    def _still_running(self) -> None:
        assert self._process is not None
        if self._process.poll() is not None:
            tail = self.console_log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"Asterisk exited ({self._process.returncode}):\n{tail}")

    def rx_result(self, command: str) -> subprocess.CompletedProcess[str]:
        binary = self.folder.home / "sbin" / "asterisk"
        return subprocess.run(
            [str(binary), "-C", str(self.folder.conf), "-rx", command],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def rx(self, command: str) -> str:
        """One CLI command's output (`asterisk -rx`); raises if the CLI could not run it."""
        self._still_running()
        done = self.rx_result(command)
        if done.returncode != 0:
            raise RuntimeError(f"asterisk -rx {command!r}: {done.returncode} {done.stderr}")
        return done.stdout

    def active_channels(self) -> int:
        """`core show channels count`: the number of active channels."""
        for line in self.rx("core show channels count").splitlines():
            words = line.split()
            if len(words) >= 2 and words[1].startswith("active") and "channel" in line:
                return int(words[0])
        raise RuntimeError("`core show channels count` printed no channel count")

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.rx_result("core stop now")
        try:
            # Usually under a second; after some refused requests (a duplicate channel id)
            # Asterisk 22 takes ~16 s to stop. The folder is thrown away: do not wait.
            self._process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        if self._console is not None:
            self._console.join(timeout=10)


@contextlib.contextmanager
def running_asterisk(root: Path, extra: Mapping[str, str]) -> Iterator[RealAsterisk]:
    """A booted Asterisk on free loopback ports over a new folder under ``root``."""
    folder = AsteriskFolder(
        root=root,
        home=asterisk_home(),
        http_port=free_port(),
        sip_port=free_port(socket.SOCK_DGRAM),
    )
    folder.make(extra)
    asterisk = RealAsterisk(folder)
    try:
        asterisk.start()
        yield asterisk
    finally:
        asterisk.stop()
