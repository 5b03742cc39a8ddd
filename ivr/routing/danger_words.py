"""The words DangerReader reads around an emergency cue: cue kinds, contexts, present danger.

Kept apart from the reader so the vocabulary can be reviewed (and grown) as a
list, the way intents.yaml is. Every phrase is matched on ``normalise``d text
(lower case, no punctuation, "he's" -> "hes", "nobody's" -> "nobodys"), whole
words only. Regex fragments keep related phrasings on one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from enum import Enum


class CueKind(Enum):
    """What a cue is about; it decides which contexts can move it away from 999."""

    PRESENT = "present"  # the cue itself says now: "right now", "still here", "in progress"
    MEDICAL = "medical"  # a life at risk whatever the context: "not breathing", "overdose"
    SELF_HARM = "self-harm"
    THREAT = "threat"  # words, possibly by message: "threatened", "going to kill"
    WEAPON = "weapon"
    VIOLENCE = "violence"
    INJURY = "injury"
    INTRUDER = "intruder"
    DAMAGE = "damage"  # property attacked: "smashing", "force the door"
    TAKEN = "taken"  # abduction, being followed
    FIRE = "fire"
    ROAD = "road"
    URGENCY = "urgency"  # "quick", "urgent", "emergency": a plea, not a danger by itself
    # A suspected explosive: "a bag with wires sticking out of it". Found, not held, is how
    # it is always told, so the found-object context that sends a found knife to the
    # control room does not move it; a past or the news does.
    DEVICE = "device"


class Context(Enum):
    """A reason a cue is no danger now; the value names the Decision's rule."""

    FOUND = "found-object"  # "I found a knife in the park"
    TOY = "toy-weapon"  # "a kid with a gun, but it's one of them plastic BB ones"
    LICENSED = "licensed-gun"  # "his shotguns are in the cabinet and his certificate's run out"
    THING = "thing-taken"  # "my number plates have been taken": a theft, not an abduction
    WITNESS = "witness"  # news, an appeal, information, a question about it
    ENQUIRY = "enquiry"  # "is it safe to go into town?", "what's going on?"
    REMOTE = "remote"  # by text, message, facebook, phone call
    PAST = "past"  # last week, yesterday, on saturday, years ago
    FUTURE = "future"  # tomorrow, next week, this weekend: said to be coming, not here
    OUT = "fire-out"  # the fire is out
    BURN = "planned-burn"  # "it's the farmer burning off, he told us he would"
    GONE = "offender-gone"  # they've gone, nobody there
    UNHURT = "nobody-hurt"  # nobody's hurt, everyone's ok
    EXPOSURE = "exposure-threat"  # "threatening to share my photos": to publish, not harm
    CUSTODY = "in-custody"  # "my brother's been taken to the cells": arrested, not abducted
    NOISE = "party-noise"  # "thirty people in the garden screaming, music blasting"
    POLICE = "armed-police"  # "the ones with the guns on the gate": the police's guns


# Which kinds each context can move (to the FCR; see DangerReader for the RC).
# MEDICAL, SELF_HARM and PRESENT are in none: no context makes them safe.
_ANY_EVENT = frozenset(CueKind) - {CueKind.PRESENT, CueKind.MEDICAL, CueKind.SELF_HARM}
MOVES: Mapping[Context, frozenset[CueKind]] = {
    Context.FOUND: frozenset({CueKind.WEAPON, CueKind.URGENCY}),
    # Said to be a toy, a replica or a BB gun: asked (police treat a replica brandished
    # as real; a child pinging pigeons is the control room's).
    Context.TOY: frozenset({CueKind.WEAPON, CueKind.URGENCY}),
    # A gun told of by its paperwork or its cabinet: a licensing matter, routed as asked.
    Context.LICENSED: frozenset({CueKind.WEAPON, CueKind.URGENCY}),
    Context.THING: frozenset({CueKind.TAKEN}),
    Context.NOISE: frozenset({CueKind.VIOLENCE}),  # read for "screaming" only: NOISE_CUES
    Context.POLICE: frozenset({CueKind.WEAPON}),  # a cue said only inside ARMED_POLICE
    Context.WITNESS: _ANY_EVENT,
    Context.ENQUIRY: _ANY_EVENT,
    Context.REMOTE: frozenset({CueKind.THREAT, CueKind.WEAPON, CueKind.TAKEN, CueKind.URGENCY}),
    Context.PAST: _ANY_EVENT,
    # Violence said to be planned for another day ("going to stab someone at the festival
    # this weekend", "bringing a knife in tomorrow"): the control room's to prevent.
    Context.FUTURE: frozenset({CueKind.THREAT, CueKind.WEAPON, CueKind.VIOLENCE, CueKind.URGENCY}),
    Context.OUT: frozenset({CueKind.FIRE, CueKind.URGENCY}),
    # A fire said to be someone's planned burn (a farmer burning off the heather, a garden
    # bonfire): the control room's to look at, unless it is said to be spreading or near
    # someone (present danger keeps it 999).
    Context.BURN: frozenset({CueKind.FIRE}),
    # A threat whose maker has left is no danger now ("he said it and walked off");
    # violence is not: the one he hurt may still need help.
    Context.GONE: frozenset({CueKind.THREAT, CueKind.DAMAGE, CueKind.INTRUDER, CueKind.URGENCY}),
    Context.UNHURT: frozenset({CueKind.INJURY, CueKind.URGENCY}),
    Context.EXPOSURE: frozenset({CueKind.THREAT}),
    Context.CUSTODY: frozenset({CueKind.TAKEN}),  # a cue said only inside CUSTODY
}
# Tried in this order for each cue: the first context that moves it names the reason.
PRIORITY = (
    Context.FOUND,
    Context.TOY,
    Context.LICENSED,
    Context.THING,
    Context.NOISE,
    Context.WITNESS,
    Context.ENQUIRY,
    Context.REMOTE,
    Context.PAST,
    Context.FUTURE,
    Context.OUT,
    Context.BURN,
    Context.GONE,
    Context.UNHURT,
)
# Only these kinds, past and with nobody there, are a crime report rather than a risk.
CRIME_REPORT_KINDS = frozenset({CueKind.DAMAGE, CueKind.FIRE, CueKind.URGENCY})


def _kinds(table: Mapping[CueKind, str]) -> dict[str, CueKind]:
    return {cue: kind for kind, cues in table.items() for cue in cue_list(cues)}


# A courier fraud in progress: the victim may hand over cards in minutes, but a courier
# collecting a parcel is no danger, so the words' meaning has to agree (emergency.py's
# MEANING_DECIDES holds these too).
COURIER_FRAUD = """courier coming, courier is coming, couriers coming, sending a courier,
    sending a courier round, coming to collect the money, coming to collect the cash,
    collect her bank cards, collect his bank cards, collect my bank cards,
    collect her bank card, collect his bank card, collect my bank card, collect her cards,
    collect his cards, collect my cards, collect the cards, collect the cash,
    courier is on his way, couriers on his way, courier on his way, courier is outside,
    courier is at the door, courier at the door, told him to take out, told her to take out,
    told me to take out, told him to withdraw, told her to withdraw, told me to withdraw,
    taxi waiting, taxi is waiting"""


def cue_list(cues: str) -> frozenset[str]:
    """A comma-separated list of cues as a set."""
    return frozenset(cue.strip() for cue in cues.split(","))


# Cues of someone gone into the water, which a thing may be said to have done instead.
INTO_THE_WATER = """into the river, into the sea, into the canal, into the reservoir, into the lake,
    into the loch, into the harbour, into the dock, into the docks"""
# ... and of a weapon aimed, which may be a toy aimed at a thing instead (``_toy_aim``).
AIM_CUES = """pointing it at, pointed it at, pointing a gun at, pointing the gun at,
    pointed a gun at, aiming it at, aimed it at"""
