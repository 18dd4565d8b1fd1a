// Warnings and broadcast (Cảnh báo, truyền thanh), staff console: pieces shared by the tabs — API paths, roles, status
// and level chips, Vietnam-time inputs, the reason dialog, inline problem display, the commune picker and the Leaflet
// map of warned communes. Texts from the `warnings` dictionaries (`warn.*`); server texts through `localized()`.
import { errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, formatNumber, localized, t, tOr } from "../i18n.js";
import { matches } from "../public-table.js";
import { unitDisplayName } from "../units.js";

export const ROUTE = "warnings";
export const WARNINGS = "/api/v1/warnings";
export const RULES = "/api/v1/alert-rules";
export const CAP_INBOUND = "/api/v1/cap/alerts";
export const SPEAKERS = "/api/v1/loudspeakers";
export const TABS = ["alerts", "rules", "cap", "speakers"];
export const STATUSES = ["draft", "submitted", "returned", "published", "cancelled", "expired", "superseded"];
export const SEVERITIES = ["info", "warning", "critical"]; // the rules' alarm severities, in rising order
export const AUTHOR_ROLES = new Set(["admin", "operator"]);
export const EMPTY = "—";

/** Risk levels of QĐ 18/2021/QĐ-TTg, Điều 4 khoản 3 (names as the decision words them), until the server's (GET /api/v1/warnings/levels) have come. */
export const FALLBACK_LEVELS = [
  { level: 1, name: { vi: "Rủi ro thấp", en: "Low risk" }, color: "#8EC9F5" },
  { level: 2, name: { vi: "Rủi ro trung bình", en: "Medium risk" }, color: "#FFF59D" },
  { level: 3, name: { vi: "Rủi ro lớn", en: "Large risk" }, color: "#FF9800" },
  { level: 4, name: { vi: "Rủi ro rất lớn", en: "Very large risk" }, color: "#E53935" },
  { level: 5, name: { vi: "Rủi ro ở mức thảm họa", en: "Disaster-level risk" }, color: "#8E24AA" },
];

// ---- Small helpers ----

/** Replaces an element's children, skipping null and false and flattening arrays (like `h`). */
export function setChildren(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
}

export function ensureStylesheet(href) {
  if (!document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) document.head.append(h("link", { rel: "stylesheet", href }));
}

export function loadingLine() {
  return h("p", { class: "muted", role: "status" }, t("app.loading"));
}

export function errorBox(error) {
  return h("div", { class: "alert alert-error", role: "alert" }, errorMessage(error));
}

export function safeColor(value) {
  return /^#[0-9a-f]{3,8}$/i.test(value || "") ? value : null;
}

/** Dark or white text, whichever reads better on `hex`. */
export function textOn(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
  if (!m) return "#fff";
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.33 ? "#17202c" : "#fff";
}

export function timeText(value) {
  return value ? formatDateTime(value) : EMPTY;
}

/** "08/12/2026 14:00 → 09/12/2026 14:00" (or "từ khi phát hành" without an effective time). */
export function periodText(effective, expires) {
  return `${effective ? formatDateTime(effective) : t("warn.fromPublication")} → ${expires ? formatDateTime(expires) : EMPTY}`;
}

/** Searchable text of several values. */
export function matchesAny(values, query) {
  return matches(values.filter(Boolean).join(" "), query);
}

// ---- Chips ----

export function statusChip(status) {
  return h("span", { class: "warn-status", dataset: { status: status || "", testid: "warn-status" } }, tOr(`warn.status.${status}`, status || EMPTY));
}

/**
 * A level's name without a leading "Cấp độ 3 – " / "Level 3 – " (the chip and the band say the number already); ""
 * when the name is only that. `level`: QĐ 18/2021's name of the level then ("Rủi ro thiên tai lớn").
 */
export function levelLabel(name, level = null) {
  const text = localized(name).replace(/^(Cấp( độ)?|Level)\s*\d\s*([–:-]\s*|$)/i, "").trim();
  return text || (level ? localized(FALLBACK_LEVELS.find((l) => l.level === level)?.name) : "");
}

/** A user reference as the server writes it ("user:dieuhanh") without its prefix. */
export function actorName(value) {
  return String(value || "").replace(/^user:/, "");
}

/** The level's colour chip ("Cấp 3 · Rủi ro lớn"), with the colour the server sent or the level's. */
export function levelChip(level, { color = null, name = null, short = false, levels = FALLBACK_LEVELS } = {}) {
  const known = levels.find((l) => l.level === level);
  const background = safeColor(color) || safeColor(known?.color) || "#8a94a3";
  const label = levelLabel(name) || levelLabel(known?.name, level);
  return h("span", {
    class: "warn-level", style: `background:${background};color:${textOn(background)}`, dataset: { level: String(level ?? ""), testid: "warn-level" },
    title: label || null,
  }, t("warn.levelShort", { level: level ?? "?" }), short || !label ? null : h("span", { class: "warn-level-name" }, label));
}

