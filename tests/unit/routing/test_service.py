"""Publishing rules to a running app: a bad file never replaces the live ruleset."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

from ivr.routing.builders import ProcessBuilder
from ivr.routing.bundle import BundleError, RoutingBundle, load_bundle
from ivr.routing.limits import SIZE_LIMITS
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService

SHIPPED = Path(__file__).resolve().parents[3] / "routing_rules"
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def test_a_bad_publish_keeps_the_live_rules_and_a_good_one_replaces_them(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    service = RoutingService(folder)
    live = service.engine
    rules = folder / "rules.yaml"
    good = rules.read_text()

    rules.write_text(good + "\nnot_a_section: true\n")
    errors = service.reload()
    assert errors and all("rules.yaml" in e for e in errors)
    assert service.engine is live and service.generation == 1
    assert service.decide(RoutingInputs(at=AT, digits="1")).destination == "rc"

    rules.write_text(good.replace("reprompt_limit: 2", "reprompt_limit: 3"))
    assert service.reload() == []
    assert service.engine is not live and service.generation == 2
    assert service.bundle.rules.thresholds.reprompt_limit == 3


def test_a_rule_playing_a_prompt_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    prompts = {"online_sms_offer", "emergency_advice", "rc_closed", "no_input", "invalid_choice"}
    service = RoutingService(folder, prompts=prompts | {"x"})
    rules = folder / "rules.yaml"
    text = rules.read_text()
    assert "message: online_sms_offer" in text
    rules.write_text(text.replace("message: online_sms_offer", "message: online_sms_ofer", 1))
    errors = service.reload()
    assert errors and "online_sms_ofer" in errors[0] and "catalogue" in errors[0]
    assert service.generation == 1


class GatedLoader:
    """A loader whose builds after the first wait for the test: a reload 'in progress'."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.building = asyncio.Event()  # set (on the loop) when a gated build has begun
        self.release = threading.Event()
        self.builds = 0
        self.threads: list[int] = []

    def __call__(self, folder: Path | None, prompts: frozenset[str] | None = None) -> RoutingBundle:
        self.builds += 1
        self.threads.append(threading.get_ident())
        if self.builds > 1:
            self.loop.call_soon_threadsafe(self.building.set)
            # A guard, not a synchronisation: a build run on the loop itself would wait here.
            if not self.release.wait(timeout=10):
                raise ValueError("the test never released this build")
        return load_bundle(folder, prompts)


async def test_calls_are_routed_by_the_live_rules_while_a_publish_is_building() -> None:
    loader = GatedLoader(asyncio.get_running_loop())
    service = RoutingService(None, loader=loader)
    publish = asyncio.create_task(service.publish())
    await loader.building.wait()  # the loop ran this while the build was in progress

    other = asyncio.Event()
    asyncio.get_running_loop().call_soon(other.set)
    await other.wait()  # and any other task
    assert not publish.done() and service.generation == 1
    assert service.decide(RoutingInputs(at=AT, digits="1")).destination == "rc"

    loader.release.set()
    assert await publish == []
    assert service.generation == 2
    assert loader.threads[1] != threading.get_ident(), "built off the loop's thread"


async def test_publishes_asked_for_during_a_build_are_served_by_one_more_build() -> None:
    loader = GatedLoader(asyncio.get_running_loop())
    service = RoutingService(None, loader=loader)
    first = asyncio.create_task(service.publish())
    await loader.building.wait()
    later = [asyncio.create_task(service.publish()) for _ in range(3)]
    loader.release.set()
    assert await asyncio.gather(first, *later) == [[], [], [], []]
    assert loader.builds == 3, "start-up, the first publish, one for the three that waited"
    assert service.generation == 3


async def test_a_rules_file_over_the_size_limit_is_refused_and_the_live_rules_stay(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    service = RoutingService(folder)
    live = service.engine
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text() + "#" * SIZE_LIMITS.rules + "\n")

    errors = await service.publish()
    assert len(errors) == 1 and errors[0].startswith(f"{rules}:0: 2.0 MB is over the 2.0 MB")
    assert errors[0].endswith("[file-too-large]")
    assert service.engine is live and service.generation == 1
    assert service.decide(RoutingInputs(at=AT, digits="1")).destination == "rc"


async def test_publish_soon_swaps_in_valid_rules_in_the_background(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    service = RoutingService(folder)
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("reprompt_limit: 2", "reprompt_limit: 3"))
    service.publish_soon()
    assert service.generation == 1, "the signal handler only starts it"
    await service.settle()
    assert service.generation == 2 and service.bundle.rules.thresholds.reprompt_limit == 3


async def test_a_running_app_builds_published_rules_in_a_process_of_its_own(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    service = RoutingService(folder, builder=ProcessBuilder())
    try:
        rules = folder / "rules.yaml"
        good = rules.read_text()
        rules.write_text(good.replace("reprompt_limit: 2", "reprompt_limit: 3"))
        assert await service.publish() == []
        assert service.generation == 2 and service.bundle.rules.thresholds.reprompt_limit == 3

        # Every error comes back from the builder's process whole, one per line.
        rules.write_text(good.replace("reprompt_limit: 2", "reprompt_limit: -1") + "- [\n")
        errors = await service.publish()
        assert errors and all(str(rules) in e for e in errors)
        assert not any("\n" in e for e in errors)
        assert service.generation == 2
    finally:
        await service.close()


def test_a_file_error_pickles_with_every_line_it_lists() -> None:
    error = BundleError(["a.yaml:1: one", "b.yaml:2: two"])
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is BundleError and again.errors == error.errors


def dies_in_a_builder_when_told(
    folder: Path | None, prompts: frozenset[str] | None = None
) -> RoutingBundle:
    """A loader whose build process dies (as one killed for its memory would)."""
    if folder is not None and (folder / "DIE").exists() and multiprocessing.parent_process():
        os._exit(3)
    return load_bundle(folder, prompts)


async def test_a_builder_that_dies_keeps_the_live_rules_and_the_next_publish_works(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    service = RoutingService(folder, loader=dies_in_a_builder_when_told, builder=ProcessBuilder())
    try:
        (folder / "DIE").touch()
        errors = await service.publish()
        assert len(errors) == 1 and errors[0].startswith("rules-build-failed: ")
        assert service.generation == 1
        (folder / "DIE").unlink()
        assert await service.publish() == []
        assert service.generation == 2
    finally:
        await service.close()


def hangs_in_a_builder_when_told(
    folder: Path | None, prompts: frozenset[str] | None = None
) -> RoutingBundle:
    """A loader whose build never ends in the builder process (a pathological file)."""
    if folder is not None and (folder / "HANG").exists() and multiprocessing.parent_process():
        threading.Event().wait()
    return load_bundle(folder, prompts)


async def test_closing_the_service_ends_a_build_under_way(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    builder = ProcessBuilder()
    service = RoutingService(folder, loader=hangs_in_a_builder_when_told, builder=builder)
    (folder / "HANG").touch()
    publish = asyncio.create_task(service.publish())
    await builder.building.wait()  # the publish has started its builder and waits for it
    await service.close()  # the app shuts down: it must not wait for the build
    errors = await publish
    assert len(errors) == 1 and errors[0].startswith("rules-build-failed: BuilderDied")
    assert service.generation == 1
