"""Helpers for browser tests: axe-core checks and a seeded live server."""

import pytest
from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violations on the page as it is now (once it has
    loaded: a click that navigates returns before the new document exists)."""
    page.wait_for_load_state()
    results = _axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}:\n" + "\n".join(serious)


@pytest.fixture
def site(live_server, live_seeded):
    """The live server's base URL, with the seed content loaded."""
    return live_server.url


def wait_until(page, expression: str, timeout: float = 5.0) -> None:
    """Wait until a JavaScript expression is true. Polled from the test rather than with
    `page.wait_for_function`, whose polling runs the text through eval(), which the site's
    Content Security Policy refuses (a failure whenever the first check is not already true)."""
    for _ in range(int(timeout * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    assert page.evaluate(expression), f"still false after {timeout} s: {expression}"
