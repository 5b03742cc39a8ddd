"""A settings section: one feature's options, each declared once with where it comes from.

Each feature owns a frozen dataclass of its options (``SmsSettings`` in ivr.notify, ...).
A field declared with ``option()`` names its TOML key (in the section's table unless it
names another), its environment variable, and the ``Spec`` that checks a value read from
either and turns it into the field's type. ``read_section`` builds a section from the
file's tables and the environment (which wins); ivr.config composes the sections.

The checks live here once, so a number is refused in the same words everywhere, and a
refusal names where the value came from ("ivr.toml: [sms] timeout", "IVR_SMS_URL").
A secret's value never appears in a message or a repr. A leaf: imports nothing from ivr.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
S = TypeVar("S", bound="Section")

_OPTION = "ivr.option"


class ConfigError(ValueError):
    error_id = "config-invalid"


class Refused(ConfigError):
    """What a spec says of a value it does not take ("must be a positive number").

    ``show_value`` False keeps the value out of the message (a URL with a password in it).
    """

    def __init__(self, complaint: str, *, show_value: bool = True) -> None:
        super().__init__(complaint)
        self.complaint = complaint
        self.show_value = show_value


class Spec(Protocol):
    def read(self, value: Any) -> Any:
        """``value`` (from the file or the environment) as the field holds it; Refused when
        it is none."""


# --- the specs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    contains: str = ""  # a placeholder the text must keep, e.g. "{number}"

    def read(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Refused("must be text")
        if self.contains not in value:
            raise Refused(f"must contain {self.contains}")
        return value


@dataclass(frozen=True)
class Flag:
    def read(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Refused("must be true or false")
        return value


@dataclass(frozen=True)
class Number:
    """A number above ``low`` (or from it, if ``inclusive``), whole if ``whole``."""

    low: float = 0.0
    inclusive: bool = False
    whole: bool = False
    unit: str = ""  # what it counts, for the message: "days"

    def read(self, value: Any) -> float:
        kind = int if self.whole else int | float
        # TOML's true is no number, though Python's bool is an int.
        if isinstance(value, bool) or not isinstance(value, kind) or not self._holds(value):
            raise Refused(f"must be {self.described}")
        return cast(float, value)

    def _holds(self, value: float) -> bool:
        return math.isfinite(value) and (value >= self.low if self.inclusive else value > self.low)

    @property
    def described(self) -> str:
        """'a positive number', 'a whole number >= 1', 'a number of seconds >= 0'."""
        what = ("whole number" if self.whole else "number") + (
            f" of {self.unit}" if self.unit else ""
        )
        if self.low == 0 and not self.inclusive:
            return f"a positive {what}"
        return f"a {what} {'>=' if self.inclusive else '>'} {self.low:g}"


@dataclass(frozen=True)
class Choice(Generic[E]):
    """One of an enum's values; ``fold_case`` takes any case of it ("post" for POST)."""

    options: type[E]
    fold_case: bool = False

    def read(self, value: Any) -> E:
        if isinstance(value, str):
            wanted = value.upper() if self.fold_case else value
            for option in self.options:
                if option.value == wanted:
                    return option
        values = [option.value for option in self.options]
        raise Refused(f"must be {', '.join(values[:-1])} or {values[-1]}")


@dataclass(frozen=True)
class FilePath:
    """A file or folder (not checked here: its reader says what is wrong with it)."""

    def read(self, value: Any) -> Path:
        if not isinstance(value, str) or not value:
            raise Refused("must be a path")
        return Path(value)