# The shipped cues (routing_rules/intents.yaml), normalised. A cue not listed here
# (an admin added it) is read as PRESENT: it stays an emergency whatever surrounds it.
CUE_KINDS: Mapping[str, CueKind] = _kinds(
    {
        CueKind.PRESENT: """broken in now, in my house now, in the house now, still here,
            still there, still in the house, still inside, still upstairs, still downstairs,
            still in it, still someone in it, still somebody in it, still people in it,
            still folk in it, still kids in it, still someone inside, still somebody inside,
            still people inside, still folk inside,
            outside now, in progress, happening now, right now, come quick, come now,
            police now, wont let me out, wont let me leave, trapped, can see him,
            can see them, can see her, can still see him, can still see them,
            can still see her, """
        + COURIER_FRAUD,
        CueKind.INTRUDER: """breaking in, breaking into, trying to get in, climbing through,
            climbing in the window, climbing in through, kicking the door,
            masked, balaclava, balaclavas, someone in my house, somebody in my house,
            someones in my house, someone in the house, somebody in the house, man in my house,
            men in my house, man in our house, men in our house, man in the house,
            men in the house, man in my hall, men in my hall, man in my hallway,
            men in my hallway, intruder,
            intruders, kick the door, kick down, kicking down""",
        CueKind.DAMAGE: "smashing, force the door, trying to force, force open, forcing",
        CueKind.TAKEN: """following me, being followed, kidnapped, snatched, abducted,
            been taken, missing child, lost my little boy, lost my little girl, lost my wee boy,
            lost my wee girl, lost our little boy, lost our little girl, cant find my little boy,
            cant find my little girl, cant find my wee boy, cant find my wee girl, locked me in,
            call out time of, past their call out time, call out time has passed,
            dragged into, bundled into,
            took him in a car, took her in a car, take him in a car, take her in a car,
            put him in a car, put her in a car, forced him into, forced her into""",
        CueKind.WEAPON: """knife, knives, machete, pulled a blade, got a blade, with a blade,
            carrying a blade, waving a blade, gun, guns, shotgun, weapon, weapons, armed,
            broken bottle, petrol bomb, petrol bombs, bomb, grenade, scissors, pistol, pistols,
            handgun, handguns, revolver, revolvers""",
        CueKind.VIOLENCE: """robbing, being robbed, just robbed, just been robbed, stab, stabbed,
            stabbing, shot, shooting, attacking, attacked, hitting me, hitting her, hitting him,
            beating, punching, strangling, pushing me, pushing her, hurting, grabbing, kicking him,
            kicking her, assaulting, choking, fight, fighting, raped, rape, screaming, grabbed,
            stamping, hit me, hit her, hit him, hitting, by the throat, strangled, drove at,
            driven at, drove straight at, driven straight at, driving straight at,
            drove a car at, driven a car at, drove his car at, drove the car at,
            driven the car at, spiked, something in her drink, something in his drink,
            something in my drink""",
        CueKind.INJURY: """blood, bleeding, hurt, seriously hurt, badly hurt, injured, injury,
            run over, hit by a car, bitten, mauled""",
        CueKind.MEDICAL: """unconscious, not breathing, stopped breathing, cant breathe,
            collapsed, overdose,
            dying, dead, not moving, wont wake up, having a fit, seizure, ambulance, face down,
            drowning, hanging from, all her tablets, all his tablets, all my tablets,
            all her pills, all his pills, all my pills, taken a load of pills,
            taken a load of tablets, took a load of pills, took a load of tablets,
            taken loads of pills, taken loads of tablets, took loads of pills,
            took loads of tablets, taken too many pills, taken too many tablets, unresponsive,
            not responding, not responsive, non responsive, nonresponsive, not conscious,
            not waking up, not waking, not wake up, he wont wake, she wont wake,
            they wont wake, cant wake, grey colour, gone grey, turned blue, under the water,
            """
        + INTO_THE_WATER,
        CueKind.THREAT: """going to kill, kill me, kill her, kill him, threatening, threatened,
            hurt me, going to hurt, in the next room, in next room, """
        + AIM_CUES,
        CueKind.SELF_HARM: """kill myself, suicide, jump off, going to jump, about to jump,
            want to die, wants to die, kill herself, kill himself, end it all, end my life,
            end his life, end her life, take his own life, take her own life,
            take my own life, end it tonight, going to end it, gonna end it, wants to end it,
            legs over, not going to be here, dont want to be here anymore,
            dont want to be here any more, dont want to live,
            doesnt want to be here anymore, doesnt want to be here any more,
            doesnt want to live, better off dead, better off without me,
            wont be here tomorrow, got everything ready,
            on the edge, at the edge, hose on the exhaust, hosepipe on the exhaust,
            pipe on the exhaust, from the exhaust, on the exhaust,
            on the outside of the railings, on the outside of the railing,
            wrong side of the railings, wrong side of the railing""",
        CueKind.FIRE: "fire, on fire, smoke, alight, ablaze, in flames",
        CueKind.DEVICE: """wires sticking out, wires coming out, wires hanging out,
            suspicious package, suspicious device, pipe bomb""",
        CueKind.ROAD: """drunk driver, drink driving, on the runway, over the runway,
            on the motorway, middle of the motorway, onto the motorway, on the railway line,
            on the railway, on the tracks, on the train tracks, onto the racecourse,
            out onto the course, onto the track, onto the circuit""",
        # ... and traffic dodging something: how fast the road is, the words rarely say
        CueKind.URGENCY: """emergency, 999, quick, quickly, hurry, urgent, urgently, swerving,
            swerve""",
    }
)


# Cues that say how urgent, not what is happening ("right now", "quick", "urgent"): heard
# with no other cue, they are asked about (the danger check), not taken as an emergency.
# ("emergency", "999", "come quick" say the caller's own verdict: those are not weak).
WEAK_CUES = frozenset(
    {"right now", "happening now", "quick", "quickly", "hurry", "urgent", "urgently"}
    | {"swerving", "swerve"}
)


# Present-danger words that say when, not where or what ("I've seen him now on facebook",
# "it's all calmed down now"): beside a past or a message, they do not make it an emergency.
WEAK_PRESENT = frozenset({"now", "right now", "just now", "going on", "at the moment", "tonight"})


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATIONS = _wordset(
    """no not never nobody noone nobodys noones nothing none without dont doesnt didnt
    isnt wasnt arent werent hasnt havent hadnt wont cant couldnt"""
)


def pattern(fragments: Iterable[str]) -> re.Pattern[str]:
    """One whole-word alternation of regex fragments (spaces are single spaces)."""
    joined = "|".join(" ".join(f.split()) for f in fragments)
    return re.compile(rf"(?<![a-z0-9])(?:{joined})(?![a-z0-9])")


DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_SOME = r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|few|a few|several|couple of"
_SOME += r"|a couple of|some|many|\d+)"
_BE = r"(?:is|are|hes|shes|theyre|im|its|theres|there is|there are|being|am)"
_HAVE = r"(?:has|have|hes|shes|theyve|ive|weve|youve|its|theres)"

# Time that puts the event behind the caller (a bare "was" is not enough: "my son was
# hit by a car" is happening to him now).
PAST = pattern(
    [
        r"yesterday",
        rf"last (?:night|week|weekend|month|year|time|summer|winter|spring|autumn|christmas"
        rf"|easter|{DAYS})",
        rf"{_SOME} (?:days|weeks|months|years) (?:ago|back)",
        # Recent, but over: "about twenty minutes ago", "an hour ago" (the danger check asks).
        rf"(?:{_SOME}|an|half an|twenty|thirty|forty|fifty) (?:minutes?|mins|hours?) ago",
        r"for (?:days|weeks|months|years|ages|a while|a long time)",
        # A year said as words: "in twenty nineteen" (never "in twenty minutes").
        r"in (?:nineteen|twenty) (?:oh [a-z]+|ten|eleven|twelve|thirteen|fourteen|fifteen"
        r"|sixteen|seventeen|eighteen|nineteen|twenty(?: [a-z]+)?)",
        r"(?:days|weeks|months|years|a while|a long time|ages) ago",
        r"the other (?:day|night|week)",
        r"earlier",
        rf"on (?:the )?(?:{DAYS})",
        rf"(?:{DAYS}) (?:night|morning|afternoon|evening)",
        r"(?:at|over) the weekend",
        r"overnight",
        # a time the caller was not there ("broken into over the winter", "while we were
        # away"): 30 of the dev sets' requests said so, all crimes to report
        r"(?:over|during) (?:the )?(?:winter|summer|holidays|christmas|new year|easter|night)",
        r"while (?:i|we|they|he|she) (?:was|were) (?:away|on holiday|abroad)",
        r"while (?:it|the house|the flat|the place|the cottage|the boat) was empty",
        r"used to",
        r"historic|historical",
        rf"(?:back )?in (?:{_MONTHS}|(?:19|20)\d\d)",
        r"when (?:i|we|she|he) (?:was|were) (?:a child|a kid|little|young|younger|at school"
        r"|a teenager|growing up|a boy|a girl)",
        r"as a (?:child|kid)",
    ]
)
# Time still to come: the danger is planned or feared for another day, not here now.
FUTURE = pattern(
    [
        r"tomorrow|tomorrows",
        rf"next (?:week|weekend|month|year|time|{DAYS})",
        r"this (?:weekend|coming week)",
        # a day named after a plan ("two lots are going to have a fight at the match on
        # Saturday"): that day to come, not the last one
        rf"(?:going to|gonna|planning to|planning on|planned for|arranged to|arranging to"
        rf"|meeting up to)(?: [a-z]+){{1,8}} (?:on|this) (?:{DAYS})",
    ]
)
# "Been taken" said of a thing ("my number plates have been taken off my car", "it's been
# taken off me"): the word before "has/have been" is no person; and "collapsed" said of a
# structure ("a chunk of the flood wall at Lidbury has collapsed into the river"). Read
# only for these cues (THING_CUES, at the end of this module).
PEOPLE = frozenset(
    " ".join(
        (
            "son sons daughter daughters child childs children kid kids baby babys boy boys",
            "girl girls lad lass he hes she shes they theyve theyre him her them i ive im me",
            "we weve us mum mums mam mams mother dad dads father wife wifes husband husbands",
            "partner partners sister sisters brother brothers grandson granddaughter",
            "grandchild nan nans gran grandad grandma grandpa friend friends mate mates",
            "someone somebody someones somebodys person man woman women men niece nephew",
            "cousin boyfriend girlfriend toddler teenager student pupil patient client resident",
            "neighbour neighbours colleague worker guest visitor carer lodger tenant passenger",
        )
    ).split()
)
TAKEN_THING = re.compile(
    r"(?:^| )(?:(?:my|our|the|his|her|their|your|all|both) (?:[a-z]+ ){0,3}?([a-z]+)"
    r"(?: has| have| had| got)?|its|it has|thats|that has)"
    r" (?:just |all |now |already )?been taken$"
)


