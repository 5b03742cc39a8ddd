"""The voice-activated directory: entries, their files, and matching speech to them."""

from ivr.directory.matcher import DirectoryMatcher
from ivr.directory.model import Directory, DirectoryEntry, DirectoryError
from ivr.directory.ranks import RANKS, rank_code

__all__ = [
    "RANKS",
    "Directory",
    "DirectoryEntry",
    "DirectoryError",
    "DirectoryMatcher",
    "rank_code",
]
