"""The HTML catalogue in a real browser: a headless Chromium (Debian's ``chromium``, driven by
Playwright through ``executable_path``) sorts and filters the table, shows a card per model on a
phone without scrolling sideways, hides its controls on paper, and asks the network for nothing.

Without a browser these tests skip, saying why; with ``DSDONE_BROWSER_TESTS=required`` (as
``.ci/run`` sets it) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, RunCli, git

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _unavailable(reason: str) -> None:
    if os.environ.get("DSDONE_BROWSER_TESTS") == "required":
        pytest.fail(f"{reason}; DSDONE_BROWSER_TESTS=required says the browser tests must run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[test]'")
    executable = os.environ.get("DSDONE_CHROMIUM") or next(
        (found for name in BROWSERS if (found := shutil.which(name))), None
    )
    if executable is None:
        _unavailable("no Chromium to drive: apt-get install chromium, or set DSDONE_CHROMIUM")
    # Chromium refuses to start its sandbox as root (a CI container); the page is our own.
    arguments = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=arguments)
        except Error as exc:
            _unavailable(f"Chromium at {executable} does not start: {exc.message.splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML catalogue of a monorepo of three models: ready, not ready, and in between."""
    from dsdone import testing
    from dsdone.cli import main

    root = testing.make_repo(tmp_path_factory.mktemp("models") / "repo", contract=None)
    shutil.copytree(EXAMPLES / "ready", root / "churn")
    shutil.copytree(EXAMPLES / "not-ready", root / "fraud")
    testing.write_files(
        root,
        {
            "pricing/dsdone.yaml": "version: 1\nproject:\n  name: Pricing\n"
            "  owner: pricing@example.com\n  description: Prices of the basket.\n",
            "pricing/tests/test_price.py": "def test_price():\n    assert 1 + 1 == 2\n",
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "three models")
    page = tmp_path_factory.mktemp("page") / "catalog.html"
    assert main(["catalog", str(root), "--output", str(page)]) == 0
    return page


@pytest.fixture
def page(browser: Any, catalogue: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(catalogue.as_uri())
    yield opened
    assert errors == [], "the page's script raised"
    assert requests == [catalogue.as_uri()], "the page asked for something besides itself"
    context.close()


def names(page: Any) -> list[str]:
    """The models' names in the order shown, hidden rows left out."""
    shown: list[str] = page.eval_on_selector_all(
        "#models tbody tr:not([hidden]) .name", "cells => cells.map(c => c.textContent)"
    )
    return shown


def test_a_header_sorts_the_table_and_a_second_click_reverses_it(page: Any) -> None:
    assert names(page) == ["Churn Model", "Fraud Score", "Pricing"]
    header = page.locator("th[data-sort=score]")
    header.locator("button").click()
    assert names(page) == ["Fraud Score", "Pricing", "Churn Model"]  # lowest score first
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert names(page) == ["Churn Model", "Pricing", "Fraud Score"]
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("#sort").input_value() == "score"


def test_the_sort_menu_and_the_direction_button_sort_too(page: Any) -> None:
    page.select_option("#sort", "owner")
    assert names(page) == ["Churn Model", "Fraud Score", "Pricing"]  # ds-team, Fraud, pricing
    page.click("#direction")
    assert names(page) == ["Pricing", "Fraud Score", "Churn Model"]
    assert page.locator("th[data-sort=name]").get_attribute("aria-sort") == "none"


def test_the_filter_and_the_status_narrow_the_rows(page: Any) -> None:
    page.fill("#filter", "personal-paths")  # a failing check's id
    assert names(page) == ["Fraud Score"]
    assert page.locator("#count").text_content() == "Showing 1 of 3 models"
    page.fill("#filter", "example.com churn")  # every word must match
    assert names(page) == ["Churn Model"]
    page.fill("#filter", "")
    page.select_option("#status", "ready")
    assert names(page) == ["Churn Model"]
    page.select_option("#status", "not-ready")
    assert names(page) == ["Fraud Score", "Pricing"]
    page.fill("#filter", "no such model")
    assert names(page) == []
    assert page.locator("#count").text_content() == "Showing 0 of 3 models"


def test_a_phone_shows_a_card_per_model_without_scrolling_sideways(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    head = page.locator("#models thead").bounding_box()
    assert head is not None and head["height"] <= 1  # left for screen readers, not shown
    cards = page.locator("#models tbody tr")
    assert cards.count() == 3
    for index in range(3):
        box = cards.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    label = page.eval_on_selector(
        "#models tbody tr td.verdict", "cell => getComputedStyle(cell, '::before').content"
    )
    assert label == '"Readiness"'
    page.fill("#filter", "pricing")  # the controls work on a phone too
    assert names(page) == ["Pricing"]


def test_on_paper_the_controls_are_hidden_and_the_colours_kept(page: Any) -> None:
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    assert page.locator("#models tbody tr").first.is_visible()
    adjust = page.eval_on_selector(".pill", "pill => getComputedStyle(pill).printColorAdjust")
    assert adjust == "exact"


def test_the_page_works_as_a_file_a_ci_job_uploaded(
    browser: Any, make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    # Built from reports rather than a monorepo: one model, a note shown above the table.
    project = make_repo()
    report = tmp_path / "churn.json"
    run_cli("check", str(project), "-f", "json", "-o", str(report))
    (tmp_path / "cut.json").write_text(report.read_text(encoding="utf-8")[:100], "utf-8")
    page_file = tmp_path / "catalog.html"
    result = run_cli("catalog", str(report), str(tmp_path / "cut.json"), "-o", str(page_file))
    assert result.exit_code == 0
    opened = browser.new_page()
    opened.goto(page_file.as_uri())
    assert opened.locator(".notes summary").text_content().startswith("1 note")
    assert "cut.json: is not valid JSON" in opened.locator(".notes li").text_content()
    assert opened.locator("#models tbody tr").count() == 1
    opened.close()
