"""Field reports end to end, in real headless Chromium: a citizen files a report with a photo on the phone page; the
operator sees it arrive live in the console and assigns it; the officer of the commune starts and resolves it with a
result photo; the citizen tracks it by code and rates it. Two browsers: the citizen's (phone-sized) and the staff's."""

import json
import os
import re
import time

import browser
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CITIZEN_PHOTO = os.path.join(ROOT, "Tests", "IOCServerTests", "Fixtures", "photo-gps.jpg")  # carries EXIF GPS
RESULT_PHOTO = os.path.join(ROOT, "Resources", "demo-photos", "demo-2.jpg")
BMT = (12.6675, 108.0378)  # phường Buôn Ma Thuột
DESCRIPTION = "Ổ gà lớn trước số 45 Lê Duẩn, xe máy suýt ngã (kiểm thử đầu cuối)."


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def click_id(driver, element_id, attempts=5):
    """Finds and clicks an element by id; the case page re-renders on live events (the action just taken comes back
    as one), so a button found a moment ago may have been replaced: find it again rather than fail."""
    for attempt in range(attempts):
        try:
            driver.find_element(By.ID, element_id).click()
            return
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


def citizen_browser(e2e):
    """The citizen's phone-sized browser (also the wall test's kiosk)."""
    return browser.chromium(390, 844)


