"""A believable example force directory, generated from a fixed seed.

The shipped ``routing_rules/directory.yaml`` (via scripts/make_directory.py),
the benchmark's 10,000-entry directory and the tests all come from here, so
the hard cases the matcher must handle (Johnson/Johnston, Clarke/Clark,
Smith/Smyth, three Patels, two Joneses) are always present and stable.
"""

from __future__ import annotations

import random
import re
import unicodedata

from ivr.directory.model import Directory, DirectoryEntry

__all__ = ["DEPARTMENTS", "TEAMS", "sample_directory"]

TEAMS_UNIFORM = (
    "Neighbourhood Policing North",
    "Neighbourhood Policing South",
    "Roads Policing",
    "Response Team East",
)
TEAMS_DETECTIVE = (
    "CID Burglary",
    "Domestic Abuse Investigation",
    "Child Protection",
    "Economic Crime",
    "Public Protection",
)
TEAMS_STAFF = ("Contact Management", "Criminal Justice Unit", "Corporate Services")
TEAMS = TEAMS_UNIFORM + TEAMS_DETECTIVE + TEAMS_STAFF

# (id, name, aliases, hours)
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (
        "resolution-centre",
        "Resolution Centre",
        ("crime bureau", "report a crime line", "crime desk"),
        "",
    ),
    ("force-control-room", "Force Control Room", ("control room", "control"), ""),
    (
        "firearms-licensing",
        "Firearms Licensing",
        (
            "gun licence",
            "firearms licence",
            "shotgun certificate",
            "firearm certificate",
            "gun licensing",
        ),
        "office-hours",
    ),
    (
        "lost-and-found",
        "Lost and Found Property",
        ("lost property", "found property"),
        "office-hours",
    ),
    (
        "victim-care-unit",
        "Victim Care Unit",
        ("victim support", "victim care", "witness care"),
        "office-hours",
    ),
    (
        "professional-standards",
        "Professional Standards",
        ("complaints", "make a complaint", "complaint about an officer"),
        "office-hours",
    ),
    (
        "freedom-of-information",
        "Freedom of Information",
        ("foi", "foi request", "information request", "data protection"),
        "office-hours",
    ),
    (
        "collision-reporting",
        "Collision Reporting",
        ("road traffic collision", "car accident", "crash report", "report a collision"),
        "office-hours",
    ),
    (
        "custody-enquiries",
        "Custody Enquiries",
        ("custody", "custody suite", "someone in custody", "arrested"),
        "",
    ),
    (
        "missing-persons-unit",
        "Missing Persons Unit",
        ("missing person", "missing persons", "misper"),
        "",
    ),
    (
        "fraud-and-cyber-crime",
        "Fraud and Cyber Crime",
        ("fraud", "cyber crime", "scam", "online fraud"),
        "office-hours",
    ),
    (
        "recruitment",
        "Recruitment",
        ("jobs", "careers", "join the police", "vacancies"),
        "office-hours",
    ),
)

# (name, rank, team) people the tests and prompts rely on; ids are slugs of names.
FIXED_PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("Sarah Johnson", "PC", "Neighbourhood Policing North"),
    ("David Johnson", "DS", "CID Burglary"),
    ("Mark Johnston", "PC", "Roads Policing"),
    ("Emma Clarke", "DC", "Economic Crime"),
    ("James Clark", "PS", "Roads Policing"),
    ("John Smith", "PC", "Response Team East"),
    ("Rachel Smyth", "DC", "Child Protection"),
    ("Priya Patel", "PS", "Neighbourhood Policing South"),
    ("Raj Patel", "PS", "Domestic Abuse Investigation"),
    ("Anil Patel", "DC", "CID Burglary"),
    ("Gareth Jones", "INSP", "Roads Policing"),
    ("Rhian Jones", "PCSO", "Neighbourhood Policing North"),
    ("Siobhán O'Neill", "DI", "Public Protection"),
    ("Agnieszka Kowalczyk", "DC", "Domestic Abuse Investigation"),
    ("Wojciech Nowak", "PC", "Neighbourhood Policing South"),
    ("Delroy Campbell", "SUPT", "Corporate Services"),
    ("Helen Whitfield", "CH_SUPT", "Corporate Services"),
    ("Imran Hussain", "SUPT", "Corporate Services"),
    ("Marcia Thompson", "DCI", "Public Protection"),
    ("Ewan McDonald", "CI", "Response Team East"),
    ("Cerys Morgan", "PCSO", "Neighbourhood Policing South"),
    ("Aoife Byrne", "STAFF", "Contact Management"),
    ("Harpreet Kaur", "DS", "Economic Crime"),
    ("Tomasz Wiśniewski", "PC", "Roads Policing"),
)

