"""Titles of office: what a title in front of a name can look like, and which office it names.

"UK Prime Minister Keir Starmer", "Ukrainian President Volodymyr Zelensky", "former President
Donald Trump", "then-Chancellor Olaf Scholz", "Chancellor Olaf Scholz of Germany". A title is an
office's own name or alias from the KB, or a title head ("President", "Prime Minister") with an
optional country in front (a demonym, the country's name, or its possessive) or "of <country>"
after the name. The office is resolved from the text first; the KB tenures of the person only
choose among offices the text leaves open (a bare "President"), so a wrong title is still linked
to the office the text names, which is what the ROLE_AT_DATE check needs."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

# Canonical country key → names and demonyms used in front of a title. Place entities of the KB
# add their own labels and aliases to this table.
COUNTRY_FORMS: dict[str, tuple[str, ...]] = {
    "united states": (
        "United States",
        "US",
        "U.S.",
        "USA",
        "America",
        "American",
        "United States of America",
    ),
    "united kingdom": ("United Kingdom", "UK", "U.K.", "Britain", "Great Britain", "British"),
    "france": ("France", "French"),
    "germany": ("Germany", "German"),
    "ukraine": ("Ukraine", "Ukrainian"),
    "russia": ("Russia", "Russian", "Russian Federation"),
    "italy": ("Italy", "Italian"),
    "poland": ("Poland", "Polish"),
    "spain": ("Spain", "Spanish"),
    "canada": ("Canada", "Canadian"),
    "china": ("China", "Chinese"),
    "japan": ("Japan", "Japanese"),
    "india": ("India", "Indian"),
    "israel": ("Israel", "Israeli"),
    "turkey": ("Turkey", "Türkiye", "Turkish"),
    "netherlands": ("Netherlands", "the Netherlands", "Dutch"),
    "belgium": ("Belgium", "Belgian"),
    "sweden": ("Sweden", "Swedish"),
    "finland": ("Finland", "Finnish"),
    "norway": ("Norway", "Norwegian"),
    "denmark": ("Denmark", "Danish"),
    "ireland": ("Ireland", "Irish"),
    "australia": ("Australia", "Australian"),
    "new zealand": ("New Zealand",),
    "brazil": ("Brazil", "Brazilian"),
    "mexico": ("Mexico", "Mexican"),
    "argentina": ("Argentina", "Argentine", "Argentinian"),
    "south africa": ("South Africa", "South African"),
    "south korea": ("South Korea", "South Korean"),
    "north korea": ("North Korea", "North Korean"),
    "iran": ("Iran", "Iranian"),
    "saudi arabia": ("Saudi Arabia", "Saudi"),
    "egypt": ("Egypt", "Egyptian"),
    "hungary": ("Hungary", "Hungarian"),
    "czech republic": ("Czech Republic", "Czechia", "Czech"),
    "austria": ("Austria", "Austrian"),
    "switzerland": ("Switzerland", "Swiss"),
    "greece": ("Greece", "Greek"),
    "portugal": ("Portugal", "Portuguese"),
    "romania": ("Romania", "Romanian"),
    "belarus": ("Belarus", "Belarusian"),
    "georgia": ("Georgia", "Georgian"),
    "moldova": ("Moldova", "Moldovan"),
    "estonia": ("Estonia", "Estonian"),
    "latvia": ("Latvia", "Latvian"),
    "lithuania": ("Lithuania", "Lithuanian"),
    "slovakia": ("Slovakia", "Slovak"),
    "croatia": ("Croatia", "Croatian"),
    "serbia": ("Serbia", "Serbian"),
    "bulgaria": ("Bulgaria", "Bulgarian"),
    "syria": ("Syria", "Syrian"),
    "pakistan": ("Pakistan", "Pakistani"),
    "nigeria": ("Nigeria", "Nigerian"),
    "kenya": ("Kenya", "Kenyan"),
}

# Title heads written before a name even when no office in the KB uses them; a title whose
# office cannot be found is still recorded (unlinked).
GENERIC_HEADS: tuple[str, ...] = (
    "President",
    "Vice President",
    "Prime Minister",
    "Deputy Prime Minister",
    "Chancellor",
    "Foreign Minister",
    "Defence Minister",
    "Defense Minister",
    "Finance Minister",
    "Interior Minister",
    "Foreign Secretary",
    "Home Secretary",
    "Defence Secretary",
    "Defense Secretary",
    "Secretary of State",
    "Secretary-General",
    "Secretary General",
    "Minister",
    "King",
    "Queen",
    "Pope",
    "Governor",
    "Senator",
    "Sen.",
    "Rep.",
    "Representative",
    "Mayor",
    "Premier",
    "Speaker",
    "Chief Minister",
    "Crown Prince",
    "Emir",
    "Sultan",
)

MODIFIERS = {
    "former": "former",
    "then": "then",
    "ex": "ex",
    "acting": "acting",
    "outgoing": "outgoing",
    "incoming": "incoming",
    "interim": "interim",
}
_MODIFIER_BEFORE = re.compile(
    r"(?:(?<![\w-])(?P<word>former|acting|outgoing|incoming|interim)\s+"
    r"|(?<![\w-])(?P<hyphen>then|ex)[-‐–])$",
    re.IGNORECASE,
)
_OF_COUNTRY = re.compile(r" of (?:the )?((?:[A-Z][\w.’'-]*)(?: [A-Z][\w.’'-]*){0,3})")


def lower(text: str) -> str:
    """ASCII-only lower case: keeps every offset (str.lower can change the length)."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def modifier_before(body: str, start: int) -> tuple[str, int]:
    """The modifier written right before a title ("former ", "then-") and where it starts."""
    window_start = max(0, start - 12)
    match = _MODIFIER_BEFORE.search(body, window_start, start)
    if match is None:
        return "", start
    word = (match.group("word") or match.group("hyphen")).lower()
    return MODIFIERS[word], match.start()


