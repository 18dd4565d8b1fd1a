// The open alarms on the wall map: one marker per open alarm that has a point (camera, sensor and SOC sources send
// one), a diamond coloured by severity, above the reports canvas. Active (not yet acknowledged) alarms pulse; an
// acknowledged one is hollow and still. Live from the page's alarm store: raised → appears, acknowledged → stops
// pulsing, cleared → goes. At most ALARM_MAX markers (the store's own bound), one DOM node each, nothing else kept.
// Alarms that overlap at the current zoom stack: the most urgent on top, carrying the size of the stack.
// Hover: a tooltip (code, title, severity, state). The interactive overview: a click opens the alarm's detail
// (#alarm/<code>); kiosks: no link.
// Test hooks: `.wall-alarm-marker[data-alarm-code][data-severity][data-state][data-stack]`.
import { h } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import { SEVERITIES, severityBadge, severityOf, stateBadge, stateOf } from "../alarms-ui.js";
import { ALARM_MAX } from "./alarms.js";

const PANE = "wallAlarms";
const PANE_Z = "480"; // above the province outline (450) and the reports canvas (460); tooltips (650) above all
const RANK_STEP = 100_000; // z-index per urgency rank, more than any map's height in pixels
const STACK_SHARE = 0.7; // two markers closer than this share of a marker's size (both ways) stack

function remScale() {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return px / 16;
}

function located(alarm) {
  return Number.isFinite(alarm?.lat) && Number.isFinite(alarm?.lon) && Math.abs(alarm.lat) <= 90 && Math.abs(alarm.lon) <= 180;
}

/** Active above acknowledged; within each, the more severe above: 1 (acknowledged minor) … 6 (active critical). */
function rankOf(alarm) {
  return (stateOf(alarm) === "active" ? SEVERITIES.length : 0) + SEVERITIES.length - SEVERITIES.indexOf(severityOf(alarm));
}

/** The legend's rows for the alarm markers (a title and a list), in the current language. */
export function alarmLegendRows() {
  const mark = (severity, state = "") => h("span", { class: "wall-legend-alarm", dataset: { severity, state }, "aria-hidden": "true" });
  return [
    h("h3", { class: "wall-legend-title" }, t("wall.map.alarms")),
    h("ul", { class: "wall-legend-marks wall-legend-alarms" },
      h("li", { class: "wall-legend-pair" }, SEVERITIES.map((severity) => h("span", {},
        mark(severity), h("span", {}, t(`alarms.severity.${severity}`))))),
      h("li", { class: "wall-legend-pair" },
        h("span", {}, mark("critical", "active"), h("span", {}, t("wall.map.alarmActive"))),
        h("span", {}, mark("critical", "acknowledged"), h("span", {}, t("wall.map.alarmAcknowledged"))))),
  ];
}

/**
 * createAlarmLayer(map, store, { interactive, onChange(count) }) → { languageChanged(), destroy() }
 * `store`: the page's alarm store (createAlarmStore: `items`, `on(listener)`).
 */
