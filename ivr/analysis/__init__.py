"""The figures a force runs on, from the call log (read-only): KPIs, the report, the export.

``reader.CallLogSource`` streams logged calls as typed ``journey.CallJourney`` objects;
``kpis.KpiCollector`` and ``intervals.IntervalCollector`` fold them into figures (pure:
no I/O); ``report`` and ``export`` write them out; ``cli`` is ``ivr report|export``.
"""
