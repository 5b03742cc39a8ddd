"""Active/standby: several `ivr serve` processes for one Asterisk, one of them active.

Asterisk gives an ARI application to one WebSocket at a time (the newest connection
takes it over, ApplicationReplaced), so two nodes must never both connect: the one
holding a lease row in the shared database does (``Leadership``); the others wait and
take over when its lease runs out.
"""