# "I'm forty ewes short ... I think they've been taken": "they" of livestock or goods.
TAKEN_THEY = re.compile(
    r"(?:^| )(?:theyve|they have|they had|theyd)(?: all| just| now| already)? been taken$"
)
THEY_THINGS = frozenset(
    " ".join(
        (
            "sheep ewes lambs rams tups cattle cows calves bullocks heifers steers pigs piglets",
            "goats hens chickens ducks geese turkeys alpacas ponies horses bikes bicycles tools",
            "batteries tyres wheels plates planters pots ornaments tractors trailers quads",
        )
    ).split()
)
_PRONOUNS = frozenset(
    {"he", "hes", "she", "shes", "they", "theyve", "theyre", "him", "her", "them"}
    | {"i", "ive", "im", "me", "we", "weve", "us"}
)


COLLAPSED_THING = re.compile(
    r"(?:^| )(?:wall|walls|fence|fences|bridge|bank|riverbank|chimney|scaffolding|shed|barn"
    r"|tree|hedge|cliff|road|pavement|path|drain|sewer|culvert|ceiling tiles|stack|pile)"
    r"(?: (?!(?:on|onto|into|over)(?: [a-z]+)? (?:him|her|them|someone|somebody|a man"
    r"|a woman|a child|a kid|my))[a-z]+){0,4} (?:has |had |have |just |partly |now )*"
    r"collapsed$"
)


def collapsed_thing(before: str) -> bool:
    """Whether normalised words ending in "collapsed" say it of a structure, not a person."""
    found = COLLAPSED_THING.search(before)
    return found is not None and not (set(found.group(0).split()) & (PEOPLE - _PRONOUNS))


def taken_thing(before: str) -> bool:
    """Whether normalised words ending in "been taken" say it of a thing, not a person."""
    if TAKEN_THEY.search(before):
        said = set(before.split())
        people = said & (PEOPLE - _PRONOUNS)
        return bool(said & THEY_THINGS) and not people
    found = TAKEN_THING.search(before)
    if found is None:
        return False
    noun = found.group(1)
    if noun is None:
        return True  # "it's been taken"
    return noun not in PEOPLE and not (noun.endswith("s") and noun[:-1] in PEOPLE)


TOY = pattern(
    [
        r"(?:toy|plastic|bb|airsoft|replica|imitation|fake|prop|nerf|gel|cap|water|paintball)"
        r"(?: [a-z]+)? (?:gun|guns|one|ones|pistol|pistols|rifle|rifles|blaster|blasters"
        r"|game|games)",
        r"(?:its|it was|it is|its only|its just|only|just) (?:a |an )?"
        r"(?:toy|replica|fake|imitation|prop)",
        # a game played with them ("one of those airsoft games", "playing paintball")
        r"playing (?:airsoft|paintball|laser tag)",
    ]
)
# ... said surely (``toy_sure``): a toy word not denied ("it's not a toy gun") nor a shop
# ("it's a toy shop"), no doubt or hearsay said of it ("I think it's", "he says it's a toy",
# "looks real"), and no other weapon beside it ("the kids have toy guns, he's got a knife").
SURE_TOY = pattern(
    [
        r"(?<!not )(?<!no )(?<!isnt )(?<!wasnt )(?<!not a )(?<!not an )(?<!isnt a )(?<!wasnt a )"
        r"(?:toy|plastic|replica|imitation"
        r"|fake|nerf|airsoft|orange)(?: [a-z]+)? (?:gun|guns|one|ones|pistol|pistols|rifle"
        r"|rifles)",
        r"(?<!not )(?:its|it is|its only|its just|only|just) (?:a |an )?(?:toy|replica|fake"
        r"|imitation)(?! (?:shop|shops|store|stores|gun shop))",
    ]
)
TOY_DOUBT = pattern(
    [
        r"i think|(?:might|may|could) (?:be|have been) (?:a )?real|not sure|cant tell",
        r"couldnt tell|looks? (?:like a )?real|real looking|realistic|real one|real gun",
        r"proper (?:gun|one|pistol)|looks? (?:like a )?proper|says|said|reckons|apparently",
        r"supposedly|claims|meant to be",
        r"knife|knives|machete|machetes|blade|sword|axe|hammer|crowbar|baseball bat",
    ]
)
# What a toy is aimed at when nobody is its target ("pointing it at cars", "at the
# pigeons"): a child's game told, asked about rather than 999 unasked; not a thing with
# someone in or by it ("at the cars with kids in them", "at the bus driver").
_AIMED_AT = re.compile(
    r"^ (?:(?:it|them|one|a gun|the gun|a toy|the toy) )?at (?:the |some |a |passing |parked"
    r" |all the )*([a-z]+)((?: [a-z]+)*)"
)
AIM_THINGS = _wordset(
    """cars car vans buses bus traffic lorries windows window cans can bottles bottle
    targets target trees tree signs sign lampposts fences wall walls sky air ground nothing
    bins tv telly screen camera pigeons pigeon birds bird seagulls gulls crows ducks"""
)
_SOMEONE_AT_IT = _wordset(
    """people kids children driver drivers warden wardens stop queue park crew walker walkers
    rider riders surgeon passengers passenger staff crowd customers pedestrians inside in
    occupants anyone anybody everyone carjack rob robbing robbed keys money demanding hand"""
)


def toy_sure(said: str) -> bool:
    """A weapon said surely to be a toy, and no other (``SURE_TOY``, ``TOY_DOUBT``)."""
    return SURE_TOY.search(said) is not None and TOY_DOUBT.search(said) is None


_GUN = (
    r"(?:gun|guns|shotgun|shotguns|shot gun|shot guns|firearm|firearms|rifle|rifles|pistol"
    r"|pistols|handgun|handguns|revolver|revolvers)"
)
_PAPERS = r"(?:certificates?|certs?|licen[cs]es?|licensing|permits?|renewals?)"
# A gun told of by its licence or where it is kept: "the man who does the shotgun
# certificates", "his shotguns are still in the cabinet". Its words say no danger now
# (DangerReader blanks them before looking for present-danger words: "still in the cabinet").
LICENSED = pattern(
    [
        rf"{_GUN} {_PAPERS}",
        rf"{_PAPERS} (?:for|of) (?:a |an |the |my |his |her |their |our )?{_GUN}",
        r"(?:still |locked |kept |locked away )?(?:in|into) (?:the|a|his|her|my|their|our)"
        r" (?:gun |shotgun |locked |metal )?(?:cabinet|cabinets|gun safe)",
        r"(?:certificates?|certs?|licen[cs]es?)(?: has| have|s)? (?:run out|expired|lapsed)",
        # the guns of someone who has died, to be handed in ("my late husband's shotguns")
        rf"(?:late|dead|deceased) [a-z]+s (?:old )?{_GUN}",
        # lawful shooting of game and vermin, the countryside's everyday gun
        r"(?:(?:shooting|shoot|shoots)(?: at)?|after|at|for) (?:the |some )?(?:rabbits|pigeons"
        r"|crows|rats|foxes|vermin|pheasants|ducks|rooks|clays|clay pigeons)|clay shoot(?:ing)?",
    ]
)
# A lawful gun's holder in a state or a deed that makes it danger now ("he's got a
# certificate, he's really angry and he's loading it", "he says he's going to shoot us"):
# the licence clears nothing. Said of the holder ("he's", "she's"), not of the caller ("I'm
# fuming, the renewal's six months late").
_HOLDER = r"(?:hes|shes|theyre|he is|she is|they are|hes been|shes been|theyve been)"
_PEOPLE_SHOT = (
    r"(?:me|us|him|her|them|you|someone|somebody|himself|herself|themselves|everyone"
    r"|anyone|people)"
)
ARMED_STATE = pattern(
    [
        rf"{_HOLDER} (?:(?:really|very|so|proper|getting|gone|all|still|just) )*(?:angry"
        r"|furious|raging|drunk|drinking|off (?:his|her|their) (?:head|face)s?"
        r"|aggressive|in a rage|threatening|shouting|screaming)",
        rf"{_HOLDER} (?:[a-z]+ )?(?:loading|reloading) (?:it|(?:the|his|her|their|a)"
        r" (?:guns?|shotguns?|rifles?|pistols?))(?! (?:in|into|onto|on|in to) )",
        r"(?:says|said|saying|threatening|threatened|going to|gonna|wants to|hell|shell|theyll"
        rf"|hed|shed|theyd) (?:[a-z]+ ){{0,2}}?(?:shoot|kill) {_PEOPLE_SHOT}",
        rf"use it on|shoot {_PEOPLE_SHOT}",
        r"(?:threatening|threatened|threatens) (?:me|us|him|her|them|to)",
        r"(?:waving|waved|pointing|pointed|aiming|aimed) (?:it|one|them) at",
        r"locked (?:himself|herself|themselves) in|barricaded",
        rf"{_HOLDER} (?:[a-z]+ ){{0,2}}?outside",
        r"(?:hes|shes|theyve|he has|she has) got (?:it|one|them|the gun|the shotgun|the rifle)"
        r" out",
        r"end(?:ing)? it all|kill (?:himself|herself|themselves)",
    ]
)
# Anger at the paperwork ("he's furious about the delay", "angry because his licence was
# refused") is no danger told.
_ABOUT_IT = re.compile(r"^ (?:about|because|cos|over|that|as|at the|with the)(?![a-z])")


