"""What a caller's words say to the DirectoryMatcher: ranks, name words, optional words.

The word lists are the matcher's model of speech to a police switchboard:
FILLER carries no "who", WEAK says "a group" without saying which, DESCRIBING
a person without saying which, and after
a TOPIC word the caller is saying why, not whom. Ranks are read as phrases
("detective sergeant", "sarg") into the codes of ``ivr.directory.ranks``,
so a rank can confirm or contradict an entry instead of being a name word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ivr.directory.ranks import RANKS
from ivr.directory.titles import COURTESY, Sex, title_sex
from ivr.text import is_number_word, normalise
from ivr.text import tokens as text_tokens

# Words that carry no "who": politeness, call phrases, function words.
FILLER = frozenset(
    " ".join(
        (
            "a an the to i id im ive me my we us our can could would will shall should like",
            "want wanna speak speaking talk talking with please pls put through connect",
            "connected transfer get give hello hi hiya hey yes yeah yep morning afternoon",
            "evening good thanks thank cheers you just is are was be been am there someone",
            "somebody anyone anybody person people in from at on of for and or uh um umm er",
            "erm ah oh okay ok right so need needed trying try reach contact ring call calling",
            "phone phoning looking look it its this that officer police called name named sir",
            "madam mr mrs ms miss dr some who works work working do does available free",
            "have has had after he hes she shes his her him they theyre them their",
            "speaks tell told telling possible hold",
            # what the caller calls whoever answers ("ow at duck", "cheers mate")
            "duck ducky mate luv hun pet hen ow",
            # a surname not known ("Joan something", "Dave whatshisname")
            "something summat whatshername whatsername whatshisname whatsisname",
        )
    ).split()
) | frozenset(COURTESY)  # a title said ("Frau", "Monsieur") is no name
# Words that say "a group" but rarely decide which one: optional in queries, light in names.
WEAK = frozenset(
    " ".join(
        (
            "team unit department dept office section squad desk line centre center room",
            "service lot",  # "the traffic lot"
        )
    ).split()
)
# Words that describe a person without saying which ("the Polish lady officer", "a young
# lad in CID", "our local bobby"): optional, so a first name said with them is not
# outscored by "someone who speaks Polish". They still match a name that holds them.
DESCRIBING = frozenset(
    " ".join(
        (
            "lady ladies woman women man men bloke fella fellow guy chap lass lad gentleman",
            "gent girl boy young older nice lovely tall local bobby bobbies copper",
            "policewoman policeman policewomen policemen officers",
            "polish english welsh scottish scots irish british indian pakistani bangladeshi",
            "asian african nigerian ghanaian somali chinese romanian lithuanian latvian",
            "bulgarian ukrainian russian portuguese spanish italian french german turkish",
            "kurdish arabic urdu punjabi hindi bengali gujarati tamil filipino language",
        )
    ).split()
)
# First names that are everyday words ("a mark on my car", "I hope", "they tried to rob
# me"): said with a team or rank they are not read as describing a person (matcher).
ORDINARY = frozenset(
    " ".join(
        (
            "mark hope grace faith joy rose bill pat sue dawn june may april august summer",
            "rich frank guy holly ivy penny rob robin nick drew cliff dean ray rod sandy",
            "chase hunter sky storm jack miles wade carol mercy amber ruby pearl jade bobby",
        )
    ).split()
)
# A name said after these is where something happened, not who is asked for ("my bag was
# taken at Gateway Park"). Not "in": "someone in CID" asks for the unit.
WHERE = frozenset({"at", "on", "near", "outside", "by", "round", "around", "behind", "opposite"})
# A word said just before these names the place ("the Jain temple", "St John's church"),
# not a person asked for: it may match a name but nominates no one.
WORSHIP = frozenset(
    {"temple", "church", "mosque", "masjid", "gurdwara", "mandir", "synagogue", "chapel"}
    | {"cathedral", "kirk", "abbey"}
)
# After these, the caller is saying why, not whom: words may match but cost nothing.
TOPIC = frozenset({"about", "regarding", "concerning", "because", "cos", "re", "as"})
# ... except before a number or an amount: "a little boy, about three" is an age, not a topic.
_AMOUNT = frozenset({"half", "quarter", "twice", "once", "hundred", "dozen", "midnight"})
# Surnames that are everyday words ("a little boy", "a brown car", "the driver", "my case"):
# heard alone (no first name, rank or title) they are as likely the word as the name.
ORDINARY_SURNAMES = frozenset(
    " ".join(
        (
            "little young long short brown white black green grey gray wood woods hill bell",
            "king cook baker hall moss rice low sharp bright wise strong hardy fox bird lamb",
            "best hope rich wells banks field fields marsh lane street ford waters stone head",
            "still hunt swift knight page love sweet ward fry frost snow day cross price rose",
            "mills power lord steel case church march may summer winter north south west east",
            "park parks gate gates bush ash oak walker driver farmer butcher porter shepherd",
            "gardener hunter bishop nurse judge law bull bullock drake crane swan wolf savage",
            "wild moody house castle bridge bridges lake pool sands dale brook brooks english",
            "french welsh scott holland rivers cash gold silver chance rock fair hale noble",
        )
    ).split()
)
# A surname said after these is asked for: "Mr Little", "Mrs Brown".
# ... and the titles of callers' own languages ("Guten Tag, I am looking for Frau Pringel").
TITLES = frozenset({"dr", "doctor"} | COURTESY.keys())

# Rank phrases as words -> codes; "detective" alone means any detective rank.
_EXTRA_RANK_FORMS: dict[str, tuple[str, ...]] = {
    "PS": ("sargent", "sergent", "seargent", "sarjeant", "serjeant", "sarg"),
    "INSP": ("inspecter",),
    "DCI": ("detective chief inspecter",),
}
DETECTIVES = frozenset({"DC", "DS", "DI", "DCI"})
# The bare title is a detective's too: callers say "Sergeant Ridley" for DS Helen Ridley
# as for PS Heather Ridley, so with both in the directory nothing said tells them apart.
# ("PC" and "constable" are not a DC's: callers say "detective" for those.)
_DETECTIVE_OF = {"PS": "DS", "INSP": "DI", "CI": "DCI"}
_PLAIN_TITLES = frozenset(
    {"sergeant", "sarge", "sgt", "sarg", "sargent", "sergent", "seargent", "sarjeant"}
    | {"serjeant", "inspector", "insp", "inspecter", "chief inspector"}
)
# Ranks callers confuse: "sergeant Johnson" for a detective sergeant, "PC" for a PCSO.
RANK_FAMILY: dict[str, frozenset[str]] = {
    "PC": frozenset({"DC", "PCSO"}),
    "DC": frozenset({"PC"}),
    "PCSO": frozenset({"PC"}),
    # A special is "PC Pryce" or "Sergeant Webb" to the caller who met them.
    "SC": frozenset({"PC"}),
    "SPS": frozenset({"PS"}),
    "SINSP": frozenset({"INSP"}),
    "SCI": frozenset({"CI"}),
    "PS": frozenset({"DS"}),
    "DS": frozenset({"PS"}),
    "INSP": frozenset({"DI"}),
    "DI": frozenset({"INSP"}),
    "CI": frozenset({"DCI"}),
    "DCI": frozenset({"CI"}),
    "SUPT": frozenset({"CH_SUPT"}),
    "CH_SUPT": frozenset({"SUPT"}),
}
_GENERIC_RANKS: dict[tuple[str, ...], frozenset[str]] = {
    ("detective",): DETECTIVES,
    ("det",): DETECTIVES,
    ("chief",): frozenset({"CI", "DCI", "CH_SUPT"}),
}


def _rank_phrases() -> dict[tuple[str, ...], frozenset[str]]:
    phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for code, forms in RANKS.items():
        for form in (*forms, *_EXTRA_RANK_FORMS.get(code, ())):
            phrases[tuple(form.split())].add(code)
    for words, found in phrases.items():
        if " ".join(words) in _PLAIN_TITLES:
            found.update(_DETECTIVE_OF[c] for c in list(found) if c in _DETECTIVE_OF)
    out = {k: frozenset(v) for k, v in phrases.items()}
    for words, codes in _GENERIC_RANKS.items():
        out.setdefault(words, codes)
    return out


RANK_PHRASES = _rank_phrases()
RANK_MAX_WORDS = max(len(k) for k in RANK_PHRASES)


@dataclass(slots=True)
class Query:
    """What one transcript says for the matcher: the ranks it allows and its name words."""

    ranks: frozenset[str] | None  # codes the caller's rank words allow; None: no rank said
    rank_said: str
    words: tuple[tuple[str, bool], ...]  # (word, optional)
    optional: frozenset[str]
    plain: tuple[str, ...]  # the words alone
    # (team, words left) -> (team recall, best word similarity, role, words still left)
    team_cache: dict[tuple[str, tuple[str, ...]], tuple[float, float, float, list[str]]]
    # The telling words of each whole team or department name said (the matcher's to set)
    groups: tuple[frozenset[str], ...] = ()
    # The caller spelt a name ("Smyth with a Y", "R-E-I-D"): its spelling is theirs, not
    # the recogniser's guess, so it tells sound-alikes apart.
    spelt: bool = False
    # Positions in ``plain`` of words said right after a WHERE word: a place, not asked for.
    placed: frozenset[int] = frozenset()
    # Words said right after a title ("Mr Little"): a name, even when also a word.
    titled: frozenset[str] = frozenset()
    # ... with the sex the title says ("Mr Ray": not Deborah Ray).
    addressed: tuple[tuple[str, Sex], ...] = ()
    # Words said as a first name ("his first name's Stewart"): no surname.
    first_only: frozenset[str] = frozenset()
    # Words said after a rank ("DS Manpreet Singh"), or just before it as its title
    # ("Mathews, the DC"): other words before it are no name the rank confirms ("rang me
    # saying he was a detective").
    after_rank: frozenset[str] = frozenset()
    # Words said after "not" ("Sam Hughes in traffic, not Westhaven"): whom the caller
    # does not mean.
    excluded: frozenset[str] = frozenset()


# "with a Y", "with an E"; or four or more letters one by one ("R-E-I-D", "r e e d").
SPELT = re.compile(r"\bwith an? [a-z]\b(?!')|\b[a-z](?:[\s.,-]+[a-z]\b){3,}")


def _unspelt(words: list[str], vocab: frozenset[str]) -> list[str]:
    """The words without a spelling's restatement: "with a y" after a name, and a name
    spelt out letter by letter (joined by ``normalise``) after the name itself (a
    directory word said twice counts once)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        said = words[i : i + 3]
        if len(said) == 3 and said[:2] in (["with", "a"], ["with", "an"]) and len(said[2]) == 1:
            i += 3
            continue
        if words[i] not in vocab or words[i] not in out:
            out.append(words[i])
        i += 1
    return out


