"""The switchboard console: operators and admins, signed in, watching and correcting calls."""