def armed_state(said: str) -> str | None:
    """The first ``ARMED_STATE`` words not denied ("he's not threatening anyone"), if any."""
    return next(
        (
            m.group(0)
            for m in ARMED_STATE.finditer(said)
            if _affirmed(said[: m.start()].split()) and not _ABOUT_IT.match(said[m.end() :])
        ),
        None,
    )


def _affirmed(before: list[str]) -> bool:
    """No negation just before, or only one of stopping ("he won't stop threatening me")."""
    return before[-1:] == ["stop"] or NEGATIONS.isdisjoint(before[-2:])


# Where shooting game is everyday: lawful shooting said there clears the word "shooting"
# itself ("a farmer shooting rabbits on the fell"); in a park or by a school it does not.
RURAL = pattern(
    [
        r"fields?|farms?|farmland|fells?|hills?|hillside|woods?|woodland|moors?|moorland"
        r"|paddock|orchard|countryside|marsh|marshes|pheasant shoot|estate land|farmer|gamekeeper"
    ]
)
# Someone acting suspiciously, described ("looking in people's cars", "sat in a car
# outside for hours, just looking"): a cue beside it with nothing sure said ("he's still
# there") is asked about, whatever the sentence model reads; the control room's unless
# the caller says danger.
SUSPICIOUS = pattern(
    [
        r"looking (?:in|into|through) (?:peoples |the |cars|car|windows|houses|sheds|gardens)",
        r"going through (?:the |peoples )?bins|hanging (?:a)?round|just looking|casing",
        r"trying (?:car |the |peoples )?(?:doors|door handles|handles)",
        r"(?:sitting|sat) in (?:a|the|his|their) (?:car|van)|acting suspicious(?:ly)?",
        r"suspicious|keeps? stopping",
    ]
)
# Vehicles and machines a thief drives or tows away (IN_PROGRESS).
_MACHINES = (
    r"(?:(?:tractor|quad|quad bike|trailer|van|car|digger|excavator|telehandler|gator|mower"
    r"|motorbike|horsebox|caravan|boat|pickup|truck|landrover|land rover|jcb)(?:s|es)?"
    r"|lorry|lorries|plant|machinery)"
)
# A theft described as going on ("there's people in hi-vis taking the lead off the church
# roof", "a cattle wagon in the lane loading my neighbour's bullocks"): no cue word, but
# the dev sets' writers called nearly all of these emergencies, so it is asked about at
# least (ivr.routing.danger_check), unless told in the past with nothing said to be now.
IN_PROGRESS = pattern(
    [
        # (not "someone's been stealing", "he keeps taking": over and over, not now)
        r"(?:someones|somebodys|theyre|hes|shes|theres|there are|is|are"
        r"|(?:man|woman|lad|bloke|guy|fella|kid|chap)s"
        # a group counted doing it ("six men loading our stock into it"; not "the men
        # taking the bins out")
        r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|few|several|some|\d+"
        r"|a group of|a gang of|group of|gang of) (?:men|lads|blokes|guys|fellas|youths))"
        r" (?:(?!been |keeps? |always |was |were |used )[a-z]+ ){0,6}?"
        r"(?:taking|stealing|nicking|pinching|loading|siphoning|emptying|stripping|unloading"
        r"|cutting|making off with|trying to (?:steal|take|nick|get into|break into)"
        r"|carrying (?:out|off|away) (?:the |my |our |his |her |their |all |some )?(?:[a-z]+ )?"
        r"(?:tools?|stuff|things|boxes|bags|tvs?|telly|gear|equipment|everything|furniture"
        r"|stock|bikes?|machinery)|walking (?:off|away) with|unbolting|dismantling"
        r"|putting (?:[a-z]+ ){0,3}in(?:to)? (?:a|the|their|his|her) (?:van|car|truck|pickup"
        r"|boot|trailer))"
        r"(?! (?:photos?|pictures?|a photo|a picture|videos?|a video|the piss|the mick|turns"
        r"|part|drugs|notes|details|my details|statements?|a statement|calls?|ages|forever))",
        # a vehicle or a machine driven or towed off as the caller watches ("someone's
        # driving my tractor out of the field", "the telehandler's being driven off down
        # the lane"), or its tracker moving; not the caller's own driving ("I'm towing"), nor
        # driving denied ("I wasn't even driving the car that day": a ticket appealed)
        rf"(?<!im )(?<!i am )(?<!were )(?<!we are )(?<!i was )(?<!not )(?<!nt )(?<!nt even )"
        rf"(?<!not even )(?:driving|towing|riding|wheeling"
        rf"|reversing|hotwiring|hitching|hitching up|lifting) (?:off |away )?(?:with )?"
        rf"(?:my|our|the|his|her|their) (?:[a-z]+ ){{0,2}}{_MACHINES}",
        rf"{_MACHINES} (?:is |are )?being (?:driven|towed|taken|moved|loaded|pushed|wheeled"
        r"|stolen|nicked|hitched)",
        r"(?:tracker|gps)(?: on (?:the|my|our) [a-z]+)? (?:is |s |says its |shows its |shows it )?"
        r"(?:moving|on the move)",
    ]
)
# The offender of a crime told as past said to be nearby now ("tools gone this morning,
# and the men who did it are sleeping in a car next to the site now", "the lad who took
# it is sat outside the shop"): no cue word, and the sentence model reads the crime
# report. Asked about (ivr.routing.danger_check), not a pursuit's ("still at large").
_WHERE_NOW = (
    r"(?:right there|over there|across the road|over the road|outside"
    r"|hanging (?:a)?round|hanging about|stood|standing(?! trial)|sat|sitting|sleeping|parked"
    r"|back (?:here|there|again|outside|on (?:the|our|my))"
    r"|still (?:here|there|outside|about|around|hanging|sat|stood|standing|sitting|parked"
    r"|in the (?:street|road|area|shop|car park|park|building|house|garden|pub|lane|close)"
    r"|on the (?:street|estate|corner|green)))"
)
_SAME_ONE = (
    r"(?:lad|man|bloke|guy|fella|woman|girl|lads|men|blokes|guys|women|girls|boys|kids"
    r"|youths|one|ones|person|people|gang|group|lot)"
)
OFFENDER_HERE = pattern(
    [
        r"(?:who|that|what) (?:did|done|took|stole|nicked|pinched|robbed|smashed|broke|hit"
        r"|attacked|assaulted|mugged|burgled|damaged|scratched|keyed|dumped|tipped)"
        rf"(?: (?!he |she |they |i |we )[a-z]+){{0,4}}? (?:is|are|s|re) (?:[a-z]+ ){{0,6}}?"
        rf"{_WHERE_NOW}(?![a-z])",
        # "the man who did it's outside"
        rf"(?:who|that) (?:did|done|took|nicked|stole) its (?:[a-z]+ ){{0,6}}?{_WHERE_NOW}"
        r"(?![a-z])",
        # "I was assaulted on Saturday and the same lad has just walked into the pub I'm
        # in": the one from the story told, come to where the caller is now
        # (not "has come back three times this month", "is outside in the photo", "has
        # got in touch again": "just" or "-ing" says now, and only bodily ways of coming)
        rf"(?:the|that) same {_SAME_ONE}(?: [a-z]+){{0,3}}? (?:(?:has|have) )?just"
        r" (?:walked (?:in|into|up|over|through)|come (?:in|into|back|over|round|through)"
        r"|came (?:in|into|back|over|round|through)|turned up|shown up|showed up"
        r"|pulled (?:up|in|into|onto))\b(?! (?:on|for|in) (?:my|the|a|his|her|their)"
        r" (?:facebook|instagram|app|phone|screen|feed|messages|video|photo|footage|cctv))",
        rf"(?:the|that) same {_SAME_ONE}(?: [a-z]+){{0,3}}? (?:is|are) (?:just )?(?:walking"
        r"|coming|pulling|driving) (?:in|into|up|back|over|round|through|towards)\b",
    ]
)
# Someone overdue out walking, on the water or the hills ("two of our students took a kayak out ...
# they should have been back an hour ago, we can't see them anywhere"): no cue word, and the
# sentence model reads a late return as an ordinary one. Asked about (MeaningDoubts), unless
# they are said to be back ("he's home, love, his phone died").
OUT_ON = pattern(
    [
        r"kayaks?|kayaking|canoes?|canoeing|boat|dinghy|paddle ?board|paddle ?boarding|jet ski"
        r"|swim|swimming|the sea|loch|lake|the river|estuary|the water|sailing|the hills"
        r"|the fells|the mountains?|the moors?|climbing|caving"
        # ... or out walking anywhere ("went up onto Highfell for a walk", "gone out for a
        # walk and not come back": a walker overdue, or someone with dementia)
        r"|(?:for|on)(?: a| his| her| their| the)? (?:walk|hike|ramble)|hiking|hillwalking"
        r"|(?:out|gone|went|go|going|goes) (?:walking|hiking|for a walk)"
    ]
)
OVERDUE = pattern(
    [
        r"(?:should|shouldve|should of|should have) (?:have )?been back|not back yet"
        r"|(?:not|havent|hasnt|havent yet|hasnt yet) (?:come back|returned)"
        # ... not a thing or a reply ("hasn't returned it", "haven't come back to me")
        r"(?! (?:to (?:me|us)|it|my|the|any|with|a|an|our|his|her)(?![a-z]))|overdue"
        r"|cant see (?:them|him|her) anywhere|lost sight of (?:them|him|her)"
    ]
)
# A horse or dog come back without its rider or walker ("the horse has just come back to
# the yard without her", "the dog's come home on its own") while its person is said to be
# out, unreachable or overdue (``PERSON_OUT``): they are out there, perhaps hurt, however
# the sentence model reads a pet's return. Not "without her saddle" (a thing), nor a dog
# home on its own from the park with nobody said to be out.
CAME_BACK_ALONE = pattern(
    [
        r"(?:horses?|ponys?|ponies|mare|cob|dogs?|lab|labrador|spaniel|collie|terrier)"
        r"(?: has| had| have)?(?: just)? (?:come|came|run|ran|turned up|wandered|trotted)"
        r" (?:back|home)(?: [a-z]+){0,4}?"
        # "without her" said of the person, not of a thing ("without her saddle")
        r" (?:without (?:(?:him|her|them)(?=$| (?:and|but|so|its|it|shes|hes|she|he|they"
        r"|the|on|in|at|this|now|yet|i|we|to|from|after|about|an|a|or|theres)(?![a-z]))"
        r"|(?:the|his|her|their|my) (?:rider|child|walker|owner|husband|wife|son"
        r"|daughter|dad|mum|father|mother))"
        r"|on (?:its|his|her) own|by (?:itself|himself|herself))",
    ]
)
PERSON_OUT = pattern(
    [
        r"(?:isnt|is not|not|hasnt|has not|havent|still not|still isnt) (?:answering|picking up"
        r"|back|come back|come home|been seen|home)",
        r"cant get hold of|cant reach|no sign of|goes (?:straight )?to voicemail",
        r"(?:its|it is) getting dark|its dark now",
        r"(?:went|gone|go|goes|rode|ride) out|out (?:riding|walking|hacking)"
        r"|out on (?:the|a) [a-z]+|took (?:the|our|my|his|her) (?:dog|dogs|horse|pony) out"
        r"|walking the dog",
    ]
)
BACK_NOW = pattern(
    [
        r"(?:hes|shes|theyre|he is|she is|they are|theyve|hes been) (?:home|back)",
        r"(?:theyre|they are|everyones|were) (?:all )?(?:fine|safe|ok|okay)",
    ]
)
IN_PROGRESS_NOW = pattern([r"now|right now|as we speak|at the moment|currently|still"])
# A past tense that, next to an all-clear, makes a crime report ("it was arson").
WEAK_PAST = pattern([r"was|were|had|already|did|happened"])

