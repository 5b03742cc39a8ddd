"""A small validator for JSON values against the ARI Swagger 1.1 models of Asterisk 22.

It reads the `ari-api-docs/*.json` resource listings (the ones Asterisk serves under
/ari/api-docs) and knows just enough of Swagger 1.1 for ARI:

* property types `string`, `int`, `long`, `double`, `boolean`, `object`, `Date`,
  `List[...]` and references to other models;
* `required` properties, `allowableValues` (LIST enums and RANGE bounds);
* model inheritance through `subTypes` with the `type` discriminator of `Message`
  (so an event is checked against Message + Event + its own model);
* extra properties are allowed (Asterisk adds some, for example on the Channel).

It also looks operations up by (method, concrete path) for the status/body checks
that `check_rest` does, in the same wording as the checker that produced the
`validation` lists of the golden traces.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JsonValue = Any

#: Asterisk's own timestamp format: milliseconds and a numeric offset, e.g.
#: 2026-11-24T06:00:59.786+0000.
ASTERISK_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$")

_LIST_RE = re.compile(r"^List\[(.+)\]$")
_PRIMITIVES = frozenset({"string", "int", "long", "double", "float", "boolean", "object", "Date"})
# Parameter-only or opaque types: anything goes.
_OPAQUE = frozenset({"binary", "containers", "void"})


def repo_root() -> Path:
    """The ivr101 checkout this file lives in (tests/contract/swagger.py -> repo)."""
    return Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """The shared reference folder: `../shared` relative to the repository root, or
    $IVR_SHARED_DIR (a git worktree elsewhere has no `../shared` beside it)."""
    override = os.environ.get("IVR_SHARED_DIR")
    return Path(override) if override else repo_root().parent / "shared"


def api_docs_dir() -> Path:
    return shared_dir() / "ari-api-docs"


def traces_dir() -> Path:
    return shared_dir() / "ari-traces"


@dataclass(frozen=True)
class Parameter:
    name: str
    param_type: str  # path | query | body
    data_type: str
    required: bool
    allow_multiple: bool


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # template relative to /ari, e.g. /channels/{channelId}/play
    nickname: str
    response_class: str
    error_codes: tuple[int, ...]
    parameters: tuple[Parameter, ...]
    resource: str  # the api-docs file it came from, e.g. channels

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def matches(self, concrete_path: str) -> bool:
        return _template_regex(self.path).fullmatch(concrete_path) is not None

    @property
    def literal_segments(self) -> int:
        return sum(1 for seg in self.path.split("/") if seg and not seg.startswith("{"))


_TEMPLATE_CACHE: dict[str, re.Pattern[str]] = {}


def _template_regex(template: str) -> re.Pattern[str]:
    rx = _TEMPLATE_CACHE.get(template)
    if rx is None:
        parts = []
        for seg in template.split("/"):
            if seg.startswith("{") and seg.endswith("}"):
                parts.append("[^/]+")
            else:
                parts.append(re.escape(seg))
        rx = re.compile("/".join(parts))
        _TEMPLATE_CACHE[template] = rx
    return rx


class Swagger:
    """The models and operations of one ari-api-docs folder."""

    def __init__(self, docs_dir: Path | None = None) -> None:
        self.docs_dir = docs_dir or api_docs_dir()
        self.models: dict[str, dict[str, JsonValue]] = {}
        self.operations: list[Operation] = []
        self.parent: dict[str, str] = {}
        for path in sorted(self.docs_dir.glob("*.json")):
            doc = json.loads(path.read_text())
            for name, model in doc.get("models", {}).items():
                self.models[name] = model
            for api in doc.get("apis", []):
                for op in api.get("operations", []):
                    self.operations.append(_operation(path.stem, api["path"], op))
        for name, model in self.models.items():
            for sub in model.get("subTypes", []):
                self.parent[sub] = name

    # ----------------------------------------------------------------- operations

    def find_operation(self, method: str, path: str) -> Operation | None:
        """The operation for a concrete request path (with or without the /ari prefix)."""
        if path.startswith("/ari/"):
            path = path[len("/ari") :]
        path = path.split("?", 1)[0]
        if len(path) > 1:
            path = path.rstrip("/")
        found = [op for op in self.operations if op.method == method.upper() and op.matches(path)]
        if not found:
            return None
        # A literal segment wins over a template: /channels/externalMedia is not
        # /channels/{channelId}.
        found.sort(key=lambda op: op.literal_segments, reverse=True)
        return found[0]

    def operation(self, method: str, template: str) -> Operation | None:
        """The operation with exactly this template (no matching)."""
        for op in self.operations:
            if op.method == method.upper() and op.path == template:
                return op
        return None

    # --------------------------------------------------------------------- models

    def ancestors(self, name: str) -> list[str]:
        """`name` and its parents, root first (Message, Event, PlaybackStarted)."""
        chain = [name]
        while chain[-1] in self.parent:
            chain.append(self.parent[chain[-1]])
        return list(reversed(chain))

    def properties(self, name: str) -> dict[str, dict[str, JsonValue]]:
        merged: dict[str, dict[str, JsonValue]] = {}
        for model in self.ancestors(name):
            merged.update(self.models[model].get("properties", {}))
        return merged

    def validate(self, value: JsonValue, type_name: str, where: str | None = None) -> list[str]:
        """Problems of `value` as a `type_name` (a model, primitive or List[...])."""
        errors: list[str] = []
        self._check(value, type_name, where or type_name, errors)
        return errors

    def validate_event(self, event: JsonValue) -> list[str]:
        """An event (or any Message) against its subtype chosen by `type`."""
        return self.validate(event, "Message", "Message")

    def _check(self, value: JsonValue, type_name: str, where: str, errors: list[str]) -> None:
        m = _LIST_RE.match(type_name)
        if m:
            if not isinstance(value, list):
                errors.append(f"{where}: expected {type_name}, got {_describe(value)}")
                return
            for i, item in enumerate(value):
                self._check(item, m.group(1), f"{where}[{i}]", errors)
            return
        if type_name in _OPAQUE:
            return
        if type_name in _PRIMITIVES:
            if not _primitive_ok(value, type_name):
                errors.append(f"{where}: expected {type_name}, got {_describe(value)}")
            return
        if type_name not in self.models:
            errors.append(f"{where}: unknown type {type_name}")
            return
        if not isinstance(value, dict):
            errors.append(f"{where}: expected {type_name} object, got {_describe(value)}")
            return
        model_name = type_name
        model = self.models[type_name]
        if model.get("discriminator") or type_name in self.parent or model.get("subTypes"):
            # Polymorphic: the discriminator picks the concrete model.
            disc = self._discriminator(type_name)
            if disc is not None:
                concrete = value.get(disc)
                if not isinstance(concrete, str) or concrete not in self.models:
                    errors.append(f"{where}.{disc}: unknown {type_name} subtype {concrete!r}")
                    return
                if type_name not in self.ancestors(concrete):
                    errors.append(f"{where}.{disc}: {concrete!r} is not a subtype of {type_name}")
                    return
                model_name = concrete
                if where == type_name:
                    where = concrete
        for prop, spec in self.properties(model_name).items():
            if prop not in value:
                if spec.get("required") is True:
                    errors.append(f"{where}.{prop}: missing required property")
                continue
            self._check_property(value[prop], spec, f"{where}.{prop}", errors)

    def _discriminator(self, name: str) -> str | None:
        for model in self.ancestors(name):
            disc = self.models[model].get("discriminator")
            if isinstance(disc, str):
                return disc
        return None

    def _check_property(
        self, value: JsonValue, spec: Mapping[str, JsonValue], where: str, errors: list[str]
    ) -> None:
        before = len(errors)
        self._check(value, str(spec["type"]), where, errors)
        if len(errors) != before:
            return
        allowable = spec.get("allowableValues")
        if not isinstance(allowable, dict):
            return
        kind = allowable.get("valueType")
        if kind == "LIST":
            values = list(allowable.get("values", []))
            if value not in values:
                errors.append(f"{where}: {value!r} not in {values}")
        elif kind == "RANGE" and isinstance(value, int | float):
            lo, hi = allowable.get("min"), allowable.get("max")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                errors.append(f"{where}: {value!r} outside [{lo}, {hi}]")

    # ---------------------------------------------------------------- REST checks

    def check_rest(self, method: str, path: str, status: int, body: JsonValue) -> list[str]:
        """Problems of one REST exchange, worded like the golden traces' validation lists."""
        op = self.find_operation(method, path)
        errors: list[str] = []
        if status >= 400:
            if op is not None and status != 401 and status not in op.error_codes:
                errors.append(
                    f"status {status} not among the documented errorResponses "
                    f"{sorted(op.error_codes)} of {op.label}"
                )
            if not (
                isinstance(body, dict)
                and set(body) == {"message"}
                and isinstance(body["message"], str)
            ):
                errors.append(f'error body is not {{"message": string}}: {body!r}')
            return errors
        if op is None:
            return errors
        if op.response_class == "void":
            if body is not None:
                errors.append(f"{op.label} returns void but the body is {_describe(body)}")
            return errors
        if op.response_class == "binary":
            return errors
        name = _LIST_RE.match(op.response_class)
        where = f"List[{name.group(1)}]" if name else op.response_class
        errors.extend(self.validate(body, op.response_class, where))
        return errors

    def check_trace(self, trace: Mapping[str, JsonValue]) -> list[str]:
        """Every event and REST body of a golden trace, in the trace's own wording."""
        out: list[str] = []
        for i, step in enumerate(trace["steps"]):
            if step["kind"] == "rest":
                for msg in self.check_rest(
                    step["method"], step["path"], step["status"], step["body"]
                ):
                    out.append(
                        f"step {i} {step['method']} {step['path']} -> {step['status']}: {msg}"
                    )
            elif step["kind"] == "event":
                for msg in self.validate_event(step["event"]):
                    out.append(f"step {i} event {step['event'].get('type')}: {msg}")
        return out