export function severityChip(severity) {
  return h("span", { class: "warn-severity", dataset: { severity: severity || "" } }, tOr(`warn.severity.${severity}`, severity || EMPTY));
}

// ---- Vietnam wall-clock time in <input type="datetime-local"> ----

const VN_OFFSET_MS = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh has no daylight saving time

/** "2026-11-25T17:00" in Vietnam time for an instant (or "" for none). */
export function toLocalInput(date) {
  if (!date) return "";
  const ms = new Date(date).getTime();
  return Number.isNaN(ms) ? "" : new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 16);
}

/** The instant (ISO 8601 UTC) of a datetime-local value read as Vietnam time; null when empty or invalid. */
export function fromLocalInput(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value || "")) return null;
  const date = new Date(`${value.slice(0, 16)}:00+07:00`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.000Z$/, "Z");
}

// ---- Problems shown under their field ----

/**
 * Field errors of a form: `show(error, map)` puts the server's message under the control its `field` names (`map`:
 * server field → key of `controls`; nested fields such as `condition.value` are tried whole, then by their last and
 * first part), else on top. `clear()` removes them.
 */
export function fieldErrors(topEl, controls) {
  const shown = [];
  function clear() {
    topEl.hidden = true;
    for (const [input, note] of shown.splice(0)) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      note.remove();
    }
  }
  function show(error, map = {}) {
    clear();
    const message = errorMessage(error);
    const raw = String(error?.field || "");
    const parts = raw.split(/[.[\]]+/).filter(Boolean);
    const candidates = [raw, parts[parts.length - 1], parts[0]].filter(Boolean);
    const key = candidates.map((c) => map[c] || c).find((c) => controls[c]);
    const input = key ? controls[key] : null;
    if (!input) {
      topEl.textContent = message;
      topEl.hidden = false;
      topEl.scrollIntoView({ block: "nearest" });
      return;
    }
    const note = h("p", { class: "warn-field-error", id: `${input.id || key}-error`, "data-testid": "warn-field-error", dataset: { field: key } }, message);
    (input.closest(".field, fieldset, .warn-field") || input.parentElement).append(note);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    shown.push([input, note]);
    input.scrollIntoView({ block: "center" });
    input.focus({ preventScroll: true });
  }
  return { show, clear };
}

// ---- A dialog asking for a reason (return, cancel) or a confirmation ----

/**
 * Resolves to the reason typed (or true without `reasonLabel`) when confirmed, null when cancelled. `submit(reason)`
 * is awaited before closing; its error is shown in the dialog. Test hooks: warn-dialog, warn-dialog-reason,
 * warn-dialog-ok, warn-dialog-cancel, warn-dialog-error.
 */
