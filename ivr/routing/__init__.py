"""The routing brain: directory, intents, rules, and the pure RoutingEngine."""