def content_words(text: str) -> list[str]:
    """The words of ``text`` that can say who: tokens without FILLER."""
    return [w for w in text_tokens(text) if w not in FILLER]


# A complaint about something that is not the police ("who do I complain to about the noise
# from the concert", "complain about my neighbours' dog"): the complaint words name no
# complaints department then, however like its alias ("Complaints") they are.
COMPLAINT = frozenset({"complain", "complaint", "complaints", "complaining", "complained"})
NOT_ABOUT_POLICE = re.compile(
    r"\bcomplain(?:t|ts|ing|ed)?(?: to(?: [a-z]+)?)? about\b(?!.*\b(?:police|polis|officers?"
    r"|coppers?|cops?|pcs?|pcsos?|policem[ae]n|policewom[ae]n|constables?|sergeants?"
    r"|detectives?|inspectors?|staff|call handlers?|operators?|you|your|yours|the way"
    r"|how (?:i|we|my|he|she|they|it)|treated|rude|attitude|conduct)\b)"
)


# The visit the caller tells of to say which officer ("he's the one who came out about my
# quad bike", "she came round last week"): what happened, not who. Removed, as a topic is.
VISITED = re.compile(r"\b(?:came|come|coming) (?:out|round|over)\b")
# When something happened is the caller's reason, not a name ("PC Shaw came out about
# three weeks ago"): its words are taken out as VISITED's are.
WHEN = re.compile(
    r"\b(?:(?:about|around|over|nearly|almost|like) )?"
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of|couple of"
    r"|few|[0-9]+) (?:days?|weeks?|months?|years?|hours?) ago\b"
    r"|\b(?:last (?:week|month|year|night|time)|yesterday)\b"
)
# A neighbour told of by title and surname ("I've not seen old Mrs Urquhart next door for
# three days", "my neighbour Mrs Parry's ninety"): the one the call is about, not whom
# the caller asks for (two officers Urquhart were offered for her). Removed, as a visit is.
_CIVIL_TITLE = r"(?:mr and mrs|mr|mrs|ms|miss|mister)"  # "doctor" is a rank here too
_SURNAME = r"(?!and\b)[a-z]+"
NEIGHBOUR_NAMED = re.compile(
    rf"\b(?:(?:my|our|the) neighbours?|old|poor|elderly) {_CIVIL_TITLE} {_SURNAME}\b"
    rf"|\b{_CIVIL_TITLE} {_SURNAME} (?=(?:next door|across the road|over the road|opposite"
    r"|upstairs|downstairs|(?:at|from|in) number)\b)"
)
# A caller who says they know no surname ("I don't know his last name", "I only know her
# first name"): no word they said is one.
NO_SURNAME = re.compile(
    r"\b(?:(?:dont|didnt|do not|did not|never|cant|cannot|can not|couldnt)"
    r" (?:know|catch|get|got|remember|have|say|pronounce|spell)"
    r" (?:his|her|their|the) (?:last name|surname|second name)"
    r"|only (?:know|got|have) (?:his|her|their|the) first name"
    # "I remember the first name, Agnieszka": not after a "not" ("I don't know her first
    # name, it's PC Clarke" knows the surname)
    r"|(?<!dont )(?<!didnt )(?<!not )(?<!cant )(?<!never )(?<!couldnt )"
    r"(?:remember|recall|know) (?:his|her|their|the) first name)\b"
)


