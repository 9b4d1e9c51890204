"""Attaching files in a real browser (Debian's Chromium through Playwright): the agent picks a
screenshot in the composer's plain file input and sends it; the customer drops a file on the
portal's reply form. Both see the file on the timeline with its name, size, type and thumbnail,
loaded through the permission-checked preview URL. Screenshots are saved for review."""

import base64

import pytest

from attachments.models import Attachment
from tests.attachments.conftest import png_image
from tests.browser import save_screenshot
from tests.tickets.helpers import owned_ticket
from updates.models import EntryKind

pytestmark = pytest.mark.browser


def wait_for_thumbnail(page, name: str) -> None:
    """The file's thumbnail has loaded through the preview URL (lazy: scrolled into view)."""
    link = page.locator(".attachments a", has_text=name).first
    link.scroll_into_view_if_needed()
    page.wait_for_function(
        """(name) => [...document.querySelectorAll('.attachments a')]
            .filter(a => a.textContent.includes(name))
            .some(a => { const img = a.querySelector('img');
                         return img && img.complete && img.naturalWidth > 0; })""",
        arg=name,
    )


def test_an_agent_attaches_a_screenshot_and_a_customer_drops_a_log(
    live_server, signed_in_page, agent, contact, tmp_path
):
    ticket = owned_ticket(agent, requester=contact, organization=contact.organization)
    screenshot = tmp_path / "printer-queue.png"
    screenshot.write_bytes(png_image())

    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.fill("#public-body", "Here is the print queue after the restart.")
    page.set_input_files("#public-attachments", str(screenshot))
    # Paste a screenshot into the text box, as after pressing Print Screen.
    page.evaluate(
        """(encoded) => {
            const data = new DataTransfer();
            const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
            data.items.add(new File([bytes], 'image.png', {type: 'image/png'}));
            document.querySelector('#public-body').dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        base64.b64encode(png_image(40, 30)).decode(),
    )
    chosen = page.inner_text("#compose-public [data-attachments-list]")
    assert "printer-queue.png" in chosen
    assert "screenshot-" in chosen
    page.click("#compose-public button[value=send]")
    page.wait_for_selector(".timeline .attachments >> text=printer-queue.png")
    wait_for_thumbnail(page, "printer-queue.png")
    timeline = page.inner_text(".timeline")
    assert "PNG image" in timeline
    save_screenshot(page, "attachments-staff-timeline")
    sent = Attachment.objects.order_by("id")
    assert {a.entry.kind for a in sent} == {EntryKind.PUBLIC_UPDATE}
    assert sent[1].filename.startswith("screenshot-")
    assert sent[1].content_type == "image/png"

    portal = signed_in_page(contact)
    portal.goto(f"{live_server.url}/portal/tickets/{ticket.pk}/")
    portal.wait_for_selector(".conversation .attachments >> text=printer-queue.png")
    wait_for_thumbnail(portal, "printer-queue.png")
    # Drop a log file on the reply form, as a customer dragging it from their desktop would.
    portal.evaluate(
        """() => {
            const form = document.querySelector('form.reply');
            const data = new DataTransfer();
            data.items.add(new File(['12:00 spooler stopped\\n'], 'spooler.log', {type: 'text/plain'}));
            form.querySelector('textarea').dispatchEvent(
                new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
        }"""
    )
    assert "spooler.log" in portal.inner_text("form.reply [data-attachments-list]")
    portal.fill("form.reply textarea", "Still stuck, log attached.")
    portal.click("form.reply button[type=submit]")
    portal.wait_for_selector(".conversation .attachments >> text=spooler.log")
    portal.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top
    save_screenshot(portal, "attachments-portal-conversation")
    reply_file = Attachment.objects.get(filename="spooler.log")
    assert reply_file.entry.kind == EntryKind.CUSTOMER_REPLY
    assert reply_file.size == len(b"12:00 spooler stopped\n")