FIRST_NAMES = (
    # English
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Thomas",
    "William",
    "Daniel",
    "Matthew",
    "Paul",
    "Richard",
    "Stephen",
    "Andrew",
    "Peter",
    "Simon",
    "Claire",
    "Laura",
    "Rebecca",
    "Hannah",
    "Charlotte",
    "Sophie",
    "Lucy",
    "Katie",
    "Joanne",
    "Nicola",
    "Karen",
    "Michelle",
    "Amy",
    "Jessica",
    "Samantha",
    "Victoria",
    "Ben",
    "Chris",
    "Luke",
    "Adam",
    "Tom",
    "Natalie",
    # Scottish
    "Callum",
    "Hamish",
    "Fraser",
    "Iain",
    "Alasdair",
    "Kirsty",
    "Morag",
    "Fiona",
    "Isla",
    "Ailsa",
    "Euan",
    "Rory",
    # Welsh
    "Rhys",
    "Dylan",
    "Owain",
    "Gethin",
    "Iwan",
    "Sian",
    "Bethan",
    "Ffion",
    "Carys",
    "Nia",
    "Rhodri",
    "Megan",
    # Irish
    "Ciaran",
    "Niamh",
    "Sean",
    "Padraig",
    "Aisling",
    "Declan",
    "Orla",
    "Eoin",
    "Roisin",
    "Cormac",
    "Grainne",
    "Conor",
    # South Asian
    "Amir",
    "Sanjay",
    "Sunil",
    "Vikram",
    "Asif",
    "Farhan",
    "Zainab",
    "Ayesha",
    "Nadia",
    "Sunita",
    "Anjali",
    "Bilal",
    "Kamran",
    "Rajinder",
    "Deepa",
    "Tariq",
    "Sana",
    "Yasmin",
    # Polish / Eastern European
    "Piotr",
    "Katarzyna",
    "Marek",
    "Magdalena",
    "Krzysztof",
    "Joanna",
    "Pawel",
    "Ewa",
    "Andrzej",
    "Monika",
    "Lukasz",
    "Zofia",
    # Caribbean / African
    "Marlon",
    "Winston",
    "Desmond",
    "Shanice",
    "Keisha",
    "Jermaine",
    "Tyrone",
    "Chantelle",
    "Kwame",
    "Adaeze",
    "Chidi",
    "Abena",
    "Tunde",
    "Folake",
    # Others
    "Mehmet",
    "Elif",
    "Giulia",
    "Marco",
    "Lina",
    "Yusuf",
    "Mei",
    "Wei",
)

SURNAMES = (
    # English
    "Williams",
    "Brown",
    "Taylor",
    "Wilson",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Wood",
    "Hall",
    "Green",
    "Hughes",
    "Edwards",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Harris",
    "Baker",
    "Bennett",
    "Carter",
    "Fletcher",
    "Marshall",
    "Barker",
    "Atkinson",
    "Holmes",
    "Lawrence",
    "Parker",
    "Chapman",
    "Harrison",
    "Knight",
    "Mason",
    "Shaw",
    "Webb",
    # Scottish
    "MacLeod",
    "Campbell",
    "Stewart",
    "Robertson",
    "Fraser",
    "Murray",
    "Reid",
    "Paterson",
    "Ross",
    "Sinclair",
    "Buchanan",
    "Cameron",
    # Welsh
    "Davies",
    "Evans",
    "Thomas",
    "Lewis",
    "Price",
    "Griffiths",
    "Lloyd",
    "Powell",
    "Pritchard",
    "Rees",
    "Howells",
    "Prosser",
    # Irish
    "Murphy",
    "Kelly",
    "Doyle",
    "Gallagher",
    "Brennan",
    "Quinn",
    "Kavanagh",
    "Fitzgerald",
    "Donnelly",
    "McCarthy",
    "Ryan",
    "Walsh",
    # South Asian
    "Khan",
    "Ahmed",
    "Ali",
    "Begum",
    "Shah",
    "Singh",
    "Sharma",
    "Chaudhry",
    "Iqbal",
    "Malik",
    "Mistry",
    "Gill",
    "Sandhu",
    "Rahman",
    "Chowdhury",
    "Nair",
    "Desai",
    # Polish / Eastern European
    "Kowalski",
    "Lewandowski",
    "Zielinski",
    "Wojcik",
    "Kaminski",
    "Szymanski",
    "Dabrowski",
    "Mazur",
    "Krawczyk",
    "Novak",
    # Caribbean / African
    "Grant",
    "Francis",
    "Clarkson",
    "Henry",
    "Richards",
    "Morrison",
    "Bailey",
    "Bryan",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Asante",
    "Boateng",
    "Okoro",
    # Others
    "Yilmaz",
    "Rossi",
    "Chen",
    "Wong",
    "Nguyen",
    "Costa",
)