def country_before(
    body: str, start: int, country_of: dict[str, str], line_start: int
) -> tuple[str | None, int]:
    """A country written right before a title head ("Ukrainian", "UK", "Germany’s", "United
    States"): its key and where it starts, or (None, start)."""
    best: tuple[str | None, int] = (None, start)
    end = start - 1
    if end <= line_start or body[end] != " ":
        return best
    position = end
    for _ in range(3):
        word_start = max(body.rfind(" ", line_start, position) + 1, line_start)
        word = body[word_start:position]
        if not word or not word[0].isalpha() or word[-1] in ',;:()[]"“”':
            break
        if word[-1] in ".!?" and word.count(".") < 2:
            break  # the end of the sentence before ("to Germany. U.S. President"), not "U.S."
        phrase = body[word_start:end]
        if phrase[0].isupper():
            key = country_of.get(title_key(phrase))
            if key:
                best = (key, word_start)
        if word_start == line_start:
            break
        position = word_start - 1
    return best


def country_after_name(body: str, name_end: int, country_of: dict[str, str]) -> str | None:
    """ "Chancellor Olaf Scholz of Germany": the country written after the name."""
    match = _OF_COUNTRY.match(body, name_end)
    if match is None:
        return None
    words = match.group(1).rstrip(".,;:").split(" ")
    for n in range(len(words), 0, -1):
        key = country_of.get(title_key(" ".join(words[:n])))
        if key:
            return key
    return None


# --- Wordings of a title, derived from the knowledge base -------------------------------------------
# A newspaper writes "U.S. Secretary of State", "Germany's Chancellor", "finance minister" or "PM"
# where the KB holds "United States Secretary of State", "Chancellor of Germany", "Minister of
# Finance". Instead of listing every wording as an alias, a written title is reduced to a key
# (case, dots, possessives and well-known abbreviations folded) and split into a head and a
# country; the offices are indexed by the same (head, country) signatures, their country taken
# from their jurisdiction (Entity.jurisdiction) or from their own name ("President of France").
# Both extraction (apps.extraction.entities) and the checks (apps.checks.kbview) build one
# TitleIndex per KB snapshot and resolve every title through it, so they never disagree.

# Abbreviations written in front of names ("PM Modi", "Gov. Hochul", "Sen. Warren").
ABBREVIATIONS: dict[str, str] = {
    "pm": "prime minister",
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "pres": "president",
    "sec": "secretary",
    "secy": "secretary",
    "atty gen": "attorney general",
    "ag": "attorney general",
    "dpm": "deputy prime minister",
    "vp": "vice president",
    "fm": "foreign minister",
}
# Spellings that name the same thing.
_SPELLINGS = {"defense": "defence", "labor": "labour"}
# Heads that English copy writes in another order or word ("Minister of Foreign Affairs" is the
# "Foreign Minister"); "Minister of X" → "X Minister" is derived in head_forms.
HEAD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "minister of foreign affairs": ("foreign minister",),
    "minister for foreign affairs": ("foreign minister",),
    "minister of internal affairs": ("interior minister",),
    "minister of the interior": ("interior minister",),
    "minister of home affairs": ("home minister",),
    "minister of external affairs": ("foreign minister", "external affairs minister"),
    "secretary of state for foreign commonwealth and development affairs": ("foreign secretary",),
    "secretary of state for foreign and commonwealth affairs": ("foreign secretary",),
    "secretary of state for the home department": ("home secretary",),
    "secretary of state for defence": ("defence secretary",),
    "secretary of defence": ("defence secretary",),
    "chancellor of the exchequer": ("chancellor",),
    "federal chancellor": ("chancellor",),
    "secretary general": ("secretary general",),
}
# Words in front of a title that say when, not which office ("current president Joe Biden").
_LEADING = {
    "former",
    "then",
    "ex",
    "acting",
    "outgoing",
    "incoming",
    "interim",
    "current",
    "sitting",
    "new",
    "the",
}
_KEY_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "`": "'", "´": "'"})
_KEY_POSSESSIVE = re.compile(r"'s\b")
_KEY_NOISE = re.compile(r"[^\w\s]")