# Rank words naming an office's place rather than a person ("the Chief Constable's office",
# "the chief officers' office", "chief officer group"): a department's name, read as words.
# Not a rank before "officer" ("a detective officer", "the sergeant officer"): a person.
OFFICE_AFTER_RANK = frozenset({"office", "offices"})
CHIEF_OFFICERS = frozenset({"officer", "officers"})


def _office_named(words: Sequence[str]) -> frozenset[int]:
    """Positions of rank phrases said just before an office word ("chief constables office":
    "chief", "constables"), which name a department, not a rank asked for."""
    out: set[int] = set()
    i = 0
    while i < len(words):
        j = i
        while (size := _rank_at(words, j)) > 0:
            j += size
        office = j < len(words) and (
            words[j] in OFFICE_AFTER_RANK
            or (words[j] in CHIEF_OFFICERS and words[j - 1] == "chief")
        )
        if j > i and office:
            out.update(range(i, j))
        i = max(j, i + 1)
    return frozenset(out)


def _rank_at(words: Sequence[str], i: int) -> int:
    """The length of the longest rank phrase starting at ``i`` (0: none)."""
    for size in range(min(RANK_MAX_WORDS, len(words) - i), 0, -1):
        if tuple(words[i : i + size]) in RANK_PHRASES:
            return size
    return 0