def run(e2e):
    r = e2e.r
    state = {}
    staff = e2e.driver
    citizen = None

    def wait(driver, condition, message, timeout=20):
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition, message)

    def shot(driver, name):
        driver.save_screenshot(os.path.join(e2e.artifacts, name))

    def login(username, password):
        e2e.reset_browser_session()
        e2e.open_login_page()
        e2e.fill_login(username, password)
        wait(staff, lambda d: "/login.html" not in d.current_url, f"{username} did not get past the login page")

    def operator_queue():
        e2e.context = "fr-operator"
        login("dieuhanh", "IOC-dieuhanh-2026")
        staff.get(e2e.base + "/#/field-reports/queue/new")
        wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, "#frc-queue-panel[data-ready='1']"), "queue not ready")
        state["before"] = int(staff.find_element(By.CSS_SELECTOR, "#frc-queue-panel").get_attribute("data-total") or "0")
        shot(staff, "fr-1-operator-queue-before.png")
        return f"{state['before']} new reports before"

    def citizen_files():
        nonlocal citizen
        e2e.context = "fr-citizen"
        citizen = citizen_browser(e2e)
        citizen.get(e2e.base + "/phan-anh.html")
        wait(citizen, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#fr-category option")) > 5, "categories not loaded")
        # Sending the empty form: the summary counts the four fields to fix, follows each fix, and goes away (issue 18.8).
        def summary(d):
            box = d.find_element(By.ID, "fr-error")
            return (box.get_attribute("textContent") or "").strip() if box.is_displayed() else ""
        citizen.find_element(By.ID, "fr-submit").click()
        wait(citizen, lambda d: "4" in summary(d), "no error summary naming 4 fields after sending an empty form")
        state["summary"] = summary(citizen)
        Select(citizen.find_element(By.ID, "fr-category")).select_by_value("duong-o-ga")
        wait(citizen, lambda d: "3" in summary(d), f"the summary did not count down after choosing a category: {summary(citizen)!r}")
        wait(citizen, lambda d: d.execute_script("return !!window.iocReport"), "report page hook missing")
        citizen.execute_script("window.iocReport.setLocation(arguments[0], arguments[1])", *BMT)
        wait(citizen, lambda d: "Buôn Ma Thuột" in (d.find_element(By.ID, "fr-place").get_attribute("textContent") or ""),
             "the commune of the pin is not shown")
        citizen.find_element(By.ID, "fr-description").send_keys(DESCRIPTION)
        citizen.find_element(By.ID, "fr-photos").send_keys(CITIZEN_PHOTO)
        wait(citizen, lambda d: d.find_elements(By.CSS_SELECTOR, "#fr-thumbs img"), "no thumbnail after choosing a photo")
        wait(citizen, lambda d: summary(d) == "", f"the error summary stayed after every field was fixed: {summary(citizen)!r}")
        shot(citizen, "fr-2-citizen-form.png")
        citizen.find_element(By.ID, "fr-submit").click()
        wait(citizen, lambda d: re.match(r"PA-\d{4}-\d{6}$", (d.find_element(By.ID, "fr-result-code").get_attribute("textContent") or "").strip()),
             "no tracking code after submitting")
        state["code"] = citizen.find_element(By.ID, "fr-result-code").get_attribute("textContent").strip()
        state["follow"] = citizen.find_element(By.ID, "fr-follow-link").get_attribute("href")
        expect("t=" in state["follow"], f"follow link without a token: {state['follow']}")
        shot(citizen, "fr-3-citizen-done.png")
        return f"{state['code']} (summary before fixing: {state['summary']!r})"

    def operator_sees_it_live():
        e2e.context = "fr-operator"
        code = state["code"]
        # No reload: the queue listens on the live hub.
        wait(staff, lambda d: d.find_elements(By.ID, f"frc-row-{code}"), f"{code} did not appear in the open queue within 20 s")
        shot(staff, "fr-4-operator-queue-live.png")
        return "row appeared without reload"

    def stored_photo_has_no_metadata():
        status, detail = e2e.browser_fetch(f"/api/v1/cases/{state['code']}")
        expect(status == 200, f"case detail HTTP {status}")
        photos = detail.get("photos") or []
        expect(len(photos) == 1, f"photos {photos}")
        bytes_hex = staff.execute_async_script("""
            const [url, done] = arguments;
            fetch(url, {credentials: "same-origin"}).then(r => r.arrayBuffer()).then(b => {
              const s = Array.from(new Uint8Array(b)).map(c => String.fromCharCode(c)).join("");
              done({size: b.byteLength, exif: s.includes("Exif"), gps: s.includes("IOCTestPhone") || s.includes("SecretModel9")});
            }).catch(e => done({error: String(e)}));
        """, photos[0])
        expect(not bytes_hex.get("error") and bytes_hex["size"] > 1000, f"photo fetch {bytes_hex}")
        expect(not bytes_hex["gps"], "the stored photo still names the camera")
        return f"{bytes_hex['size']} bytes, no camera metadata"

    def operator_assigns():
        code = state["code"]
        click_id(staff, f"frc-link-{code}")
        wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, f".view-field-reports[data-ready='1'][data-case-code='{code}']"), "case page not ready")
        # Coordinates in decimal degrees with a point, even in Vietnamese (issue 18, point 6).
        facts = staff.execute_script("return [...document.querySelectorAll('.frc-facts dd')].map(e => e.textContent.trim())")
        coords = [f for f in facts if re.fullmatch(r"-?\d+[.,]\d+, -?\d+[.,]\d+", f)]
        expect(coords and re.fullmatch(r"-?\d+\.\d{6}, -?\d+\.\d{6}", coords[0]), f"coordinates shown as {coords!r}")
        click_id(staff, "frc-action-assign")
        wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, "#frc-f-agency option[value='UBND-24133']"), "agency picker without UBND-24133")
        Select(staff.find_element(By.ID, "frc-f-agency")).select_by_value("UBND-24133")
        click_id(staff, "frc-action-submit")
        wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-case-status='assigned']"), "status did not become assigned")
        shot(staff, "fr-5-operator-assigned.png")
        return "assigned to UBND phường Buôn Ma Thuột"

    def officer_resolves():
        e2e.context = "fr-officer"
        code = state["code"]
        staff.find_element(By.CSS_SELECTOR, "#logout").click()
        wait(staff, lambda d: "/login.html" in d.current_url, "logout failed")
        login("canbo.bmt", "IOC-canbo-2026")
        staff.get(e2e.base + f"/#/field-reports/case/{code}")
        wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, f".view-field-reports[data-ready='1'][data-case-code='{code}']"), "case page not ready")
        click_id(staff, "frc-action-start")
        wait(staff, lambda d: d.find_elements(By.ID, "frc-action-submit"), "start form missing")
        click_id(staff, "frc-action-submit")
        wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-case-status='in_progress']"), "status did not become in_progress")
        wait(staff, lambda d: d.find_elements(By.ID, "frc-action-resolve"), "no resolve action")
        click_id(staff, "frc-action-resolve")
        wait(staff, lambda d: d.find_elements(By.ID, "frc-f-result"), "resolve form missing")
        staff.find_element(By.ID, "frc-f-result").send_keys("Đã vá ổ gà bằng bê tông nhựa nóng, thông xe an toàn.")
        staff.find_element(By.ID, "frc-f-photos").send_keys(RESULT_PHOTO)
        click_id(staff, "frc-action-submit")
        wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-case-status='resolved']"), "status did not become resolved")
        shot(staff, "fr-6-officer-resolved.png")
        return "resolved with a result photo"

    def citizen_tracks_and_rates():
        e2e.context = "fr-citizen"
        citizen.get(state["follow"])
        wait(citizen, lambda d: (d.find_element(By.ID, "tr-code-title").get_attribute("textContent") or "").strip().endswith(state["code"]),
             "tracking page did not load the report")
        wait(citizen, lambda d: d.find_elements(By.CSS_SELECTOR, "#tr-result-photos img"), "no result photo on the tracking page")
        citizen.execute_script("document.querySelector('#tr-result-photos img').scrollIntoView()")  # lazy images load when seen
        wait(citizen, lambda d: d.execute_script(
            "return [...document.querySelectorAll('#tr-result-photos img')].every(i => i.complete && i.naturalWidth > 0)"),
            "result photo did not load")
        shot(citizen, "fr-7-citizen-tracks.png")
        citizen.find_element(By.ID, "tr-rate-satisfied").click()
        submit = citizen.find_elements(By.ID, "tr-rate-submit")
        if submit and submit[0].is_displayed():
            submit[0].click()
        wait(citizen, lambda d: d.find_elements(By.ID, "tr-rating-given") and d.find_element(By.ID, "tr-rating-given").is_displayed(),
             "rating not acknowledged")
        status, body = e2e.browser_fetch(f"/api/v1/field-reports/{state['code']}")
        expect(status == 200 and body.get("status") == "closed" and body.get("rating") == "satisfied", f"after rating: {status} {body and body.get('status')}")
        shot(citizen, "fr-8-citizen-rated.png")
        return "closed, satisfied"

    def public_figures_and_paged_list():
        """Issue 18 point 7: the unassigned row has a name, the list is paged (next, back), the rates fit a phone."""
        staff.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            staff.get(e2e.base + "/phan-anh-cong-khai.html?view=list")
            _, vi = e2e.browser_fetch("/i18n/vi.field-reports-public.json")
            wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, "#pub-figures tbody th") and d.find_element(By.ID, "pub-page").text,
                 "public figures or list not shown")
            agencies = staff.execute_script("return [...document.querySelectorAll('#pub-figures tbody th')].map(t => t.textContent.trim())")
            expect(agencies and all(a and a != "—" for a in agencies), f"an agency row without a name: {agencies}")
            status, figures = e2e.browser_fetch("/api/v1/field-reports/public-figures")
            if status == 200 and any(not row.get("agency") for row in figures.get("rows", [])):
                expect(vi["frp.fig.unassigned"] in agencies, f"no {vi['frp.fig.unassigned']!r} row in {agencies}")
            width, scroll, right = staff.execute_script(
                "return [document.documentElement.clientWidth, document.documentElement.scrollWidth,"
                " document.querySelector('#pub-figures tbody tr td.pub-rate:nth-of-type(2)').getBoundingClientRect().right]")
            expect(scroll <= width and right <= width, f"phone: page {scroll} px for {width}, second rate ends at {right}")
            codes = lambda d: d.execute_script("return [...document.querySelectorAll('#pub-list tbody .pub-code')].map(a => a.textContent)")
            first = codes(staff)
            status, page = e2e.browser_fetch("/api/v1/field-reports/public?page=1&pageSize=20")
            expect(0 < len(first) <= 20, f"{len(first)} reports on the first page")
            if status == 200 and page.get("total", 0) > 20:
                staff.execute_script("document.getElementById('pub-next').click()")
                wait(staff, lambda d: "page=2" in d.current_url and codes(d) and codes(d)[0] != first[0], "next page not loaded")
                second = codes(staff)
                expect(len(second) <= 20 and not set(second) & set(first), f"page 2 repeats page 1: {second[:3]}")
                expect(vi["frp.public.pageOf"].replace("{page}", "2").split("{")[0] in staff.find_element(By.ID, "pub-page").text,
                       f"pager says {staff.find_element(By.ID, 'pub-page').text!r}")
                staff.back()
                wait(staff, lambda d: "page=2" not in d.current_url and codes(d)[:1] == first[:1], "back did not return to page 1")
            height = staff.execute_script("return document.documentElement.scrollHeight")
            shot(staff, "fr-9-public-phone.png")
            return f"{len(agencies)} agency rows, {len(first)} reports a page, {height} px tall at 390x844"
        finally:
            staff.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    r.check("fr public figures name the unassigned row and the list is paged", public_figures_and_paged_list)
    ok = r.check("fr operator opens the new-reports queue", operator_queue)
    ok = ok and r.check("fr citizen files a report with a photo on the phone page", citizen_files)
    ok = ok and r.check("fr operator sees the new report live", operator_sees_it_live)
    if ok:
        r.check("fr stored photo carries no camera metadata", stored_photo_has_no_metadata)
    ok = ok and r.check("fr operator assigns it to the commune", operator_assigns)
    ok = ok and r.check("fr officer starts and resolves it with a result photo", officer_resolves)
    ok = ok and r.check("fr citizen tracks it by code and rates it", citizen_tracks_and_rates)
    if citizen is not None:
        for entry in citizen.get_log("browser"):
            e2e.console.append(("fr-citizen", entry))
        citizen.quit()
    e2e.context = "end"
