"""Two nodes on one database, each with its own rules folder: what a person publishes or
rolls back through one is applied on the other by its RulesetFollower, stored once.

The real RoutingService, RulesetBook (one connection per node, on each engine),
LiveWriter and folders; a tick is called directly, never waited for. Node B's prompt
catalogue lacks what a newer release's rules may name (node A checks none), as when the
nodes run different releases.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService
from ivr.routing.snapshot import RulesetFiles, read_ruleset
from ivr.rulesets.book import RulesetBook
from ivr.rulesets.follow import RulesetFollower
from ivr.rulesets.live_write import LiveWriter
from ivr.rulesets.store import RulesetVersion, VersionKind
from ivr.shipped import REPO_ROOT

SHIPPED = REPO_ROOT / "routing_rules"
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
B_PROMPTS = ["online_sms_offer", "no_input", "invalid_choice"]
APPLIED = "rules version {} published on another node applied here"


@dataclass
class Node:
    folder: Path
    routing: RoutingService
    book: RulesetBook
    writer: LiveWriter
    follower: RulesetFollower

    def digest_on_disk(self) -> str:
        return read_ruleset(self.folder).digest

    def hidden(self) -> list[str]:
        return sorted(p.name for p in self.folder.parent.iterdir() if p.name.startswith("."))

    def reprompt_limit(self) -> int:
        return self.routing.bundle.rules.thresholds.reprompt_limit

    async def write(self, files: RulesetFiles, kind: VersionKind) -> RulesetVersion:
        """What the console's publish and rollback do: write, store, publish here."""
        async with self.writer.lock:
            added = await self.writer.write(
                files, "alice", kind, "", before="kept", invalid="not valid"
            )
            assert await self.routing.publish() == []
        return added

    async def publish_edit(self, old: str, new: str) -> RulesetVersion:
        live = read_ruleset(self.folder)
        rules = live.files["rules.yaml"].decode()
        assert old in rules
        edited = {**live.files, "rules.yaml": rules.replace(old, new).encode()}
        return await self.write(RulesetFiles(edited, live.defaults), VersionKind.PUBLISH)

    async def roll_back(self, to: int) -> RulesetVersion:
        return await self.write(await self.book.files(to), VersionKind.ROLLBACK)


async def start_node(
    tmp_path: Path, name: str, db: str, prompts: list[str] | None, source: Path = SHIPPED
) -> Node:
    folder = tmp_path / name / "rules"
    shutil.copytree(source, folder)
    routing = RoutingService(folder, prompts=prompts)
    book = RulesetBook(db, lambda: AT)
    await book.open()
    await routing.use_versions(book)
    writer = LiveWriter(routing, book)
    return Node(folder, routing, book, writer, RulesetFollower(writer))


async def stop(node: Node) -> None:
    await node.book.close()
    await node.routing.close()


@pytest.fixture
async def nodes(tmp_path: Path, db_location: str) -> AsyncIterator[tuple[Node, Node]]:
    a = await start_node(tmp_path, "a", db_location, None)
    b = await start_node(tmp_path, "b", db_location, B_PROMPTS)
    yield a, b
    await stop(a)
    await stop(b)


async def versions(node: Node) -> list[tuple[int, VersionKind]]:
    return [(v.version, v.kind) for v in await node.book.history()]


