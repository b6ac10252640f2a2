"""Titles of office: what a title in front of a name can look like, and which office it names.

"UK Prime Minister Keir Starmer", "Ukrainian President Volodymyr Zelensky", "former President
Donald Trump", "then-Chancellor Olaf Scholz", "Chancellor Olaf Scholz of Germany". A title is an
office's own name or alias from the KB, or a title head ("President", "Prime Minister") with an
optional country in front (a demonym, the country's name, or its possessive) or "of <country>"
after the name. The office is resolved from the text first; the KB tenures of the person only
choose among offices the text leaves open (a bare "President"), so a wrong title is still linked
to the office the text names, which is what the ROLE_AT_DATE check needs."""

from __future__ import annotations

import re

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
_POSSESSIVE = re.compile(r"[’']s$")


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


def split_office_name(name: str, country_of: dict[str, str]) -> tuple[str, str | None]:
    """("Prime Minister of the United Kingdom") → ("prime minister", "united kingdom");
    ("UK Prime Minister") → ("prime minister", "united kingdom"); ("Chancellor") → ("chancellor", None)."""
    low = lower(" ".join(name.split()))
    head, sep, rest = low.partition(" of ")
    if sep:
        rest = rest.removeprefix("the ")
        return head, country_key(rest, country_of)
    words = low.split(" ")
    for n in range(min(4, len(words) - 1), 0, -1):
        prefix = " ".join(words[:n])
        key = country_of.get(_POSSESSIVE.sub("", prefix))
        if key:
            return " ".join(words[n:]), key
    return low, None


def country_key(text: str, country_of: dict[str, str]) -> str:
    """Canonical key of a country (or organisation) named in a title; unknown names are their
    own key, so "President of the European Commission" pairs with "European Commission President"."""
    low = lower(text).removeprefix("the ").strip()
    if low in country_of:
        return country_of[low]
    words = low.split(" ")
    for n in range(len(words) - 1, 0, -1):  # "French Republic" → france
        key = country_of.get(" ".join(words[:n]))
        if key:
            return key
    return low


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
        phrase = body[word_start:end]
        if phrase[0].isupper():
            key = country_of.get(_POSSESSIVE.sub("", lower(phrase)))
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
        key = country_of.get(lower(" ".join(words[:n])))
        if key:
            return key
    return None


def resolve_office(
    *,
    head: str,
    country: str | None,
    direct: list[int],
    held: list[tuple[int, object]],
    office_signatures: dict[int, set[tuple[str, str | None]]],
    offices_by_signature: dict[tuple[str, str | None], list[int]],
) -> tuple[int | None, float]:
    """The office a title names, and how sure that is.

    `direct`: offices whose own name or alias is the title ("UK Prime Minister"; several for an
    alias they share, like a bare "President"). `held`: the person's tenures, oldest first. A title that names a country picks that country's office
    even when the person never held it (the check reports that); a bare title ("President")
    is resolved among the offices the person held, and left unlinked when none fits."""
    held_ids = [office for office, _ in held]
    if len(direct) == 1:
        return direct[0], 0.95
    if country is not None:
        candidates = offices_by_signature.get((head, country), [])
        mine = [office for office in candidates if office in held_ids]
        if mine:
            return mine[-1], 0.95 if len(mine) == 1 else 0.7
        if candidates:
            return candidates[0], 0.9 if len(candidates) == 1 else 0.6
        return None, 0.5
    if direct:  # an alias several offices share ("President"): only the person's own count
        shared = set(direct)
        mine = [office for office in held_ids if office in shared]
        if mine:
            return mine[-1], 0.9 if len(set(mine)) == 1 else 0.6
        return None, 0.5
    fitting: list[int] = []
    for office in held_ids:  # oldest tenure first, so the last one is the latest
        if office in fitting:
            fitting.remove(office)
        if any(h == head for h, _ in office_signatures.get(office, ())):
            fitting.append(office)
    if len(fitting) == 1:
        return fitting[0], 0.85
    if fitting:
        return fitting[-1], 0.6
    return None, 0.5
