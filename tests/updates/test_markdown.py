"""Markdown in updates: bold, lists, links and code render on the staff ticket page, in the
portal and in the customer's email (HTML part; the text part keeps what was typed), and nothing
anyone types can run a script, load an image or link to javascript:. The API keeps the raw body."""

import pytest
from django.utils import timezone

from tests.tickets.helpers import client_for, owned_ticket
from updates import services as update_services
from updates.keeper.messages import render_email
from updates.models import OutboxKind, OutboxMessage
from updates.rendering import markdown_as_text, render_markdown

FORMATTED = "We found it:\n- the **relay** queue\n- the `smtp` port\n\nSee [the notice](https://status.example.com/)."


def test_bold_lists_code_and_links_render():
    html = render_markdown(FORMATTED)
    assert "<strong>relay</strong>" in html
    assert "<li>the <strong>relay</strong> queue</li>" in html
    assert "<code>smtp</code>" in html
    assert '<a href="https://status.example.com/" rel="nofollow noopener">the notice</a>' in html


def test_a_list_right_under_a_line_is_a_list():
    html = render_markdown("Steps:\n- restart\n- test\n1. one\n2. two")
    assert "<ul>\n<li>restart</li>\n<li>test</li>\n</ul>" in html
    assert "<ol>\n<li>one</li>\n<li>two</li>\n</ol>" in html
    assert "- restart" not in html


def test_line_breaks_are_kept():
    assert render_markdown("Line one\nline two") == "<p>Line one<br>\nline two</p>"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p onclick="alert(1)">hi</p>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_html_typed_into_an_update_shows_as_text(text):
    html = render_markdown(text)
    assert "<" not in html.replace("<p>", "").replace("</p>", "")
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
    ],
)
def test_links_to_scripts_lose_their_target(link):
    html = render_markdown(f"[click]({link})")
    assert "click" in html
    assert "href" not in html
    assert "script:" not in html.lower()
    assert "data:" not in html


def test_images_are_never_loaded():
    for text in ["![x](https://tracker.example/pixel.png)", '![x](x "onerror=alert(1)")']:
        html = render_markdown(text)
        assert "<img" not in html
        assert html.startswith("<p>![x](")
        assert html.count("<") == 2


def test_links_must_be_absolute():
    assert "href" not in render_markdown("[portal](/portal/tickets/1/)")


def test_every_link_says_nofollow_noopener():
    html = render_markdown("<https://example.com> and [a](http://example.org 'title')")
    assert html.count('rel="nofollow noopener"') == 2


def test_headings_stay_text_so_they_never_outrank_the_page():
    html = render_markdown("# Big news\n\nUnderlined\n==========")
    assert "<h1" not in html
    assert "<h2" not in html
    assert "# Big news" in html


def test_snippets_are_the_words_without_the_markdown():
    assert markdown_as_text("**Late** by <b>2</b> & counting\n- item") == (
        "Late by <b>2</b> & counting item"
    )


@pytest.mark.django_db
def test_staff_ticket_page_renders_markdown_safely(agent):
    ticket = owned_ticket(agent)
    update_services.post_public_update(ticket, author=agent, body=FORMATTED)
    update_services.add_internal_note(
        ticket, author=agent, body="**note** <script>alert(1)</script>"
    )
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<li>the <strong>relay</strong> queue</li>" in content
    assert "<p><strong>note</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>" in content
    assert "<script>alert(1)" not in content


@pytest.mark.django_db
def test_portal_ticket_page_and_list_render_markdown_safely(agent, contact):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    update_services.post_public_update(
        ticket, author=agent, body=FORMATTED + "\n\n<img src=x onerror=alert(1)>"
    )
    client = client_for(contact)
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "<li>the <strong>relay</strong> queue</li>" in page
    assert "<img src=x" not in page
    listing = client.get("/portal/").content.decode()
    assert "We found it: the relay queue the smtp port" in listing
    assert "**relay**" not in listing


@pytest.mark.django_db
def test_customer_email_has_markdown_as_html_and_the_text_as_typed(agent, contact):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    update_services.post_public_update(ticket, author=agent, body=FORMATTED + "\n\n<b>x</b>")
    message = OutboxMessage.objects.get(ticket=ticket, kind=OutboxKind.CUSTOMER_UPDATE)
    email = render_email(message, now=timezone.now())
    assert "<li>the <strong>relay</strong> queue</li>" in email.html
    assert 'rel="nofollow noopener"' in email.html
    assert "&lt;b&gt;x&lt;/b&gt;" in email.html
    assert "- the **relay** queue" in email.text
    assert "<b>x</b>" in email.text


@pytest.mark.django_db
def test_the_api_keeps_the_raw_body(agent):
    ticket = owned_ticket(agent)
    update_services.post_public_update(ticket, author=agent, body=FORMATTED)
    [entry] = [
        row
        for row in client_for(agent).get(f"/api/v1/tickets/{ticket.pk}/updates/").json()["results"]
        if row["kind"] == "public_update"
    ]
    assert entry["body"] == FORMATTED


# Plain texts are drawn without the parser (updates.rendering._plain_html): the same HTML.
PLAIN_SAMPLES = [
    "Thanks, we will try that and let you know.",
    "Line one\nLine two",
    "First paragraph.\n\nSecond one,\nwith two lines.\n\n\n\nThird.\n",
    "Quotes \"double\" and 'single', a colon: and a semicolon; 50% (mostly) ok?",
    "See http://status.example.com/today or mail help@example.com",
    "Unicode é ü 日本 🎉 zero\u200bwidth",
    "Call 1. now",
    "\n\nStarts after blank lines",
]
NOT_PLAIN = [
    "1986. A great year",
    "2) second",
    "- a bullet",
    "> a quote",
    "**bold**",
    "    code",
    "trailing space  \nbreak",
    "tab\there",
    "a & b",
    "a\u00a0b",
    "x\r\ny",
    "Heading\n---",
]


@pytest.mark.parametrize("text", PLAIN_SAMPLES)
def test_a_plain_text_is_drawn_exactly_as_the_parser_draws_it(text):
    from updates.rendering import _parse, _plain_html

    assert _plain_html(text) is not None
    assert _plain_html(text) == _parse(text)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_text_that_could_be_markup_goes_to_the_parser(text):
    from updates.rendering import _parse, _plain_html

    assert _plain_html(text) is None
    assert render_markdown(text) == _parse(text)
