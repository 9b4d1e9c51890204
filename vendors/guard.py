"""The vendor-mention guard (DESIGN rule 8).

A public update that names a vendor linked to the ticket (by name or alias), or blames a third
party, is held back until its author confirms it. The customer hears that we own the problem.

Matching is case-insensitive and on whole words: "Dell" is found in "DELL's engineer" but not in
"Dellwood" or "modell". Spaces inside a name or phrase match any run of whitespace.
"""

import re
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from tickets.models import Ticket

# Phrases that point the finger at someone else. Projects override the list with the
# VENDOR_BLAME_PHRASES setting; managers add more in the admin (BlamePhrase).
DEFAULT_BLAME_PHRASES: tuple[str, ...] = (
    "their fault",
    "not our fault",
    "the vendor",
    "our vendor",
    "the supplier",
    "our supplier",
    "the manufacturer",
    "third party",
    "third-party",
    "the provider",
    "our provider",
    "on their end",
    "on their side",
    "out of our hands",
    "nothing we can do",
)

OWNERSHIP_SENTENCE = (
    "We are working on this and will send you the next update by {next_update}, or sooner."
)
DEFAULT_NEXT_UPDATE = "the time we promised"


def blame_phrases() -> list[str]:
    from vendors.models import BlamePhrase

    configured = list(getattr(settings, "VENDOR_BLAME_PHRASES", DEFAULT_BLAME_PHRASES))
    extra = BlamePhrase.objects.filter(is_active=True).values_list("phrase", flat=True)
    return _unique([*configured, *extra])


def _unique(phrases: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for phrase in phrases:
        cleaned = " ".join(phrase.split())
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return list(seen.values())


def phrase_pattern(phrase: str, *, possessive: bool = False) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern for `phrase`.

    Lookarounds rather than \\b, so names that begin or end with punctuation ("Acme Inc.",
    "AT&T") still match as whole words. With `possessive`, "Dell's" and "Dells" match "Dell".
    """
    words = [re.escape(word) for word in phrase.split()]
    suffix = r"(?:['\u2019]s|s)?" if possessive else ""
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + suffix + r"(?!\w)", re.IGNORECASE)


def find_mentions(body: str, *, names: Iterable[str], phrases: Iterable[str]) -> list[str]:
    """The vendor names and blame phrases in `body`, as written there, each once, in order of
    appearance; a match inside a longer one ("Dell" in "Dell EMC") is the longer one only.
    Pure: no database."""
    found: list[tuple[int, int, str]] = []
    for term in _unique(names):
        found += [
            (m.start(), m.end(), m.group(0))
            for m in phrase_pattern(term, possessive=True).finditer(body)
        ]
    for term in _unique(phrases):
        found += [(m.start(), m.end(), m.group(0)) for m in phrase_pattern(term).finditer(body)]
    matches: list[str] = []
    seen: set[str] = set()
    covered_until = -1
    for _start, end, text in sorted(found, key=lambda match: (match[0], -match[1])):
        if end <= covered_until:
            continue
        covered_until = max(covered_until, end)
        key = " ".join(text.split()).casefold()
        if key not in seen:
            seen.add(key)
            matches.append(text)
    return matches


def linked_vendor_names(ticket: Ticket) -> list[str]:
    """Names and aliases of every vendor this ticket was ever escalated to."""
    from vendors.models import Vendor

    vendors = Vendor.objects.filter(escalations__ticket=ticket).distinct()
    return [name for vendor in vendors for name in vendor.names]


def vendor_mention_check(ticket: Ticket, body: str) -> list[str]:
    """The check registered in updates.services.public_update_checks."""
    return find_mentions(body, names=linked_vendor_names(ticket), phrases=blame_phrases())


def suggest_update_rewording(ticket: Ticket, body: str, matches: list[str]) -> str:
    """The rewording hook registered in updates.services.public_update_rewordings."""
    from updates.services import default_next_update_due

    return suggest_rewording(
        body,
        names=linked_vendor_names(ticket),
        phrases=blame_phrases(),
        next_update=customer_time(default_next_update_due(ticket), ticket.organization.timezone),
    )


def customer_time(moment: datetime, tz_name: str) -> str:
    """ "14:30 your time" today, "Tue 03 Mar, 09:00 your time" on another day."""
    tz = ZoneInfo(tz_name)
    local = moment.astimezone(tz)
    if local.date() == timezone.now().astimezone(tz).date():
        return f"{local:%H:%M} your time"
    return f"{local:%a %d %b, %H:%M} your time"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# "<vendor> is replacing" -> "we are replacing": the vendor's work becomes ours.
_VERB_AFTER_NAME = {
    "is": "we are",
    "are": "we are",
    "was": "we were",
    "were": "we were",
    "has": "we have",
    "have": "we have",
    "will": "we will",
    "can": "we can",
    "should": "we should",
    "expects": "we expect",
    "says": "we expect",
    "said": "we expect",
    "thinks": "we think",
    "believes": "we believe",
}


def suggest_rewording(
    body: str,
    *,
    names: Iterable[str],
    phrases: Iterable[str],
    next_update: str = DEFAULT_NEXT_UPDATE,
) -> str:
    """A customer-safe rewording of `body`: we own the problem and say when the next update comes.

    1. Sentences that blame someone ("their fault", "the supplier") are dropped: no rewording of
       blame sounds right.
    2. In the sentences left, a vendor doing something becomes us doing it ("Dell is replacing the
       disk" -> "We are replacing the disk"), "Dell's engineer" becomes "our engineer" and any
       other mention becomes "our team".
    3. If a blaming sentence was dropped, or nothing is left, the ownership sentence with the
       next update time closes the text.

    Pure: no database. A suggestion for the author to edit, not a rewrite sent on their behalf.
    """
    names = sorted(_unique(names), key=len, reverse=True)
    phrase_patterns = [phrase_pattern(phrase) for phrase in _unique(phrases)]
    kept: list[str] = []
    dropped = False
    for sentence in _SENTENCE_END.split(body.strip()):
        if any(pattern.search(sentence) for pattern in phrase_patterns):
            dropped = True
            continue
        for name in names:
            sentence = _replace_name(sentence, name)
        if sentence.strip():
            kept.append(_capitalise(sentence.strip()))
    if dropped or not kept:
        kept.append(OWNERSHIP_SENTENCE.format(next_update=next_update))
    return " ".join(kept)


def _replace_name(sentence: str, name: str) -> str:
    words = r"\s+".join(re.escape(word) for word in name.split())
    verbs = "|".join(_VERB_AFTER_NAME)
    with_verb = re.compile(rf"(?<!\w){words}\s+({verbs})(?!\w)", re.IGNORECASE)
    sentence = with_verb.sub(lambda m: _VERB_AFTER_NAME[m.group(1).lower()], sentence)
    possessive = re.compile(rf"(?<!\w){words}['\u2019]s(?!\w)", re.IGNORECASE)
    sentence = possessive.sub("our", sentence)
    bare = re.compile(rf"(?<!\w)(?:the\s+)?{words}s?(?!\w)", re.IGNORECASE)
    return bare.sub("our team", sentence)


def _capitalise(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:] if sentence else sentence


def register() -> None:
    """Called from VendorsConfig.ready(): plug the guard into public updates."""
    from updates import services as update_services

    if vendor_mention_check not in update_services.public_update_checks:
        update_services.public_update_checks.append(vendor_mention_check)
    rewordings = getattr(update_services, "public_update_rewordings", None)
    if rewordings is not None and suggest_update_rewording not in rewordings:
        rewordings.append(suggest_update_rewording)
