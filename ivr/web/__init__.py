"""The app's own HTTP routes (health, the operator API); the console joins them here."""
