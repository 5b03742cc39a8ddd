"""``ivr whatif``: a force's own log, fitted and simulated under changed settings.

``source`` reads the queued calls of the log (read-only); ``fit`` turns them into demand
(arrival rates by weekday and 15 minutes, handling times, patience); ``simulate`` runs
that demand through a discrete-event model of the app-run queues with the staffing,
callbacks, deflection and routing a scenario changes; ``figures`` says what a set of calls
came to (service level, time to answer, abandonment). See docs/whatif.md.
"""
