"""Digital-transformation index (DTI) end to end, in real headless Chromium, on the demo's open department cycle
(DTI-SO-2026): the officer of Sở Xây dựng (`canbo.soxd`, a draft in the demo) fills one sub-index of each method
(yes/no, percent, tiers, count, proposed points) the Vietnamese way, writes a note and a link, uploads a small PDF as
evidence, saves the draft and submits it after the confirmation; the reviewer (`thamdinh`, officer of the assessing
agency SO-KHCN) opens SO-XD's assessment and adjusts the proposed points with a reason; the officer answers once; the
reviewer publishes the results. Then, without signing in, the public page (/chuyen-doi-so.html) shows DTI-SO-2026's
ranking with Sở Xây dựng at the value and rank the API reports, and the leader's phone view (390×844) shows the
ranking as cards without scrolling sideways. Every step is checked against the API (values stored, the file's
SHA-256, points, states, the published value). Screenshots `dti-*.png`."""

import hashlib
import json
import os
import time
import urllib.request

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from wall_e2e import Api

FRAMEWORK = "DTI-SO-2026"
AGENCY = "SO-XD"
OFFICER = ("canbo.soxd", "IOC-canbo-2026")
REVIEWER = ("thamdinh", "IOC-thamdinh-2026")
LEADER = ("lanhdao", "IOC-lanhdao-2026")
DESKTOP = {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
METHODS = ("yesno", "ratio", "tiers", "count", "judgement")
REASON = "Minh chứng chưa đủ: chỉ có kế hoạch, chưa có báo cáo kết quả (kiểm thử e2e)."
ANSWER = "Sở Xây dựng bổ sung báo cáo kết quả tham gia Ngày Chuyển đổi số (kiểm thử e2e)."
NOTE = "Theo báo cáo tổng kết năm 2026 của Sở (kiểm thử e2e)."
LINK = "https://soxd.daklak.gov.vn/chuyen-doi-so/2026/bao-cao"


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def minimal_pdf(text="IOC DTI e2e"):
    """A small valid one-page PDF (catalogue, pages, page, content stream, font; a correct xref table)."""
    content = f"BT /F1 14 Tf 20 50 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def vn(value, decimals):
    """A number as the UI writes it: comma for decimals, dot for thousands; `decimals` fixed, or None for up to 2."""
    text = f"{value:,.{2 if decimals is None else decimals}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def points(leaf, value):
    """DTIMethod.points: what the form must show live for a value."""
    method, top = leaf["method"], leaf["maxPoints"]
    kind = method["kind"]
    if kind == "yesno":
        p = top if value >= 1 else 0
    elif kind == "ratio":
        p = top * min(max(value, 0) / method["target"], 1)
    elif kind == "tiers":
        p = next((t["points"] for t in reversed(method["tiers"]) if t["min"] <= value), 0)
    elif kind == "count":
        p = value * method["pointsEach"]
    else:
        p = value
    return min(max(p, 0), top)


def leaves(criteria):
    for node in criteria:
        if node.get("children"):
            yield from leaves(node["children"])
        else:
            yield node


def public_get(base, path):
    """GET without any session (a citizen)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(base + path, headers={"Accept": "application/json"}), timeout=10) as answer:
        return answer.status, json.loads(answer.read())


def run(e2e):
    r = e2e.r
    staff = e2e.driver
    state = {}

    def wait(condition, message, timeout=15):
        return e2e.wait(condition, message, timeout=timeout)

    def click(selector):
        """A real click, again if a re-render replaced the element in between."""
        for attempt in range(4):
            try:
                staff.find_element(By.CSS_SELECTOR, selector).click()
                return
            except StaleElementReferenceException:
                if attempt == 3:
                    raise
                time.sleep(0.1)

    def text(selector):
        return staff.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null", selector)

    def scroll_to(selector, block="center"):
        staff.execute_script("document.querySelector(arguments[0])?.scrollIntoView({block: arguments[1]})", selector, block)

    def sign_in(username, password, path):
        e2e.reset_browser_session()
        e2e.open_login_page()
        e2e.fill_login(username, password)
        wait(lambda d: "/login.html" not in d.current_url, f"{username} did not get past the login page")
        staff.get(e2e.base + path)

    def leaf_sel(code):
        return f".dti-leaf[data-criterion='{code}']"

    def confirm():
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-confirm[open] #dti-confirm-ok"), "no confirmation dialog")
        click("#dti-confirm-ok")
        wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#dti-confirm"), "the confirmation dialog stays open")

    # ---- setup through the API: one sub-index of each method for SO-XD ----

    def setup():
        e2e.context = "dti-setup"
        officer = Api(e2e.base, *OFFICER)
        status, detail = officer.call("GET", f"/api/v1/dti/frameworks/{FRAMEWORK}")
        expect(status == 200, f"GET framework HTTP {status}")
        status, before = officer.call("GET", f"/api/v1/dti/frameworks/{FRAMEWORK}/assessments/{AGENCY}")
        expect(status == 200 and before["canEdit"] and before["status"] == "draft", f"{AGENCY} is not an editable draft: {status} {before.get('status')}")
        chosen = {}
        for leaf in leaves(detail["framework"]["criteria"]):
            kind = leaf["method"]["kind"]
            if kind in chosen or leaf.get("measure") or leaf["code"] in before["overrides"]:
                continue
            if kind == "yesno" and before["values"].get(leaf["code"]) == 1:
                continue  # "Có" must be a change
            chosen[kind] = leaf
        expect(set(chosen) == set(METHODS), f"no sub-index for {set(METHODS) - set(chosen)}")
        j = chosen["judgement"]
        typed = {"yesno": ("1", 1), "ratio": ("87,5", 87.5), "count": ("3", 3),
                 "judgement": (vn(round(j["maxPoints"] * 0.6 * 2) / 2, None), round(j["maxPoints"] * 0.6 * 2) / 2)}
        tiers = chosen["tiers"]["method"]["tiers"]
        middle = tiers[len(tiers) // 2]["min"] + 0.5  # inside a tier that earns points, with a decimal comma
        typed["tiers"] = (vn(middle, None), middle)
        state.update(officer_api=officer, detail=detail, chosen=chosen, typed=typed, pdf=minimal_pdf(),
                     max=before["maxPoints"], total_before=before["total"])
        return ", ".join(f"{k} {chosen[k]['code']} = {typed[k][0]}" for k in METHODS)

    # ---- the officer: fill, evidence, save, submit ----

    def officer_fills_and_saves():
        e2e.context = "dti-officer"
        staff.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
        sign_in(*OFFICER, f"/#/dti/assessment?fw={FRAMEWORK}")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"#dti-editor[data-status='draft'] #dti-form {leaf_sel(state['chosen']['ratio']['code'])}"),
             "the self-assessment form does not open")
        for kind in METHODS:
            leaf = state["chosen"][kind]
            code, (typed, value) = leaf["code"], state["typed"][kind]
            if kind == "yesno":
                scroll_to(leaf_sel(code))
                click(f"{leaf_sel(code)} input[data-value-for='{code}'][value='1']")
            else:
                field = staff.find_element(By.CSS_SELECTOR, f"{leaf_sel(code)} input[data-value-for='{code}']")
                staff.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
                field.clear()
                field.send_keys(typed)
            want = vn(points(leaf, value), None)
            shown = text(f".dti-leaf-points[data-criterion='{code}'] .dti-points-live")
            expect(shown == want, f"{code} ({kind}) shows {shown!r} live for {typed!r}, want {want!r}")
        # A note and a link on the percent sub-index; the PDF on the yes/no one.
        ratio, yesno = state["chosen"]["ratio"]["code"], state["chosen"]["yesno"]["code"]
        for code in (ratio, yesno):
            if not staff.execute_script("return document.querySelector(arguments[0]).open", f"{leaf_sel(code)} details.dti-leaf-more"):
                scroll_to(f"{leaf_sel(code)} details.dti-leaf-more > summary")
                click(f"{leaf_sel(code)} details.dti-leaf-more > summary")
        staff.find_element(By.CSS_SELECTOR, f".dti-note-input[data-criterion='{ratio}']").send_keys(NOTE)
        staff.find_element(By.CSS_SELECTOR, f".dti-links-input[data-criterion='{ratio}']").send_keys(LINK)
        path = os.path.join(e2e.tmp, "minh-chung-e2e.pdf")
        with open(path, "wb") as f:
            f.write(state["pdf"])
        staff.find_element(By.CSS_SELECTOR, f".dti-file-input[data-criterion='{yesno}']").send_keys(path)
        wait(lambda d: "minh-chung-e2e.pdf" in (text(f"{leaf_sel(yesno)} .dti-files") or ""), "the uploaded PDF is not listed")
        # The upload reloaded the assessment: what was typed must still be there, unsaved.
        judgement = state["chosen"]["judgement"]["code"]
        kept = staff.execute_script("return document.querySelector(arguments[0]).value", f"input[data-value-for='{judgement}']")
        expect(kept == state["typed"]["judgement"][0], f"the upload lost what was typed ({kept!r})")
        scroll_to(f"{leaf_sel(yesno)}", "start")
        e2e.screenshot("dti-1-form.png")
        click("#dti-save")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-form-message .alert-ok"), f"saving shows no confirmation: {text('#dti-form-message')!r}")
        status, saved = state["officer_api"].call("GET", f"/api/v1/dti/frameworks/{FRAMEWORK}/assessments/{AGENCY}")
        expect(status == 200, f"GET assessment HTTP {status}")
        for kind in METHODS:
            code, value = state["chosen"][kind]["code"], state["typed"][kind][1]
            expect(saved["values"].get(code) == value, f"{code} stored {saved['values'].get(code)!r}, typed {state['typed'][kind][0]!r}")
            expect(abs(saved["points"][code] - round(points(state["chosen"][kind], value), 2)) < 0.006, f"{code} has {saved['points'][code]} points")
        expect(saved["notes"].get(ratio) == NOTE and saved["links"].get(ratio) == [LINK], f"note/link of {ratio}: {saved['notes'].get(ratio)!r} {saved['links'].get(ratio)!r}")
        files = [e for e in saved["evidence"] if e["criterion"] == yesno and e["filename"] == "minh-chung-e2e.pdf"]
        expect(len(files) == 1, f"evidence of {yesno}: {saved['evidence']}")
        expect(files[0]["sha256"] == hashlib.sha256(state["pdf"]).hexdigest() and files[0]["contentType"] == "application/pdf", f"stored file {files[0]}")
        shown = text("#dti-total")
        want = f"{vn(saved['total'], 2)} / {vn(saved['maxPoints'], None)}"
        expect(shown and shown.startswith(want), f"the form's total {shown!r}, the API's {want}")
        state["total"] = saved["total"]
        return f"total {state['total_before']} → {saved['total']}; {files[0]['size']} B PDF on {yesno}"

    def officer_submits():
        click("#dti-submit")
        confirm()
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-editor[data-status='submitted']"), "the assessment does not show as submitted")
        status, body = state["officer_api"].call("GET", f"/api/v1/dti/frameworks/{FRAMEWORK}/assessments/{AGENCY}")
        expect(status == 200 and body["status"] == "submitted" and not body["canEdit"], f"the API has {body.get('status')}, canEdit {body.get('canEdit')}")
        expect(not staff.find_elements(By.CSS_SELECTOR, "#dti-form input[data-value-for]"), "the form still has inputs after submitting")
        return f"submitted at {body['submittedAt']}"

    # ---- the reviewer adjusts one sub-index ----

    def reviewer_adjusts():
        e2e.context = "dti-reviewer"
        sign_in(*REVIEWER, f"/#/dti/review?fw={FRAMEWORK}")
        row = f"#dti-review-list tr[data-agency='{AGENCY}'][data-status='submitted']"
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"{row} .dti-open"), f"{AGENCY} is not in the review list as submitted")
        e2e.screenshot("dti-2-review-list.png")
        click(f"{row} .dti-open")
        code = state["chosen"]["judgement"]["code"]
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f".dti-adjust[data-criterion='{code}']"), f"no “Điều chỉnh” on {code}")
        scroll_to(leaf_sel(code))
        click(f".dti-adjust[data-criterion='{code}']")
        adjusted = max(0, state["typed"]["judgement"][1] - 5)
        field = staff.find_element(By.ID, "dti-adjust-points")
        field.clear()
        field.send_keys(vn(adjusted, None))
        staff.find_element(By.ID, "dti-adjust-reason").send_keys(REASON)
        click("#dti-adjust-save")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"{leaf_sel(code)}[data-adjusted='1'] .dti-override"), "the adjustment is not shown")
        scroll_to(leaf_sel(code))
        e2e.screenshot("dti-3-review-adjusted.png")
        status, body = Api(e2e.base, *REVIEWER).call("GET", f"/api/v1/dti/frameworks/{FRAMEWORK}/assessments/{AGENCY}")
        o = body.get("overrides", {}).get(code)
        expect(status == 200 and body["status"] == "reviewed", f"the API has {body.get('status')}")
        expect(o and o["points"] == adjusted and o["reason"] == REASON, f"override {o}")
        shown = text(f".dti-leaf-points[data-criterion='{code}'] .dti-points-live")
        expect(shown == vn(adjusted, None), f"the tree shows {shown!r} for {code}, reviewed {adjusted}")
        state["adjusted"] = adjusted
        return f"{code}: {state['typed']['judgement'][1]} → {adjusted} points, by {o['by']}"

    # ---- the officer answers once ----

    def officer_answers():
        e2e.context = "dti-officer"
        sign_in(*OFFICER, f"/#/dti/assessment?fw={FRAMEWORK}")
        wait(lambda d: d.find_elements(By.ID, "dti-answer-text"), "no answer box after the review")
        expect(REASON in (text("#dti-review-summary") or ""), "the reviewer's reason is not shown to the officer")
        staff.find_element(By.ID, "dti-answer-text").send_keys(ANSWER)
        scroll_to("#dti-review-summary")
        click("#dti-answer-send")
        confirm()
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-editor[data-status='answered'] #dti-answer"), "the answer is not shown")
        expect(not staff.find_elements(By.ID, "dti-answer-text"), "the answer box is still there: a second answer possible")
        e2e.screenshot("dti-4-answered.png")
        status, body = state["officer_api"].call("GET", f"/api/v1/dti/frameworks/{FRAMEWORK}/assessments/{AGENCY}")
        expect(status == 200 and body["status"] == "answered" and body["answer"] == ANSWER and not body["canAnswer"], f"the API has {body.get('status')} {body.get('answer')!r}")
        return "answered"

    # ---- the reviewer publishes ----

    def reviewer_publishes():
        e2e.context = "dti-reviewer"
        sign_in(*REVIEWER, f"/#/dti/review?fw={FRAMEWORK}")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-publish:not([disabled])"), "no “Công bố kết quả” button")
        click("#dti-publish")
        confirm()
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-review-message .alert-ok"), f"publishing shows no confirmation: {text('#dti-review-message')!r}", timeout=20)
        status, results = public_get(e2e.base, f"/api/v1/dti/frameworks/{FRAMEWORK}/results")
        expect(status == 200 and results["published"] and results["version"] == 1, f"public results: {status} published={results.get('published')}")
        row = next((x for x in results["results"] if x["agency"] == AGENCY), None)
        expect(row, f"{AGENCY} is not in the published results")
        expect(abs(row["points"] - round(state["total"] - (state["typed"]["judgement"][1] - state["adjusted"]), 2)) < 0.011,
               f"{AGENCY} published with {row['points']} points; saved {state['total']}, adjusted by {state['typed']['judgement'][1] - state['adjusted']}")
        state["row"] = row
        # The console's ranking follows: published, SO-XD at its value.
        click("#dti-tab-ranking")
        cell = f"#dti-ranking tr[data-agency='{AGENCY}'] .dti-value"
        wait(lambda d: text(cell) == vn(row["value"], 4), f"the ranking does not show {vn(row['value'], 4)} for {AGENCY}")
        expect(not staff.find_elements(By.ID, "dti-provisional"), "the ranking is still marked provisional")
        scroll_to("#dti-ranking", "start")
        e2e.screenshot("dti-5-ranking.png")
        return f"{len(results['results'])} agencies; {AGENCY} rank {row['rank']}, value {row['value']}"

    # ---- the public page, without signing in ----

    def public_page():
        e2e.context = "dti-public"
        e2e.reset_browser_session()
        row = state["row"]
        staff.get(e2e.base + "/chuyen-doi-so.html")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"body[data-ready='1'] #dti-pub-body[data-framework='{FRAMEWORK}']"),
             f"the public page does not show {FRAMEWORK} by default")
        cell = f"#dti-pub-table tr[data-agency='{AGENCY}']"
        expect(text(f"{cell} .dti-pub-value") == vn(row["value"], 4), f"public value {text(f'{cell} .dti-pub-value')!r}, API {row['value']}")
        expect(text(f"{cell} .dti-pub-rank") == str(row["rank"]), f"public rank {text(f'{cell} .dti-pub-rank')!r}, API {row['rank']}")
        expect(staff.find_elements(By.CSS_SELECTOR, ".fr-nav a[href='/chuyen-doi-so.html'][aria-current='page']"), "the public navigation has no DTI link")
        e2e.screenshot("dti-6-public.png")
        search = staff.find_element(By.ID, "dti-pub-search")
        search.send_keys("xay dung")  # without the Vietnamese marks
        wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#dti-pub-table tbody tr[data-agency]")) == 1 and d.find_elements(By.CSS_SELECTOR, cell),
             "searching “xay dung” does not leave Sở Xây dựng alone")
        staff.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        staff.refresh()
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"body[data-ready='1'] {cell}"), "the public page does not load on a phone")
        sideways = staff.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        expect(sideways <= 0, f"the public page scrolls sideways on a phone ({sideways} px)")
        e2e.screenshot("dti-7-public-phone.png")
        return f"{AGENCY}: rank {row['rank']}, {vn(row['value'], 4)}"

    # ---- the leader's phone ----

    def leader_phone():
        e2e.context = "dti-leader"
        staff.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        sign_in(*LEADER, f"/#/dti/ranking?fw={FRAMEWORK}")
        card = f"#dti-rank-cards li[data-agency='{AGENCY}']"
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"{card} .dti-value"), "no ranking cards on the phone")
        expect(staff.find_element(By.CSS_SELECTOR, card).is_displayed(), "the ranking cards are hidden on a phone")
        expect(not staff.find_element(By.ID, "dti-ranking").is_displayed(), "the wide ranking table shows on a phone")
        expect(text(f"{card} .dti-value") == vn(state["row"]["value"], 4), f"the card shows {text(f'{card} .dti-value')!r}")
        sideways = staff.execute_script("const c = document.getElementById('content'); return Math.max(c.scrollWidth - c.clientWidth, document.documentElement.scrollWidth - document.documentElement.clientWidth)")
        expect(sideways <= 0, f"the console page scrolls sideways on a phone ({sideways} px)")
        scroll_to("#dti-rank-cards", "start")
        e2e.screenshot("dti-8-leader-phone.png")
        return "cards, no sideways scroll"

    def admin_installs_a_framework():
        e2e.context = "dti-admin"
        staff.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        sign_in("admin", "IOC-admin-2026", "/#/dti")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-admin > summary"), "no framework administration for the admin")
        click("#dti-admin > summary")
        button = "#dti-admin-templates button[data-template='national-922-province']"
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, button), "the shipped templates are not listed")
        click(button)
        wait(lambda d: "DTI-TINH-922" in (text("#dti-admin-status") or ""), f"no confirmation: {text('#dti-admin-status')!r}")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dti-frameworks button[data-framework='DTI-TINH-922']"), "the new cycle is not listed")
        status, tree = Api(e2e.base, "admin", "IOC-admin-2026").call("GET", "/api/v1/dti/frameworks/DTI-TINH-922")
        expect(status == 200 and len(list(leaves(tree["framework"]["criteria"]))) == 98, f"the installed 922 tree: {status}")
        e2e.screenshot("dti-9-admin-templates.png")
        return text("#dti-admin-status")

    try:
        if r.check("dti setup: a sub-index of each method for SO-XD (API)", setup):
            ok = r.check("dti officer fills each method, a note, a link and a PDF, and saves the draft", officer_fills_and_saves)
            ok = ok and r.check("dti officer submits the self-assessment after confirming", officer_submits)
            ok = ok and r.check("dti reviewer adjusts a sub-index with a reason", reviewer_adjusts)
            ok = ok and r.check("dti officer answers the review once", officer_answers)
            ok = ok and r.check("dti reviewer publishes the results", reviewer_publishes)
            if ok:
                r.check("dti public page shows the published ranking without sign-in", public_page)
                r.check("dti leader's phone view: ranking cards, no sideways scroll", leader_phone)
            r.check("dti admin installs a shipped framework from the console", admin_installs_a_framework)
    finally:
        staff.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        e2e.collect_console()
        e2e.reset_browser_session()
        e2e.context = "end"
