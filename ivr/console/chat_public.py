"""The public side of live chat: the texted link, the chat page and its WebSocket.

No sign-in: a caller proves which chat is theirs with the ``ivr_chat`` cookie, the chat's
id signed under [chat] secret (ivr.chat.tokens, Purpose.CALLER), set when their link is
opened and sent only to ``/chat/`` paths (HttpOnly, SameSite=Strict). The link itself
works once (ivr.chat.links); a refused link gets a plain page saying what to do instead
(the online form, ring 101) and every page carries the 999 banner.

    GET /chat/{token}   open the link: start the chat, set the cookie, 303 to /chat/
    GET /chat/          the page (plain HTML; ./static/chat.js talks to the socket)
    GET /chat/ws        the WebSocket (ivr.console.chat_socket: frames both ways)

The page does not depend on the cookie: a phone's first visit from a text message is a
cross-site navigation, on which a SameSite=Strict cookie may not be sent; the socket,
opened from the page itself, always carries it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from aiohttp import web

from ivr.chat.hub import ChatHub
from ivr.chat.links import ChatLinks
from ivr.chat.model import ChatChannel, ChatUnavailable, LinkRefused
from ivr.chat.tokens import Purpose, TokenSigner
from ivr.console.chat_limits import ChatLimits, MessageRate
from ivr.console.chat_presence import LEAVE_AFTER_S, CallerPresence
from ivr.console.chat_socket import CallerSocket
from ivr.console.pages import Pages, add_static
from ivr.console.requests import RequestFacts

log = logging.getLogger(__name__)

CHAT_COOKIE = "ivr_chat"
COOKIE_PATH = "/chat/"
COOKIE_MAX_AGE_S = 12 * 3600  # a chat is over long before; a shared phone forgets it
CHAT_PAGE = "/chat/"
MAX_TOKEN_CHARS = 200


class NoChat(StrEnum):
    """Why the page has no chat to show (beside LinkRefused's reasons for a link)."""

    NONE = "none"  # no cookie, or one this server did not sign


@dataclass(frozen=True)
class Refusal:
    """A refusal page's words: what happened and what to do instead."""

    title: str
    said: str
    status: int


REFUSALS: dict[LinkRefused | NoChat, Refusal] = {
    LinkRefused.USED: Refusal(
        "This chat link has already been used",
        "Each link opens one chat, once. If you closed your chat by mistake, you can"
        " report online or ring 101 again.",
        410,
    ),
    LinkRefused.EXPIRED: Refusal(
        "This chat link has expired",
        "Links work for a short time after we text them. You can report online, or ring"
        " 101 again and ask for chat.",
        410,
    ),
    LinkRefused.UNKNOWN: Refusal(
        "We do not recognise this link",
        "Check you opened the whole link from our text message. Otherwise, you can report"
        " online or ring 101.",
        404,
    ),
    LinkRefused.UNAVAILABLE: Refusal(
        "Chat is not open just now",
        "No officer can chat at the moment. This link will work again until it expires;"
        " or you can report online, or ring 101.",
        503,
    ),
    NoChat.NONE: Refusal(
        "There is no chat open on this device",
        "Open the link in the text message we sent you. Otherwise, you can report online"
        " or ring 101.",
        404,
    ),
}


@dataclass
class ChatPublic:
    """The public side's parts, built once per app."""

    links: ChatLinks
    channel: ChatChannel
    hub: ChatHub | None  # None when chats happen on a force's own platform
    signer: TokenSigner
    facts: RequestFacts
    online_url: str  # the online form: what a refused caller can do instead
    limits: ChatLimits = field(default_factory=ChatLimits)
    pages: Pages = field(default_factory=Pages)
    leave_after_s: float = LEAVE_AFTER_S  # a waiting caller's page gone this long: left
    open_sockets: set[web.WebSocketResponse] = field(default_factory=set)
    rate: MessageRate = field(init=False)
    presence: CallerPresence = field(init=False)

    def __post_init__(self) -> None:
        self.rate = MessageRate(self.limits.per_minute)
        self.presence = CallerPresence(
            self.hub, per_chat=self.limits.sockets_per_chat, leave_after_s=self.leave_after_s
        )

    def refused(self, why: LinkRefused | NoChat) -> web.Response:
        words = REFUSALS[why]
        return self.pages.render(
            "chat_refused.html",
            status=words.status,
            title=words.title,
            said=words.said,
            online_url=self.online_url,
        )

    def chat_of(self, request: web.Request) -> str | None:
        """The chat this browser's cookie names (signature checked); None for none."""
        cookie = request.cookies.get(CHAT_COOKIE, "")
        return self.signer.verify(Purpose.CALLER, cookie) if cookie else None


PUBLIC = web.AppKey("chat_public", ChatPublic)


def register(app: web.Application, public: ChatPublic) -> None:
    """The public routes (open in ivr.console.auth: every path under ``/chat/``)."""
    app[PUBLIC] = public
    ensure_static(app)
    app.router.add_get("/chat/ws", _socket)
    app.router.add_get(CHAT_PAGE, _page)
    app.router.add_get("/chat/{token}", _open_link)
    app.on_shutdown.append(_close_sockets)


def ensure_static(app: web.Application) -> None:
    """``/static/`` once, whichever of the board, the chat and the desk adds it first."""
    if "static" not in app.router.named_resources():
        add_static(app)


async def _close_sockets(app: web.Application) -> None:
    """Open sockets would hold the shutdown up: each is closed (the page reconnects)."""
    app[PUBLIC].presence.close()
    for ws in list(app[PUBLIC].open_sockets):
        await ws.close(code=1001, message=b"server restarting")


async def _open_link(request: web.Request) -> web.StreamResponse:
    public = request.app[PUBLIC]
    token = request.match_info["token"]
    if len(token) > MAX_TOKEN_CHARS:
        return public.refused(LinkRefused.UNKNOWN)
    opened = await public.links.open(token)
    if isinstance(opened, LinkRefused):
        return public.refused(opened)
    link_id, context = opened
    try:
        start = await public.channel.start(context, link_id)
    except ChatUnavailable as exc:
        log.warning("chat: link %s opened but the channel refused: %s", link_id, exc)
        await public.links.release(link_id)  # no chat started: the link is not spent
        return public.refused(LinkRefused.UNAVAILABLE)
    if start.redirect:  # a force's own platform has its own page
        raise web.HTTPSeeOther(start.redirect)
    response = web.HTTPSeeOther(CHAT_PAGE)
    response.set_cookie(
        CHAT_COOKIE,
        public.signer.sign(Purpose.CALLER, start.chat_id),
        path=COOKIE_PATH,
        max_age=COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="Strict",
        secure=public.facts.secure_cookie_for(request),
    )
    response.headers["Cache-Control"] = "no-store"
    raise response


async def _page(request: web.Request) -> web.StreamResponse:
    public = request.app[PUBLIC]
    return public.pages.render(
        "chat.html",
        max_chars=public.limits.max_chars,
        online_url=public.online_url,
        refusal=REFUSALS[NoChat.NONE],
    )


async def _socket(request: web.Request) -> web.StreamResponse:
    public = request.app[PUBLIC]
    if not public.facts.same_origin(request):
        raise web.HTTPForbidden(text="This chat opens only from its own page.")
    chat_id = public.chat_of(request)
    ws = web.WebSocketResponse(
        heartbeat=20.0, max_msg_size=public.limits.frame_bytes, autoping=True
    )
    await ws.prepare(request)
    public.open_sockets.add(ws)
    try:
        await CallerSocket(public.hub, public.limits, public.rate, public.presence).serve(
            ws, chat_id, _since(request)
        )
    finally:
        public.open_sockets.discard(ws)
    return ws


def _since(request: web.Request) -> int:
    """``?since=N``: the last message the page has; anything odd counts as none."""
    text = request.query.get("since", "0")
    return int(text) if text.isdigit() and len(text) < 10 else 0
