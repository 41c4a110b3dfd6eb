"""The HTML report in a real browser: headless Chromium driven by selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium
chromium-driver``) and ``pip install selenium``; skips with the reason when one is
missing. The browser never downloads anything: the page is a local file and
the flags turn off Chromium's own network features.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from lda_vi.model.lda import LDA
from lda_vi.report import html as report

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

THEMES = [
    "apple banana cherry orchard fruit harvest sweet juice pear plum",
    "engine piston wheel gearbox diesel motor brake clutch tyre axle",
    "galaxy planet orbit telescope comet nebula asteroid stars moon solar",
    "violin piano cello orchestra sonata melody chord tempo opera choir",
]
COMMON = "said year time people today"
K = 4


def _corpus_lines(n: int = 48, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        words = (list(rng.choice(THEMES[i % K].split(), size=22))
                 + list(rng.choice(COMMON.split(), size=8)))
        rng.shuffle(words)
        lines.append(" ".join(words))
    return lines


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install -y {package})"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))


@pytest.fixture()
def page(tmp_path: Path) -> tuple[Path, LDA]:
    """A report of a K=4 model fitted here, with its documents' snippets."""
    lines = _corpus_lines()
    model = LDA(k=K, seed=0, max_iter=60, min_df=2, max_df=1.0).fit(lines)
    model.save(tmp_path / "model")
    out = tmp_path / "report.html"
    report.write_report(LDA.load(tmp_path / "model"), out, top_n=10,
                        documents=[(str(i + 1), t) for i, t in enumerate(lines)],
                        model_dir=tmp_path / "model")
    return out, model


@pytest.fixture()
def driver(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(120)
    try:
        yield browser
    finally:
        browser.quit()


def _terms(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.get_attribute("data-term")
            for e in driver.find_elements(By.CSS_SELECTOR, "#term-bars .term-label")]


def _wait(driver, condition, message: str):
    """Wait for ``condition``: at once on a quiet machine, a minute at most on a loaded one."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 60).until(lambda d: condition(d), message=message)


def test_report_works_in_headless_chromium(page, driver, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path, model = page
    driver.get(path.as_uri())
    _wait(driver, lambda d: len(_terms(d)) == 10, "the term bars were not drawn")
    data = json.loads(driver.find_element(By.ID, "lda-data").get_attribute("textContent"))

    # every topic is listed, and on the map
    items = driver.find_elements(By.CSS_SELECTOR, "#topic-list .topic-item")
    assert len(items) == K
    assert len(driver.find_elements(By.CSS_SELECTOR, "#topic-map .topic-circle")) == K
    assert {int(i.get_attribute("data-topic")) for i in items} == set(range(K))

    # the first (largest) topic is selected; its bars are its top words by p(w|k)
    first = int(items[0].get_attribute("data-topic"))
    assert items[0].get_attribute("aria-pressed") == "true"
    assert _terms(driver) == [w for w, _ in model.topics(10)[first]]

    # clicking another topic in the list changes the bars, the title and the documents
    before = _terms(driver)
    second = int(items[1].get_attribute("data-topic"))
    items[1].click()
    _wait(driver, lambda d: _terms(d) != before, "clicking a topic did not change the bars")
    assert _terms(driver) == [w for w, _ in model.topics(10)[second]]
    assert driver.find_element(By.ID, "detail-title").text == f"Topic {second}"
    assert items[1].get_attribute("aria-pressed") == "true"
    doc_ids = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#doc-list .doc-id")]
    assert doc_ids == [f"doc {d['id']}" for d in data["topics"][second]["docs"]]
    assert driver.find_elements(By.CSS_SELECTOR, "#doc-list .doc-text")

    # clicking a circle on the map selects its topic
    third = int(items[2].get_attribute("data-topic"))
    circle = driver.find_element(By.CSS_SELECTOR, f'.topic-circle[data-topic="{third}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", circle)
    circle.find_element(By.TAG_NAME, "circle").click()
    _wait(driver, lambda d: d.find_element(By.ID, "detail-title").text == f"Topic {third}",
          "clicking a circle did not select its topic")
    assert "selected" in circle.get_attribute("class")
    assert _terms(driver) == [w for w, _ in model.topics(10)[third]]

    # moving the relevance slider to λ = 0 re-ranks the terms by lift
    at_one = _terms(driver)
    slider = driver.find_element(By.ID, "lambda")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
    slider.send_keys(Keys.HOME)
    _wait(driver, lambda d: d.find_element(By.ID, "lambda-value").text == "0.00",
          "the slider did not move to 0")
    at_zero = _terms(driver)
    assert at_zero != at_one
    assert not set(COMMON.split()) & set(at_zero[:5])   # words of every topic drop
    terms = data["terms"]
    p_w = np.array(data["termCount"]) / data["totalTokens"]
    cand = {terms[c[0]]: (c[1], p_w[c[0]]) for c in data["topics"][third]["cand"]}
    lift = [np.log(cand[w][0] / cand[w][1]) for w in at_zero]
    assert all(a >= b - 1e-12 for a, b in zip(lift, lift[1:], strict=False))
    slider.send_keys(Keys.END)
    _wait(driver, lambda d: _terms(d) == at_one, "λ = 1 did not restore the ranking")

    # the ELBO chart: one point per EM iteration
    points = driver.find_elements(By.CSS_SELECTOR, "#elbo-chart circle.elbo-pt")
    assert len(points) == len(model.run_info["elbo"]) == model.run_info["iterations"]

    # nothing was fetched and the console is clean
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    assert fetched == []
    errors = [e for e in driver.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]
    assert errors == [], errors

    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": int(height), "deviceScaleFactor": 1,
                            "mobile": False})
    shot = tmp_path / "report.png"
    assert driver.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
