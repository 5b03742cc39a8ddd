"""``ivr``: serve (real Asterisk), sim (the simulator alone), demo (both, with sample calls)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from ivr import call as call_cli
from ivr.callers import cli as callers_cli
from ivr.config import ConfigError, load_settings
from ivr.directory import cli as directory_cli
from ivr.routing import cli as routing_cli
from ivr.speech import cli as speech_cli
from ivr.store import cli as store_cli
from ivr.yamlfile import DataFileError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ivr", description=__doc__)
    parser.add_argument(
        "--log-level",
        default=os.environ.get("IVR_LOG_LEVEL"),
        help="default INFO for serve and sim, WARNING for the rest (their output is the point)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the IVR against a real Asterisk 22 (ARI)")
    serve.add_argument("--config", type=Path, help="TOML settings file (env IVR_* wins)")

    sim = sub.add_parser("sim", help="run the ARI-compatible Asterisk simulator alone")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8088)
    sim.add_argument("--time-scale", type=float, default=1.0, help="0.1 = ten times faster")

    demo = sub.add_parser("demo", help="simulator + app in one process, with sample calls")
    demo.add_argument("--calls", type=int, default=10, help="how many sample calls to place")
    demo.add_argument(
        "--exit", action="store_true", help="exit after the table (0 = all as expected)"
    )
    demo.add_argument("--speed", type=float, default=4.0, help="1 = real time")
    demo.add_argument("--db", default="var/demo.db", help="SQLite file for the demo's call log")
    demo.add_argument(
        "--at",
        type=_when,
        default=None,
        help="when the demo's calls happen, ISO time (default: a weekday morning)",
    )
    routing_cli.add_subcommands(sub)
    directory_cli.add_subcommands(sub)
    speech_cli.add_subcommands(sub)
    call_cli.add_subcommands(sub)
    callers_cli.add_subcommands(sub)
    store_cli.add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quiet = args.command not in ("serve", "sim")
    level = args.log_level or ("WARNING" if quiet else "INFO")
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if hasattr(args, "run"):
            return int(args.run(args))
        if args.command == "serve":
            return _serve(args.config)
        if args.command == "sim":
            return _sim(args.host, args.port, args.time_scale)
        if args.command == "demo":
            from ivr.demo import main_demo

            if args.calls < 1 or args.speed <= 0:
                print("ivr demo: --calls must be >= 1 and --speed > 0", file=sys.stderr)
                return 2
            if args.at is None:
                return main_demo(args.calls, args.exit, args.speed, args.db)
            return main_demo(args.calls, args.exit, args.speed, args.db, args.at)
    except ConfigError as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2
    return 2


def _when(text: str) -> datetime:
    """An ISO time; without a zone it is UK local time."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO time: {text!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo("Europe/London"))


def _serve(config: Path | None) -> int:
    from ivr.app import build_app

    settings = load_settings(config)
    logging.getLogger(__name__).info(
        "connecting to %s as %s (app %s)", settings.ari_url, settings.ari_user, settings.ari_app
    )
    try:
        app = build_app(settings)
    except DataFileError as exc:  # routing rules or prompts: one line, then `ivr rules check`
        errors = getattr(exc, "errors", None) or [str(exc)]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        print(
            f"ivr serve: refused [{exc.error_id}]: {errors[0]}{more}; see `ivr rules check`",
            file=sys.stderr,
        )
        return 2
    app.on_startup.append(_reload_rules_on_sighup)
    web.run_app(app, host=settings.http_host, port=settings.http_port)
    return 0


async def _reload_rules_on_sighup(app: web.Application) -> None:
    """``kill -HUP`` publishes routing_rules/: built off the loop, swapped in only if valid."""
    from ivr.app import RUNTIME

    asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, app[RUNTIME].routing.publish_soon)


def _sim(host: str, port: int, time_scale: float) -> int:
    from ivr.embedded import PROMPT_SOUNDS
    from ivr.simulator import Simulator, SimulatorConfig

    async def run() -> None:
        sim = Simulator(
            SimulatorConfig(
                username=os.environ.get("IVR_ARI_USER", "ivr101"),
                password=os.environ.get("IVR_ARI_PASSWORD", "ivr101"),
                time_scale=time_scale,
                sound_roots=[PROMPT_SOUNDS],
            )
        )
        bound = await sim.start(host, port)
        print(f"simulated Asterisk: ARI at http://{host}:{bound}/ari (Ctrl-C to stop)", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await sim.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
