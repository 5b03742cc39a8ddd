"""Versioned rulesets: every published rules folder stored whole, with who, when and why;
history, diff, publish and rollback from ``ivr rules`` and the console's JSON API."""