@dataclass(frozen=True)
class Names:
    """A list of names, held as a tuple; ``what`` says what they name."""

    what: str = "names"

    def read(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise Refused(f"must be a list of {self.what}")
        return tuple(value)


@dataclass(frozen=True)
class HttpUrl:
    """An http(s) URL without credentials (they would end up in logs): ``put_them`` says
    where they go instead. ``optional``: "" is taken too (the feature is off)."""

    put_them: str
    optional: bool = False

    def read(self, value: Any) -> str:
        url = Text().read(value)
        if not url and self.optional:
            return url
        if "@" in url.partition("//")[2].split("/", 1)[0]:
            raise Refused(
                f"must hold no credentials: put them in {self.put_them}", show_value=False
            )
        if not url.startswith(("http://", "https://")):
            raise Refused("must start with http:// or https://")
        return url


@dataclass(frozen=True)
class Token:
    """A secret that must be long enough not to be guessed; "" is none (the feature is off)."""

    min_length: int

    def read(self, value: Any) -> str:
        token = Text().read(value)
        if token and len(token) < self.min_length:
            raise Refused(f"must be at least {self.min_length} characters", show_value=False)
        return token


TEXT = Text()
FLAG = Flag()
PATH = FilePath()
POSITIVE = Number()
AT_LEAST_ONE = Number(low=1, inclusive=True, whole=True)


# --- declaring options -------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """Where a field's value comes from, and its spec (the field's metadata)."""

    spec: Spec
    key: str | None = None  # None: the field's name
    table: str | None = None  # None: the section's TABLE
    env: str | None = None
    file: bool = True  # False: the environment only (a secret kept out of config files)
    secret: bool = False
    whole_table: bool = False  # the table itself is the value ([destinations], [agents])


def option(
    default: T,
    spec: Spec,
    *,
    key: str | None = None,
    table: str | None = None,
    env: str | None = None,
    file: bool = True,
    secret: bool = False,
) -> T:
    """A field of a section: ``x: float = option(6.0, POSITIVE)``. A secret is no repr."""
    declared = Option(spec, key, table, env, file, secret)
    return field(default=default, repr=not secret, metadata={_OPTION: declared})


def table_option(factory: Callable[[], T], spec: Spec, *, table: str) -> T:
    """A field that is a whole table of names the admin chooses ([destinations])."""
    declared = Option(spec, table=table, whole_table=True)
    return field(default_factory=factory, metadata={_OPTION: declared})


@dataclass(frozen=True)
class Section:
    """A feature's options; a subclass is a frozen dataclass of ``option()`` fields."""

    TABLE: ClassVar[str] = ""

    def validate(self) -> None:
        """What no one option can check (one value against another): ConfigError if wrong."""


def options(section: type[Section]) -> Iterator[tuple[str, Option]]:
    """(field name, option) of each option of ``section``, its table and key filled in."""
    for f in fields(section):
        found = f.metadata.get(_OPTION)
        if isinstance(found, Option):
            yield (
                f.name,
                replace(found, table=found.table or section.TABLE, key=found.key or f.name),
            )


def declared(section: type[Section]) -> Iterator[tuple[str, str | None]]:
    """(table, key) of every option the file may set; key None: any key of a whole table."""
    for _, found in options(section):
        if found.file:
            yield str(found.table), None if found.whole_table else found.key


def read_section(
    section: type[S], tables: Mapping[str, Any], env: Mapping[str, str], source: str
) -> S:
    """``section`` from the file's ``tables`` (read from ``source``) and ``env``, checked."""
    values: dict[str, Any] = {}
    for name, found in options(section):
        label, raw = "", None
        body = tables.get(str(found.table))
        if found.file and found.whole_table and found.table in tables:
            label, raw = f"{source}: [{found.table}]", body
        elif found.file and isinstance(body, dict) and found.key in body:
            label, raw = f"{source}: [{found.table}] {found.key}", body[found.key]
        if found.env and env.get(found.env, "").strip():
            # A secret read from a file (docker secrets) ends in a newline.
            label, raw = found.env, env[found.env].strip()
        if not label:
            continue  # the default
        try:
            values[name] = found.spec.read(raw)
        except Refused as exc:
            shown = f", got {raw!r}" if exc.show_value and not found.secret else ""
            raise ConfigError(f"{label} {exc.complaint}{shown}") from None
    built = section(**values)
    built.validate()
    return built
