"""The log's own figures, exactly as ``ivr report`` computes them.

The log's column of the what-if table comes from the analysis package (``CallLogSource``
journeys folded by ``KpiCollector``; ``Kpis.queue(name)`` per queue) with the same answer
target, so a force reads the same service level in both; "all" folds the same visits of
those queues into one ``DestinationTally``.
"""

from __future__ import annotations

from collections.abc import Collection

from ivr.analysis.journey import Via
from ivr.analysis.kpis import KpiCollector
from ivr.analysis.reader import CallLogSource, Period
from ivr.analysis.tally import DestinationTally
from ivr.store.readonly import Location
from ivr.whatif.figures import Figures


def logged_figures(
    db: Location, period: Period, queues: Collection[str], target_s: float, all_name: str
) -> dict[str, Figures]:
    """Per queue of ``queues`` (and ``all_name``: them together), the log's figures.

    Raises ivr.analysis.reader.LogUnreadable for a database it cannot read.
    """
    collector = KpiCollector(target_s=target_s)
    together = DestinationTally(all_name, Via.QUEUE, target_s)
    with CallLogSource(db) as log:
        for journey in log.journeys(period):
            collector.add(journey)
            for visit in journey.visits:
                if visit.via is Via.QUEUE and visit.destination in queues:
                    together.add(visit)
    kpis = collector.figures()
    found = {}
    for name in queues:
        figures = kpis.queue(name)
        found[name] = Figures.of_destination(figures) if figures else Figures.mean([])
    found[all_name] = Figures.of_destination(together.figures())
    return found