@functools.lru_cache(maxsize=65536)  # the same titles come back in every article
def title_key(text: str) -> str:
    """The lookup key of a written title or country: case, dots ("U.S." = "US"), possessives
    ("Germany's"), hyphens and well-known abbreviations ("PM", "Gov.") folded."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_KEY_QUOTES)
    text = text.casefold()
    if "'" in text:
        text = _KEY_POSSESSIVE.sub("", text).replace("'", "")
    text = text.replace(".", "").replace("-", " ")
    if not text.replace(" ", "").isalnum():
        text = _KEY_NOISE.sub(" ", text)
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in _PAIR_STARTS and " ".join(words[i : i + 2]) in ABBREVIATIONS:
            out.append(ABBREVIATIONS[" ".join(words[i : i + 2])])
            i += 2
            continue
        out.append(ABBREVIATIONS.get(word) or _SPELLINGS.get(word) or word)
        i += 1
    return " ".join(out)


_PAIR_STARTS = {key.split(" ")[0] for key in ABBREVIATIONS if " " in key}


def strip_leading(key: str) -> str:
    words = key.split(" ")
    while len(words) > 1 and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words)


def head_forms(head: str) -> set[str]:
    """A head and the other heads newspapers write for it."""
    forms = {head, *HEAD_SYNONYMS.get(head, ())}
    for prefix in ("minister of the ", "minister of ", "minister for the ", "minister for "):
        if head.startswith(prefix):
            rest = head.removeprefix(prefix)
            if rest and len(rest.split()) <= 2 and " and " not in f" {rest} ":
                forms.add(f"{rest} minister")
            break
    return forms


@dataclass(frozen=True)
class Resolution:
    """What a written title names. `how`: "named" (the wording names exactly this office),
    "held" (a wording several offices share, settled by the person's own tenures), "ambiguous"
    (several offices, not settled), "generic" (a bare title that fits offices in the KB but none
    the person held), "unknown" (no office in the KB goes by it)."""

    office: int | None
    how: str
    candidates: tuple[int, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.office is not None


UNKNOWN = Resolution(None, "unknown")


_STATE_FORM = re.compile(
    r" of the(?: [a-z]+){0,3}? (?:republic|kingdom|federation|commonwealth|principality|"
    r"emirates?|state|states|union|confederation)$"
)

_STATE_WORD = re.compile(r" (?:republic|kingdom|federation|confederation|commonwealth)$")


@dataclass
class TitleIndex:
    """Offices by the wordings of their titles, for one KB snapshot (see the comment above)."""

    country_of: dict[str, str] = field(default_factory=dict)
    by_signature: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    # Names of offices with no country at all ("Pope", "Chancellor of the Exchequer" without a
    # jurisdiction): written in full they name the office.
    by_name: dict[str, set[int]] = field(default_factory=dict)
    by_head: dict[str, set[int]] = field(default_factory=dict)
    countries_of: dict[int, set[str]] = field(default_factory=dict)
    # Everything an office is known by, for fingerprints and messages.
    wordings_of: dict[int, set[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        offices: dict[int, list[str]],
        places: dict[int, list[str]] | None = None,
        jurisdictions: dict[int, int] | None = None,
    ) -> TitleIndex:
        """offices: id → names (label first); places: id → names and demonyms (countries,
        organisations an office applies to); jurisdictions: office id → place id."""
        index = cls()
        country_of = index.country_of
        for key, forms in COUNTRY_FORMS.items():
            for form in forms:
                index._add_country(form, key)
        place_key: dict[int, str] = {}
        for pk, names in sorted((places or {}).items()):
            keys = [k for k in map(title_key, names) if k]
            if not keys:
                continue
            canonical = next((country_of[k] for k in keys if k in country_of), keys[0])
            place_key[pk] = canonical
            for k in keys:
                index._add_country_key(k, canonical, overwrite=False)
        for office, names in sorted(offices.items()):
            parsed = [index.parse(k) for k in map(title_key, names) if k]
            countries = {c for _, c in parsed if c}
            jurisdiction = (jurisdictions or {}).get(office)
            if jurisdiction in place_key:
                countries.add(place_key[jurisdiction])
            index.countries_of[office] = countries
            wordings = index.wordings_of.setdefault(office, set())
            for head, _ in parsed:
                for form in head_forms(head):
                    index.by_head.setdefault(form, set()).add(office)
                    wordings.add(form)
                    for c in countries:
                        index.by_signature.setdefault((form, c), set()).add(office)
                        wordings.add(f"{c}|{form}")
                if not countries:
                    index.by_name.setdefault(head, set()).add(office)
        # A name that is a title head elsewhere ("Defence Minister", "President") names no one
        # office, even when written for an office the KB knows no country of.
        generic = {title_key(h) for h in GENERIC_HEADS}
        for office, countries in index.countries_of.items():
            if countries:
                generic |= {w for w in index.wordings_of.get(office, ()) if "|" not in w}
        for name in list(index.by_name):
            if head_forms(name) & generic:
                del index.by_name[name]
        return index

    def _add_country(self, form: str, key: str, *, overwrite: bool = True) -> None:
        self._add_country_key(title_key(form), key, overwrite=overwrite)

    def _add_country_key(self, k: str, key: str, *, overwrite: bool = True) -> None:
        if not k or len(k) < 2:
            return
        for variant in {k, k.removeprefix("the ")}:
            if overwrite or variant not in self.country_of:
                self.country_of[variant] = key

    def country(self, text: str) -> str | None:
        return self.country_of.get(title_key(text))

    def parse(self, key: str) -> tuple[str, str | None]:
        """("president of france") → ("president", "france"); ("us secretary of state") →
        ("secretary of state", "united states"); ("chancellor") → ("chancellor", None)."""
        words = key.split(" ")
        # "<head> of [the] <country>": the first " of " that a country follows ("President of the
        # People's Republic of China", "Minister of Finance of Ukraine").
        for i in range(1, len(words) - 1):
            if words[i] != "of":
                continue
            rest = " ".join(words[i + 1 :]).removeprefix("the ")
            country = self.country_of.get(rest) or self.country_of.get(
                _STATE_WORD.sub("", rest)  # "the French Republic" → French
            )
            if country:
                # "President of the People's Republic of China" when only "China" is known.
                return _STATE_FORM.sub("", " ".join(words[:i])), country
        for n in range(min(4, len(words) - 1), 0, -1):  # "<country> <head>"
            country = self.country_of.get(" ".join(words[:n]))
            if country:
                return " ".join(words[n:]), country
        return key, None

    def heads(self) -> set[str]:
        return set(self.by_head)

    def resolve(self, text: str, *, held: list[int] = (), country: str | None = None) -> Resolution:
        """The office a written title names. `held`: the person's offices (oldest tenure first);
        `country`: one written elsewhere ("Chancellor Olaf Scholz of Germany").

        A title with a country, or an office's full name when the office has no country, names
        the offices indexed under it: one is the answer (held or not: the check says so), several
        are settled by the person's tenures. A bare title ("President", "finance minister") only
        ever resolves through the person's own tenures: the KB never knows every office in the
        world, so a bare title it cannot match is no evidence of anything."""
        key = strip_leading(title_key(text))
        if not key:
            return UNKNOWN
        head, written_country = self.parse(key)
        if written_country and head not in self.by_head and key in self.by_head:
            head, written_country = key, None  # a place named like a title's first word
        country = written_country or country
        forms = head_forms(head)
        if country is not None:
            named: set[int] = set()
            for form in forms:
                named |= self.by_signature.get((form, country), set())
        else:
            named = set(self.by_name.get(key, set()))
        if named:
            if len(named) == 1:
                return Resolution(next(iter(named)), "named", tuple(named))
            return self._among(held, named, sorted(named))
        fitting: set[int] = set()
        for form in forms:
            fitting |= self.by_head.get(form, set())
        if country is not None:
            # The KB has no office of that head for that country; one the person held whose
            # country the KB does not know may still be it.
            fitting = {o for o in fitting if not self.countries_of.get(o)}
        if not fitting:
            return UNKNOWN
        mine = [o for o in dict.fromkeys(held) if o in fitting]
        if len(mine) == 1:
            return Resolution(mine[0], "held", tuple(sorted(fitting)))
        if country is not None:
            return UNKNOWN
        if mine:
            return Resolution(None, "ambiguous", tuple(mine))
        return Resolution(None, "generic", tuple(sorted(fitting)))

    @staticmethod
    def _among(held: list[int], offices: set[int], candidates: list[int]) -> Resolution:
        mine = [o for o in dict.fromkeys(held) if o in offices]
        if len(mine) == 1:
            return Resolution(mine[0], "held", tuple(candidates))
        return Resolution(None, "ambiguous", tuple(mine or candidates))


# Abbreviated titles written in front of a name, as they are written ("PM Modi", "Gov. Hochul").
ABBREVIATED_TITLES: tuple[str, ...] = (
    "PM",
    "Gov.",
    "Sen.",
    "Rep.",
    "Pres.",
    "Sec.",
    "VP",
    "DPM",
    "Atty. Gen.",
)
