"""Spoken crime references through the recognisers: is the reference heard, and where
does the call go? (issue 16 item 4)

.venv/bin/python bench/references.py                  # 24 references, both engines
.venv/bin/python bench/references.py --count 8 --engines pocketsphinx

Each of the first N references of the shipped cases.csv is said in one of
three ways callers use (digit by digit with "stroke"; pairs, "forty two
stroke ... twenty four"; groups with pauses and no separator), in the test
voices of scripts/make_test_speech.py (flite voices at three speeds and
espeak-ng, telephone band, 8 kHz). Each engine decodes it as at the menu
(no hint) and as at the "key in your crime reference" question
(``expect=Ask.REFERENCE``: PocketSphinx's digits grammar, Whisper's numeric
prompt). Reported per engine and mode:

* heard: the top transcript reads as exactly the reference;
* case: the shipped RoutingEngine, on the whole n-best, routes by that case
  (officer, Resolution Centre or tracking link) - or confirms it (near miss:
  the caller says yes);
* wrong: routed by another case (a silent misroute: must stay 0);
* person: an unknown reference, to the switchboard; other: anything else;
* decode: mean seconds per utterance.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from ivr.decisions import REFERENCE_UNKNOWN, Ask, Decision  # noqa: E402
from ivr.routing.bundle import load_bundle  # noqa: E402
from ivr.routing.case_route import reference_to_confirm  # noqa: E402
from ivr.routing.engine import RoutingEngine  # noqa: E402
from ivr.routing.model import RoutingInputs  # noqa: E402
from ivr.routing.references import parse_reference  # noqa: E402
from ivr.speech.model import Recognizer, RecognizerError  # noqa: E402
from ivr.text import digits_to_words  # noqa: E402

MODES: dict[str, Ask | None] = {"menu": None, "reference": Ask.REFERENCE}
_PAIRS = ["zero", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty"]


def _speech_script() -> ModuleType:
    """scripts/make_test_speech.py: its voices and telephone chain, not a copy of them."""
    path = ROOT / "scripts" / "make_test_speech.py"
    spec = importlib.util.spec_from_file_location("make_test_speech", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _pair(two: str) -> str:
    """ "42" -> "forty two", "07" -> "oh seven", "10" -> "one oh" (as callers say pairs)."""
    tens, unit = int(two[0]), int(two[1])
    if tens >= 2:
        return _PAIRS[tens] + ("" if unit == 0 else " " + digits_to_words(two[1]))
    return " ".join("oh" if d == "0" else digits_to_words(d) for d in two)


def spoken(reference: str, style: int) -> str:
    """One of three ways to say ``reference`` ("42/18734/24")."""
    force, serial, year = reference.split("/")
    if style == 0:
        return digits_to_words(reference)
    if style == 1:
        return f"{_pair(force)} stroke {digits_to_words(serial)} stroke {_pair(year)}"
    groups = [serial[i : i + 3] for i in range(0, len(serial), 3)]
    said = [digits_to_words(force), *(digits_to_words(g) for g in groups), digits_to_words(year)]
    return ", ".join(said)


@dataclass
class Tally:
    heard: int = 0
    case: int = 0
    wrong: int = 0
    person: int = 0
    other: int = 0
    seconds: float = 0.0

    def add(self, reference: str, text: str, decision: Decision, seconds: float) -> None:
        self.seconds += seconds
        self.heard += parse_reference(text) == reference
        routed = decision.evidence.get("reference") if decision.action == "route" else None
        confirmed = reference_to_confirm(decision)
        if reference in (routed, confirmed):
            self.case += 1
        elif routed is not None and decision.rule != REFERENCE_UNKNOWN:
            self.wrong += 1
        elif decision.rule == REFERENCE_UNKNOWN:
            self.person += 1
        else:
            self.other += 1


def load_engine(name: str, whisper_model: Path | None) -> Recognizer:
    from ivr.speech.factory import build_recognizer
    from ivr.speech.vocabulary import vocabulary_from_bundle

    vocabulary = vocabulary_from_bundle(load_bundle(None))
    return build_recognizer(name, model=whisper_model, vocabulary=vocabulary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=24, help="references (default 24)")
    parser.add_argument("--engines", default="pocketsphinx,whisper")
    parser.add_argument("--whisper-model", type=Path, default=None, help="a model folder")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    bundle = load_bundle(None)
    router = RoutingEngine(bundle)
    references = [case.reference for case in bundle.cases][: args.count]
    speech = _speech_script()
    at = speech.AT
    audio: list[tuple[str, str, bytes]] = []  # reference, voice, pcm
    with tempfile.TemporaryDirectory(prefix="bench-refs-") as name:
        folder = Path(name)
        for i, reference in enumerate(references):
            voice = speech.voice_for(i)
            out = folder / f"{i}.wav"
            speech.synthesize(spoken(reference, i % 3), voice, out, folder)
            with wave.open(str(out), "rb") as handle:
                audio.append((reference, voice, handle.readframes(handle.getnframes())))
    print(f"{len(audio)} spoken references (3 styles, voices of make_test_speech.py)")
    print(f"{'engine':<14}{'mode':<11}{'heard':>7}{'case':>7}{'wrong':>7}{'person':>8}", end="")
    print(f"{'other':>7}{'decode s':>10}")
    for engine_name in [e.strip() for e in args.engines.split(",") if e.strip()]:
        try:
            engine = load_engine(engine_name, args.whisper_model)
        except RecognizerError as exc:
            print(f"{engine_name}: not available ({exc})")
            continue
        for mode, expect in MODES.items():
            tally, times = Tally(), []
            for reference, _, pcm in audio:
                started = time.perf_counter()
                transcript = engine.recognize(pcm, 8000, expect=expect)
                seconds = time.perf_counter() - started
                times.append(seconds)
                inputs = RoutingInputs(at=at, hypotheses=transcript.alternatives)
                tally.add(reference, transcript.text, router.decide(inputs), seconds)
            n = len(audio)
            print(
                f"{engine_name:<14}{mode:<11}{tally.heard / n:>7.0%}{tally.case / n:>7.0%}"
                f"{tally.wrong:>7}{tally.person:>8}{tally.other:>7}"
                f"{statistics.mean(times):>10.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
