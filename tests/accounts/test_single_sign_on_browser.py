"""Single sign-on in a real browser against the real provider process: the staff sign-in page's
button, the provider's own sign-in page, and back to the queue."""

import pytest

from tests.accounts.oidc import PASSWORD, start_provider, stop_provider
from tests.browser import save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(live_server, settings):
    running = start_provider([f"{live_server.url}/oidc/callback/"])
    running.configure(settings)
    yield running
    stop_provider(running)


def test_an_agent_signs_in_through_the_provider(live_server, new_page, provider, agent):
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    save_screenshot(page, "sign-in-with-sso-button")

    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.wait_for_load_state()
    assert page.url.startswith(provider.url)
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")

    assert agent.name in page.content()
