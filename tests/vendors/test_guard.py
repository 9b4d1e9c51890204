"""The vendor-mention guard (DESIGN rule 8): linked vendor names and aliases and blame phrases
hold a public update back until its author confirms; unrelated words never do."""

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


class TestSuggestRewording:
    def test_vendor_doing_the_work_becomes_us(self):
        assert (
            suggest_rewording(
                "Dell is replacing the faulty disk today.", names=["Dell"], phrases=NO_PHRASES
            )
            == "We are replacing the faulty disk today."
        )

    def test_possessive_becomes_ours_and_other_mentions_our_team(self):
        text = suggest_rewording(
            "An engineer from Dell arrives at 14:00. Dell's courier has the part.",
            names=["Dell"],
            phrases=NO_PHRASES,
        )
        assert text == "An engineer from our team arrives at 14:00. Our courier has the part."

    def test_blame_is_dropped_and_ownership_with_the_next_update_added(self):
        text = suggest_rewording(
            "The outage is their fault. Microsoft will restore mail soon.",
            names=["Microsoft"],
            phrases=DEFAULT_BLAME_PHRASES,
            next_update="15:00 your time",
        )
        assert "fault" not in text
        assert "Microsoft" not in text
        assert text == (
            "We will restore mail soon. We are working on this and will send you the next "
            "update by 15:00 your time, or sooner."
        )

    def test_only_blame_leaves_the_ownership_sentence(self):
        text = suggest_rewording("Blame the vendor!", names=[], phrases=DEFAULT_BLAME_PHRASES)
        assert text.startswith("We are working on this")

    @given(st.sampled_from(["Dell is late.", "Dell's part. dell will call.", "Ask DELL now."]))
    def test_suggestion_never_names_the_vendor(self, body):
        suggestion = suggest_rewording(body, names=["Dell"], phrases=DEFAULT_BLAME_PHRASES)
        assert find_mentions(suggestion, names=["Dell"], phrases=DEFAULT_BLAME_PHRASES) == []


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
