"""Browser test of warnings (issue 15), run by run_e2e.py after the demo is loaded and the server is up.

A water level posted by a station crosses alarm level II and the rule fires (an alarm, a proposed draft); the operator
drafts a warning in the console and submits it; the leader approves it; the wall, the public page /canh-bao.html and
the Atom feed carry it, its CAP document validates against the OASIS XSD (xmllint); a loudspeaker cluster pulls its
playlist with its key, fetches the audio (decoded by ffmpeg: a real MP3 of speech), confirms playback, and the console
shows the confirmation.
"""

import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from wall_e2e import Api

OPERATOR = ("dieuhanh", "IOC-dieuhanh-2026")
LEADER = ("lanhdao", "IOC-lanhdao-2026")
ADMIN = ("admin", "IOC-admin-2026")
HEADLINE = "Lũ khẩn cấp trên sông Đà Rằng (kiểm thử e2e)"
STATION = "TV-PHULAM"  # demo water station on the Đà Rằng, alarm level II at 270 cm
CLUSTER = ("LOA-E2E", "Cụm loa kiểm thử Tuy Hòa", 13.0890, 109.3060)
XSD = os.path.join(os.path.dirname(__file__), "..", "..", "Resources", "cap", "CAP-v1.2.xsd")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def request(base, path, method="GET", body=None, key=None, content_type="application/json", raw=False):
    data = json.dumps(body).encode() if body is not None and content_type == "application/json" else body
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=15) as r:
            payload = r.read()
            return r.status, payload if raw else (json.loads(payload) if payload else None)
    except urllib.error.HTTPError as e:
        payload = e.read()
        return e.code, payload if raw else (json.loads(payload) if payload else None)