def says_no_surname(text: str) -> bool:
    """The caller says they know no surname ("I don't know his last name")."""
    return NO_SURNAME.search(normalise(text)) is not None


def parse_query(text: str, vocab: frozenset[str], no_surname: bool = False) -> Query:
    """Rank phrases to codes, the other words (optional after a TOPIC word or WEAK), and
    split or plural forms joined to the directory's own ``vocab`` words. ``no_surname``:
    the caller said elsewhere (another clause) that they know no surname."""
    words = _unspelt(text_tokens(text), vocab)
    if NOT_ABOUT_POLICE.search(" ".join(words)):
        words = [w for w in words if w not in COMPLAINT]
    # "I don't know his last name" says which name was said, not who: no unexplained words.
    joined = " ".join(words)
    if NO_SURNAME.search(joined):
        no_surname = True
        joined = NO_SURNAME.sub(" ", joined)
    words = NEIGHBOUR_NAMED.sub(" ", WHEN.sub(" ", VISITED.sub(" ", joined))).split()
    ranks: set[str] | None = None
    ranked_from = -1  # the index in ``out`` of the first word the first rank said names
    last_said = -1  # the index in ``words`` of the last word put in ``out``
    said: list[str] = []
    out: list[tuple[str, bool]] = []
    optional = False
    placed: set[int] = set()
    titled: set[str] = set()
    addressed: dict[str, Sex] = {}
    first_only = frozenset(words) if no_surname else _said_as_first_name(words)
    where = False
    office_named = _office_named(words)
    ranked: set[int] = set()  # positions in ``words`` right after a rank phrase
    i = 0
    while i < len(words):
        for size in range(min(RANK_MAX_WORDS, len(words) - i), 0, -1):
            codes = RANK_PHRASES.get(tuple(words[i : i + size]))
            if codes is not None and not optional and i not in office_named:
                if ranks is None:
                    # "Mathews, the detective constable": a name said just before its
                    # rank, as its title, is named by it too
                    titling = out and all(w == "the" for w in words[last_said + 1 : i])
                    ranked_from = len(out) - 1 if titling else len(out)
                ranks = set(codes) if ranks is None else ranks | codes
                said.append(" ".join(words[i : i + size]))
                i += size
                if i < len(words):
                    ranked.add(i)
                break
        else:
            word = words[i]
            i += 1
            if word in TITLES and i < len(words):
                titled.add(words[i])
                if (sex := title_sex(word)) is not None:
                    addressed[words[i]] = sex
            if word in TOPIC and not _amount_next(words, i):
                optional = optional or bool(out)  # "about my case" after a name
            elif word not in FILLER:
                if where:
                    placed.add(len(out))
                # "PC Welsh", "Sergeant Young": a word said right after a rank is a name
                describes = word in DESCRIBING and i - 1 not in ranked
                names_place = i < len(words) and words[i] in WORSHIP
                out.append((word, optional or word in WEAK or describes or names_place))
                last_said = i - 1
            where = word in WHERE or (where and word in FILLER)
    # "mc donald" -> "mcdonald", "johnsons" -> "johnson" when that is a known word
    merged: list[tuple[str, bool]] = []
    places: set[int] = set()
    after_rank: set[str] = set()
    j = 0
    while j < len(out):
        word, opt = out[j]
        if j in placed:
            places.add(len(merged))
        size = 2 if j + 1 < len(out) and word + out[j + 1][0] in vocab else 1
        if size == 2:
            word += out[j + 1][0]
        elif word not in vocab and word.endswith("s") and word[:-1] in vocab:
            word = word[:-1]
        if 0 <= ranked_from <= j + size - 1:
            after_rank.add(word)
        merged.append((word, opt))
        j += size
    return Query(
        frozenset(ranks) if ranks is not None else None,
        " ".join(said),
        tuple(merged),
        frozenset(w for w, opt in merged if opt),
        tuple(w for w, _ in merged),
        {},
        spelt=SPELT.search(text.lower()) is not None,
        placed=frozenset(places),
        titled=frozenset(titled),
        addressed=tuple(addressed.items()),
        first_only=first_only,
        after_rank=frozenset(after_rank),
        excluded=_said_as_not(words),
    )


