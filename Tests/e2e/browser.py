"""Headless Chromium for the end-to-end tests: Debian's chromium and chromedriver, browser console logging on, and
no way to reach anything but 127.0.0.1 (no proxy, other names resolve to nothing, no background or phone-home calls).
Selenium must not download a driver (Selenium Manager): SE_OFFLINE is set before it is imported."""

import os

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

ARGUMENTS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--no-first-run", "--no-default-browser-check",
    # Talk to 127.0.0.1 only: no proxy, no name resolution for anything else, no background calls.
    "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--no-pings",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
)


def chromium(width=1920, height=1080, timeout=None):
    """A new headless Chromium with a window of width × height; page-load and script timeouts when given."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ARGUMENTS + (f"--window-size={width},{height}",):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    if timeout:
        driver.set_page_load_timeout(timeout)
        driver.set_script_timeout(timeout)
    return driver
