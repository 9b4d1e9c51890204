"""The vendor-mention guard (DESIGN rule 8).

A public update that names a vendor linked to the ticket (by name or alias), or blames a third
party, is held back until its author confirms it. The customer hears that we own the problem.

Matching is case-insensitive and on whole words: "Dell" is found in "DELL's engineer" but not in
"Dellwood" or "modell". Spaces inside a name or phrase match any run of whitespace.
"""

import contextlib
import re
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from incidents import checks as incident_checks
from incidents.models import Incident
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
    """Names and aliases of every vendor this ticket was ever escalated to, itself or through a
    major incident it is linked to."""
    from vendors.models import Vendor

    vendors = Vendor.objects.filter(
        Q(escalations__ticket=ticket) | Q(escalations__incident__links__ticket=ticket)
    ).distinct()
    return [name for vendor in vendors for name in vendor.names]


def incident_vendor_names(incident: Incident) -> list[str]:
    """Names and aliases of every vendor the incident itself or any ticket linked to it was
    escalated to, in one query however many tickets are linked."""
    from vendors.models import Vendor

    vendors = Vendor.objects.filter(
        Q(escalations__ticket__incident_links__incident=incident)
        | Q(escalations__incident=incident)
    )
    return [name for vendor in vendors.distinct() for name in vendor.names]


def incident_mention_check(incident: Incident, body: str) -> list[str]:
    """The check registered in incidents.checks: the guard once, on the incident update."""
    return find_mentions(body, names=incident_vendor_names(incident), phrases=blame_phrases())


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


# ---- the suggested rewording ------------------------------------------------------------------
#
# Each mention of a vendor is rewritten by the part it plays in its sentence, and only where the
# result is plain English; a sentence whose mention fits none of the patterns below is dropped
# (the ownership sentence then closes the text) rather than guessed at.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A new sentence after . ! or ? and spaces, or at a line break (markdown lists, paragraphs).
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[ \t]+|[ \t]*\n\s*")
# A list bullet, a numbered item or a quote marker starting a line stays in front of its text.
_LINE_MARKER = re.compile(r"(?:[ \t]*(?:[-*+>]|\d+[.)])[ \t]+)*")
_WORD_BEFORE = re.compile(r"([\w'\u2019&-]+)[ \t]+$")
_WORD_AFTER = re.compile(r"^[ \t]+([\w'\u2019&-]+)")
_NUMBER_AFTER = re.compile(r"^[ \t]+\d[\w.]*(?!\w)")  # "Microsoft 365": one product name

_DETERMINERS = _words("a an the this these those our your their its my his her some any")
_PRONOUNS = _words("i we you they he she it")
_CONJUNCTIONS = _words("and or nor &")
# Prepositions that only say whom we work with: "working with Dell on it" -> "working on it".
_DROPPABLE_PREPOSITIONS = _words("with from by via through at to")
# "due to Dell" and the like carry the blame or the claim: no shorter phrase keeps the sense.
_KEEPS_ITS_TO = _words("due thanks according owing next up close similar compared back")
_PREPOSITIONS = _words(
    """about above across against along among around at behind below beneath beside between
    beyond by despite down during except for from in inside into like near of off on onto out
    outside over past through throughout to toward towards under upon via with within without"""
)
# Words that neither describe a thing nor are something the vendor does.
_FUNCTION_WORDS = (
    _DETERMINERS
    | _PRONOUNS
    | _CONJUNCTIONS
    | _PREPOSITIONS
    | _words(
        """after before since until till as because although though while whereas if unless
        that which who whom whose what when where whether why then than so yet but not now
        still also already again always never often soon just only even very too here there
        today tomorrow yesterday tonight once twice me us them him her"""
    )
)
# The vendor doing something becomes us doing it: "Dell is replacing" -> "we are replacing".
_OUR_VERB = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
    "doesn't": "don't",
    "says": "expect",
    "said": "expect",
}
_SAME_VERB = _words(
    """are were have had will would can could should must may might did won't can't cannot
    couldn't shouldn't wouldn't didn't"""
)
# Present-tense verbs a vendor is often said to do: "ships" -> "we ship".
_THIRD_PERSON_VERBS = _words(
    """expects thinks believes needs wants plans ships sends replaces fixes confirms reports
    promises estimates investigates checks knows hopes aims intends recommends suggests advises
    requires tests works delivers provides supports handles releases restores resolves agrees
    apologises apologizes continues keeps remains arrives visits calls emails replies responds
    answers acknowledges reviews schedules orders collects dispatches monitors"""
)


