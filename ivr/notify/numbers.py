"""UK mobile numbers for SMS: normalise to E.164 and refuse what cannot take a text.

A 101 caller's number arrives as the network presented it ("07700 900123",
"+447700900123", "00447700900123", "+44 (0)7700 900123"). The outbox stores
one form (+447…) so replies, de-duplication and caller history agree.
Landlines and non-geographic numbers are refused *before* anything is
queued, with a reason an operator can read: an SMS to a landline is either
lost or read aloud by a robot voice to whoever answers, which is not what a
caller agreed to.
"""

from __future__ import annotations

import re


class InvalidNumber(ValueError):
    """The number cannot receive an SMS from us; the message says why."""

    error_id = "sms-number-invalid"


_SEPARATORS = re.compile(r"[\s\-().]")


def normalise_uk_mobile(raw: str) -> str:
    """Return ``+447…`` for a UK mobile number, or raise InvalidNumber with the reason.

    Mobile ranges (Ofcom): 071-075, 077-079 and 07624 (Isle of Man). 070 is
    personal numbering and 076 is paging: neither reliably takes a text.
    """
    text = (raw or "").strip()
    if not text or text.lower() in {"anonymous", "withheld", "unknown", "unavailable"}:
        raise InvalidNumber("no caller number (withheld or unknown): cannot send an SMS")
    compact = _SEPARATORS.sub("", text).replace("+44(0)", "+44").replace("+440", "+44")
    if compact.startswith("+"):
        digits = compact[1:]
        if not digits.isdigit():
            raise InvalidNumber(f"{raw!r} is not a phone number")
        if not digits.startswith("44"):
            raise InvalidNumber(f"{raw!r} is not a UK number: SMS goes to UK mobiles only")
        national = "0" + digits[2:]
    elif compact.startswith("0044"):
        national = "0" + compact[4:]
    elif compact.startswith("44") and len(compact) == 12:
        national = "0" + compact[2:]
    elif compact.startswith("7") and len(compact) == 10:
        national = "0" + compact  # caller ID sometimes drops the trunk 0
    else:
        national = compact
    if not national.isdigit():
        raise InvalidNumber(f"{raw!r} is not a phone number")
    if not national.startswith("0"):
        raise InvalidNumber(f"{raw!r} is not a UK number: SMS goes to UK mobiles only")
    kind = _kind(national)
    if kind != "mobile":
        raise InvalidNumber(f"{raw!r} is a {kind}, not a mobile: it cannot receive an SMS")
    if len(national) != 11:
        raise InvalidNumber(f"{raw!r} has {len(national)} digits; a UK mobile has 11 (07…)")
    return "+44" + national[1:]


def _kind(national: str) -> str:
    if national.startswith(("01", "02")):
        return "landline"
    if national.startswith("03"):
        return "non-geographic number (03)"
    if national.startswith(("080", "084", "087", "09")):
        return "freephone, shared-cost or premium number"
    if national.startswith("070"):
        return "personal number (070)"
    if national.startswith("076") and not national.startswith("07624"):
        return "pager number (076)"
    if national.startswith("07"):
        return "mobile"
    return "number outside the UK mobile ranges"


_NOT_RUNG = frozenset({"personal number (070)", "pager number (076)"})


def normalise_uk_callback(raw: str) -> str:
    """A number we may ring back, in national form (0…): UK geographic (01/02/03) or mobile.

    Premium, personal and non-geographic ranges are refused: a callback from the police
    must not cost the force or reach a number the caller does not own.
    """
    text = (raw or "").strip()
    if not text or text.lower() in {"anonymous", "withheld", "unknown", "unavailable"}:
        raise InvalidNumber("no caller number (withheld or unknown)")
    compact = _SEPARATORS.sub("", text).replace("+44(0)", "+44").replace("+440", "+44")
    if compact.startswith("+44"):
        compact = "0" + compact[3:]
    elif compact.startswith("0044"):
        compact = "0" + compact[4:]
    if not compact.isdigit() or not compact.startswith("0"):
        raise InvalidNumber(f"{raw!r} is not a UK phone number")
    if not compact.startswith(("01", "02", "03", "07")) or _kind(compact) in _NOT_RUNG:
        raise InvalidNumber(f"{raw!r} is not a number we can ring back")
    if compact.startswith("07") and len(compact) != 11:
        raise InvalidNumber(f"{raw!r} has {len(compact)} digits; a UK mobile has 11 (07…)")
    if len(compact) not in (10, 11):
        raise InvalidNumber(f"{raw!r} has {len(compact)} digits; a UK number has 10 or 11")
    return compact
