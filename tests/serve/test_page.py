"""The status page in headless Chromium (selenium + chromium-driver): it is
served by the binary with no other resource, it updates live over server-sent
events as the campaign runs, and once the run is over (clock.run_h: the
simulated clock stands still) its figures are the API's, one by one."""
import os
import shutil
import time

import pytest

from conftest import base_config

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402


@pytest.fixture
def browser():
    if not shutil.which("chromedriver"):
        pytest.fail("chromium-driver is not installed (./run installs it)")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    service = Service(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def field(browser, name, campaign="spring"):
    """The raw figure behind a field of a campaign's section."""
    return browser.execute_script(
        "const s = document.querySelector(`section[data-campaign='${arguments[1]}']`);"
        "const e = s && s.querySelector(`[data-field='${arguments[0]}']`); return e ? e.getAttribute('data-value') : null;",
        name, campaign)


def wait_until(fn, timeout=20, what="a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def test_page_is_live_and_matches_the_api(workdir, serve_factory, browser):
    config = base_config(os.path.join(workdir, "l.db"), agents=10, records=3000, speed=300)
    config["clock"]["run_h"] = 0.75  # 9 s of wall time
    s = serve_factory(config)
    browser.get("http://127.0.0.1:%d/" % s.port)
    requests = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(r.startswith("http://127.0.0.1:%d/" % s.port) for r in requests), requests  # nothing from elsewhere

    # Live: the figures move while the campaign runs, without reloading the page.
    first = int(wait_until(lambda: field(browser, "dials") not in (None, "0") and field(browser, "dials"), what="dials on the page"))
    updates = int(browser.find_element("tag name", "body").get_attribute("data-updates"))
    wait_until(lambda: int(field(browser, "dials")) > first, what="the page to show more dials")
    assert int(browser.find_element("tag name", "body").get_attribute("data-updates")) > updates
    assert field(browser, "state") in ("running", "active") and field(browser, "mode") == "predictive"
    assert int(field(browser, "chart")) >= 1  # at least a minute in the chart

    # Once the run is over nothing moves: the page and the API agree figure by figure.
    s.wait_for(lambda: s.get("/api/v1/status")[1]["clock"]["run_finished"], what="the end of the run")
    api = s.status()
    wait_until(lambda: field(browser, "state") == "not_loaded" and int(field(browser, "dials")) == api["counts"]["dials"],
               what="the page to show the end of the run")
    for key in ("dials", "live_answers", "abandoned", "dnc_blocked"):
        assert int(field(browser, key)) == api["counts"][key], key
    for key in ("dialing", "ringing", "waiting", "connected"):
        assert int(field(browser, "calls_" + key)) == api["calls"][key], key
    assert abs(float(field(browser, "window_rate")) - api["abandon"]["window_rate"]) < 1e-12
    assert float(field(browser, "occupancy")) == api["occupancy"]["run"]
    assert float(field(browser, "today_rate")) == api["abandon"]["today_rate"]
    assert float(field(browser, "dial_level")) == api["dial_level"]
    for result, n in api["results"].items():
        assert int(field(browser, "result_" + result)) == n, result
    for state, n in api["agents"]["by_state"].items():
        assert int(field(browser, "agents_" + state)) == n, state
    # List progress is counted on a thread of its own every 2 s: once the count
    # made after the run's end is in (it returned every buffered record), the
    # page shows it too.
    s.wait_for(lambda: "retrieved" not in s.status()["lists"][0]["by_status"], what="the list counted after the run")
    progress = s.status()["lists"][0]
    wait_until(lambda: all(int(field(browser, "list_customers_" + k) or -1) == progress[k]
                           for k in ("dialable_now", "window_deferred", "scheduled_later", "unknown_zone")),
               what="the page's list counts to be the API's")
    assert int(field(browser, "list_customers_ready")) == progress["by_status"]["ready"]
    browser.save_screenshot(os.path.join(os.environ.get("OB_SCREENSHOT_DIR", s.workdir), "status_page.png"))
    s.stop()