export function askDialog({ title, text = "", reasonLabel = null, ok, danger = false, submit }) {
  document.getElementById("warn-dialog")?.remove();
  return new Promise((resolve) => {
    const reason = reasonLabel ? h("textarea", { id: "warn-dialog-reason", rows: 4, "data-testid": "warn-dialog-reason", maxlength: 1000 }) : null;
    const error = h("div", { class: "alert alert-error", role: "alert", hidden: true, "data-testid": "warn-dialog-error" });
    const okButton = h("button", { type: "submit", class: `btn ${danger ? "warn-btn-danger" : "btn-primary"}`, "data-testid": "warn-dialog-ok" }, ok);
    let result = null;
    const form = h("form", { method: "dialog", class: "warn-dialog-form" },
      h("h2", { class: "warn-dialog-title", id: "warn-dialog-title" }, title),
      text ? h("p", { class: "warn-dialog-text" }, text) : null,
      reason ? h("div", { class: "field warn-field" }, h("label", { for: "warn-dialog-reason" }, reasonLabel), reason) : null,
      error,
      h("div", { class: "form-actions warn-dialog-actions" },
        h("button", { type: "button", class: "btn btn-secondary", "data-testid": "warn-dialog-cancel", onclick: () => dialog.close() }, t("form.cancel")),
        okButton));
    const dialog = h("dialog", { id: "warn-dialog", class: "warn-dialog", "aria-labelledby": "warn-dialog-title", "data-testid": "warn-dialog" }, form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = reason ? reason.value.trim() : true;
      if (reason && !value) {
        error.textContent = t("warn.reasonRequired");
        error.hidden = false;
        reason.focus();
        return;
      }
      okButton.disabled = true;
      try {
        await submit?.(value);
        result = value;
        dialog.close();
      } catch (failure) {
        error.textContent = errorMessage(failure);
        error.hidden = false;
      } finally {
        okButton.disabled = false;
      }
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    (reason || okButton).focus();
  });
}

// ---- The commune picker (searchable multi-select) ----

/**
 * A searchable list of the province's communes with check boxes and the chosen ones as removable chips.
 * `units`: [{code, name, fullName, …}] (GET /api/v1/units?province=…&level=commune). `onChange(codes)`.
 * Returns `{ element, input (the search box, for errors), get(), set(codes), toggle(code), relabel() }`.
 * Test hooks: warn-areas, warn-areas-search, warn-area-option (data-code), warn-area-chip (data-code), warn-areas-all,
 * warn-areas-none.
 */
export function communePicker({ units, selected = [], onChange, id = "warn-areas" }) {
  const chosen = new Set(selected);
  let query = "";
  const search = h("input", { type: "search", id: `${id}-search`, class: "warn-areas-search", autocomplete: "off", "data-testid": "warn-areas-search" });
  const chips = h("ul", { class: "warn-area-chips", "aria-live": "polite" });
  const list = h("ul", { class: "warn-area-list", role: "group" });
  const count = h("span", { class: "warn-areas-count" });
  const allButton = h("button", { type: "button", class: "btn btn-ghost warn-small", "data-testid": "warn-areas-all", onclick: () => {
    for (const u of visible()) chosen.add(u.code);
    changed();
  } });
  const noneButton = h("button", { type: "button", class: "btn btn-ghost warn-small", "data-testid": "warn-areas-none", onclick: () => {
    chosen.clear();
    changed();
  } });
  search.addEventListener("input", () => {
    query = search.value;
    renderList();
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = visible()[0];
      if (first) toggle(first.code);
    }
  });
  const element = h("div", { class: "warn-areas", "data-testid": "warn-areas", id },
    chips, h("div", { class: "warn-areas-tools" }, search, count, allButton, noneButton), list);

  const name = (u) => unitDisplayName(u);
  const visible = () => units.filter((u) => matchesAny([u.name, u.fullName, u.nameEn, u.fullNameEn, u.code], query));

  function renderChips() {
    const list = units.filter((u) => chosen.has(u.code));
    // Codes the list does not know (a commune since merged) still show.
    const unknown = [...chosen].filter((code) => !units.some((u) => u.code === code));
    setChildren(chips, [...list.map((u) => [u.code, name(u)]), ...unknown.map((code) => [code, code])].map(([code, label]) => h("li", {
      class: "warn-area-chip", "data-testid": "warn-area-chip", dataset: { code },
    }, h("span", {}, label), h("button", {
      type: "button", class: "warn-chip-remove", "aria-label": t("warn.areas.remove", { name: label }), title: t("warn.areas.remove", { name: label }),
      onclick: () => toggle(code),
    }, "×"))));
    if (!chosen.size) chips.append(h("li", { class: "muted warn-areas-empty" }, t("warn.areas.none")));
  }

  function renderList() {
    const shown = visible();
    setChildren(list, shown.map((u) => h("li", {},
      h("label", { class: "warn-area-option", "data-testid": "warn-area-option", dataset: { code: u.code } },
        h("input", { type: "checkbox", checked: chosen.has(u.code), onchange: () => toggle(u.code) }),
        h("span", {}, name(u)))), shown.length ? null : h("li", { class: "muted" }, t("warn.areas.noMatch"))));
    count.textContent = t("warn.areas.count", { chosen: formatNumber(chosen.size), total: formatNumber(units.length) });
  }

  function changed() {
    renderChips();
    renderList();
    onChange?.([...chosen]);
  }

  function toggle(code) {
    if (chosen.has(code)) chosen.delete(code);
    else chosen.add(code);
    changed();
  }

  function relabel() {
    search.placeholder = t("warn.areas.search");
    search.setAttribute("aria-label", t("warn.areas.search"));
    list.setAttribute("aria-label", t("warn.areas.label"));
    allButton.textContent = t("warn.areas.all");
    noneButton.textContent = t("warn.areas.clear");
    renderChips();
    renderList();
  }

  relabel();
  return {
    element, input: search, toggle, relabel,
    get: () => [...chosen],
    set(codes) {
      chosen.clear();
      for (const code of codes) chosen.add(code);
      changed();
    },
  };
}

// ---- Maps of communes ----

