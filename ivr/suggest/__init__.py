"""Overrides teach: operators' moves of calls, mined into rules changes for admins.

``calls`` reads the call log read-only into ``LoggedCall``s; ``miner`` groups the moved
calls into ``Suggestion``s (an alias for a directory entry, an example for an intent),
each with its calls; ``accept`` puts one into a draft copy of the rules and checks it
as ``ivr rules check`` does; ``cli`` is ``ivr rules suggest``.
"""