REMOTE = pattern(
    [
        r"texts?|texted|texting|txt|over text",
        r"messages?|messaged|messaging|voicemails?|voice mails?",
        r"facebook|instagram|insta|snapchats?|snap chat|tiktok|tik tok|twitter|whatsapps?"
        r"|whats app|social media|online|internet|group chat",
        # games' chats ("threatened to kill me on a gaming chat")
        r"(?:gaming|game|games|online|in game) chats?|discord|xbox live|gaming"
        r"|on (?:a|the|his|her|my) (?:game|games|xbox|playstation|ps5)",
        r"emails?|emailed|e mails?",
        r"dms?|posted|posting|posts|comments",
        r"phone calls?|on the phone|over the phone|by phone",
        r"(?:rang|rings|ringing|phoned|phones|calls|called|calling) (?:me|us|her|him)",
        r"letters?",
        r"(?:sent|showed|shown|show) (?:me |us )?(?:a |an |this |the )?(?:old )?"
        r"(?:video|clip|photo|picture|voice note)",
    ]
)
# Taken by the police, not by a stranger: "my brother's been taken to the cells at Lunsford",
# "they took him into custody" (a relative asking after someone held: routed as asked). A
# cue said only inside these words is no danger (DangerReader); one said elsewhere ("he's
# been kidnapped, the man was in custody before") is read as any other. Not a bare
# "station", which may be a railway's.
CUSTODY = pattern(
    [
        r"(?:(?:been|being|got|was|were) )?(?:taken|took|brought)"
        r" (?:him |her |them |me )?(?:off |away |down |up )?(?:to|into|in to|in) (?:the )?"
        r"(?:cells|custody|police custody|police station|police cells|nick|cop shop)"
        # ... the place itself, not somewhere at it ("the police station car park")
        r"(?! (?:car park|carpark|yard|grounds|steps|doors?|gates?|entrance|toilets?|roof"
        r"|of time))",
    ]
)
# Someone passing themselves off as police ("a man pretending to be police"): then no
# custody or police words clear a cue.
IMPOSTOR = pattern(
    [
        r"(?:pretending|pretended|pretends|claiming|claimed|claims|saying|said|says) (?:he|she|"
        r"they)? ?(?:was|were|is|are|to be|theyre|hes|shes)(?: an?| the)? (?:police|officers?"
        r"|coppers?|cops?|detectives?|policem[ae]n)",
        r"(?:fake|bogus|pretend|so called|so-called) (?:police|officers?|coppers?|cops?"
        r"|detectives?|policem[ae]n)",
    ]
)
# The police's own guns ("loads of armed police outside the Londis", "the police at the
# power station, the ones with the guns on the gate"): a weapon cue said only inside these
# words is no danger (DangerReader), routed as the caller asks.
# Told as whom, with a determiner ("the", "loads of"): not "he's armed, officers need to
# come", nor "the men have guns".
ARMED_POLICE = pattern(
    [
        r"(?:the|some|of|two|three|four|few|several|many|an) armed (?:police|officers"
        r"|response|coppers|cops)",
        r"the (?:police|officers|coppers|cops|ones)(?: [a-z]+)? (?:with|carrying)"
        r" (?:the|their) guns",
    ]
)
# A question about an event the caller has heard of, not one they are in: "is it safe to go
# into town?", "is it true?", "what's going on?", "is the coast road open?"
ENQUIRY = pattern(
    [
        r"is (?:it|that|this) (?:true|safe|still safe|ok|okay|arson)",
        r"(?:know|wondering|asking|tell me) (?:if|whether) (?:its|it is|its still|it is still)"
        r" (?:safe|ok|okay|open|true)",
        r"is (?:the|that) [a-z]+(?: [a-z]+){0,3} (?:open|closed|shut) (?:yet|again|now)?",
        r"(?:whats|what is|what was) (?:going on|happening|happened)",
        r"why (?:are|is) there",
        r"(?:anyone|anybody|you) (?:know|knows) what",
        r"just wondering",
        r"should (?:i|we) (?:keep|let|be (?:worried|scared|locking|keeping))",
    ]
)
# Asking whether someone is still somewhere ("I want to know if he's still there", of a son
# arrested last night): the words of a question, not the caller's danger (DangerReader).
ASKED_WHETHER = pattern(
    [
        r"(?:know|see|check|find out|ask|asking|wondering|wonder|tell me|sure)"
        r" (?:if|whether) (?:[a-z]+ ){0,3}(?:still|is|are|was) (?:[a-z]+ ){0,2}"
        r"(?:there|here|in|inside|at|around)"
    ]
)
WITNESS = pattern(
    [
        r"(?:in|on) the (?:local )?(?:news|paper|papers)|news|appeal",
        # a story on screen ("there was a shooting in a film we watched")
        r"(?:in|on) (?:a|the|that) (?:film|movie|programme|program|tv show|documentary"
        r"|video game|computer game)|on (?:the )?(?:tv|telly|television)",
        r"(?:i|we) (?:saw|seen|witnessed|heard) something",
        r"(?:i|we) (?:have|got|might have|may have|think i have) (?:some )?(?:information|info)",
        r"information (?:about|on|regarding|for)",
        r"know who (?:did|done|it was)",
        # a witness's statement, the police already there ("I just want to give a statement,
        # I saw the whole thing")
        r"(?:give|make|giving|making) (?:a|my) (?:statement|witness statement)"
        r"|(?:i|we) (?:saw|seen|witnessed) (?:the whole thing|it all|everything)",
        r"cctv|dash ?cam|footage",
        # the press asking about it ("I'm a reporter with the Gazette, after a comment on
        # the fire")
        r"(?:reporter|journalist) (?:with|from|for|at|on)|(?:after|want|wanting|like|get)"
        r" (?:a|an) (?:comment|statement|update) (?:on|about)|press enquiry|media enquiry",
        r"(?:ask|asking|enquire|enquiring|enquiry|question|questions|query) (?:about|regarding)",
        r"advice (?:about|on|regarding)",
        r"amnesty",
    ]
)
# A threat to make something known ("threatening to send my videos to my family unless I
# pay", "threatened to report me"): blackmail or sextortion, a crime to report, not harm
# (the dev sets' writers called none of these an emergency). Not "to put a brick through".
EXPOSURE_THREAT = pattern(
    [
        r"(?:threatening|threatened|threatens|threaten|threat) to (?:send|share|post|leak"
        r"|publish|show|release|spread|upload|expose|tell|report|sue|email|forward|out"
        r"|circulate|distribute)",
    ]
)
# All-clears. Each one swallows a trailing "now" ("they've gone now"), which
# would otherwise read as present danger.
UNHURT = pattern(
    [
        r"(?:nobody|no one|noone|nobodys|no ones|noones|no body|none of us|neither of us)"
        r"(?: (?:is|was|were|has|have|got|been|has been|seems|seemed|looks|appears to be))?"
        r"(?: (?:badly|seriously|really|too))? (?:hurt|injured|harmed)(?: now)?",
        r"no (?:injuries|injury|casualties)",
        r"(?:everyone|everybody|everyones|everybodys|all of us|were all|we are all|im|i am"
        r"|hes|shes|he is|she is|theyre|they are)"
        r"(?: is| are)? (?:ok|okay|fine|safe|alright|all right|unhurt|uninjured)(?: now)?",
    ]
)
GONE = pattern(
    [
        r"(?:theyve|theyre|they have|they are|hes|shes|he has|she has|they|he|she|has|have"
        r"|had|both|all) (?:(?:all|both|now|already|since|just|long|then|finally) )?"
        r"(?:gone|left|ran off|run off|ran away|run away|drove off|driven off|drove away"
        r"|walked off|walked away|went off|took off|legged it|scarpered|cleared off)"
        # ... not further in ("they've gone upstairs", "he's gone round the back")
        r"(?! (?:upstairs|downstairs|inside|in|into|through|up the stairs|round the (?:back"
        r"|side)|back in|back inside|to the back)(?![a-z0-9]))"
        r"(?: (?:home|away|out)(?: for the (?:day|night)| for good)?)?(?: now)?",
        r"(?:theyre|hes|shes|they are|he is|she is) not (?:here|there|around)(?: now)?",
        r"(?:hes|shes|theyre|he is|she is|they are) (?:in|inside|locked up in)(?: [a-z]+)?"
        r" (?:prison|jail|custody)(?: (?:at the moment|now|still))?",
        r"(?:and|then|and then) (?:gone|left|ran off|run off|ran away|drove off|drove away"
        r"|walked off|walked away)(?: now)?",
        r"long gone(?: now)?",
        r"(?:nobody|no one|noone|nobodys|no ones)(?: is| was)?"
        r" (?:there|here|inside|outside|home|around)"
        r"(?: now| anymore| any more)?",
        r"not (?:there|here|around) (?:anymore|any more|now)",
        r"no longer (?:there|here|around)",
        # taken away by the police ("the police already came and took away the man")
        r"(?:took|taken|carted|led) (?:him |her |them )?away"
        r"|(?:hes|shes|theyve|theyre|he was|she was|they were|been|got) (?:been )?arrested",
    ]
)
OUT = pattern(
    [
        r"(?:put|putting|got|been put) (?:it |the fire |them )?out(?! of)(?: now)?",
        r"(?:its|it is|it was|fire is|fire was|fires|fires been|its been) (?:all |now )?"
        r"(?:out|put out|extinguished)(?! of)(?: now)?",
        r"(?:went|gone|has gone|burnt|burned)(?: itself)? out(?! of)(?: on its own)?(?: now)?",
        # "the fire at the old mill's out now": the fire, where it was, then out.
        r"fire(?: [a-z]+){0,4} out now",
        r"extinguished",
        r"no longer (?:burning|on fire|alight)",
    ]
)
# A planned burn: land managed by fire, waste or a bonfire burnt on purpose, a campfire.
BURN = pattern(
    [
        r"burning (?:it )?off|burn off|controlled burn(?:ing)?|planned burn",
        r"(?:farmer|farmers|he|hes|theyre|they are|keeper|keepers) (?:is |are )?burning"
        r" (?:the |some |his |their )?(?:heather|gorse|grass|bracken|stubble|hedge cuttings"
        r"|rubbish|leaves|garden waste|brash)",
        r"(?:having|got|its|it is|its just|it is just|just) a bonfire",
        # a fire kept going where people sit round it: a camp, a party, lads drinking
        r"(?:a|big|small|wee|little) (?:camp ?)?fire going|(?:a|big|their) camp ?fire|fire pit",
    ]
)
# ... unless it is said to be getting away from them: then it is a fire like any other.
SPREADING = pattern(
    [
        r"spreading|spread(?:s)? to|out of control|got away|getting away|getting (?:close|near"
        r"|closer|nearer|bigger|worse)|close to|towards|heading (?:for|to|towards)|jumped"
        r"|caught (?:the|a|hold)|trapped|near (?:the|some|our|my) (?:houses|homes|house|road"
        r"|farm|barn|cars|trees|woods|forest)",
    ]
)

