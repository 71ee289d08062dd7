"""The drawing page in a real headless Chromium: draw a stroke, see the top 3, clear.

Needs Debian's `chromium` and `chromium-driver` (apt-get install chromium
chromium-driver; .ci/run installs them) and Selenium; without them the test
skips with the reason. Selenium is pointed at the system chromedriver, so it
never tries to download a browser.
"""

import shutil
import time

import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Chromium is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1000,800"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(options=options,
                                  service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    except WebDriverException as exc:
        pytest.fail(f"Chromium is installed but did not start: {exc.msg}")
    yield driver
    driver.quit()


def bars(browser):
    return browser.find_elements(By.CSS_SELECTOR, "#bars .row")


def test_draw_a_one_and_see_the_top_three(browser, server):
    browser.get(server.url + "/")
    WebDriverWait(browser, 20).until(
        lambda b: "parameters" in b.find_element(By.ID, "model").text)
    pad = browser.find_element(By.ID, "pad")
    assert bars(browser) == []
    # A vertical stroke down the middle of the 280×280 pad (offsets from its centre).
    stroke = ActionChains(browser).move_to_element_with_offset(pad, 0, -90).click_and_hold()
    for _ in range(9):
        stroke = stroke.move_by_offset(0, 20)
    stroke.release().perform()
    WebDriverWait(browser, 20).until(lambda b: len(bars(b)) == 3)
    # Requests sent while drawing may answer first: wait for the whole stroke's answer.
    WebDriverWait(browser, 20).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "#bars .row .label").text == "1")
    values = [float(row.find_element(By.CLASS_NAME, "value").text.rstrip(" %"))
              for row in bars(browser)]
    assert values == sorted(values, reverse=True) and 0 < values[0] <= 100
    browser.find_element(By.ID, "clear").click()
    # An answer still on its way about the cleared drawing must not bring the bars back.
    time.sleep(1.0)
    assert bars(browser) == []
