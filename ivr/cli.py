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

from aiohttp import web

from ivr import call as call_cli
from ivr.analysis import cli as analysis_cli
from ivr.callers import cli as callers_cli
from ivr.clock import parse_uk_time
from ivr.config import ConfigError, load_settings
from ivr.console import cli as console_cli
from ivr.directory import cli as directory_cli
from ivr.http_guard import server_options
from ivr.listen_address import CannotListen, bind_failure, check_listen_address, port_number
from ivr.masking import MaskingFormatter
from ivr.replay import cli as replay_cli
from ivr.routing import cli as routing_cli
from ivr.speech import cli as speech_cli
from ivr.store import cli as store_cli
from ivr.whatif import cli as whatif_cli
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
    sim.add_argument("--port", type=port_number, default=8088, help="0 to 65535 (0: any free)")
    sim.add_argument("--time-scale", type=float, default=1.0, help="0.1 = ten times faster")
    sim.add_argument(
        "--config", type=Path, help="TOML settings: the ARI user and password `ivr serve` uses"
    )

    demo = sub.add_parser("demo", help="simulator + app in one process, with sample calls")
    demo.add_argument("--calls", type=int, default=10, help="how many sample calls to place")
    demo.add_argument(
        "--exit", action="store_true", help="exit after the table (0 = all as expected)"
    )
    demo.add_argument("--speed", type=float, default=4.0, help="1 = real time, at most 100")
    demo.add_argument(
        "--db",
        help="SQLite file for the demo's call log, kept across runs (default: a fresh one per run)",
    )
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
    console_cli.add_subcommands(sub)
    replay_cli.add_subcommands(sub)
    analysis_cli.add_subcommands(sub)
    whatif_cli.add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quiet = args.command not in ("serve", "sim")
    level = args.log_level or ("WARNING" if quiet else "INFO")
    configure_logging(level)
    try:
        if hasattr(args, "run"):
            return int(args.run(args))
        if args.command == "serve":
            return _serve(args.config)
        if args.command == "sim":
            return _sim(args.host, args.port, args.time_scale, args.config)
        if args.command == "demo":
            from ivr.demo import MAX_SPEED, main_demo

            if args.calls < 1 or not 0 < args.speed <= MAX_SPEED:
                print(
                    f"ivr demo: --calls must be >= 1 and --speed between 0 and {MAX_SPEED:g}"
                    " (faster, the sample callers' keys and words outrun the app's replies)",
                    file=sys.stderr,
                )
                return 2
            if args.at is None:
                return main_demo(args.calls, args.exit, args.speed, args.db)
            return main_demo(args.calls, args.exit, args.speed, args.db, args.at)
    except ConfigError as exc:
        print(f"ivr: {exc} [{exc.error_id}]", file=sys.stderr)
        return 2
    except CannotListen as exc:
        print(f"ivr {args.command}: {exc}", file=sys.stderr)
        return 1
    return 2


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Log to stderr, every caller number masked (ivr/masking.py), tracebacks included."""
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter(LOG_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler])


def _when(text: str) -> datetime:
    try:
        return parse_uk_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _serve(config: Path | None) -> int:
    from ivr.app import build_app

    settings = load_settings(config)
    listen, ari = settings.http, settings.ari
    check_listen_address(listen.host, listen.port)
    logging.getLogger(__name__).info("connecting to %s as %s (app %s)", ari.url, ari.user, ari.app)
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
    try:
        web.run_app(app, host=listen.host, port=listen.port, **server_options())
    except OSError as exc:
        failure = bind_failure(listen.host, listen.port, exc)
        if failure is None:
            raise
        raise failure from exc
    return 0


async def _reload_rules_on_sighup(app: web.Application) -> None:
    """``kill -HUP`` publishes routing_rules/: built off the loop, swapped in only if valid."""
    from ivr.app import RUNTIME

    asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, app[RUNTIME].routing.publish_soon)


def _sim(host: str, port: int, time_scale: float, config: Path | None) -> int:
    from ivr.shipped import PROMPT_SOUNDS
    from ivr.simulator import Simulator, SimulatorConfig

    # The credentials `ivr serve` would connect with, read the same way (file, then env).
    settings = load_settings(config)
    ari = settings.ari
    check_listen_address(host, port)
    password = "a password (IVR_ARI_PASSWORD)" if ari.password else "no password"

    async def run() -> None:
        sim = Simulator(
            SimulatorConfig(
                username=ari.user,
                password=ari.password,
                time_scale=time_scale,
                # The messages admins add, where `ivr serve` renders them.
                sound_roots=[PROMPT_SOUNDS, settings.messages.sounds_dir],
            )
        )
        try:
            bound = await sim.start(host, port)
        except OSError as exc:
            await sim.stop()
            failure = bind_failure(host, port, exc)
            if failure is None:
                raise
            raise failure from exc
        print(
            f"simulated Asterisk: ARI at http://{host}:{bound}/ari, user {ari.user!r}"
            f" with {password}, as `ivr serve` connects (Ctrl-C to stop)",
            flush=True,
        )
        try:
            await asyncio.Event().wait()
        finally:
            await sim.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
