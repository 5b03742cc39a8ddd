"""Call-flow verbs: small classes a CallSession runs in order."""

from ivr.verbs.basic import Answer, Hangup, Play
from ivr.verbs.transfer import StayConnected, Transfer

__all__ = ["Answer", "Hangup", "Play", "StayConnected", "Transfer"]