async def test_a_publish_on_one_node_is_applied_on_the_other_without_a_new_version(
    nodes: tuple[Node, Node], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = nodes
    assert a.routing.version == b.routing.version == 1  # the same shipped files, adopted once
    published = await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 3")
    assert published.version == 2
    stored = await versions(a)
    in_call = b.routing.pinned()  # a call on B in progress

    with caplog.at_level(logging.INFO, logger="ivr.rulesets.follow"):
        applied = await b.follower.tick()

    assert applied is not None and applied.version == 2
    assert b.routing.bundle.digest == published.digest == b.digest_on_disk()
    assert (b.routing.version, b.reprompt_limit()) == (2, 3)
    assert await versions(b) == stored, "nothing stored for what was followed"
    assert APPLIED.format(2) in caplog.text
    assert in_call.version == 1, "a call in progress keeps the rules it started with"
    assert b.hidden() == [".rules.prev"], "swapped whole, no staging left"
    assert await b.follower.tick() is None, "applied once"
    assert await a.follower.tick() is None


async def test_a_rollback_on_one_node_is_followed_too(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 3")
    assert await b.follower.tick() is not None
    rolled = await a.roll_back(1)
    assert (rolled.version, rolled.kind) == (3, VersionKind.ROLLBACK)
    stored = await versions(a)

    applied = await b.follower.tick()

    assert applied is not None and applied.version == 3
    assert b.routing.bundle.digest == rolled.digest == b.digest_on_disk()
    assert (b.routing.version, b.reprompt_limit()) == (3, 2)
    assert await versions(b) == stored


async def test_a_version_that_does_not_build_here_is_skipped_once_and_the_node_keeps_its_rules(
    nodes: tuple[Node, Node], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = nodes
    newer = await a.publish_edit("message: online_sms_offer", "message: a_newer_release_prompt")
    before = b.digest_on_disk()

    with caplog.at_level(logging.ERROR, logger="ivr.rulesets.follow"):
        assert await b.follower.tick() is None
        assert await b.follower.tick() is None

    assert (b.routing.version, b.routing.bundle.digest, b.digest_on_disk()) == (1, before, before)
    assert b.hidden() == [], "never half-applied: no staging left, no swap"
    said = [r.getMessage() for r in caplog.records]
    assert sum(f"rules version {newer.version} published" in m for m in said) == 1, said
    assert any("a_newer_release_prompt" in m for m in said), "the error is named"
    assert b.routing.decide(RoutingInputs(at=AT, digits="1")).ruleset_version == 1

    fixed = await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 4")
    # A's folder still names the new prompt: the next version is built from it as it is.
    assert fixed.version == 3
    assert await b.follower.tick() is None, "still does not build here: skipped too"
    back = await a.publish_edit("message: a_newer_release_prompt", "message: online_sms_offer")
    applied = await b.follower.tick()
    assert applied is not None and applied.version == back.version
    assert b.reprompt_limit() == 4


async def test_the_nodes_own_publish_is_not_applied_again(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 3")
    hidden = a.hidden()
    assert await a.follower.tick() is None
    assert a.hidden() == hidden and a.routing.version == 2

    # Stored and swapped in here, its publish not (yet) live: still this node's own.
    async with a.writer.lock:
        files = read_ruleset(a.folder)
        rules = files.files["rules.yaml"].replace(b"reprompt_limit: 3", b"reprompt_limit: 5")
        await a.writer.write(
            RulesetFiles({**files.files, "rules.yaml": rules}, files.defaults),
            "alice",
            VersionKind.PUBLISH,
            "",
            before="kept",
            invalid="not valid",
        )
    assert await a.follower.tick() is None
    assert (a.routing.version, a.reprompt_limit()) == (2, 3)
    assert await b.follower.tick() is not None, "the other node follows it"
    assert b.reprompt_limit() == 5


async def test_no_follow_while_this_nodes_own_writer_is_busy(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 3")
    async with b.writer.lock:  # a rollback or a publish through B's console
        assert await b.follower.tick() is None
        assert b.routing.version == 1
    applied = await b.follower.tick()
    assert applied is not None and b.routing.version == 2


async def test_a_folder_edited_by_hand_is_kept_as_adopted_before_it_is_replaced(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    rules = b.folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("reprompt_limit: 2", "reprompt_limit: 7"))
    hand = b.digest_on_disk()
    await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 3")

    assert await b.follower.tick() is not None

    assert b.reprompt_limit() == 3
    kept = await b.book.run(lambda store: store.with_digest(hand))
    assert kept is not None and kept.kind is VersionKind.ADOPTED
    assert "version 2, published elsewhere" in kept.comment


async def test_a_folder_reloaded_by_hand_after_a_publish_elsewhere_stays_on_its_node_only(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 3")
    rules = b.folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("reprompt_limit: 2", "reprompt_limit: 7"))
    assert await b.routing.publish() == []  # `systemctl reload` on B: adopted, version 3
    assert b.routing.version == 3

    assert await b.follower.tick() is None
    assert b.reprompt_limit() == 7
    assert await a.follower.tick() is None, "an adopted folder is one node's own: not followed"
    assert a.reprompt_limit() == 3
    newer = await a.publish_edit("reprompt_limit: 3", "reprompt_limit: 4")
    assert await b.follower.tick() == newer and b.reprompt_limit() == 4


async def test_a_node_started_after_a_publish_elsewhere_routes_by_it_before_its_first_call(
    nodes: tuple[Node, Node], tmp_path: Path, db_location: str
) -> None:
    a, _ = nodes
    published = await a.publish_edit("reprompt_limit: 2", "reprompt_limit: 3")
    standby = await start_node(tmp_path, "standby", db_location, B_PROMPTS)
    assert standby.routing.version == 1  # its folder as it was left
    lifetime = standby.follower.lifetime(web.Application())
    try:
        await anext(lifetime)  # the app's start-up, up to serving
        assert standby.routing.version == published.version
        assert standby.digest_on_disk() == published.digest
    finally:
        with pytest.raises(StopAsyncIteration):
            await anext(lifetime)  # shutdown: the follower's task ends
        await stop(standby)
