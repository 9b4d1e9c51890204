"""The vendor-mention guard (DESIGN rule 8): linked vendor names and aliases and blame phrases
hold a public update back until its author confirms; unrelated words never do."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import TicketFactory
from tests.vendors.factories import VendorFactory
from updates import services as update_services
from updates.models import EntryKind, TimelineEntry
from vendors import services
from vendors.guard import (
    DEFAULT_BLAME_PHRASES,
    find_mentions,
    suggest_rewording,
    vendor_mention_check,
)
from vendors.models import BlamePhrase

NO_PHRASES: list[str] = []


class TestFindMentions:
    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            ("Dell is sending a new disk.", ["Dell"]),
            ("dell is sending a new disk.", ["dell"]),
            ("We spoke to DELL today.", ["DELL"]),
            ("Dell's engineer arrives at 14:00.", ["Dell's"]),
            ("Dell\u2019s engineer arrives at 14:00.", ["Dell\u2019s"]),
            ("(Dell) confirmed the part.", ["Dell"]),
            ("The Dellwood office is back online.", []),
            ("We updated the modell number.", []),
            ("Our dellboy script ran.", []),
            ("Send to sales@dellwood.example please.", []),
        ],
    )
    def test_vendor_name_as_a_whole_word_any_case(self, body, expected):
        assert find_mentions(body, names=["Dell"], phrases=NO_PHRASES) == expected

    def test_aliases_and_multi_word_names_across_whitespace(self):
        body = "Waiting for Dell\nTechnologies and then dell  emc."
        assert find_mentions(body, names=["Dell Technologies", "Dell EMC"], phrases=NO_PHRASES) == [
            "Dell\nTechnologies",
            "dell  emc",
        ]

    def test_names_with_punctuation_match_whole(self):
        assert find_mentions("AT&T is on it.", names=["AT&T"], phrases=NO_PHRASES) == ["AT&T"]
        assert find_mentions(
            "Ask Acme Inc. about it.", names=["Acme Inc."], phrases=NO_PHRASES
        ) == ["Acme Inc."]
        assert find_mentions("the Acme Incubator", names=["Acme Inc."], phrases=NO_PHRASES) == []

    def test_each_mention_reported_once_in_order(self):
        body = "Microsoft says MS will fix it. Microsoft again."
        assert find_mentions(body, names=["MS", "Microsoft"], phrases=NO_PHRASES) == [
            "Microsoft",
            "MS",
        ]

    def test_a_name_inside_a_longer_alias_is_reported_as_the_longer_one(self):
        body = "DELL EMC is replacing it; Dell said so."
        assert find_mentions(body, names=["Dell", "Dell EMC"], phrases=NO_PHRASES) == [
            "DELL EMC",
            "Dell",
        ]

    @pytest.mark.parametrize(
        "body",
        [
            "Sorry, this is their fault.",
            "The vendor has not replied.",
            "We chased our   supplier again.",
            "It is a THIRD-PARTY issue.",
            "Nothing we can do until Monday.",
        ],
    )
    def test_default_blame_phrases_are_found(self, body):
        assert find_mentions(body, names=[], phrases=DEFAULT_BLAME_PHRASES)

    @pytest.mark.parametrize(
        "body",
        [
            "We replaced the toner and printed a test page.",
            "Their faultless printer is back.",
            "We checked the vendored library and the vendors list.",
            "The supplies cupboard has new paper.",
            "We will send the next update by 14:30 your time, or sooner.",
        ],
    )
    def test_no_false_alarm_on_ordinary_updates(self, body):
        assert find_mentions(body, names=["Dell", "HP"], phrases=DEFAULT_BLAME_PHRASES) == []

    @given(st.text(alphabet=st.characters(blacklist_characters="dDeElL"), max_size=200))
    def test_text_without_the_letters_never_matches(self, body):
        assert find_mentions(body, names=["Dell"], phrases=NO_PHRASES) == []

    @given(
        before=st.sampled_from(["", " ", "(", "\n", "- "]),
        after=st.sampled_from(["", ".", " ", "'s", ",", "!"]),
        name=st.sampled_from(["Dell", "dell", "DELL", "dEll"]),
    )
    def test_name_surrounded_by_non_letters_always_matches(self, before, after, name):
        assert find_mentions(f"{before}{name}{after}", names=["Dell"], phrases=NO_PHRASES)


VENDORS = ["Dell", "Dell EMC", "Microsoft", "MS", "Twilio", "HP", "Acme Inc.", "AT&T"]
OWNERSHIP = (
    "We are working on this and will send you the next update by 15:00 your time, or sooner."
)

# (what the author wrote, the suggestion): one row per way a vendor appears in a sentence.
REWORDINGS = [
    # The three: the name describing a thing, a name after "a", whom we work with.
    ("We are waiting on Microsoft support.", "We are waiting on support."),
    ("The fault is in a Twilio component.", "The fault is in a component."),
    ("We are working with Microsoft on the mailbox.", "We are working on the mailbox."),
    # The vendor doing something becomes us doing it.
    ("Dell is replacing the faulty disk today.", "We are replacing the faulty disk today."),
    ("Dell has confirmed the part.", "We have confirmed the part."),
    ("Dell shipped the disk this morning.", "We shipped the disk this morning."),
    ("Dell replies within the hour.", "We reply within the hour."),
    ("Twilio fixes the route tonight.", "We fix the route tonight."),
    ("Microsoft says the fix ships on Friday.", "We expect the fix ships on Friday."),
    ("DELL EMC is replacing the disk.", "We are replacing the disk."),
    ("Acme Inc. is on it.", "We are on it."),
    ("The disk failed and Dell is replacing it.", "The disk failed and we are replacing it."),
    ("The disk failed, so Dell is sending one.", "The disk failed, so we are sending one."),
    ("We hope Dell will ship today.", "We hope we will ship today."),
    ("dell will call you.", "We will call you."),
    ("Dell's replacing the disk.", "We are replacing the disk."),
    ("Dell's been quick.", "We have been quick."),
    # The vendor's things become ours.
    ("Dell's engineer is on site.", "Our engineer is on site."),
    ("Dell\u2019s courier has the part.", "Our courier has the part."),
    # The name describing a thing goes; the article agrees with the word left.
    ("A Dell engineer visits tomorrow.", "An engineer visits tomorrow."),
    ("An HP engineer visits tomorrow.", "An engineer visits tomorrow."),
    ("An Acme Inc. technician comes by.", "A technician comes by."),
    ("A Microsoft 365 outage stopped mail.", "An outage stopped mail."),
    ("The Dell team is on it.", "The team is on it."),
    ("Our Dell server rebooted.", "Our server rebooted."),
    ("Dell-certified engineers will fit it.", "Certified engineers will fit it."),
    # Whom we work with goes.
    ("An engineer from Dell arrives at 14:00.", "An engineer arrives at 14:00."),
    ("We escalated it to Dell.", "We escalated it."),
    ("We sent the logs to AT&T.", "We sent the logs."),
    ("We spoke to Dell this morning.", "We spoke this morning."),
    ("We opened a case with Dell, and it moves.", "We opened a case, and it moves."),
    ("The part ships from Dell tomorrow.", "The part ships tomorrow."),
    ("The disk was sent by Dell.", "The disk was sent."),
    # No plain rewording: the sentence goes and the ownership sentence closes the text.
    ("We have chased Dell twice.", OWNERSHIP),
    ("Ask DELL now.", OWNERSHIP),
    ("We are waiting for Dell.", OWNERSHIP),
    ("Waiting on Microsoft.", OWNERSHIP),
    ("According to Dell, the disk ships Monday.", OWNERSHIP),
    ("Thanks to Dell, it works.", OWNERSHIP),
    ("Dell and HP are both investigating.", OWNERSHIP),
    ("You and Dell agreed on Monday.", OWNERSHIP),
    ("Microsoft 365 is down.", OWNERSHIP),
    ("Dell engineers arrive at 14:00.", OWNERSHIP),  # "engineers" may be a verb here
    ("We ordered a Dell.", OWNERSHIP),
    ("(Dell) confirmed the part.", OWNERSHIP),
    # Blame goes whole.
    (
        "The outage is their fault. Microsoft will restore mail.",
        f"We will restore mail. {OWNERSHIP}",
    ),
    # Sentences without a mention stay exactly as written; lines and bullets keep their place.
    (
        "Status:\n- Dell is replacing the disk\n- we test it afterwards\n\nMore soon.",
        "Status:\n- We are replacing the disk\n- we test it afterwards\n\nMore soon.",
    ),
    (
        "We found the fault.\nWe have chased Dell twice.",
        f"We found the fault.\n\n{OWNERSHIP}",
    ),
]


def reword(body: str) -> str:
    return suggest_rewording(
        body, names=VENDORS, phrases=DEFAULT_BLAME_PHRASES, next_update="15:00 your time"
    )


# ---- the properties every suggestion has, over many generated sentences -----------------------

SENTENCE_SHAPES = [
    "{V} is replacing the disk.",
    "{V} has shipped the part.",
    "{V} will call you back today.",
    "{V} says the fix is ready.",
    "{V} confirmed the order.",
    "{V}'s courier has the part.",
    "{V}'s been quick.",
    "The {V} engineer is on site.",
    "A {V} engineer is on site.",
    "An engineer from {V} arrives at 14:00.",
    "We are working with {V} on the mailbox.",
    "We are waiting on {V} support.",
    "The fault is in a {V} component.",
    "We escalated it to {V}.",
    "We are waiting for {V}.",
    "We have chased {V} twice.",
    "Ask {V} now.",
    "Thanks to {V}, it works again.",
    "Our {V} router restarts at noon.",
    "The disk failed and {V} is replacing it.",
    "We hope {V} will ship today.",
    "We opened a case with {V}, and it moves.",
]
ORDINARY = [
    "We replaced the toner and printed a test page.",
    "The new disk arrives at 14:00.",
    "Everyone can print again.",
    "We will check the backups tonight.",
]
GAPS = [" ", "\n", "\n\n", "\n- "]
vendor_names = st.sampled_from(VENDORS).flatmap(
    lambda name: st.sampled_from([name, name.upper(), name.lower()])
)
sentences = st.one_of(
    st.builds(
        lambda shape, name: shape.format(V=name), st.sampled_from(SENTENCE_SHAPES), vendor_names
    ),
    st.sampled_from(ORDINARY),
)
bodies = st.builds(
    lambda parts, gaps: "".join(part + gap for part, gap in zip(parts, gaps, strict=False)).strip(),
    st.lists(sentences, min_size=1, max_size=4),
    st.lists(st.sampled_from(GAPS), min_size=4, max_size=4),
)
# What the old rewording wrote and plain English never has.
UNGRAMMATICAL = [
    r"\bour team\b",
    r"\ban? our\b",
    r"\bwith our\b",
    r"\b(\w+) \1\b",  # a doubled word
    r"\ba [aeiou]",
    r"\ban [b-df-hj-np-tv-z]",
    r" [,.;:!?]",
    r"[,;:][.;:!?]",
    r",,",
    r"  ",
    r"\(\s*\)",
    r"^\W*[a-z]",  # a sentence starting in lower case (every shape starts in upper case)
    r"[.!?] [a-z]",
]


class TestSuggestRewording:
    @pytest.mark.parametrize(("body", "suggestion"), REWORDINGS, ids=[r[0] for r in REWORDINGS])
    def test_each_way_a_vendor_appears_has_a_plain_rewording(self, body, suggestion):
        assert reword(body) == suggestion

    @given(bodies)
    def test_suggestions_never_name_a_vendor_and_read_as_plain_english(self, body):
        suggestion = reword(body)
        assert find_mentions(suggestion, names=VENDORS, phrases=DEFAULT_BLAME_PHRASES) == []
        for line in suggestion.splitlines():
            line = line.removeprefix("- ")
            for pattern in UNGRAMMATICAL:
                assert not re.search(pattern, line), (pattern, line, body)

    @given(bodies)
    def test_a_suggestion_is_its_own_suggestion(self, body):
        suggestion = reword(body)
        assert reword(suggestion) == suggestion

    @given(st.lists(st.sampled_from(ORDINARY), min_size=1, max_size=4), st.sampled_from(GAPS))
    def test_an_update_without_a_mention_comes_back_as_written(self, parts, gap):
        body = gap.join(parts)
        assert reword(body) == body

    @given(bodies)
    def test_a_dropped_sentence_is_replaced_by_the_ownership_sentence_at_the_end(self, body):
        suggestion = reword(body)
        kept_all = OWNERSHIP not in suggestion
        assert kept_all or suggestion.endswith(OWNERSHIP)

    def test_only_blame_leaves_the_ownership_sentence(self):
        text = suggest_rewording("Blame the vendor!", names=[], phrases=DEFAULT_BLAME_PHRASES)
        assert text.startswith("We are working on this")

    @given(st.sampled_from(["Dell is late.", "Dell's part. dell will call.", "Ask DELL now."]))
    def test_suggestion_never_names_the_vendor(self, body):
        suggestion = suggest_rewording(body, names=["Dell"], phrases=DEFAULT_BLAME_PHRASES)
        assert find_mentions(suggestion, names=["Dell"], phrases=DEFAULT_BLAME_PHRASES) == []

    def test_a_vendor_named_like_our_own_words_ends_rather_than_looping(self):
        suggestion = suggest_rewording("We is on it.", names=["We"], phrases=[])
        assert suggestion.startswith("We are working on this")


@pytest.mark.django_db
class TestGuardOnPublicUpdates:
    @pytest.fixture
    def ticket(self, agent, organization):
        return TicketFactory(organization=organization, owner=agent)

    @pytest.fixture
    def dell(self, ticket, agent):
        vendor = VendorFactory(name="Dell", aliases="Dell Technologies, PowerEdge")
        services.open_escalation(ticket=ticket, vendor=vendor, by=agent, summary="Disk failed")
        return vendor

    def public_updates(self, ticket):
        return TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE)

    @pytest.mark.parametrize(
        "body",
        ["DELL is shipping the disk.", "The poweredge server is waiting for a part."],
    )
    def test_linked_vendor_name_or_alias_holds_the_update_back(self, ticket, dell, agent, body):
        with pytest.raises(update_services.PublicUpdateHeldBack) as raised:
            update_services.post_public_update(ticket, author=agent, body=body)
        assert raised.value.code == "vendor_mention"
        assert len(raised.value.matches) == 1
        assert raised.value.matches[0].lower() in body.lower()
        assert not self.public_updates(ticket).exists()

    def test_held_back_update_carries_a_suggestion_without_the_vendor(self, ticket, dell, agent):
        with pytest.raises(update_services.PublicUpdateHeldBack) as raised:
            update_services.post_public_update(
                ticket, author=agent, body="Dell is shipping the disk; it is their fault."
            )
        assert raised.value.suggestion
        assert "dell" not in raised.value.suggestion.lower()
        assert "your time, or sooner" in raised.value.suggestion

    def test_confirmed_update_goes_out_and_records_the_matches(self, ticket, dell, agent):
        entry = update_services.post_public_update(
            ticket, author=agent, body="Dell is shipping the disk.", confirm_vendor_mention=True
        )
        assert entry.is_public
        assert entry.data["confirmed_vendor_mention"] == ["Dell"]

    def test_vendor_not_linked_to_this_ticket_is_not_flagged(
        self, ticket, agent, dell, organization
    ):
        other = TicketFactory(organization=organization, owner=agent)
        entry = update_services.post_public_update(
            other, author=agent, body="We are replacing the Dell monitor."
        )
        assert entry.pk

    def test_vendor_stays_linked_after_its_case_closes(self, ticket, dell, agent):
        escalation = dell.escalations.get()
        services.change_escalation_status(escalation, status="closed", by=agent)
        assert vendor_mention_check(ticket, "Dell closed the case.") == ["Dell"]

    def test_blame_phrase_is_flagged_without_any_escalation(self, ticket, agent):
        with pytest.raises(update_services.PublicUpdateHeldBack) as raised:
            update_services.post_public_update(
                ticket, author=agent, body="We are waiting on the supplier."
            )
        assert raised.value.matches == ["the supplier"]

    def test_manager_added_phrase_is_flagged(self, ticket, agent):
        BlamePhrase.objects.create(phrase="the carrier")
        BlamePhrase.objects.create(phrase="ignored phrase", is_active=False)
        assert vendor_mention_check(ticket, "The Carrier lost it.") == ["The Carrier"]
        assert vendor_mention_check(ticket, "An ignored phrase.") == []

    def test_phrases_come_from_the_setting(self, ticket, settings):
        settings.VENDOR_BLAME_PHRASES = ["the telco"]
        assert vendor_mention_check(ticket, "The telco is down.") == ["The telco"]
        assert vendor_mention_check(ticket, "It is their fault.") == []

    def test_ordinary_update_is_not_held_back(self, ticket, dell, agent):
        entry = update_services.post_public_update(
            ticket,
            author=agent,
            body="The replacement disk arrives this afternoon; we will fit it straight away.",
        )
        assert entry.pk
