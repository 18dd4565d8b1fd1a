// The admins' station form of #/environment: add (POST /api/v1/stations) or change (PUT /api/v1/stations/{code}) a
// station. The point can be typed or taken by a click on the page's map. The server's problem (its `field` and
// `messages`) is shown under the field it names, the message also on top of the form.
// Test hooks (data-testid): env-form, env-form-<field> (code, name, kind, lat, lon, interval, river, level1..3, owner,
// active, param-<code>), env-form-save, env-form-cancel, env-form-error, env-form-pick.
import { api, errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, localizedName, t } from "../i18n.js";
import { KINDS, KIND_PARAMS, PARAMS, STATIONS, paramName } from "./environment-common.js";

let agencies = null;
function loadAgencies() {
  agencies ??= api.get("/api/v1/agencies").then((list) => (Array.isArray(list?.items) ? list.items : []).filter((a) => a.active !== false))
    .catch(() => {
      agencies = null;
      return [];
    });
  return agencies;
}

const numberOrUndefined = (text) => {
  const value = String(text ?? "").trim().replace(",", ".");
  if (!value) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : value; // the server names the field when it is not a number
};

/**
 * The form as `{ element, focus(), close(), relabel() }`. `station`: the station to change (null: a new one).
 * `onPick(fill | null)`: the page's map fills lat/lon on a click while `fill` is set. `onSaved(answer)`, `onClose()`.
 */
