"""ivr replay: decide logged calls again under a draft ruleset, and say what changes."""