# Present danger, anywhere in what was said: it keeps every cue an emergency.
PRESENT = pattern(
    [
        r"now|right now|at the moment|as we speak|currently|tonight",
        r"just now|just happened|just been",
        # not "I've just found ...": the caller's act; nor "she's just told me": the telling
        r"(?:has|hes|shes|theyve|theyre) just(?! (?:told|said|rang|rung|called|phoned"
        r"|messaged|texted|mentioned|found out|realised|remembered))",
        # not "what's happening with my case": a question about it
        r"in progress|(?<!whats )(?<!what is )(?<!anything )(?<!nothing )(?<!nothings )"
        r"(?:happening|going on)",
        # (who is "still in it", the cue itself tells: THING_CUES)
        r"still (?:here|there|in(?! it(?![a-z]))|inside|outside|around|at|nearby|hiding|waiting"
        r"|on|downstairs|upstairs|about|trying)",
        r"(?:hes|shes|theyre|is|are|theres|there is|there are|someones|somebodys|standing"
        r"|waiting|sitting|sat|parked|lurking|hiding|hanging around|banging)(?: [a-z]+){0,2}"
        r" (?:outside|inside|here|downstairs|upstairs|in the garden"
        r"|at (?:my|the|our) (?:door|window|house|gate|flat|home))",
        # not a visit arranged ("she's coming to see about my late husband's shotguns")
        r"(?:hes|shes|theyre|is|are|im)(?: [a-z]+){0,2} (?:coming(?! to (?:see about|look at"
        r"|collect|pick up|sort out|fix|fit|service|take (?:a|my|our|the) statement))|heading"
        r"|on (?:his|her|their|the|my) way)",
        # not a result or a reply: "his number's come back as not his", "nobody's come back to me";
        # nor a threat's words ("said he'd come back and stab me"): the threat says when
        r"(?<!hed )(?<!shed )(?<!theyd )(?<!would )(?<!hell )(?<!shell )(?<!theyll )"
        r"(?<!threatened to )"
        # nor someone missing ("she's not come back to the tent", "he hasn't come back")
        r"(?<!not )(?<!never )(?<!hasnt )(?<!havent )(?<!hadnt )(?<!didnt )(?<!yet to )"
        r"(?:come|comes|coming) (?:round|over|back(?! (?:as|to me|to us|negative|positive|clear)"
        r"(?![a-z0-9]))|here|to get|for me|for us|to my|to the)",
        # ... but not a journey told ("snatched off him on his way to school last Tuesday"):
        # someone coming is said with who ("he's on his way"), matched above.
        r"on (?:his|her|their) way(?! (?:(?:to|from|back from|home from) (?:school|work|college"
        r"|uni|the shops|the station|the bus|church|training|football|the gym)|home|back home))"
        r"|about to|banging on",
        r"(?:started|starting|kicking off|at it|back) again",
        # someone at the door or window now, whatever cue came first
        r"(?:hes|shes|theyre|someones|somebodys|is|are) (?:still )?trying to (?:get in|break in"
        r"|get into|force (?:the|my|our) (?:door|window|lock))",
        r"(?:hes|shes|theyre|is|are) (?:nearby|near me|next to me|behind me|across the"
        r" (?:road|street)|in (?:the|my|her|his|their|our) (?:same )?(?:shop|street|pub|park"
        r"|bar|club|car park|building|room|garden|house|flat))",
    ]
)
# A "now" about the caller or the past, not the danger ("I want to report it now", "he
# lives in Leeds now", "it's over now"): blanked before PRESENT is looked for.
CALM_NOW = pattern(
    [
        r"(?:want to|wanted to|like to|ready to|decided to|able to|report it|reporting it"
        r"|reporting this|lives?|living|moved|banned|its over|all over|sorted|better|calmer|quieter"
        r"|(?:its|all|were|everythings) (?:fine|ok|okay|alright|all right|calm|quiet))"
        r"(?: [a-z]+){0,3} now",
        # a greeting's "now" ("oh hello, now, my son-in-law said to ring")
        r"^(?:(?:oh|er|um|erm|ah) )*(?:hello|hi|hiya|well|right|yes|yeah) now",
    ]
)
# Where someone is from, not where they are ("I think he's from round here"): blanked
# before PRESENT is looked for ("he's round here somewhere" still counts).
ORIGIN = pattern([r"(?:from|lives?|living) (?:round |around |near |over )?(?:here|there)"])
# Someone said to be with the caller, safe: no present danger by itself ("they said
# they'd kidnapped my son, but he's sat right here next to me"). A cue said beside it
# still counts ("he's here with me and he's got a knife"), and so does where ("he's in the
# house with me" is no all-clear), unless the one here was just said to be safe ("she is
# safe, she is here in my room now").
WITH_THE_CALLER = pattern(
    [
        r"(?:hes|shes|theyre|he is|she is|they are)"
        r"(?: (?:sat|sitting|stood|standing|right|here|safe|fine|ok|okay|alright|home)){0,3}"
        r" (?:next to|with|beside) me(?: now)?",
        r"(?P<who>he|she|they)(?: is| are|s|re) (?:safe|fine|ok|okay|alright|all right)"
        r"(?: now)?(?: and)? (?P=who)(?: is| are|s|re) (?:here|home|at home)"
        r"(?: (?:in|at|with) (?:my|our|the|me) ?[a-z]*)?(?: now)?",
    ]
)
# Present states of a person: ignored after a negation ("nobody is hurt").
PRESENT_STATE = pattern(
    [
        r"(?:is|are|hes|shes|theyre|im|its)(?: (?:badly|seriously|really|very|still))?"
        r" (?:bleeding|hurt|injured|unconscious|dying|trapped|stuck|in danger)",
    ]
)

