"""Reading a crime reference back to the caller: "forty two stroke one eight seven ...".

Asterisk says digits one at a time (``digits:`` media, as a callback number is
read back); the parts are joined by the ``stroke`` prompt, the word callers
use themselves. Used where a reference heard nearly right is confirmed
(ivr.verbs.route.Confirm with a reference; ivr.routing.case_route).
"""

from __future__ import annotations

from ivr.session.model import Prompts

__all__ = ["reference_media"]


def reference_media(prompts: Prompts, reference: str) -> list[str]:
    """Media that read ``reference`` ("42/18734/24") back, part by part."""
    media: list[str] = []
    for part in reference.split("/"):
        if media:
            media.append(prompts.media_uri("stroke"))
        media.append(f"digits:{part}")
    return media
