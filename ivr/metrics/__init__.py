"""Prometheus metrics of the running app: ``/metrics`` (see docs/metrics.md).

Counters move where the event happens (``MetricsCallLog``, a tee over the call log the
sessions write to); live figures are read from memory at scrape time (``LiveCollector``);
the two figures that need a wait (event-loop lag, the SMS outbox's depth) are sampled by
small background tasks (``monitors``). One registry per app: no global state.
"""
