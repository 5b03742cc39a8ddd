"""Police ranks: canonical codes and the ways callers and force exports say them.

The directory stores one code per person so that "Detective Constable",
"DC" and "d c" in a CSV all mean the same thing, and so that the matcher can
tell "sergeant Patel" from "PC Patel" whatever words the caller used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["RANKS", "RANK_TITLES", "rank_code"]

# Plurals too: "she's one of the PCSOs out at Chalkbury" says her rank as surely; and the
# short forms force staff lists write ("Ch Insp", "Det Sgt").
RANKS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "PC": ("pc", "police constable", "constable", "pcs", "constables"),
        "DC": ("dc", "detective constable", "detective constables", "det con"),
        "PS": ("ps", "sergeant", "sarge", "police sergeant", "sgt", "sergeants"),
        "DS": ("ds", "detective sergeant", "det sgt", "d sgt"),
        "INSP": ("inspector", "insp", "police inspector", "inspectors"),
        "DI": ("di", "detective inspector", "det insp"),
        "CI": ("chief inspector", "ci", "ch insp", "chief insp"),
        "DCI": ("dci", "detective chief inspector", "det ch insp", "det chief insp"),
        "SUPT": ("superintendent", "super", "supt", "detective superintendent", "det supt"),
        "CH_SUPT": (
            "chief superintendent",
            "chief super",
            "ch supt",
            "detective chief superintendent",
        ),
        # Chief officers: in a force's staff list, and asked for by callers ("the ACC").
        "ACC": ("acc", "assistant chief constable"),
        "DCC": ("dcc", "deputy chief constable"),
        "CC": ("chief constable",),
        "PCSO": (
            "pcso",
            "police community support officer",
            "community support officer",
            "pcsos",
            "community support officers",
        ),
        # The Special Constabulary's own ranks (volunteer officers), as forces list them.
        "SC": ("sc", "special constable"),
        # ("SC Insp": the constabulary's letters before the rank, as some staff lists write)
        "SPS": ("special sergeant", "special sgt", "ssgt", "s sgt", "sps", "sc sgt", "sc ps"),
        "SINSP": ("special inspector", "special insp", "sinsp", "s insp", "sc insp"),
        "SCI": ("special chief inspector", "sci", "sc ci", "sc chief insp"),
        "STAFF": (),
    }
)

# Offices one person holds in a force (most forces have one ACC or a few): where the
# directory lists one holder, the rank alone names them ("put me through to the Chief
# Constable"). Not a sergeant or an inspector, however few a directory lists.
OFFICES = frozenset({"CC", "DCC", "ACC"})

# How a rank is said before a name in prompts ("Did you say Sergeant Ali Khan?").
RANK_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "PC": "PC",
        "DC": "DC",
        "PS": "Sergeant",
        "DS": "DS",
        "INSP": "Inspector",
        "DI": "DI",
        "CI": "Chief Inspector",
        "DCI": "DCI",
        "SUPT": "Superintendent",
        "CH_SUPT": "Chief Superintendent",
        "ACC": "Assistant Chief Constable",
        "DCC": "Deputy Chief Constable",
        "CC": "Chief Constable",
        "PCSO": "PCSO",
        "SC": "Special Constable",
        "SPS": "Special Sergeant",
        "SINSP": "Special Inspector",
        "SCI": "Special Chief Inspector",
        "STAFF": "",
    }
)

_LOOKUP: dict[str, str] = {}
for _code, _forms in RANKS.items():
    _LOOKUP[_code.lower()] = _code
    _LOOKUP[_code.lower().replace("_", " ")] = _code
    for _form in _forms:
        _LOOKUP[_form] = _code
_LOOKUP.update({"staff": "STAFF", "civilian": "STAFF", "police staff": "STAFF"})
# A courtesy title is how a force's staff list names police staff ("Mrs", "Mr"): no
# rank, and a caller's "Mrs Begum" matches on the surname (the query drops the title).
_LOOKUP.update(dict.fromkeys(("mr", "mrs", "ms", "miss", "mx", "dr"), "STAFF"))
# ... and the titles of staff who are not police officers ("Revd" for the chaplain).
_LOOKUP.update(dict.fromkeys(("rev", "revd", "reverend", "fr", "father", "prof"), "STAFF"))


def rank_code(value: str) -> str | None:
    """The canonical code for a code or spoken form ("Detective Constable" -> "DC").

    Case, dots and extra spaces are ignored ("D.C.", "det constable" is not
    guessed). None when the rank is unknown, so importers can report the row.
    """
    key = " ".join(value.lower().replace(".", "").replace("_", " ").split())
    code = _LOOKUP.get(key)
    if code is None and key and all(len(part) == 1 for part in key.split()):
        code = _LOOKUP.get(key.replace(" ", ""))  # "d c" as typed or transcribed
    return code