# Words just before a cue that put it in the present ("he is hitting her", "someone has
# been stabbed", "he's got a knife"), or make a weapon a found object.
# "I'm after being robbed" is Irish English for "I've (just) been robbed": told, not a deed
# going on ("I'm after" is no "I am"; the time said, or its absence, decides as for "I've").
BE_BEFORE = re.compile(rf"(?:^| ){_BE}(?: (?!after$)[a-z]+)?$")
BE_INTENT_BEFORE = re.compile(
    r"(?:^| )(?:hes|shes|theyre|is|are|im|someones|somebodys) (?:going to|gonna|about to"
    r"|threatening to|trying to)(?: [a-z]+)?$"
)
# (not "going to have a fight", "gonna have": an infinitive, no perfect)
PERFECT_BEFORE = re.compile(
    rf"(?:^| )(?<!\bto )(?<!gonna )(?<!wanna ){_HAVE}(?: just)?(?: been)?(?: [a-z]+)?$"
)
HOLD_BEFORE = re.compile(
    r"(?:^| )(?:has|have) (?:a|an|got)(?: [a-z]+){0,3}$"
    r"|(?:^| )(?:hes got|shes got|theyve got|got|holding|carrying|waving|pointing|brandishing"
    r"|wielding|pulled|pulling|produced|armed with|theres|there is|there are)(?: [a-z]+){0,4}$"
)
# HOLD_BEFORE's words that tell a deed rather than that the weapon is here now ("he's got").
WEAPON_DEEDS = frozenset(
    {"pulled", "pulling", "produced", "holding", "carrying", "waving", "pointing"}
    | {"brandishing", "wielding"}
)
# After a found weapon, someone using it now ("I found a knife and a man is waving it"):
# the found-object context does not move it. Only here: "he was waving a knife last week"
# stays a past cue.
WIELDED_AFTER = re.compile(
    r"(?:^| )(?:waving|waved|waves|pointing|points|pointed|brandishing|brandished"
    r"|threatening|threatens|wielding|swinging|swings|aiming|aims|using|uses)(?![a-z0-9])"
)
# ... or just after it: "a knife lying in the road", "shotgun cartridges dumped in a lane".
_LYING = (PEOPLE - {"i", "ive", "im", "me", "we", "weve", "us", "him", "her", "them"}) | {
    "people",
    "mans",
    "womans",
}
FOUND_AFTER = re.compile(
    r"^(?: [a-z]+){0,2} (?:dumped|abandoned|discarded|hidden|stashed|left (?:in|on|by"
    r"|under|behind|at|outside))(?![a-z0-9])"
    # ... lying there, but not a person lying there ("shot with a gun, he's lying on the
    # drive"; "a knife someone left on the bench" is the weapon left); the caller or an
    # object pronoun is no one lying ("a knife I saw lying in the road")
    rf"|^(?: (?!(?:{'|'.join(sorted(_LYING))})(?![a-z0-9]))[a-z]+){{0,2}} lying(?![a-z0-9])"
)
# ... or in a place things are thrown away, or a container: "a knife in the hedge".
FOUND_PLACE_AFTER = re.compile(
    r"^ (?:(?:in|under|behind|inside) (?:the|a|some|our|my) (?:hedge|hedges|hedgerow|bush"
    r"|bushes|grass|long grass|undergrowth|bin|bins|ditch|verge|river|canal|stream|brook|skip"
    r"|gutter|drain|bag|carrier bag|bin bag)|in it|inside it)(?![a-z0-9])"
)
# Anyone said before a weapon: it is held, not found ("a man with a knife in the bushes").
SOMEONE = re.compile(
    r"(?:^| )(?:man|men|lad|lads|bloke|blokes|guy|guys|fella|someone|somebody|someones"
    r"|somebodys|he|hes|she|shes|they|theyre|boy|boys|girl|girls|woman|women|kid|kids"
    r"|youths|gang|him|her|them)(?![a-z0-9])"
)
# ... or said after it, beside it now ("a knife in the hedge and a lad is stood next to it").
SOMEONE_WITH_IT = re.compile(
    SOMEONE.pattern + r"(?: [a-z]+){0,2} (?:stood|standing|holding|waving|picked|picking"
    r"|next to|near|by it|with it|going back|coming back|watching)(?![a-z0-9])"
)
# A weapon seen in a picture or a video sent ("sent a video of a lad holding a gun"): the
# picture's, not here (read only with a message, call or post heard: REMOTE).
MEDIA_OF = re.compile(
    r"(?:^| )(?:videos?|photos?|pictures?|pics?|clips?|snaps?|selfies?|footage|images?|posts?"
    r"|stories|story|reels?|snapchats?|tiktoks?) of(?: [a-z]+)*$"
)
# A message's own words that someone is coming for someone ("messages saying they're coming
# for me"; not "saying he's coming in tomorrow with a bomb": where and when, kept).
MESSAGE_COMING = re.compile(
    r"(?<![a-z])(?:saying|says|said|telling me|told me|threatening|threatened)(?: that)?"
    r"(?: (?:they|he|she) know where (?:i|we) live(?: and)?)?"
    r" (?:hes|shes|theyre|he is|she is|they are|hell|shell|theyll|he will|she will|they will"
    r"|hed|shed|theyd|he would|she would|they would) (?:coming|come|going to come|gonna come)"
    r"(?: (?:round|over|back))? (?:for|to get|after) (?:me|him|her|us|them|you|my [a-z]+)"
    r"(?![a-z])"
)
# The words a message carries ("a text saying they've kidnapped my son"): beside a remote
# context, a tense inside them is the message's, not a deed being done here.
REPORTED = re.compile(
    r"(?:^| )(?:saying|says|said|claiming|claims|claimed|telling me|told me)(?: [a-z]+){0,3}$"
)
# ... and told in the past ("some lads said they're going to stab me"): what was said
# then, not what is happening now (present-danger words elsewhere still count).
SAID_BEFORE = re.compile(
    r"(?:^| )(?:said|told me|told us|told him|told her|claimed)(?: [a-z]+){0,3}$"
)
# A violent verb said as an intent ("they'll stab him", "saying he's going to shoot me") is
# a threat, and is read as one (a message can carry it).
INTENT_BEFORE = re.compile(
    r"(?:^| )(?:going to|gonna|will|ll|wants to|want to|threatening to|threatened to"
    r"|threatens to|saying|says|said|would|wd)(?: [a-z]+)?$"
    r"|(?:^| )(?:theyll|hell|shell|youll|ill|hed|theyd|shed)(?: [a-z]+)?$"
)
FOUND_BEFORE = re.compile(
    r"(?:^| )(?:found|find|finding|picked up|came across|discovered|hand in|handed in"
    r"|handing in)(?: (?:a|an|some|the|this|these|those|two|three|few|old|rusty|kitchen"
    r"|large|small|big|little|bag of|box of|load of|lots of|couple of|what looks like)){0,3}$"
)
# Kinds whose verb or state is in the present after "is"/"has been"; THREAT only when
# no remote medium carries it ("he is threatening me on whatsapp" is a message).
PHYSICAL = frozenset(
    {
        CueKind.VIOLENCE,
        CueKind.INJURY,
        CueKind.INTRUDER,
        CueKind.DAMAGE,
        CueKind.TAKEN,
        CueKind.FIRE,
        CueKind.ROAD,
    }
)