export function createAlarmLayer(map, store, { interactive = false, onChange } = {}) {
  map.createPane(PANE).style.zIndex = PANE_Z;
  const group = L.layerGroup().addTo(map);
  const entries = new Map(); // code → { alarm, marker, el, badge, rank, stack, px, py }
  let destroyed = false;

  function tooltipContent(entry) {
    const { alarm } = entry;
    const others = entry.stack > 1 ? entry.stack - 1 : 0;
    return h("div", { class: "wall-alarm-tip" },
      h("span", { class: "wall-alarm-tip-head" }, h("span", { class: "wall-alarm-code" }, alarm.code), severityBadge(alarm), stateBadge(alarm)),
      h("strong", { class: "wall-alarm-tip-title" }, localized(alarm.title) || alarm.kind || ""),
      alarm.place ? h("span", { class: "wall-alarm-tip-place" }, alarm.place) : null,
      others ? h("span", { class: "wall-alarm-tip-more" }, t(others === 1 ? "wall.map.alarmsHereOne" : "wall.map.alarmsHere", { count: formatNumber(others) })) : null,
      interactive ? h("span", { class: "wall-alarm-tip-hint" }, t("wall.map.alarmOpen")) : null);
  }

  /** Writes only what changed (a store poll every minute repaints every marker, mostly to the same values). */
  function paint(entry) {
    const { el, alarm, badge } = entry;
    if (!el) return;
    const set = (name, value) => {
      if (el.dataset[name] !== value) el.dataset[name] = value;
    };
    set("severity", severityOf(alarm));
    set("state", stateOf(alarm));
    set("stack", String(entry.stack));
    const count = entry.stack > 1 ? formatNumber(entry.stack) : "";
    if (badge.textContent !== count) badge.textContent = count;
    badge.hidden = !count;
  }

  function add(alarm) {
    const badge = h("span", { class: "wall-alarm-marker-stack", hidden: true });
    const rank = rankOf(alarm);
    const marker = L.marker([alarm.lat, alarm.lon], {
      pane: PANE,
      icon: L.divIcon({
        className: `wall-alarm-marker${interactive ? "" : " is-static"}`,
        iconSize: null, // sized (and centred) by the stylesheet, in rem: the same on a 4K wall
        html: h("span", { class: "wall-alarm-marker-body" }, h("span", { class: "wall-alarm-marker-shape" }), badge),
      }),
      keyboard: false, // the alarm list beside the map is the keyboard's way to the same alarms
      bubblingMouseEvents: false,
      zIndexOffset: rank * RANK_STEP,
    });
    const entry = { alarm, marker, el: null, badge, rank, stack: 1, px: 0, py: 0 };
    marker.bindTooltip(() => tooltipContent(entry), {
      direction: "top", offset: [0, -Math.round(13 * remScale())], className: "wall-unit-tooltip wall-alarm-tooltip",
    });
    if (interactive) {
      marker.on("click", () => {
        location.hash = `#alarm/${encodeURIComponent(entry.alarm.code)}`;
      });
    }
    group.addLayer(marker);
    entry.el = marker.getElement() || null;
    if (entry.el) entry.el.dataset.alarmCode = alarm.code;
    entries.set(alarm.code, entry);
    paint(entry);
  }

  function update(entry, alarm) {
    const moved = entry.alarm.lat !== alarm.lat || entry.alarm.lon !== alarm.lon;
    entry.alarm = alarm;
    if (moved) entry.marker.setLatLng([alarm.lat, alarm.lon]);
    const rank = rankOf(alarm);
    if (rank !== entry.rank) {
      entry.rank = rank;
      entry.marker.setZIndexOffset(rank * RANK_STEP);
    }
  }

  /** The on-screen size of one marker, in pixels (for stacking). */
  function markerSize() {
    for (const entry of entries.values()) {
      if (entry.el?.offsetWidth) return entry.el.offsetWidth;
    }
    return 26 * remScale();
  }

  /** Groups the markers that overlap at the current zoom; the one drawn on top carries the count. */
  function restack() {
    const zoom = map.getZoom();
    const limit = markerSize() * STACK_SHARE;
    const list = [...entries.values()];
    for (const entry of list) {
      const p = map.project(entry.marker.getLatLng(), zoom);
      entry.px = p.x;
      entry.py = p.y;
    }
    // Leaflet's own order: z-index = rank offset + the marker's y on screen.
    list.sort((a, b) => b.rank - a.rank || b.py - a.py);
    const leads = [];
    for (const entry of list) {
      const lead = leads.find((l) => Math.abs(l.px - entry.px) < limit && Math.abs(l.py - entry.py) < limit);
      if (lead) {
        lead.stack += 1;
        entry.stack = 0;
      } else {
        entry.stack = 1;
        leads.push(entry);
      }
    }
    for (const entry of list) {
      paint(entry);
      if (entry.marker.isTooltipOpen()) entry.marker.getTooltip().update();
    }
  }

  /** The markers follow the store: its open alarms with a point, most urgent first, at most ALARM_MAX. */
  function sync() {
    if (destroyed) return;
    const wanted = new Map();
    for (const alarm of store.items) {
      if (wanted.size >= ALARM_MAX) break;
      if (alarm?.code && stateOf(alarm) !== "cleared" && located(alarm)) wanted.set(alarm.code, alarm);
    }
    for (const [code, entry] of entries) {
      if (wanted.has(code)) continue;
      entry.marker.unbindTooltip();
      entry.marker.off();
      group.removeLayer(entry.marker);
      entries.delete(code);
    }
    for (const [code, alarm] of wanted) {
      const entry = entries.get(code);
      if (entry) update(entry, alarm);
      else add(alarm);
    }
    restack();
    onChange?.(entries.size);
  }

  const offStore = store.on(sync);
  map.on("zoomend", restack);
  sync();

  return {
    languageChanged() {
      for (const entry of entries.values()) {
        if (entry.marker.isTooltipOpen()) entry.marker.getTooltip().update();
      }
    },
    destroy() {
      destroyed = true;
      offStore();
      map.off("zoomend", restack);
      for (const entry of entries.values()) {
        entry.marker.unbindTooltip();
        entry.marker.off();
      }
      group.clearLayers();
      group.remove();
      entries.clear();
    },
  };
}