class _Drop(Exception):
    """The sentence has no plain rewording: leave it out."""


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
    2. In the sentences left, each vendor mention is rewritten by the part it plays:
       - the vendor doing something becomes us: "Dell is replacing the disk" -> "We are
         replacing the disk", "Dell shipped it" -> "We shipped it";
       - the vendor's things become ours: "Dell's engineer" -> "Our engineer";
       - a name describing a thing goes, the thing stays: "a Twilio component" -> "a
         component", "waiting on Microsoft support" -> "waiting on support";
       - whom we work with goes: "working with Microsoft on the mailbox" -> "working on the
         mailbox", "an engineer from Dell arrives" -> "an engineer arrives".
       A sentence whose mention fits none of these ("We have chased Dell twice") is dropped.
    3. If a sentence was dropped, or nothing is left, the ownership sentence with the next update
       time closes the text. Lines, bullets and paragraphs keep their place.

    Pure: no database. A suggestion for the author to edit, not a rewrite sent on their behalf.
    """
    name_patterns = [
        phrase_pattern(name, possessive=True)
        for name in sorted(_unique(names), key=len, reverse=True)
    ]
    phrase_patterns = [phrase_pattern(phrase) for phrase in _unique(phrases)]
    kept: list[str] = []
    dropped = False
    for sentence, gap in _sentences(body.strip(), name_patterns):
        reworded = ""
        if not any(pattern.search(sentence) for pattern in phrase_patterns):
            with contextlib.suppress(_Drop):
                reworded = _reword_sentence(sentence, name_patterns)
        if reworded:
            kept.append(reworded + gap)
        else:
            dropped = True
    text = "".join(kept).rstrip()
    if dropped or not text:
        ownership = OWNERSHIP_SENTENCE.format(next_update=next_update)
        separator = "\n\n" if "\n" in body.strip() else " "
        text = f"{text}{separator}{ownership}".lstrip()
    return text


def _sentences(body: str, name_patterns: list[re.Pattern[str]]) -> list[tuple[str, str]]:
    """(sentence, the whitespace after it), in order; never split inside a vendor's name ("Acme
    Inc. is on it")."""
    names_at = [(m.start(), m.end()) for p in name_patterns for m in p.finditer(body)]
    parts: list[tuple[str, str]] = []
    start = 0
    for gap in _SENTENCE_BREAK.finditer(body):
        if any(first < gap.start() <= last for first, last in names_at):
            continue
        parts.append((body[start : gap.start()], gap.group(0)))
        start = gap.end()
    parts.append((body[start:], ""))
    return [(sentence, gap) for sentence, gap in parts if sentence.strip()]


# More mentions than this in one sentence: a name that its own rewording brings back ("We").
_MOST_MENTIONS = 20


def _reword_sentence(sentence: str, name_patterns: list[re.Pattern[str]]) -> str:
    marker = _LINE_MARKER.match(sentence).group(0)
    text = written = sentence[len(marker) :]
    for _ in range(_MOST_MENTIONS):
        mention = _first_mention(text, name_patterns)
        if mention is None:
            break
        text = _tidy(_reword_mention(text, *mention))
    else:
        raise _Drop
    if text == written:
        return sentence
    if not re.search(r"\w", text):
        raise _Drop
    starts_sentence = written[:1].isupper() or text[:1] != written[:1]
    return marker + (text[0].upper() + text[1:] if starts_sentence else text)


def _first_mention(text: str, name_patterns: list[re.Pattern[str]]) -> tuple[int, int] | None:
    """The leftmost (then longest) vendor mention in `text`, as (start, end)."""
    found = [(m.start(), m.end()) for p in name_patterns if (m := p.search(text)) is not None]
    return min(found, key=lambda span: (span[0], -span[1])) if found else None


