"""Every response carries the strict Content-Security-Policy (settings.SECURE_CSP); only the API
docs page relaxes it, and only for styles and images. The browser tests check that no page breaks
it (tests/page_checks.py); these check the header, and that no template brings back an inline
script, handler or style."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "report-uri": "/csp-report/",
    "report-to": "csp",
}


def directives(response) -> dict[str, str]:
    """The policy's directives; a nonce (the admin asks for one) is left out."""
    header = re.sub(r" 'nonce-[^']+'", "", response.headers["Content-Security-Policy"])
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize(
    "path",
    ["/", "/portal/", "/portal/login/", "/accounts/login/", "/admin/login/", "/no-such-page/"],
)
def test_pages_signed_in_or_not_carry_the_strict_policy(client, agent, path):
    if path == "/":
        client.force_login(agent)

    response = client.get(path)

    assert directives(response) == STRICT
    assert response.headers["Reporting-Endpoints"] == 'csp="/csp-report/"'


def test_api_answers_and_their_errors_carry_it_too(client, agent):
    client.force_login(agent)

    for path in ["/api/v1/tickets/", "/api/v1/nothing/", "/api/schema/"]:
        assert directives(client.get(path)) == STRICT, path


def test_no_nonce_is_sent_when_no_page_used_one(client, agent):
    client.force_login(agent)

    assert "nonce-" not in client.get("/").headers["Content-Security-Policy"]


def test_the_api_docs_relax_styles_and_images_only_and_load_their_script_from_a_file(client):
    response = client.get("/api/docs/")

    policy = directives(response)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["img-src"] == "'self' data:"
    assert {k: v for k, v in policy.items() if k not in {"style-src", "img-src"}} == {
        k: v for k, v in STRICT.items() if k != "style-src"
    }
    script = re.search(rb'<script src="(/api/docs/\?[^"]*script=[^"]*)"', response.content)
    assert script, response.content
    init = client.get(script.group(1).decode().replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content


TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Email is not a page: mail clients need inline styles, and no policy applies there.
PAGE_TEMPLATES = [path for path in TEMPLATES.rglob("*.html") if "email" not in path.parts]
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "an inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    "an htmx handler (hx-on)": re.compile(r"\bhx-on", re.I),
    "an htmx trigger filter (needs eval)": re.compile(r"hx-trigger=\"[^\"]*\["),
    "a javascript: link": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_page_template_brings_back_what_the_policy_blocks(template):
    text = template.read_text()

    found = [what for what, pattern in INLINE.items() if pattern.search(text)]

    assert not found, f"{template.relative_to(TEMPLATES)} has {', '.join(found)}"


@pytest.mark.parametrize("template", ["base.html", "portal/base.html"])
def test_htmx_runs_without_eval_and_makes_swapped_content_live_at_once(template):
    """No eval under the policy; and no settle delay, so a shortcut key pressed straight after a
    swap reaches the new form through htmx rather than as a plain page post."""
    source = (Path(settings.BASE_DIR) / "templates" / template).read_text()
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', source).group(1))

    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["defaultSettleDelay"] == 0