# An animal hurt, not a person ("someone's shot my cat with an air rifle", "our dog was
# attacked"): a cruelty or a crime report to ask about, not 999 unasked. Its owner's
# danger is another matter ("he's just shot my dog and now he's pointing the gun at my
# house": the gun and the present keep it 999).
ANIMALS = (
    "cats?|kittens?|dogs?|pupp(?:y|ies)|pups?|horses?|pon(?:y|ies)|foals?|sheep|ewes?|lambs?"
    "|yowes?|tups?|rams?|heifers?|bullocks?|steers?"  # a farmer's words
    "|cows?|cattle|calf|calves|bulls?|pigs?|goats?|hens?|chickens?|ducks?|swans?|geese|goose"
    "|birds?|pigeons?|buzzards?|kites?|owls?|fox|foxes|deer|badgers?|rabbits?|hares?|ferrets?"
    "|tortoises?|parrots?|alpacas?|llamas?"
)
# The animal said as whose it is, right after the deed ("shot my cat", "attacked our
# neighbour's dog"): not "shot, the dogs are going mad" (normalised text has no commas).
_OWNER = r"(?:my|our|his|her|their|(?!is |was |has |this |its )[a-z]+s)"
ANIMAL_AFTER = re.compile(rf"^ {_OWNER} (?:[a-z]+ )?(?:{ANIMALS})(?![a-z])")
ANIMAL_BEFORE = re.compile(
    rf"(?:^| )(?:{ANIMALS})s? (?:(?:has|have|had|was|were|got|is|being|just|been) ){{1,3}}$"
)
# Someone held by the caller or bystanders who is fighting to get away ("the stallholders
# are holding him by the gate, he's struggling"; "me and my husband are holding him down,
# he's trying to wriggle off"): a struggle going on now, with no cue word. Held and calm
# ("we've detained a shoplifter, he's sat in the office") is the FCR's, so both are needed;
# and only a bodily hold ("holding him to his word", "holding her back a year", "got hold
# of her on the phone" are not), and only resisting in body ("struggling to pay" is not).
_HELD_ONE = (
    r"(?:him|her|them|the (?:thief|lad|lads|man|men|woman|bloke|fella|guy|shoplifter"
    r"|pickpocket|burglar|robber|kid|boy|girl|youth)|a (?:thief|lad|man|shoplifter|pickpocket"
    r"|burglar|robber))"
)
HELD = pattern(
    [
        r"(?:holding|restraining|pinning|pinned|sat on|sitting on|holding onto|holding on to"
        rf"|got hold of|grabbed hold of|tackled) {_HELD_ONE}(?: down)?"
        r"(?! (?:to|responsible|accountable|back|together|up|overnight|in custody|in (?:his|her"
        r"|their) room|on the (?:phone|line)|for ransom))",
        rf"(?:got|have|weve|ive|theyve) (?:got )?{_HELD_ONE} (?:held|pinned|down|on the"
        r" (?:floor|ground))",
    ]
)
RESISTING = pattern(
    [
        r"(?:hes|shes|theyre|he is|she is|they are) (?:still )?(?:struggling|wriggling"
        r"|lashing out|kicking out|thrashing about|biting|fighting (?:us|them|back))"
        r"(?! (?:to|with|a bit|for|financially|at|in))",
        r"(?:hes|shes|theyre|he is|she is|they are) (?:still )?(?:trying|struggling) to"
        r" (?:get|wriggle|break|pull|fight) (?:away|free|loose|off)(?! (?:with|the|paying))",
    ]
)
# ... not told of another time, a recording or a programme, nor asked about as a case.
HELD_ELSEWHERE = pattern(
    [
        r"video|videos|footage|cctv|telly|tv|programme|film|tiktok|facebook|youtube",
        r"if|policy|is that legal|is it legal|allowed to|are we allowed",
        ANIMALS,
    ]
)
# Before the cue, words that make it passive or a noun ("a man's been shot", "there's been
# a shooting"): only the words before it can say who was hurt.
_NOT_A_DEED = re.compile(r"(?:^| )(?:been|was|were|got|get|is|are|being|a|the)$")


def _animal_hurt(said: str, start: int, end: int) -> bool:
    """ "shot my cat", "my cat's been shot": the animal after the deed or before it."""
    before = said[:start].rstrip()
    if ANIMAL_BEFORE.search(said[:start]):
        return True
    return not _NOT_A_DEED.search(before) and bool(ANIMAL_AFTER.search(said[end:]))


def _animal_bitten(said: str, start: int, end: int) -> bool:
    """ "my dog's been bitten" (not "bitten by a dog": the biter)."""
    return bool(ANIMAL_BEFORE.search(said[:start]))


# A thing thrown or tipped into the water ("throwing bottles into the river", "dumped a
# trolley into the canal"): the deed right before the cue, with a thing as its object, and
# nobody said to be in the water or gone in after it.
_THROWN_THINGS = (
    r"bottles?|stones?|rocks?|bricks?|trolleys?|bikes?|scooters?|rubbish|litter|mattress(?:es)?"
    r"|fridges?|tyres?|bins?|cans?|glasses|fireworks|stuff|things|junk|furniture|chairs?|sofas?"
    r"|bags of rubbish|rubbish bags|traffic cones?|cones?|signs?|planks?|logs?|sticks?"
)
_THROWN = re.compile(
    r"(?:^| )(?:throw|throws|throwing|threw|thrown|chuck|chucks|chucking|chucked|tip|tips"
    r"|tipping|tipped|dump|dumps|dumping|dumped|toss|tossing|tossed|lob|lobbing|lobbed"
    r"|push|pushing|pushed)(?: (?:a|an|the|some|all|all the|loads of|lots of|their|his|her"
    rf"|my|our|old|empty|shopping|beer|glass|plastic|broken|road)){{0,3}} (?:{_THROWN_THINGS})$"
)
SOMEONE_IN_WATER = pattern(
    [
        r"(?:gone|went|jumped|fell|fallen|go|going) in after|in the water|under the water",
        r"(?:cant|cannot|can not) swim|going under|gone under|drowning|(?:not|hasnt|never) come"
        r" (?:back )?up|life ?rings?|lifebuoys?|life jacket|ropes?|in it|inside",
    ]
)


def _went_into(said: str, start: int, end: int) -> bool:
    """ "... the flood wall has collapsed into the river", "throwing bottles into the
    river": the words before the cue say a thing went in."""
    before = said[:start].rstrip()
    if _THROWN.search(before) is not None:
        return SOMEONE_IN_WATER.search(said) is None
    return collapsed_thing(before)


def aimed_at_thing(after: str) -> bool:
    """The words ``after`` an aiming say it is at a thing or a bird, with nobody said to be
    in it, by it or after it ("at the cars with kids in them", "at the bus driver")."""
    aimed = _AIMED_AT.match(after)
    if aimed is None or aimed.group(1) not in AIM_THINGS:
        return False
    rest = set(aimed.group(2).split())
    return rest.isdisjoint(_SOMEONE_AT_IT) and rest.isdisjoint(PEOPLE - _PRONOUNS)


def _toy_aim(said: str, start: int, end: int) -> bool:
    """ "it's a plastic one, he's pointing it at cars": the cue's last word is "at"."""
    return toy_sure(said) and aimed_at_thing(" " + said[end - len("at") :])


# Who is still in a car: a person ("there's people still in it", "the driver's still in
# it"), or a thing ("they took the car with my phone still in it": a theft, asked about).
_INSIDE = PEOPLE | _wordset(
    "people folk folks driver drivers family passenger passengers occupant occupants"
)


def _left_inside(said: str, start: int, end: int) -> bool:
    """ "my bag still in it": no person among the three words before the cue."""
    return _INSIDE.isdisjoint(said[:start].split()[-3:])


# Cues that may be said of a thing or an animal, each with what tells it was
# (DangerReader: asked): the whole normalised utterance and the cue's span in it.
THING_CUES: Mapping[str, Callable[[str, int, int], bool]] = {
    "been taken": lambda said, start, end: taken_thing(said[:end]),
    "collapsed": lambda said, start, end: collapsed_thing(said[:end]),
    **{c: _went_into for c in cue_list(INTO_THE_WATER)},
    **{c: _animal_hurt for c in ("shot", "shooting", "stabbed", "attacked", "attacking")},
    **{c: _animal_bitten for c in ("bitten", "mauled")},
    "still in it": _left_inside,
    **{c: _toy_aim for c in cue_list(AIM_CUES)},
}


# A party's noise: music, a stag do, fireworks, drink.
PARTY = pattern(
    [
        r"party|parties|partying|stag|stags|stag do|hen do|hen party|hens|rave|karaoke",
        r"music|(?:sound|speaker|speakers) system|fireworks|singing|bbq|barbecue",
    ]
)
# Who screams at a party: a crowd, said just before ("thirty people in the garden
# screaming", "they're screaming in the street"); not one person ("a woman at the party
# next door is screaming", "I can hear screaming"), nor "help" said after it.
_CROWD = _wordset(
    """people everyone everybody they theyre them crowd lads girls kids students guests
    partygoers dozens loads lot"""
)
_ONE = PEOPLE - _CROWD - {"we", "weve", "us", "friends", "mates", "neighbours"}
_FOR_HELP = re.compile(r"^ (?:[a-z]+ ){0,2}(?:help|stop|get off|no|please)(?![a-z0-9])")


def _party_noise(said: str, start: int, end: int) -> bool:
    """ "thirty people in the garden screaming" at a party, and no one person said."""
    if PARTY.search(said) is None or _FOR_HELP.search(said[end:]):
        return False
    before = said[:start].split()[-4:]
    return bool(_CROWD.intersection(before)) and _ONE.isdisjoint(before)


# Cues that may be said of a party's noise (DangerReader: asked, as a thing is).
NOISE_CUES: Mapping[str, Callable[[str, int, int], bool]] = {"screaming": _party_noise}
