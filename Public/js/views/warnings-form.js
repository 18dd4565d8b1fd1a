// The draft form of #/warnings/alerts: write a warning (POST /api/v1/warnings) or change a draft or a returned one
// (PUT /api/v1/warnings/{id}) — the hazard, the risk level 1–5 in its colour, the communes (a searchable multi-select
// and a map where a click adds or removes a commune), an optional polygon or circle drawn on the map, the headline,
// description and instruction in Vietnamese and English, and when it takes effect and expires (Vietnam time).
// "Lưu và gửi duyệt" saves then submits (POST …/submit). The server's problem is shown under the field it names.
// Test hooks (data-testid): warn-form, warn-form-hazard, warn-form-level-<n>, warn-areas…, warn-form-map,
// warn-form-mode-<communes|polygon|circle>, warn-form-headline, warn-form-headlineEn, warn-form-description,
// warn-form-descriptionEn, warn-form-instruction, warn-form-instructionEn, warn-form-effective, warn-form-expires,
// warn-form-circle-lat/-lon/-radius, warn-form-polygon-undo, warn-form-polygon-clear, warn-form-save,
// warn-form-save-submit, warn-form-cancel, warn-form-error, warn-field-error.
import { api } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import {
  WARNINGS, communeMap, communePicker, drawShapes, errorBox, fieldErrors, fromLocalInput, levelLabel, loadingLine, openRing, safeColor, setChildren,
  textOn, toLocalInput,
} from "./warnings-common.js";

const MODES = ["communes", "polygon", "circle"];
const HOUR = 3600 * 1000;