export function stationForm({ station, onPick, onSaved, onClose }) {
  const editing = Boolean(station);
  const id = (name) => `env-form-${name}`;
  const inputs = {};
  const errors = {};
  const labels = [];
  let paramsTouched = editing;

  function field(name, labelKey, control, { hint = null, wide = false } = {}) {
    control.id = id(name);
    control.dataset.testid = id(name);
    inputs[name] = control;
    const label = h("label", { for: control.id });
    labels.push([label, labelKey]);
    const error = h("p", { class: "env-field-error", id: `${control.id}-error`, hidden: true });
    errors[name] = error;
    const hintEl = hint ? h("p", { class: "field-hint" }) : null;
    if (hint) labels.push([hintEl, hint]);
    return h("div", { class: `field${wide ? " env-field-wide" : ""}`, dataset: { field: name } }, label, control, hintEl, error);
  }

  const text = (value, attrs = {}) => h("input", { type: "text", value: value ?? "", autocomplete: "off", ...attrs });
  const num = (value, attrs = {}) => h("input", { type: "text", inputmode: "decimal", value: value == null ? "" : String(value), autocomplete: "off", ...attrs });

  const kindSelect = h("select", {}, KINDS.map((kind) => h("option", { value: kind, selected: station?.kind === kind })));
  const ownerSelect = h("select", {}, h("option", { value: "" }));
  const paramBoxes = new Map();
  const paramGroup = h("fieldset", { class: "env-params", id: id("parameters") });
  const paramLegend = h("legend", {});
  paramGroup.append(paramLegend);
  for (const code of Object.keys(PARAMS)) {
    const box = h("input", { type: "checkbox", value: code, "data-testid": id(`param-${code}`), onchange: () => {
      paramsTouched = true;
    } });
    paramBoxes.set(code, box);
    paramGroup.append(h("label", { class: "env-check" }, box, h("span", { dataset: { param: code } })));
  }
  const paramError = h("p", { class: "env-field-error", id: "env-form-parameters-error", hidden: true });
  errors.parameters = paramError;

  function setParams(list) {
    for (const [code, box] of paramBoxes) box.checked = list.includes(code);
  }
  setParams(station?.parameters?.length ? station.parameters : KIND_PARAMS[station?.kind || "air"]);

  const levels = station?.alarmLevels || {};
  const activeBox = h("input", { type: "checkbox", checked: station ? station.active !== false : true });
  const activeLabel = h("span", {});
  const waterFields = h("div", { class: "env-form-grid env-water-fields" },
    field("river", "env.form.river", text(station?.river)),
    field("level1", "env.form.level1", num(levels["1"])),
    field("level2", "env.form.level2", num(levels["2"])),
    field("level3", "env.form.level3", num(levels["3"])));
  const pickButton = h("button", { type: "button", class: "btn btn-ghost env-pick", "data-testid": "env-form-pick", "aria-pressed": "false", onclick: togglePick });
  const formError = h("div", { class: "alert alert-error", role: "alert", "data-testid": "env-form-error", hidden: true });
  const title = h("h2", { class: "card-title" });
  const saveButton = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "env-form-save" });
  const cancelButton = h("button", { type: "button", class: "btn btn-secondary", "data-testid": "env-form-cancel", onclick: close });

  const element = h("form", { class: "card form-card env-form", "data-testid": "env-form", novalidate: true, onsubmit: submit },
    title, formError,
    h("div", { class: "env-form-grid" },
      field("code", "env.form.code", text(station?.code, { readonly: editing, maxlength: 64, spellcheck: "false" }), { hint: editing ? null : "env.form.codeHint" }),
      field("name", "env.form.name", text(station?.name, { maxlength: 200 }), { wide: true }),
      field("kind", "env.form.kind", kindSelect),
      field("interval", "env.form.interval", num(station?.intervalSeconds ? station.intervalSeconds / 60 : 60)),
      field("lat", "env.form.lat", num(station?.lat)),
      field("lon", "env.form.lon", num(station?.lon)),
      h("div", { class: "field env-pick-box" }, pickButton),
      field("owner", "env.form.owner", ownerSelect)),
    waterFields,
    paramGroup, paramError,
    editing ? h("label", { class: "env-check env-active" }, activeBox, activeLabel) : null,
    h("div", { class: "form-actions" }, saveButton, cancelButton));
  activeBox.dataset.testid = id("active");

  kindSelect.addEventListener("change", () => {
    if (!paramsTouched) setParams(KIND_PARAMS[kindSelect.value] || []);
    waterFields.hidden = kindSelect.value !== "water";
  });
  waterFields.hidden = (station?.kind || "air") !== "water";

  loadAgencies().then((list) => {
    ownerSelect.replaceChildren(h("option", { value: "" }, t("env.form.ownerNone")),
      ...list.map((a) => h("option", { value: a.code, selected: station?.ownerAgency === a.code }, localizedName(a))));
    if (station?.ownerAgency && !list.some((a) => a.code === station.ownerAgency)) {
      ownerSelect.append(h("option", { value: station.ownerAgency, selected: true }, station.ownerAgency));
    }
  });

  let picking = false;
  function togglePick() {
    picking = !picking;
    pickButton.setAttribute("aria-pressed", String(picking));
    relabel();
    onPick?.(picking ? (lat, lon) => {
      inputs.lat.value = formatNumber(lat, { maximumFractionDigits: 5 }).replace(/\./g, "");
      inputs.lon.value = formatNumber(lon, { maximumFractionDigits: 5 }).replace(/\./g, "");
      clearError("lat");
      clearError("lon");
    } : null);
  }

  function relabel() {
    title.textContent = editing ? t("env.form.editTitle", { name: station.name || station.code }) : t("env.form.addTitle");
    for (const [el, key] of labels) el.textContent = t(key);
    for (const option of kindSelect.options) option.textContent = t(`env.kind.${option.value}`);
    if (ownerSelect.options[0] && !ownerSelect.options[0].value) ownerSelect.options[0].textContent = t("env.form.ownerNone");
    paramLegend.textContent = t("env.form.parameters");
    for (const span of paramGroup.querySelectorAll("span[data-param]")) {
      const unit = PARAMS[span.dataset.param].unit;
      span.textContent = unit ? `${paramName(span.dataset.param)} (${unit})` : paramName(span.dataset.param);
    }
    activeLabel.textContent = t("env.form.active");
    pickButton.textContent = picking ? t("env.form.picking") : t("env.form.pick");
    saveButton.textContent = editing ? t("env.form.saveEdit") : t("env.form.saveAdd");
    cancelButton.textContent = t("form.cancel");
  }

  // ---- Errors ----

  // The server's field names → the form's controls.
  const FIELDS = { intervalSeconds: "interval", ownerAgency: "owner", alarmLevels: "level1", unitCode: "lat" };

  function clearError(name) {
    const el = errors[name];
    if (el) el.hidden = true;
    inputs[name]?.removeAttribute("aria-invalid");
    inputs[name]?.removeAttribute("aria-describedby");
  }

  function showError(error) {
    for (const name of Object.keys(errors)) clearError(name);
    paramGroup.removeAttribute("aria-invalid");
    const message = errorMessage(error);
    formError.textContent = message;
    formError.hidden = true;
    const raw = String(error?.field || "");
    let name = raw.split(/[.[]/)[0];
    const levelKey = /^alarmLevels[.[]"?([123])/.exec(raw);
    name = levelKey ? `level${levelKey[1]}` : FIELDS[name] || name;
    if (name === "parameters") {
      paramError.textContent = message;
      paramError.hidden = false;
      paramGroup.setAttribute("aria-invalid", "true");
      paramGroup.setAttribute("aria-describedby", "env-form-parameters-error");
      paramBoxes.values().next().value?.focus();
      return;
    }
    if (name.startsWith("level") && kindSelect.value === "water") waterFields.hidden = false;
    const input = inputs[name];
    if (!input || !errors[name]) {
      // Not a field of the form: the message on top.
      formError.hidden = false;
      return;
    }
    errors[name].textContent = message;
    errors[name].hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", errors[name].id);
    input.focus();
  }

  for (const name of ["code", "name", "lat", "lon", "interval", "river", "level1", "level2", "level3"]) {
    inputs[name].addEventListener("input", () => clearError(name));
  }

  // ---- Submit ----

  function body() {
    const kind = kindSelect.value;
    const out = {
      code: inputs.code.value.trim(), name: inputs.name.value.trim(), kind,
      lat: numberOrUndefined(inputs.lat.value), lon: numberOrUndefined(inputs.lon.value),
      parameters: [...paramBoxes].filter(([, box]) => box.checked).map(([code]) => code),
    };
    const minutes = numberOrUndefined(inputs.interval.value);
    if (minutes !== undefined) out.intervalSeconds = typeof minutes === "number" ? Math.round(minutes * 60) : minutes;
    if (ownerSelect.value) out.ownerAgency = ownerSelect.value;
    if (kind === "water") {
      const river = inputs.river.value.trim();
      if (river) out.river = river;
      const alarm = {};
      ["1", "2", "3"].forEach((k) => {
        const v = numberOrUndefined(inputs[`level${k}`].value);
        if (v !== undefined) alarm[k] = v;
      });
      if (Object.keys(alarm).length) out.alarmLevels = alarm;
    }
    if (editing) out.active = activeBox.checked;
    return out;
  }

  async function submit(event) {
    event.preventDefault();
    formError.hidden = true;
    saveButton.disabled = true;
    try {
      const answer = editing
        ? await api.put(`${STATIONS}/${encodeURIComponent(station.code)}`, body())
        : await api.post(STATIONS, body());
      close();
      await onSaved?.(answer || body());
    } catch (error) {
      showError(error);
    } finally {
      saveButton.disabled = false;
    }
  }

  function close() {
    if (picking) togglePick();
    element.remove();
    onClose?.();
  }

  relabel();
  return {
    element,
    focus: () => (editing ? inputs.name : inputs.code).focus(),
    close,
    relabel,
  };
}