def run(e2e):
    r = e2e.r
    staff = e2e.driver
    state = {}

    def wait(condition, message, timeout=20):
        return e2e.wait(condition, message, timeout=timeout)

    def click(selector):
        for attempt in range(4):
            try:
                element = staff.find_element(By.CSS_SELECTOR, selector)
                staff.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
                element.click()
                return
            except StaleElementReferenceException:
                if attempt == 3:
                    raise
                time.sleep(0.1)

    def sign_in(username, password, path):
        e2e.reset_browser_session()
        e2e.open_login_page()
        e2e.fill_login(username, password)
        wait(lambda d: "/login.html" not in d.current_url, f"{username} did not get past the login page")
        staff.get(e2e.base + path)

    def listed(selector, attribute):
        """(attribute, text) of each element, read in one script (the list re-renders while we look)."""
        return staff.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map(e => [e.getAttribute(arguments[1]) || '', e.innerText || ''])",
            selector, attribute) or []

    def body_text():
        return staff.execute_script("return document.body.innerText") or ""

    # ---- a rule fires from a real observation ----

    def rule_fires():
        e2e.context = "warnings-rule"
        admin = Api(e2e.base, *ADMIN)
        state["admin"] = admin
        status, created = admin.call("POST", "/api/v1/sources", {"name": "e2e-tram-phu-lam", "kind": "observations"})
        expect(status == 201, f"observation source: {status} {created}")
        key = created["apiKey"]
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        status, answer = request(e2e.base, "/api/v1/observations", "POST",
                                 [{"station": STATION, "parameter": "water_level", "time": now, "value": 315}], key=key)
        expect(status == 201 and answer["accepted"] == 1, f"observation: {status} {answer}")
        # The rule is evaluated as soon as the data arrive: its alarm, and a proposed flood warning for the commune.
        deadline = time.time() + 15
        alarm = None
        while time.time() < deadline and not alarm:
            status, alarms = admin.call("GET", "/api/v1/alarms?state=open&limit=500")
            alarm = next((a for a in alarms["items"] if a["kind"] == "warnings.rule" and STATION in json.dumps(a, ensure_ascii=False)
                          or (a["kind"] == "warnings.rule" and "Phú Lâm" in a["title"]["vi"])), None)
            if not alarm:
                time.sleep(0.3)
        expect(alarm, "no alarm from the water-level rule within 15 s")
        status, drafts = admin.call("GET", "/api/v1/warnings?status=draft")
        proposed = [w for w in drafts if w.get("ruleCode") == "water-level-2"]
        expect(proposed, f"no proposed draft from the rule: {[w.get('ruleCode') for w in drafts]}")
        sign_in(*OPERATOR, "/#/warnings/rules")
        wait(lambda d: STATION in (d.execute_script(
            "return [...document.querySelectorAll('[data-testid=warn-rule-row]')].map(e => e.innerText).join(' ')") or ""),
             "the rules tab does not show the station firing")
        e2e.screenshot("warnings-1-rule-firing.png")
        return f"alarm {alarm['code']}: {alarm['title']['vi']}"

    # ---- the operator drafts and submits ----

    def operator_drafts():
        e2e.context = "warnings-operator"
        status, cluster = state["admin"].call("POST", "/api/v1/loudspeakers",
                                              {"code": CLUSTER[0], "name": CLUSTER[1], "lat": CLUSTER[2], "lon": CLUSTER[3]})
        expect(status == 201, f"cluster: {status} {cluster}")
        state["cluster_key"] = cluster["apiKey"]
        state["unit"] = cluster["cluster"]["unitCode"]
        staff.get(e2e.base + "/#/warnings/alerts")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=warn-compose]"), "no compose button for the operator")
        click("[data-testid=warn-compose]")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=warn-form] [data-testid=warn-area-option]"), "the form has no communes")
        Select(staff.find_element(By.CSS_SELECTOR, "[data-testid=warn-form-hazard]")).select_by_value("flood")
        click("[data-testid=warn-form-level-4]")
        search = staff.find_element(By.CSS_SELECTOR, "[data-testid=warn-areas-search]")
        search.send_keys("Tuy Ho")
        option = f"[data-testid=warn-area-option][data-code='{state['unit']}'] input"
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, option), f"commune {state['unit']} is not offered")
        click(option)
        for name, value in (("headline", HEADLINE), ("headlineEn", "Emergency flood on the Đà Rằng (e2e test)"),
                            ("description", "Mực nước tại Phú Lâm 315 cm, vượt báo động II và đang lên."),
                            ("descriptionEn", "The level at Phú Lâm is 315 cm, above alarm level II and rising."),
                            ("instruction", "Sơ tán ngay người dân vùng trũng ven sông; không qua ngầm, tràn."),
                            ("instructionEn", "Evacuate low-lying riverside areas now; do not cross fords.")):
            field = staff.find_element(By.CSS_SELECTOR, f"[data-testid=warn-form-{name}]")
            field.clear()
            field.send_keys(value)
        e2e.screenshot("warnings-2-operator-draft.png")
        click("[data-testid=warn-form-save-submit]")
        wait(lambda d: any(HEADLINE in text and status == "submitted" for status, text in listed("[data-testid=warn-item]", "data-status")),
             "the submitted warning is not listed as submitted")
        status, submitted = state["admin"].call("GET", "/api/v1/warnings?status=submitted")
        mine = [w for w in submitted if w["headline"]["vi"] == HEADLINE]
        expect(len(mine) == 1 and mine[0]["level"] == 4 and [a["code"] for a in mine[0]["areas"]] == [state["unit"]], f"stored: {mine}")
        state["id"] = mine[0]["id"]
        state["identifier"] = mine[0]["identifier"]
        return state["identifier"]

    # ---- the leader approves ----

    def leader_approves():
        e2e.context = "warnings-leader"
        sign_in(*LEADER, f"/#/warnings/alerts?id={state['id']}")
        button = "[data-testid=warn-action-approve]"
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"[data-testid=warn-detail][data-id='{state['id']}'] {button}")
             or d.find_elements(By.CSS_SELECTOR, button), "the leader has no approve button")
        click(button)
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=warn-dialog-ok]"), "no confirmation dialog")
        click("[data-testid=warn-dialog-ok]")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"[data-testid=warn-detail][data-status='published']"), "the warning is not shown as published")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=warn-cap-link]"), "no CAP link after publication")
        e2e.screenshot("warnings-3-leader-published.png")
        return "published"

    # ---- the wall, the public page, the feed, the CAP document ----

    def wall_and_public_page_show_it():
        e2e.context = "warnings-public"
        staff.get(e2e.base + "/wall")
        wait(lambda d: HEADLINE in body_text(), "the wall does not show the warning", timeout=25)
        e2e.screenshot("warnings-4-wall.png")
        e2e.reset_browser_session()
        staff.get(e2e.base + "/canh-bao.html")
        wait(lambda d: any(ident == state["identifier"] for ident, _ in listed("[data-testid=warnp-item]", "data-identifier")),
             "the public page does not list it")
        expect(HEADLINE in body_text(), "the public page lacks the headline")
        e2e.screenshot("warnings-5-public-page.png")
        return "wall and /canh-bao.html"

    def feed_and_cap_validate():
        status, feed = request(e2e.base, "/cap/alerts.atom", raw=True)
        expect(status == 200 and state["identifier"].encode() in feed, f"feed: {status}")
        status, xml = request(e2e.base, f"/cap/alerts/{state['identifier']}.xml", raw=True)
        expect(status == 200 and HEADLINE.encode() in xml, f"CAP document: {status}")
        with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as f:
            f.write(xml)
        try:
            run_ = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", XSD, f.name], capture_output=True, text=True, timeout=30)
            expect(run_.returncode == 0, f"xmllint: {run_.stderr.strip()[-300:]}")
        finally:
            os.unlink(f.name)
        return "feed entry; CAP valid against the OASIS XSD"

    # ---- the loudspeaker cluster ----

    def loudspeaker_plays_and_confirms():
        e2e.context = "warnings-loudspeaker"
        key = state["cluster_key"]
        status, playlist = request(e2e.base, "/api/v1/broadcast/playlist", key=key)
        expect(status == 200, f"playlist: {status} {playlist}")
        item = next((i for i in playlist["items"] if i.get("warning") == state["identifier"]), None)
        expect(item and item.get("audioUrl"), f"no audio for the warning: {playlist}")
        expect(len(item["playAt"]) >= 1, "no schedule")
        status, audio = request(e2e.base, item["audioUrl"], key=key, raw=True)
        expect(status == 200 and len(audio) > 2000, f"audio: {status} {len(audio)} bytes")
        with tempfile.NamedTemporaryFile(suffix=".mp3", delete=False) as f:
            f.write(audio)
        try:
            probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "json", f.name],
                                   capture_output=True, text=True, timeout=30)
            expect(probe.returncode == 0, f"ffprobe: {probe.stderr.strip()[-200:]}")
            info = json.loads(probe.stdout)
            duration = float(info["format"]["duration"])
            expect(info["streams"][0]["codec_name"] == "mp3" and duration > 5, f"not a spoken MP3: {info}")
            decode = subprocess.run(["ffmpeg", "-v", "error", "-i", f.name, "-f", "null", "-"], capture_output=True, text=True, timeout=60)
            expect(decode.returncode == 0 and not decode.stderr.strip(), f"ffmpeg decode: {decode.stderr.strip()[-200:]}")
        finally:
            os.unlink(f.name)
        status, _ = request(e2e.base, f"/api/v1/broadcast/items/{item['id']}/report", "POST", {"status": "played"}, key=key)
        expect(status == 204, f"report: {status}")
        sign_in(*OPERATOR, f"/#/warnings/alerts?id={state['id']}")
        row = f"[data-testid=warn-broadcast-row][data-cluster='{CLUSTER[0]}'][data-status='played']"
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, row), "the console does not show the cluster's confirmation")
        e2e.screenshot("warnings-6-broadcast-confirmed.png")
        return f"{duration:.1f} s of speech, confirmed"

    try:
        if r.check("warnings: a water level past alarm level II fires the rule (alarm, proposed draft, rules tab)", rule_fires):
            ok = r.check("warnings: the operator drafts a level-4 flood warning for a commune and submits it", operator_drafts)
            ok = ok and r.check("warnings: the leader approves and it is published with its CAP link", leader_approves)
            if ok:
                r.check("warnings: the wall and the public page show the published warning", wall_and_public_page_show_it)
                r.check("warnings: the Atom feed carries it and its CAP 1.2 validates (xmllint, OASIS XSD)", feed_and_cap_validate)
                r.check("warnings: a loudspeaker cluster fetches a decodable spoken MP3 and confirms; the console shows it", loudspeaker_plays_and_confirms)
    finally:
        e2e.collect_console()
        e2e.reset_browser_session()
        e2e.context = "end"