# Realistic spread: mostly constables, detectives, PCSOs and staff.
RANK_WEIGHTS = (
    ("PC", 34),
    ("DC", 17),
    ("PCSO", 14),
    ("STAFF", 16),
    ("PS", 8),
    ("DS", 5),
    ("INSP", 2),
    ("DI", 2),
    ("CI", 1),
    ("DCI", 1),
)
_DETECTIVE = {"DC", "DS", "DI", "DCI"}


def slug(text: str) -> str:
    """An id from a name: "Siobhán O'Neill" -> "siobhan-oneill"."""
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _team_for(rank: str, rng: random.Random) -> str:
    if rank in _DETECTIVE:
        return rng.choice(TEAMS_DETECTIVE)
    if rank == "STAFF":
        return rng.choice(TEAMS_STAFF + TEAMS_DETECTIVE[:1])
    if rank == "PCSO":
        return rng.choice(TEAMS_UNIFORM[:2])
    return rng.choice(TEAMS_UNIFORM)


def sample_directory(people: int = 200, seed: int = 101, departments: bool = True) -> Directory:
    """``people`` people (the fixed ones first) and the twelve departments.

    Random names never reuse a fixed person's surname, so the deliberate
    near-homophones and shared surnames stay exactly as tests expect.
    Large directories (the benchmark) repeat names; ids get a numeric suffix.
    """
    rng = random.Random(seed)
    entries: list[DirectoryEntry] = []
    ids: set[str] = set()
    extension = 4100

    def add_person(name: str, rank: str, team: str) -> None:
        nonlocal extension
        base = slug(name)
        entry_id, n = base, 2
        while entry_id in ids:
            entry_id, n = f"{base}-{n}", n + 1
        ids.add(entry_id)
        extension += 1
        words = name.split()
        entries.append(
            DirectoryEntry(
                id=entry_id,
                kind="person",
                name=name,
                rank=rank,
                first_name=" ".join(words[:-1]),
                surname=words[-1],
                team=team,
                extension=str(extension) if extension < 10_000 else f"4{extension:06d}",
            )
        )

    for name, rank, team in FIXED_PEOPLE[:people]:
        add_person(name, rank, team)
    reserved = {name.split()[-1] for name, _, _ in FIXED_PEOPLE}
    surnames = [s for s in SURNAMES if s not in reserved]
    codes = [code for code, _ in RANK_WEIGHTS]
    weights = [w for _, w in RANK_WEIGHTS]
    names_used = {name for name, _, _ in FIXED_PEOPLE}
    while len(entries) < people:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(surnames)}"
        if name in names_used and people <= 1000:
            continue
        names_used.add(name)
        rank = rng.choices(codes, weights)[0]
        add_person(name, rank, _team_for(rank, rng))
    if departments:
        for n, (dept_id, name, aliases, hours) in enumerate(DEPARTMENTS):
            entries.append(
                DirectoryEntry(
                    id=dept_id,
                    kind="department",
                    name=name,
                    aliases=aliases,
                    extension=str(3001 + n),
                    hours=hours,
                )
            )
    return Directory(entries)
