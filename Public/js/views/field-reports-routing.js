// Field reports: the routing table (#/field-reports/routing). Which agency receives a new report, by category and
// commune. Admins add and delete rules; others read. "Test routing" previews the answer for a category and a point.
import { api, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import { loadBoundaries } from "../units.js";
import {
  EMPTY, PATHS, agencyPicker, errorBox, loadLookups, loadingLine, namer, pathIcon, queueBackHref, setChildren,
  sortByName,
} from "./field-reports-common.js";

const BASE = "/api/v1/field-reports/routing";
const MAP_POINT = { radius: 8, color: "#ffffff", weight: 3, fillColor: "#b42318", fillOpacity: 1 };
const MAP_COMMUNE = { color: "#1d4274", weight: 0.8, opacity: 0.6, fillColor: "#60a5fa", fillOpacity: 0.08 };
const MAP_HIT = { color: "#0b2545", weight: 2.5, opacity: 1, fillColor: "#fb923c", fillOpacity: 0.3 };

export function mount(root, { settings, user }) {
  const isAdmin = user?.role === "admin";
  let removed = false;
  let lookups = { agencies: new Map(), agencyList: [], units: new Map(), unitList: [], categories: new Map(), categoryList: [], limits: {} };
  let names = namer(lookups);
  let rules = null;
  let loadError = null;
  let matchedRule = null;
  let confirmDelete = null;
  let deleteError = null;
  let formError = null;
  let formDone = null;
  let testResult = null;
  let testError = null;
  let testBusy = false;

  // ---- Skeleton ----

  const backLink = h("a", { class: "frc-back", id: "frc-back", href: queueBackHref() });
  const heading = h("h1", {});
  const intro = h("p", { class: "page-intro" });
  const header = h("header", { class: "page-header frc-page-header" },
    h("div", { class: "page-heading" }, backLink, heading, intro));
  const tableCard = h("section", { class: "card frc-card", id: "frc-rules", "aria-labelledby": "frc-rules-title" });
  const formCard = isAdmin ? h("section", { class: "card frc-card", "aria-labelledby": "frc-rule-form-title" }) : null;
  const testCard = h("section", { class: "card frc-card frc-route-test", "aria-labelledby": "frc-route-title" });
  root.append(header, h("div", { class: "frc-routing-grid" },
    h("div", { class: "frc-routing-main" }, tableCard, testCard),
    formCard ? h("div", { class: "frc-routing-side" }, formCard) : null));
  root.classList.toggle("frc-routing-readonly", !isAdmin);

  // ---- Rules table ----

  function ruleCategory(rule) {
    return rule.category ? names.categoryName(rule.category) : h("span", { class: "frc-any" }, t("frc.routing.anyCategory"));
  }

  function ruleUnit(rule) {
    return rule.unit ? names.unitName(rule.unit) : h("span", { class: "frc-any" }, t("frc.routing.anyUnit"));
  }

  function ruleTarget(rule) {
    if (rule.target === "commune") return h("span", { class: "frc-target-commune" }, t("frc.routing.communeTarget"));
    if (rule.target === "police") return h("span", { class: "frc-target-commune" }, t("frc.routing.policeTarget"));
    return rule.agency ? h("span", {}, names.agencyName(rule.agency), " ", h("span", { class: "frc-cell-sub mono" }, rule.agency.code)) : EMPTY;
  }

  function sortedRules() {
    const key = (rule) => `${rule.category ? `1${names.categoryName(rule.category)}` : "0"}|${rule.unit ? `1${names.unitName(rule.unit)}` : "0"}`;
    return [...rules].sort((a, b) => key(a).localeCompare(key(b), "vi"));
  }

  function renderTable() {
    if (removed) return;
    const title = h("h2", { class: "frc-card-title", id: "frc-rules-title" },
      t("frc.routing.rules"), rules ? h("span", { class: "frc-tab-count" }, formatNumber(rules.length)) : null);
    if (loadError) {
      setChildren(tableCard, title, errorBox(loadError));
      return;
    }
    if (!rules) {
      setChildren(tableCard, title, loadingLine());
      return;
    }
    const columns = ["category", "unit", "target", "note"];
    const rows = sortedRules().map((rule) => {
      const deleting = confirmDelete === rule.id;
      return h("tr", { id: `frc-rule-${rule.id}`, class: matchedRule != null && matchedRule === rule.id ? "is-match" : null, dataset: { id: rule.id } },
        h("td", {}, ruleCategory(rule)),
        h("td", {}, ruleUnit(rule)),
        h("td", {}, ruleTarget(rule)),
        h("td", { class: "frc-rule-note" }, rule.note || h("span", { class: "muted" }, EMPTY)),
        isAdmin
          ? h("td", { class: "frc-nowrap frc-col-actions" }, deleting
            ? [
              h("button", { type: "button", class: "btn frc-btn-danger-solid btn-sm", id: `frc-rule-delete-confirm-${rule.id}`, onclick: () => remove(rule) }, t("frc.routing.confirmDelete")),
              h("button", { type: "button", class: "btn btn-ghost btn-sm", onclick: () => {
                confirmDelete = null;
                renderTable();
                document.getElementById(`frc-rule-delete-${rule.id}`)?.focus();
              } }, t("form.cancel")),
            ]
            : h("button", {
              type: "button", class: "btn btn-ghost btn-sm frc-btn-danger", id: `frc-rule-delete-${rule.id}`,
              "aria-label": t("frc.routing.deleteLabel"), onclick: () => {
                confirmDelete = rule.id;
                deleteError = null;
                renderTable();
                document.getElementById(`frc-rule-delete-confirm-${rule.id}`)?.focus();
              },
            }, pathIcon(PATHS.trash), h("span", {}, t("frc.routing.delete"))))
          : null);
    });
    setChildren(tableCard,
      title,
      h("p", { class: "frc-hint" }, t(isAdmin ? "frc.routing.hintAdmin" : "frc.routing.hintRead")),
      deleteError ? errorBox(deleteError) : null,
      h("div", { class: "frc-scroll" }, h("table", { class: "frc-table", id: "frc-rules-table" },
        h("thead", {}, h("tr", {},
          columns.map((key) => h("th", { scope: "col" }, t(`frc.routing.col.${key}`))),
          isAdmin ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("frc.routing.delete"))) : null)),
        h("tbody", {}, rows.length ? rows : h("tr", { class: "frc-empty" }, h("td", { colspan: columns.length + (isAdmin ? 1 : 0) }, t("frc.routing.empty")))))));
  }

  async function loadRules() {
    try {
      const answer = await api.get(BASE);
      if (removed) return;
      rules = answer.items || [];
      loadError = null;
    } catch (error) {
      if (removed) return;
      loadError = error;
    }
    renderTable();
  }

  async function remove(rule) {
    try {
      await api.delete(`${BASE}/${encodeURIComponent(rule.id)}`);
      if (removed) return;
      confirmDelete = null;
      deleteError = null;
      rules = rules.filter((r) => r.id !== rule.id);
      formDone = { key: "frc.routing.deleted" };
      renderForm();
      loadRules();
    } catch (error) {
      if (removed) return;
      deleteError = error;
      renderTable();
    }
  }

  // ---- Add form (admins) ----

  const ruleCategorySelect = h("select", { id: "frc-rule-category" });
  const ruleUnitSelect = h("select", { id: "frc-rule-unit" });
  const targetAgency = h("input", { type: "radio", name: "frc-rule-target", id: "frc-rule-target-agency", value: "agency", checked: true });
  const targetCommune = h("input", { type: "radio", name: "frc-rule-target", id: "frc-rule-target-commune", value: "commune" });
  const targetPolice = h("input", { type: "radio", name: "frc-rule-target", id: "frc-rule-target-police", value: "police" });
  const ruleNote = h("input", { type: "text", id: "frc-rule-note", maxlength: "300", autocomplete: "off" });
  let rulePicker = null;
  const pickerSlot = h("div", {});
  for (const radio of [targetAgency, targetCommune, targetPolice]) radio.addEventListener("change", () => {
    pickerSlot.hidden = !targetAgency.checked;
  });

  function fillCategorySelect(select, { anyKey }) {
    const current = select.value;
    const categories = sortByName(lookups.categoryList, (c) => localized(c.name));
    setChildren(select, anyKey ? h("option", { value: "" }, t(anyKey)) : null,
      categories.map((c) => h("option", { value: c.code }, localized(c.name))));
    if (current) select.value = current;
  }

  function fillUnitSelect(select) {
    const current = select.value;
    const units = sortByName(lookups.unitList, (u) => names.unitName(u.code));
    setChildren(select, h("option", { value: "" }, t("frc.routing.anyUnit")), units.map((u) => h("option", { value: u.code }, names.unitName(u.code))));
    if (current) select.value = current;
  }

  function renderForm() {
    if (!formCard) return;
    fillCategorySelect(ruleCategorySelect, { anyKey: "frc.routing.anyCategory" });
    fillUnitSelect(ruleUnitSelect);
    rulePicker?.relabel();
    ruleNote.placeholder = t("frc.routing.notePlaceholder");
    const formEl = h("form", { id: "frc-rule-form", class: "frc-rule-form", novalidate: true, onsubmit: addRule },
      h("h2", { class: "frc-card-title", id: "frc-rule-form-title" }, icon("plus"), h("span", {}, t("frc.routing.addTitle"))),
      h("div", { class: "field" }, h("label", { for: "frc-rule-category" }, t("frc.routing.col.category")), ruleCategorySelect),
      h("div", { class: "field" }, h("label", { for: "frc-rule-unit" }, t("frc.routing.col.unit")), ruleUnitSelect),
      h("fieldset", { class: "frc-radios" },
        h("legend", {}, t("frc.routing.col.target")),
        h("label", { class: "frc-radio", for: "frc-rule-target-agency" }, targetAgency, h("span", {}, t("frc.routing.agencyTarget"))),
        h("label", { class: "frc-radio", for: "frc-rule-target-commune" }, targetCommune, h("span", {}, t("frc.routing.communeTarget"))),
        h("label", { class: "frc-radio", for: "frc-rule-target-police" }, targetPolice, h("span", {}, t("frc.routing.policeTarget")))),
      pickerSlot,
      h("div", { class: "field" }, h("label", { for: "frc-rule-note" }, t("frc.routing.col.note")), ruleNote),
      formError ? h("p", { class: "form-error", role: "alert", id: "frc-rule-error" }, formError.key ? t(formError.key) : errorMessage(formError)) : null,
      formDone ? h("p", { class: "alert alert-ok", role: "status", id: "frc-rule-done" }, t(formDone.key)) : null,
      h("div", { class: "form-actions" },
        h("button", { type: "submit", class: "btn btn-primary", id: "frc-rule-submit" }, icon("plus"), h("span", {}, t("frc.routing.add")))));
    setChildren(formCard, formEl);
  }

  async function addRule(event) {
    event.preventDefault();
    formDone = null;
    const target = targetCommune.checked ? "commune" : targetPolice.checked ? "police" : "agency";
    const agencyCode = target === "agency" ? rulePicker?.value : null;
    if (!ruleCategorySelect.value && !ruleUnitSelect.value) {
      formError = { key: "frc.routing.needScope" };
      renderForm();
      ruleCategorySelect.focus();
      return;
    }
    if (target === "agency" && !agencyCode) {
      formError = { key: "frc.field.agencyRequired" };
      renderForm();
      rulePicker?.select.focus();
      return;
    }
    // The server takes the agency's code, and only with target "agency".
    const body = {
      category: ruleCategorySelect.value || null,
      unit: ruleUnitSelect.value || null,
      target,
      agency: agencyCode || null,
      note: ruleNote.value.trim(),
    };
    formError = null;
    try {
      await api.post(BASE, body);
      if (removed) return;
      ruleNote.value = "";
      formDone = { key: "frc.routing.added" };
      renderForm();
      loadRules();
    } catch (error) {
      if (removed) return;
      formError = error;
      renderForm();
    }
  }

  // ---- Test routing ----

  const testCategory = h("select", { id: "frc-route-category" });
  const testLat = h("input", { id: "frc-route-lat", type: "text", inputmode: "decimal", autocomplete: "off", class: "mono" });
  const testLon = h("input", { id: "frc-route-lon", type: "text", inputmode: "decimal", autocomplete: "off", class: "mono" });
  const testMapEl = h("div", { class: "frc-route-map", id: "frc-route-map" });
  const testResultBox = h("div", { id: "frc-route-result", "aria-live": "polite" });
  const testLabels = {
    title: h("h2", { class: "frc-card-title", id: "frc-route-title" }),
    hint: h("p", { class: "frc-hint" }),
    category: h("label", { for: "frc-route-category" }),
    lat: h("label", { for: "frc-route-lat" }),
    lon: h("label", { for: "frc-route-lon" }),
    submit: h("button", { type: "submit", class: "btn btn-primary", id: "frc-route-test" }),
  };
  const testForm = h("form", { class: "frc-route-form", novalidate: true, onsubmit: runTest },
    testLabels.title, testLabels.hint,
    h("div", { class: "frc-route-layout" },
      h("div", { class: "frc-route-inputs" },
        h("div", { class: "field" }, testLabels.category, testCategory),
        h("div", { class: "frc-route-coords" },
          h("div", { class: "field" }, testLabels.lat, testLat),
          h("div", { class: "field" }, testLabels.lon, testLon)),
        h("div", { class: "frc-route-submit" }, testLabels.submit),
        testResultBox),
      testMapEl));
  testCard.append(testForm);

  function renderTestLabels() {
    testLabels.title.replaceChildren(pathIcon(PATHS.route), h("span", {}, t("frc.routing.testTitle")));
    testLabels.hint.textContent = t("frc.routing.testHint");
    testLabels.category.textContent = t("frc.routing.col.category");
    testLabels.lat.textContent = t("frc.routing.lat");
    testLabels.lon.textContent = t("frc.routing.lon");
    setChildren(testLabels.submit, h("span", {}, t(testBusy ? "frc.routing.testing" : "frc.routing.test")));
    testLabels.submit.disabled = testBusy;
    fillCategorySelect(testCategory, { anyKey: null });
  }

  function parseCoord(value) {
    const number = Number(String(value).trim().replace(",", "."));
    return Number.isFinite(number) ? number : null;
  }

  async function runTest(event) {
    event?.preventDefault();
    const lat = parseCoord(testLat.value);
    const lon = parseCoord(testLon.value);
    testError = null;
    if (!testCategory.value) testError = { key: "frc.routing.needCategory" };
    else if (lat == null || lon == null || Math.abs(lat) > 90 || Math.abs(lon) > 180) testError = { key: "frc.routing.needPoint" };
    if (testError) {
      renderTestResult();
      return;
    }
    placePoint(lat, lon, { pan: false });
    testBusy = true;
    renderTestLabels();
    try {
      const params = new URLSearchParams({ category: testCategory.value, lat: String(lat), lon: String(lon) });
      testResult = await api.get(`/api/v1/field-reports/route?${params}`);
      if (removed) return;
      matchedRule = testResult?.rule?.id ?? null;
    } catch (error) {
      if (removed) return;
      testResult = null;
      matchedRule = null;
      testError = error;
    }
    testBusy = false;
    renderTestLabels();
    renderTestResult();
    renderTable();
    highlightUnit(testResult?.unit?.code);
  }

  function renderTestResult() {
    if (testError) {
      setChildren(testResultBox, h("p", { class: "form-error", role: "alert" }, testError.key ? t(testError.key) : errorMessage(testError)));
      return;
    }
    if (!testResult) {
      setChildren(testResultBox);
      return;
    }
    const rule = testResult.rule;
    const fact = (key, value) => [h("dt", {}, t(key)), h("dd", {}, value || EMPTY)];
    setChildren(testResultBox, h("div", { class: "frc-route-answer" },
      h("dl", { class: "facts frc-facts" },
        fact("frc.routing.resultUnit", testResult.unit ? names.unitName(testResult.unit) : t("frc.routing.outside")),
        fact("frc.routing.resultAgency", testResult.agency ? h("strong", { id: "frc-route-agency" }, names.agencyName(testResult.agency)) : null),
        fact("frc.routing.resultRule", rule
          ? h("span", {}, ruleCategory(rule), " · ", ruleUnit(rule), rule.id != null ? h("span", { class: "frc-cell-sub" }, t("frc.routing.ruleHighlighted")) : null)
          : t("frc.routing.defaultRule")))));
  }

  // A small map to pick the point (click) and see the commune it falls in.
  let map = null;
  let communes = null;
  let marker = null;
  let hit = null;

  function setupMap() {
    if (typeof window.L === "undefined") {
      testMapEl.hidden = true;
      return;
    }
    const tileURL = typeof settings?.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
    const center = settings?.map?.center || [14.06, 108.28];
    map = L.map(testMapEl, { zoomSnap: 0.25, attributionControl: Boolean(tileURL), scrollWheelZoom: false }).setView(center, settings?.map?.zoom ?? 8);
    if (tileURL) L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
    map.on("click", (event) => {
      testLat.value = event.latlng.lat.toFixed(5);
      testLon.value = event.latlng.lng.toFixed(5);
      placePoint(event.latlng.lat, event.latlng.lng, { pan: false });
      if (testCategory.value) runTest();
    });
    if (!settings?.province?.code) return;
    loadBoundaries(settings.province.code).then((collection) => {
      if (removed) return;
      const features = (collection?.features || []).filter((f) => f.properties?.level === "commune");
      communes = L.geoJSON({ type: "FeatureCollection", features }, { style: () => MAP_COMMUNE, interactive: false }).addTo(map);
      const bounds = communes.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
      if (!testLat.value && features.length) {
        const point = features[0].properties.labelPoint;
        if (Array.isArray(point)) {
          testLat.value = String(point[1]);
          testLon.value = String(point[0]);
          placePoint(point[1], point[0], { pan: false });
        }
      }
    }).catch(() => {});
  }

  function placePoint(lat, lon, { pan }) {
    if (!map) return;
    marker?.remove();
    marker = L.circleMarker([lat, lon], MAP_POINT).addTo(map);
    if (pan) map.panTo([lat, lon]);
  }

  function highlightUnit(code) {
    hit?.remove();
    hit = null;
    if (!map || !communes || !code) return;
    const layer = communes.getLayers().find((l) => l.feature?.properties?.code === code);
    if (!layer) return;
    hit = L.geoJSON(layer.feature, { style: () => MAP_HIT, interactive: false }).addTo(map);
    marker?.bringToFront();
  }

  // ---- Start ----

  function renderAll() {
    backLink.href = queueBackHref();
    setChildren(backLink, pathIcon(PATHS.back), h("span", {}, t("frc.case.back")));
    heading.textContent = t("frc.routing.title");
    intro.textContent = t("frc.routing.intro");
    renderTable();
    renderForm();
    renderTestLabels();
    renderTestResult();
  }

  renderAll();
  loadRules();
  setupMap();
  loadLookups(settings).then((loaded) => {
    if (removed) return;
    lookups = loaded;
    names = namer(loaded);
    if (isAdmin) {
      rulePicker = agencyPicker("frc-rule-agency", loaded, { labelKey: "frc.field.agency" });
      setChildren(pickerSlot, rulePicker.element);
    }
    renderAll();
  });

  return {
    unmount() {
      removed = true;
      map?.remove();
    },
    languageChanged: renderAll,
  };
}