def _reword_mention(text: str, start: int, end: int) -> str:
    """`text` with the mention at start:end rewritten by the part it plays; _Drop if none fits."""
    possessive = re.search(r"['\u2019]s$", text[start:end]) is not None
    number = _NUMBER_AFTER.match(text[end:])
    if number:
        end += number.end()
    before, after = text[:start], text[end:]
    previous = _WORD_BEFORE.search(before)
    prev_word = previous.group(1).lower() if previous else ""
    ahead = before[: previous.start()] if previous else before
    if re.match(r"-\w", after):  # "Dell-certified engineers" -> "certified engineers"
        return _without_name(before, after[1:], previous)
    following = _WORD_AFTER.match(after)
    next_word = following.group(1).lower() if following else ""
    word_after_next = _word_after(after[following.end() :]) if following else ""

    if next_word in _CONJUNCTIONS or (
        prev_word in _CONJUNCTIONS and (_word_before(ahead) in _PRONOUNS or not ahead.strip())
    ):
        raise _Drop  # "Dell and HP are testing", "you and Dell": one of a pair
    if possessive:
        if next_word.endswith("ing"):  # "Dell's replacing it": Dell is
            return _as_subject(before, after, previous, "are")
        if next_word == "been":  # "Dell's been slow": Dell has
            return _as_subject(before, after, previous, "have")
        if prev_word == "the":
            before = ahead
        return f"{before}our{after}"
    if _describes(
        next_word, word_after_next, noun_position=prev_word in _DETERMINERS | _PREPOSITIONS
    ):
        return _without_name(before, after, previous)
    if number or prev_word in _DETERMINERS:
        raise _Drop  # "Microsoft 365 is down", "We ordered a Dell."
    if prev_word in _DROPPABLE_PREPOSITIONS and not (
        prev_word == "to" and _word_before(ahead) in _KEEPS_ITS_TO
    ):
        return ahead.rstrip(" \t") + after
    if _is_verb(next_word) and prev_word not in _PREPOSITIONS:
        verb = _our_form(following.group(1))
        return _as_subject(before, after[following.end() :], previous, verb)
    raise _Drop


def _describes(word: str, word_after: str, *, noun_position: bool) -> bool:
    """Whether `word`, right after a vendor's name, is a thing the name describes ("support",
    "engineer"). A word ending in s in a subject's place may be a verb ("Dell replies") as well
    as a plural ("Dell engineers"): only a known plural place settles it."""
    if not word or word in _FUNCTION_WORDS or _is_verb(word) or word.endswith("ly"):
        return False
    if word.endswith("s") and not word.endswith("ss") and not noun_position:
        raise _Drop
    return True


def _is_verb(word: str) -> bool:
    return (
        word in _OUR_VERB
        or word in _SAME_VERB
        or word in _THIRD_PERSON_VERBS
        or (len(word) > 4 and word.endswith("ed"))
    )


def _word_before(text: str) -> str:
    previous = _WORD_BEFORE.search(text)
    return previous.group(1).lower() if previous else ""


def _word_after(text: str) -> str:
    following = _WORD_AFTER.match(text)
    return following.group(1).lower() if following else ""


def _without_name(before: str, after: str, previous: re.Match | None) -> str:
    """The name goes and the word it described stays, its article made to agree."""
    after = after.lstrip(" \t")
    if previous is not None and previous.group(1).lower() in ("a", "an"):
        article = _indefinite_article(after)
        if previous.group(1)[0].isupper():
            article = article.capitalize()
        before = f"{before[: previous.start()]}{article} "
    return before + after


def _as_subject(before: str, after: str, previous: re.Match | None, verb: str) -> str:
    """The vendor doing something becomes us doing it: "(the) Dell ships" -> "we ship"."""
    if previous is not None and previous.group(1).lower() == "the":
        before = before[: previous.start()]
    return f"{before}we {verb}{after}"


def _our_form(verb: str) -> str:
    """The verb with "we" as its subject, in the author's case."""
    lower = verb.lower()
    if lower in _OUR_VERB:
        return _OUR_VERB[lower]
    if lower in _THIRD_PERSON_VERBS:
        if lower.endswith("ies"):
            return verb[:-3] + "y"
        if lower.endswith(("ches", "shes", "sses", "xes", "zes")):
            return verb[:-2]
        return verb[:-1]
    return verb


def _indefinite_article(text: str) -> str:
    word = text.split(" ", 1)[0].lower()
    vowel_sound = word[:1] in ("a", "e", "i", "o", "u") and not word.startswith(
        ("uni", "use", "usu", "uti", "one", "eu")
    )
    return "an" if vowel_sound or word.startswith(("hour", "honest", "honou")) else "a"


def _tidy(text: str) -> str:
    """Spaces and punctuation as they would be had the words never been there."""
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([,.;:!?)])", r"\1", text)
    text = re.sub(r"\([ \t]*\)", "", text)
    text = re.sub(r",(?:[ \t]*,)+", ",", text)
    text = re.sub(r",([.;:!?])", r"\1", text)
    return re.sub(r"^[\s,;:]+", "", text).strip()


def register() -> None:
    """Called from VendorsConfig.ready(): plug the guard into public updates."""
    from updates import services as update_services

    incident_checks.register_check(incident_mention_check)
    if vendor_mention_check not in update_services.public_update_checks:
        update_services.public_update_checks.append(vendor_mention_check)
    rewordings = getattr(update_services, "public_update_rewordings", None)
    if rewordings is not None and suggest_update_rewording not in rewordings:
        rewordings.append(suggest_update_rewording)