/** A Leaflet map in `el` with the province's communes (from `boundaries`), or null without Leaflet. */
export function communeMap(el, { settings, boundaries, onCommuneClick = null }) {
  if (typeof window.L === "undefined") return null;
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: false }).setView(settings?.map?.center || [12.93, 108.47], settings?.map?.zoom ?? 8);
  const tileURL = typeof settings?.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
  if (tileURL) L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
  const layers = new Map(); // commune code → layer
  let outline = null;
  const features = Array.isArray(boundaries?.features) ? boundaries.features : [];
  const communes = L.geoJSON({ type: "FeatureCollection", features: features.filter((f) => f.properties?.level === "commune") }, {
    style: () => ({ color: "#7b8ba3", weight: 0.8, opacity: 0.7, fillColor: "#dfe7f1", fillOpacity: 0.3 }),
    onEachFeature: (feature, layer) => {
      layers.set(feature.properties.code, layer);
      layer.bindTooltip(() => unitDisplayName(feature.properties), { sticky: true, className: "unit-tooltip" });
      if (onCommuneClick) layer.on("click", () => onCommuneClick(feature.properties.code));
    },
  }).addTo(map);
  const province = features.filter((f) => f.properties?.level === "province");
  if (province.length) {
    outline = L.geoJSON({ type: "FeatureCollection", features: province }, { style: () => ({ color: "#0b2545", weight: 2.5, fill: false }), interactive: false }).addTo(map);
  }
  const extra = L.layerGroup().addTo(map);
  const observer = new ResizeObserver(() => map.invalidateSize({ pan: false }));
  observer.observe(el);

  /** Fills `codes` with `color` (a Map code → colour, or one colour for all) and the rest plain. */
  function paint(colors, { fillOpacity = 0.55 } = {}) {
    for (const [code, layer] of layers) {
      const color = colors instanceof Map ? colors.get(code) : null;
      if (color) layer.setStyle({ color: "#0b2545", weight: 1.6, opacity: 0.9, fillColor: color, fillOpacity });
      else layer.setStyle({ color: "#7b8ba3", weight: 0.8, opacity: 0.7, fillColor: "#dfe7f1", fillOpacity: 0.3 });
    }
  }

  /** Fits the given communes (or the province when none). */
  function fit(codes = []) {
    let bounds = null;
    for (const code of codes) {
      const layer = layers.get(code);
      if (!layer) continue;
      bounds = bounds ? bounds.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds().getSouthWest(), layer.getBounds().getNorthEast());
    }
    for (const layer of extra.getLayers()) {
      if (layer.getBounds) bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
    }
    if (!bounds) bounds = (outline || communes).getBounds();
    if (bounds?.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 11, animate: false });
  }

  return {
    map, extra, paint, fit, layers,
    remove() {
      observer.disconnect();
      map.remove();
    },
  };
}

/**
 * Keeps a public page's map fitted to `bounds()` while its box changes size (the page's layout settling, a phone
 * turned), until the person moves the map themselves.
 */
export function keepFitted(map, el, bounds) {
  let auto = true;
  const stop = () => {
    auto = false;
  };
  for (const name of ["mousedown", "touchstart", "wheel", "keydown"]) el.addEventListener(name, stop, { passive: true });
  const refit = () => {
    map.invalidateSize({ pan: false });
    const target = auto ? bounds() : null;
    if (target?.isValid()) map.fitBounds(target, { padding: [10, 10], animate: false });
  };
  new ResizeObserver(refit).observe(el);
  refit.stop = stop; // the page moved the map on purpose
  return refit;
}

/** Brings the current page's link into view in a public page's navigation (it scrolls sideways on phones). */
export function showCurrentNavLink() {
  const link = document.querySelector(".fr-nav [aria-current='page']");
  const nav = link?.parentElement;
  if (nav && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = link.offsetLeft - (nav.clientWidth - link.offsetWidth) / 2;
}

/** A polygon's points without the closing one (the API's rings end where they start). */
export function openRing(points) {
  const list = Array.isArray(points) ? points.filter((p) => Array.isArray(p) && p.length >= 2) : [];
  const [a, b] = [list[0], list[list.length - 1]];
  return list.length > 1 && a[0] === b[0] && a[1] === b[1] ? list.slice(0, -1) : list;
}

/** The warning's own shapes (polygon [[lat, lon]…], circle {lat, lon, radiusKm}) on `layer`, in `color`. */
export function drawShapes(layer, { polygon, circle }, color) {
  const style = { color: "#0b2545", weight: 2.5, dashArray: "6 4", fillColor: color, fillOpacity: 0.25 };
  if (Array.isArray(polygon) && polygon.length >= 3) L.polygon(polygon, style).addTo(layer);
  if (circle && typeof circle.lat === "number" && typeof circle.lon === "number" && circle.radiusKm > 0) {
    L.circle([circle.lat, circle.lon], { ...style, radius: circle.radiusKm * 1000 }).addTo(layer);
  }
}