def _operation(resource: str, path: str, op: Mapping[str, JsonValue]) -> Operation:
    params = tuple(
        Parameter(
            name=str(p["name"]),
            param_type=str(p.get("paramType", "")),
            data_type=str(p.get("dataType", "")),
            required=bool(p.get("required", False)),
            allow_multiple=bool(p.get("allowMultiple", False)),
        )
        for p in op.get("parameters", [])
    )
    return Operation(
        method=str(op["httpMethod"]).upper(),
        path=path,
        nickname=str(op.get("nickname", "")),
        response_class=str(op.get("responseClass", "void")),
        error_codes=tuple(int(e["code"]) for e in op.get("errorResponses", [])),
        parameters=params,
        resource=resource,
    )


def _primitive_ok(value: JsonValue, type_name: str) -> bool:
    if type_name == "string":
        return isinstance(value, str)
    if type_name in ("int", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name in ("double", "float"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "object":
        return isinstance(value, dict)
    if type_name == "Date":
        return isinstance(value, str) and ASTERISK_DATE_RE.match(value) is not None
    return False


def _describe(value: JsonValue) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def load_traces(names: Iterable[str] | None = None) -> list[dict[str, JsonValue]]:
    """The golden traces, sorted by file name (all of them unless `names` is given)."""
    wanted: Sequence[str] | None = list(names) if names is not None else None
    out = []
    for path in sorted(traces_dir().glob("*.json")):
        if wanted is None or path.stem in wanted:
            out.append(json.loads(path.read_text()))
    return out
