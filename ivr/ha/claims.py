"""Claims: work that one node must do, once, whichever of several nodes is up.

A callback to place or a text to send is claimed in its own row (``claimed_by``,
``claim_until``; migration ``_m22_claims``) by the node's *origin*: its Asterisk and
ARI application (``ivr.ha.leadership.ari_lease_name``). So the standby of the same
Asterisk, which adopts that Asterisk's channels, holds the same claims the moment it
takes over; another Asterisk's node takes them only once the claim has run out
(``claim_until``, on the database's clock: ``Database.epoch_now``), which a live node
prevents by renewing. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(``Database.skip_locked``): two nodes claiming at once each get different rows.
"""

from __future__ import annotations

from typing import Final

# The origin of a node alone on its database (tests, tools): the app passes its own.
ALONE: Final = "local"
# Renewals per claim: a renewal may fail twice (a slow database) before a claim lapses.
RENEWALS_PER_CLAIM: Final = 3
