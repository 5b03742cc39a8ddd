"""The console's HTML pages: Jinja2 templates (autoescaped) served with strict headers.

Everything a page needs comes from this server (``/static/``): no CDN, no inline script or
style, so the Content-Security-Policy can forbid everything else. A caller's words are data
from outside: autoescaping shows them as text, and the page's script only ever sets
``textContent``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # a page with callers' details is never kept by a proxy
}


class Pages:
    """Renders the console's templates; one per app (no module-level environment)."""

    def __init__(self, templates: Path = TEMPLATES_DIR) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=True,  # every template, whatever its name
            undefined=jinja2.StrictUndefined,  # a missing value is a bug, not a blank cell
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        body = self.env.get_template(template).render(**context)
        return web.Response(
            text=body, status=status, content_type="text/html", headers=PAGE_HEADERS
        )


def add_static(app: web.Application) -> None:
    """``/static/`` from the package's folder (the wheel carries it: package data)."""
    app.router.add_static("/static/", STATIC_DIR, name="static", append_version=False)
