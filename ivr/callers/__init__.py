"""Caller history by pseudonymised number: repeat, vulnerable and nuisance callers (issue 5).

``CallerService`` (the ``CallerLookup`` a session awaits) looks a caller up
once per call and records the call when it ends; ``CallerHistory`` is the
SQLite side; ``Pseudonymiser`` keeps numbers out of the history tables.
"""

from ivr.callers.history import CallerHistory
from ivr.callers.model import (
    EMPTY_PROFILE,
    CallerLookup,
    CallerPolicy,
    CallerProfile,
    CallRecord,
)
from ivr.callers.pseudonym import Pseudonymiser, normalise_number
from ivr.callers.service import CallerService, build_caller_service

__all__ = [
    "EMPTY_PROFILE",
    "CallRecord",
    "CallerHistory",
    "CallerLookup",
    "CallerPolicy",
    "CallerProfile",
    "CallerService",
    "Pseudonymiser",
    "build_caller_service",
    "normalise_number",
]
