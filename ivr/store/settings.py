"""[store]: the database file, and how long personal data is kept in it.

Caller numbers and names are blanked after ``numbers_days``; calls and everything about
them are deleted after ``records_days`` (ivr.store.retention).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.sections import TEXT, ConfigError, Number, Section, option
from ivr.store.retention import RetentionPolicy

# Survey replies are matched by the number texted for this long (ivr.notify.survey).
MIN_NUMBERS_DAYS = 7
DAYS = Number(unit="days")


@dataclass(frozen=True)
class StoreSettings(Section):
    TABLE = "store"

    db_path: str = option("var/ivr101.db", TEXT, key="db", env="IVR_DB")
    numbers_days: float = option(30.0, DAYS)
    records_days: float = option(400.0, DAYS)

    @property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(self.numbers_days, self.records_days)

    def validate(self) -> None:
        if self.numbers_days < MIN_NUMBERS_DAYS:
            raise ConfigError(
                f"[store] numbers_days must be at least {MIN_NUMBERS_DAYS}: survey replies are"
                " matched to the survey by the number it was sent to"
            )
        if self.numbers_days > self.records_days:
            raise ConfigError("[store] numbers_days must not be longer than records_days")
