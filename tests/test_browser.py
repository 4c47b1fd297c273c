"""The search page in a real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Skipped, with the reason, only where no Chromium is installed; .ci/run installs it.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("RASM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(corpus_index):
    from conftest import served

    with served(corpus_index.path) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page
        browser.close()


def test_search_filter_page_and_open_an_article(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/")
    assert page.evaluate("document.activeElement.id") == "q"  # the box has the focus
    page.keyboard.type("Mayadeen")
    page.keyboard.press("Enter")
    page.wait_for_selector("li.hit")
    marks = page.locator("li.hit mark").all_inner_texts()
    assert {"Mayadeen", "Al-Mayadeen", "Mayadin"} <= set(marks), marks
    assert "maiden" not in " ".join(marks).lower()
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)

    page.locator(".facets a", has_text="sputnik").click()
    page.wait_for_selector("li.hit")
    metas = page.locator("li.hit .meta").all_inner_texts()
    assert metas and all(t.endswith("· sputnik") for t in metas)
    assert "source=sputnik" in page.url

    page.goto(server + "/search?q=Raqqa")
    page.locator("a[rel=next]").click()
    page.wait_for_selector("li.hit")
    assert "page=2" in page.url
    assert page.locator("ol.hits").get_attribute("start") == "11"
    page.go_back()
    assert "page=2" not in page.url

    page.goto(server + "/search?q=Mayadeen")
    page.locator("li.hit h3 a").first.click()
    page.wait_for_selector(".article mark")
    assert page.locator(".article mark").count() >= 2
    page.locator("#next-match").click()
    assert page.locator(".article mark.current").count() == 1
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)


def test_one_click_searches_one_spelling_only(server, page):
    page.goto(server + "/search?q=Mayadeen")
    link = page.locator(".spellings a.spelling", has_text="Mayadin").first
    count = int(link.locator("xpath=following-sibling::span[1]").inner_text().strip("()"))
    link.click()
    page.wait_for_selector("li.hit")
    assert "exact=1" in page.url
    assert page.locator("input[name=exact]").is_checked()
    assert page.locator(".summary").inner_text().startswith(f"{count} result")
    marks = {m.lower() for m in page.locator("li.hit mark").all_inner_texts()}
    assert marks and all(m.endswith("mayadin") for m in marks), marks


def test_phone_width_keeps_the_results_readable(server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(server + "/search?q=%D8%AF%D9%8A%D8%B1%20%D8%A7%D9%84%D8%B2%D9%88%D8%B1")  # دير الزور
        page.wait_for_selector("li.hit")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)
    finally:
        page.set_viewport_size({"width": 1200, "height": 900})


def test_slash_key_focuses_the_search_box(server, page):
    page.goto(server + "/search?q=Homs")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_hostile_query_renders_as_text(server, page):
    page.goto(server + "/search?q=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E")
    assert page.evaluate("window.pwned === undefined")
    assert "<script>window.pwned=1</script>" in page.locator("q").first.inner_text()


def test_an_arabic_query_is_quoted_the_right_way_round(server, page):
    """`<q dir="auto">` made the result line's quotes right-to-left: ”داعش“ in an English line."""
    page.goto(server + "/search?q=%D8%AF%D8%A7%D8%B9%D8%B4")  # داعش
    page.wait_for_selector("li.hit")
    for q in page.locator("main q").all():
        assert q.evaluate("e => getComputedStyle(e).direction") == "ltr"
        inner = q.locator("bdi")
        assert inner.count() == 1 and inner.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    summary = page.locator(".summary q")
    assert summary.inner_text().strip("“”\"") == "داعش"
