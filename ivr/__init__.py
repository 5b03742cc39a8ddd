"""ivr101: an Asterisk ARI IVR and call router for UK police 101 lines."""