_FIRST_NAME = (("first", "name"), ("first", "names"), ("christian", "name"), ("christian", "names"))


def _said_as_first_name(words: list[str]) -> frozenset[str]:
    """The word after "first name" ("his first name's Stewart", "first name is Stewart")."""
    out: set[str] = set()
    for i in range(len(words) - 2):
        if (words[i], words[i + 1]) in _FIRST_NAME:
            after = words[i + 2 : i + 4]
            word = after[1] if after[0] == "is" and len(after) > 1 else after[0]
            out.add(word)
    return frozenset(out)


NOT_WORDS = frozenset({"not", "isnt", "wasnt", "nor"})
# Words between "not" and what is not meant ("not the one in Westhaven").
_NOT_SKIP = frozenset(
    {"the", "one", "ones", "in", "at", "from", "of", "a", "an", "that", "who", "works", "based"}
)


# "Not" of the caller's own knowing or feeling, not of whom they mean ("I'm not sure of
# his name", "not really", "not his first name").
_NOT_OF_ME = frozenset(
    {"sure", "certain", "know", "remember", "really", "very", "too", "so", "quite", "just"}
    | {"his", "her", "their", "my", "your", "any", "anyone", "anybody", "working", "answering"}
)


def _said_as_not(words: list[str]) -> frozenset[str]:
    """The first two words that say something after "not" ("not Westhaven", "not the one
    at Marsby station"), unless they are of the caller ("not sure")."""
    out: set[str] = set()
    for i, word in enumerate(words):
        if word in NOT_WORDS:
            after = [w for w in words[i + 1 : i + 6] if w not in _NOT_SKIP]
            if after and after[0] not in _NOT_OF_ME:
                out.update(after[:2])
    return frozenset(out)


def _amount_next(words: list[str], i: int) -> bool:
    """An amount comes at ``i`` ("about three", "about half an hour"): "about" is roughly."""
    return i < len(words) and (is_number_word(words[i]) or words[i] in _AMOUNT)