export function warningForm({ w, warning, onSaved, onCancel }) {
  const editing = Boolean(warning?.id);
  let draftId = warning?.id || null; // a new draft saved but not submitted is changed, not written again
  const labels = []; // [element, key]
  const controls = {};
  let destroyed = false;
  let map = null;
  let mode = "communes";
  let polygon = openRing(warning?.polygon).map((p) => [p[0], p[1]]);
  let level = warning?.level || 0;

  const label = (key, forId) => {
    const el = h("label", { for: forId });
    labels.push([el, key]);
    return el;
  };
  const field = (name, key, control, extra = null) => {
    control.id = `warn-form-${name}`;
    control.dataset.testid = `warn-form-${name}`;
    controls[name] = control;
    return h("div", { class: "field warn-field", dataset: { field: name } }, label(key, control.id), control, extra);
  };

  // ---- Controls ----

  const hazard = h("select", {}, h("option", { value: "" }));
  const levelGroup = h("div", { class: "warn-level-pick", role: "radiogroup" });
  const levelLegend = h("legend", {});
  const levelSet = h("fieldset", { class: "warn-field warn-levels", id: "warn-form-level" }, levelLegend, levelGroup);
  controls.level = levelSet;

  const text = (name, value, max) => h("input", { type: "text", value: value || "", maxlength: max, autocomplete: "off" });
  const area = (value, rows = 4) => {
    const el = h("textarea", { rows });
    el.value = value || "";
    return el;
  };
  const pair = (titleKey, vi, en) => {
    const title = h("h3", { class: "warn-form-subtitle" });
    labels.push([title, titleKey]);
    return h("div", { class: "warn-form-pair" }, title, h("div", { class: "warn-form-two" }, vi, en));
  };

  const headline = field("headline", "warn.form.vi", text("headline", warning?.headline?.vi, 200));
  const headlineEn = field("headlineEn", "warn.form.en", text("headlineEn", warning?.headline?.en, 200));
  const description = field("description", "warn.form.vi", area(warning?.description?.vi, 5));
  const descriptionEn = field("descriptionEn", "warn.form.en", area(warning?.description?.en, 5));
  const instruction = field("instruction", "warn.form.vi", area(warning?.instruction?.vi, 4));
  const instructionEn = field("instructionEn", "warn.form.en", area(warning?.instruction?.en, 4));

  const defaultExpires = new Date(Math.ceil((Date.now() + 24 * HOUR) / HOUR) * HOUR);
  const effective = field("effective", "warn.form.effective", h("input", { type: "datetime-local", step: 60, value: toLocalInput(warning?.effective) }),
    h("p", { class: "field-hint", dataset: { hint: "effective" } }));
  const expires = field("expires", "warn.form.expires", h("input", { type: "datetime-local", step: 60, value: toLocalInput(warning?.expires || defaultExpires) }));
  const effectiveHint = effective.querySelector("[data-hint]");

  const circleLat = h("input", { type: "text", inputmode: "decimal", value: warning?.circle?.lat ?? "" });
  const circleLon = h("input", { type: "text", inputmode: "decimal", value: warning?.circle?.lon ?? "" });
  const circleRadius = h("input", { type: "text", inputmode: "decimal", value: warning?.circle?.radiusKm ?? "" });
  const circleFields = h("div", { class: "warn-circle-fields" },
    field("circle-lat", "warn.form.circleLat", circleLat), field("circle-lon", "warn.form.circleLon", circleLon),
    field("circle-radius", "warn.form.circleRadius", circleRadius));
  for (const input of [circleLat, circleLon, circleRadius]) input.addEventListener("input", drawExtra);

  const modeButtons = new Map(MODES.map((m) => [m, h("button", {
    type: "button", class: "warn-filter", "aria-pressed": String(m === mode), "data-testid": `warn-form-mode-${m}`,
    onclick: () => setMode(m),
  })]));
  const polygonUndo = h("button", { type: "button", class: "btn btn-ghost warn-small", "data-testid": "warn-form-polygon-undo", onclick: () => {
    polygon.pop();
    drawExtra();
  } });
  const polygonClear = h("button", { type: "button", class: "btn btn-ghost warn-small", "data-testid": "warn-form-polygon-clear", onclick: () => {
    polygon = [];
    drawExtra();
  } });
  const modeHint = h("p", { class: "field-hint warn-mode-hint" });
  const polygonTools = h("div", { class: "warn-polygon-tools" }, polygonUndo, polygonClear);
  const mapEl = h("div", { class: "warn-map warn-form-map", "data-testid": "warn-form-map", id: "warn-form-polygon" });
  controls.polygon = mapEl;
  controls.circle = circleLat;
  const pickerSlot = h("div", { class: "warn-picker-slot" }, loadingLine());
  let picker = null;

  const topError = h("div", { class: "alert alert-error", role: "alert", hidden: true, "data-testid": "warn-form-error" });
  const errors = fieldErrors(topError, controls);
  const title = h("h2", { class: "card-title" });
  const saveButton = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "warn-form-save" });
  const saveSubmitButton = h("button", { type: "button", class: "btn btn-secondary", "data-testid": "warn-form-save-submit", onclick: () => save(true) });
  const cancelButton = h("button", { type: "button", class: "btn btn-ghost", "data-testid": "warn-form-cancel", onclick: () => onCancel?.() });
  const areasTitle = h("h3", { class: "warn-form-subtitle" });
  labels.push([areasTitle, "warn.form.areas"]);
  const timesTitle = h("h3", { class: "warn-form-subtitle" });
  labels.push([timesTitle, "warn.form.times"]);

  const element = h("form", { class: "card form-card warn-form", "data-testid": "warn-form", novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    save(false);
  } },
  title, topError,
  h("div", { class: "warn-form-row" }, field("hazard", "warn.form.hazard", hazard), levelSet),
  h("section", { class: "warn-form-areas" }, areasTitle,
    h("div", { class: "warn-form-areas-grid" },
      h("div", { class: "warn-field", id: "warn-form-areas" }, pickerSlot),
      h("div", { class: "warn-form-mapbox" },
        h("div", { class: "warn-modes", role: "group" }, [...modeButtons.values()]),
        modeHint, mapEl, polygonTools, circleFields))),
  pair("warn.field.headline", headline, headlineEn),
  pair("warn.field.description", description, descriptionEn),
  pair("warn.field.instruction", instruction, instructionEn),
  h("section", {}, timesTitle, h("div", { class: "warn-form-two" }, effective, expires)),
  h("div", { class: "form-actions warn-form-actions" }, saveButton, saveSubmitButton, cancelButton));

  // ---- Levels and hazards ----

  function renderLevels() {
    setChildren(levelGroup, w.lookups.levels.map((l) => {
      const color = safeColor(l.color) || "#8a94a3";
      const input = h("input", { type: "radio", name: "warn-form-level", value: String(l.level), checked: l.level === level, "data-testid": `warn-form-level-${l.level}` });
      input.addEventListener("change", () => {
        level = l.level;
        paintAreas();
        drawExtra();
      });
      return h("label", { class: "warn-level-option", style: `--level-color:${color};--level-text:${textOn(color)}` }, input,
        h("span", { class: "warn-level-number" }, String(l.level)), h("span", { class: "warn-level-label" }, levelLabel(l.name, l.level)));
    }));
  }

  function renderHazards() {
    const current = hazard.value || warning?.hazard || "";
    setChildren(hazard, h("option", { value: "" }, t("warn.form.hazardChoose")),
      w.lookups.hazards.map((hz) => h("option", { value: hz.code }, localized(hz.name) || hz.code)),
      current && !w.lookups.hazards.some((hz) => hz.code === current) ? h("option", { value: current }, localized(warning?.hazardName) || current) : null);
    hazard.value = current;
  }

  // ---- Map ----

  const levelColor = () => safeColor(w.lookups.levels.find((l) => l.level === level)?.color) || "#1d5fbf";

  function paintAreas() {
    if (!map || !picker) return;
    map.paint(new Map(picker.get().map((code) => [code, levelColor()])));
  }

  function circleValue() {
    const num = (input) => {
      const v = input.value.trim().replace(",", ".");
      return v === "" ? null : Number(v);
    };
    const c = { lat: num(circleLat), lon: num(circleLon), radiusKm: num(circleRadius) };
    if (c.lat == null && c.lon == null && c.radiusKm == null) return null;
    return c;
  }

  function drawExtra() {
    if (!map) return;
    map.extra.clearLayers();
    const circle = circleValue();
    drawShapes(map.extra, { polygon, circle: circle && Number.isFinite(circle.lat) && Number.isFinite(circle.lon) && circle.radiusKm > 0 ? circle : null }, levelColor());
    if (polygon.length && polygon.length < 3) L.polyline(polygon, { color: "#0b2545", weight: 2, dashArray: "4 4" }).addTo(map.extra);
    for (const p of polygon) L.circleMarker(p, { radius: 4, color: "#0b2545", weight: 2, fillColor: "#fff", fillOpacity: 1, interactive: false }).addTo(map.extra);
    polygonUndo.disabled = !polygon.length;
    polygonClear.disabled = !polygon.length;
    mapEl.dataset.vertices = String(polygon.length);
  }

  function setMode(next) {
    mode = next;
    for (const [m, button] of modeButtons) button.setAttribute("aria-pressed", String(m === mode));
    mapEl.classList.toggle("is-drawing", mode !== "communes");
    polygonTools.hidden = mode !== "polygon" && !polygon.length;
    circleFields.hidden = mode !== "circle" && !circleValue();
    relabelMode();
  }

  function relabelMode() {
    for (const [m, button] of modeButtons) button.textContent = t(`warn.form.mode.${m}`);
    modeHint.textContent = t(`warn.form.modeHint.${mode}`);
    polygonUndo.textContent = t("warn.form.polygonUndo");
    polygonClear.textContent = t("warn.form.polygonClear", { count: formatNumber(polygon.length) });
  }

  Promise.all([w.need("units"), w.need("levels").catch(() => {}), w.need("hazards").catch(() => {})]).then(() => {
    if (destroyed) return;
    renderLevels();
    renderHazards();
    picker = communePicker({
      units: w.lookups.units,
      selected: (warning?.areas || []).map((a) => a.code),
      onChange: () => {
        paintAreas();
        errors.clear();
      },
    });
    controls.areas = picker.input;
    pickerSlot.replaceChildren(picker.element);
    return w.need("boundaries").then(() => {
      if (destroyed) return;
      map = communeMap(mapEl, {
        settings: w.settings, boundaries: w.lookups.boundaries,
        onCommuneClick: (code) => mode === "communes" && picker.toggle(code),
      });
      if (!map) return;
      map.map.on("click", (event) => {
        const point = [Math.round(event.latlng.lat * 1e5) / 1e5, Math.round(event.latlng.lng * 1e5) / 1e5];
        if (mode === "polygon") {
          polygon.push(point);
          drawExtra();
          relabelMode();
        } else if (mode === "circle") {
          circleLat.value = String(point[0]);
          circleLon.value = String(point[1]);
          if (!circleRadius.value) circleRadius.value = "5";
          drawExtra();
        }
      });
      paintAreas();
      drawExtra();
      map.fit(picker.get());
      mapEl.dataset.ready = "1";
    });
  }).catch((error) => pickerSlot.replaceChildren(errorBox(error)));

  // ---- Texts ----

  function relabel() {
    title.textContent = editing
      ? t(warning.msgType === "Update" ? "warn.form.updateTitle" : "warn.form.editTitle", { headline: localized(warning.headline) || warning.identifier || "" })
      : t("warn.form.newTitle");
    for (const [el, key] of labels) el.textContent = t(key);
    levelLegend.textContent = t("warn.form.level");
    levelGroup.setAttribute("aria-label", t("warn.form.level"));
    effectiveHint.textContent = t("warn.form.effectiveHint");
    saveButton.textContent = t("warn.form.save");
    saveSubmitButton.textContent = t("warn.form.saveSubmit");
    cancelButton.textContent = t("form.cancel");
    if (hazard.options[0]) hazard.options[0].textContent = t("warn.form.hazardChoose");
    controls.headline.placeholder = t("warn.form.headlinePlaceholder");
    controls.instruction.placeholder = t("warn.form.instructionPlaceholder");
    relabelMode();
    if (w.lookups.levels.length && levelGroup.childElementCount) renderLevels();
    picker?.relabel();
  }

  // ---- Saving ----

  function body() {
    const out = {
      hazard: hazard.value, level: level || null, areas: picker ? picker.get() : (warning?.areas || []).map((a) => a.code),
      headline: controls.headline.value.trim(), headlineEn: controls.headlineEn.value.trim(),
      description: controls.description.value.trim(), descriptionEn: controls.descriptionEn.value.trim(),
      instruction: controls.instruction.value.trim(), instructionEn: controls.instructionEn.value.trim(),
      expires: fromLocalInput(controls.expires.value),
    };
    const starts = fromLocalInput(controls.effective.value);
    if (starts) out.effective = starts;
    // A closed ring (the last point repeats the first), as the API wants; fewer than three points is no area.
    if (polygon.length >= 3) out.polygon = [...polygon, polygon[0]];
    const circle = circleValue();
    if (circle) out.circle = circle;
    return out;
  }

  async function save(andSubmit) {
    errors.clear();
    saveButton.disabled = true;
    saveSubmitButton.disabled = true;
    let saved = null;
    try {
      saved = draftId ? await api.put(`${WARNINGS}/${encodeURIComponent(draftId)}`, body()) : await api.post(WARNINGS, body());
      if (saved?.id) draftId = saved.id;
      if (andSubmit && saved?.id) saved = (await api.post(`${WARNINGS}/${encodeURIComponent(saved.id)}/submit`)) || saved;
      await onSaved?.(saved);
    } catch (error) {
      errors.show(error, {
        level: "level", areas: "areas", polygon: "polygon", circle: "circle", radiusKm: "circle-radius", lat: "circle-lat", lon: "circle-lon",
      });
    } finally {
      saveButton.disabled = false;
      saveSubmitButton.disabled = false;
    }
  }

  relabel();
  setMode("communes");

  return {
    element,
    relabel,
    focus: () => hazard.focus(),
    destroy() {
      destroyed = true;
      map?.remove();
    },
  };
}
