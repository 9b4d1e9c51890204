"""The checks every browser test gets (tests/page_checks.py) catch what they are for: a page
breaking the Content-Security-Policy, or one with a serious accessibility fault, fails the test."""

import pytest

from tests.page_checks import PageChecks, assert_accessible

pytestmark = pytest.mark.browser

POLICY = "default-src 'self'; script-src 'self'; style-src 'self'"
GOOD = (
    "<!doctype html><html lang='en'><head><title>Fine</title></head>"
    "<body><main><h1>Fine</h1><label for=n>Name</label><input id=n></main></body></html>"
)


def serve(page, body: str, stylesheet: str = "") -> None:
    """Serve `body` (under a strict policy) and a stylesheet at /s.css from a made-up origin."""

    def answer(route):
        if route.request.url.endswith("/s.css"):
            route.fulfill(body=stylesheet, content_type="text/css")
        else:
            route.fulfill(
                body=body, content_type="text/html", headers={"Content-Security-Policy": POLICY}
            )

    page.route("http://checks.test/**", answer)
    page.goto("http://checks.test/")


@pytest.fixture
def watched(browser):
    checks = PageChecks()
    context = browser.new_context()
    checks.install(context)
    page = context.new_page()
    if page not in checks.pages:
        checks.watch(page)
    yield checks, page
    context.close()


def test_a_clean_page_passes(watched):
    checks, page = watched
    serve(page, GOOD)
    assert_accessible(page)
    checks.finish()


def test_an_inline_script_or_style_blocked_by_the_policy_fails_the_test(watched):
    checks, page = watched
    serve(page, GOOD.replace("<main>", "<main><p style='color:red'>x</p><script>1</script>"))
    with pytest.raises(pytest.fail.Exception, match=r"(?s)Content-Security-Policy.*script-src"):
        checks.finish()


def test_a_field_without_a_label_fails_the_test(watched):
    checks, page = watched
    serve(page, GOOD.replace("<label for=n>Name</label>", ""))
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
    with pytest.raises(pytest.fail.Exception, match=r"(?s)Accessibility.*label"):
        checks.finish()


def test_text_that_is_hard_to_read_fails_the_test(watched):
    checks, page = watched
    faint = GOOD.replace("<title>", "<link rel=stylesheet href='/s.css'><title>").replace(
        "<h1>Fine</h1>", "<h1>Fine</h1><p class=faint>Faint</p>"
    )
    serve(page, faint, stylesheet=".faint { color: #ccc }")
    with pytest.raises(pytest.fail.Exception, match="color-contrast"):
        checks.finish()
