// #/warnings/cap — CAP alerts received from outside (GET /api/v1/cap/alerts): the national hydro-meteorological
// service and others, with their event, severity/urgency/certainty, areas and whether they concern the province.
// #/warnings/speakers — the loudspeaker clusters (GET /api/v1/loudspeakers) on a map and in a table, with when each
// was last seen (a cluster not seen for an hour is marked).
// Test hooks (data-testid): warn-cap-table, warn-cap-row (data-id, data-in-province, data-expired), warn-cap-province,
// warn-cap-active, warn-speakers-map, warn-speakers-table, warn-speaker-row (data-code, data-stale), warn-speakers-summary.
import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDuration, formatNumber, t, tOr } from "../i18n.js";
import { CAP_INBOUND, EMPTY, SPEAKERS, communeMap, errorBox, loadingLine, setChildren, timeText } from "./warnings-common.js";

const STALE_MS = 60 * 60 * 1000;

function resourceLoader(w, path, render) {
  const res = { data: null, error: null, loading: false, seq: 0 };
  async function load(force = false, { quiet = false } = {}) {
    if (!force && (res.data || res.loading)) {
      if (!quiet) render();
      return;
    }
    const seq = ++res.seq;
    res.loading = true;
    if (!quiet) render();
    try {
      const data = await api.get(path);
      if (w.removed || seq !== res.seq) return;
      res.data = Array.isArray(data) ? data : [];
      res.error = null;
    } catch (error) {
      if (w.removed || seq !== res.seq) return;
      res.error = error;
    }
    res.loading = false;
    w.renderTabs();
    render();
  }
  return { res, load };
}

// ---- CAP received ----

export function createCap(w) {
  const panel = w.panels.get("cap");
  const filters = { province: false, active: false };
  const boxes = {};
  const toolbar = h("div", { class: "warn-toolbar warn-cap-tools" });
  const note = h("p", { class: "ps-note" });
  const body = h("div", {});
  panel.append(toolbar, body, note);
  const { res, load } = resourceLoader(w, CAP_INBOUND, render);

  for (const key of ["province", "active"]) {
    boxes[key] = h("input", { type: "checkbox", "data-testid": `warn-cap-${key}`, onchange: (event) => {
      filters[key] = event.target.checked;
      render();
    } });
  }

  function render() {
    if (w.removed) return;
    setChildren(toolbar,
      h("label", { class: "warn-check" }, boxes.province, h("span", {}, t("warn.cap.onlyProvince"))),
      h("label", { class: "warn-check" }, boxes.active, h("span", {}, t("warn.cap.onlyActive"))));
    note.textContent = t("warn.cap.note");
    if (res.error && !res.data) {
      setChildren(body, errorBox(res.error));
      return;
    }
    if (!res.data) {
      setChildren(body, loadingLine());
      return;
    }
    const rows = res.data.filter((a) => (!filters.province || a.inProvince) && (!filters.active || !a.expired))
      .sort((a, b) => String(b.sent || b.receivedAt || "").localeCompare(String(a.sent || a.receivedAt || "")));
    const col = (key) => t(`warn.cap.col.${key}`);
    setChildren(body, h("p", { class: "table-summary" }, t("warn.cap.count", { shown: formatNumber(rows.length), total: formatNumber(res.data.length) })),
      h("div", { class: "table-wrap" }, h("table", { class: "data-table warn-table", "data-testid": "warn-cap-table" },
        h("caption", { class: "visually-hidden" }, t("warn.tab.cap")),
        h("thead", {}, h("tr", {}, ["sent", "event", "grading", "areas", "expires", "source"].map((k) => h("th", { scope: "col" }, col(k))))),
        h("tbody", {}, rows.length ? rows.map((a) => h("tr", {
          "data-testid": "warn-cap-row", class: a.expired ? "warn-row-off" : null,
          dataset: { id: a.id || a.identifier, inProvince: String(Boolean(a.inProvince)), expired: String(Boolean(a.expired)) },
        },
        h("td", { "data-label": col("sent") }, timeText(a.sent), h("span", { class: "ps-code" }, t("warn.cap.received", { time: timeText(a.receivedAt) }))),
        h("td", { "data-label": col("event") },
          h("strong", {}, a.event || EMPTY),
          a.headline ? h("span", { class: "warn-cap-headline" }, a.headline) : null,
          h("span", { class: "warn-cap-tags" },
            a.msgType ? h("span", { class: "badge badge-muted" }, tOr(`warn.msgType.${a.msgType}`, a.msgType)) : null,
            a.status && a.status !== "Actual" ? h("span", { class: "badge badge-warn" }, a.status) : null,
            h("span", { class: "badge badge-muted", title: t("warn.cap.version") }, `CAP ${a.version || "?"}`),
            a.inProvince ? h("span", { class: "badge badge-bad" }, t("warn.cap.inProvince")) : null)),
        h("td", { "data-label": col("grading") }, h("span", { class: "warn-cap-grading" },
          h("span", { class: "warn-cap-severity", dataset: { severity: a.severity || "" } }, tOr(`warn.cap.severity.${a.severity}`, a.severity || EMPTY)),
          h("span", {}, tOr(`warn.cap.urgency.${a.urgency}`, a.urgency || EMPTY)),
          h("span", {}, tOr(`warn.cap.certainty.${a.certainty}`, a.certainty || EMPTY)))),
        h("td", { "data-label": col("areas") }, Array.isArray(a.areas) && a.areas.length ? a.areas.join("; ") : EMPTY),
        h("td", { "data-label": col("expires") }, timeText(a.expires), a.expired ? h("span", { class: "badge badge-muted" }, t("warn.cap.expired")) : null),
        h("td", { "data-label": col("source") }, a.source || EMPTY, h("span", { class: "ps-code" }, a.sender || ""), h("span", { class: "ps-code mono" }, a.identifier || ""))))
          : h("tr", { class: "empty-row" }, h("td", { colspan: 6 }, t("warn.cap.none")))))));
  }

  return { load, relabel: render };
}

// ---- Loudspeaker clusters ----

export function createSpeakers(w) {
  const panel = w.panels.get("speakers");
  const summary = h("div", { class: "ps-kpis warn-speakers-kpis", "data-testid": "warn-speakers-summary" });
  const mapEl = h("div", { class: "warn-map warn-speakers-map", "data-testid": "warn-speakers-map" });
  const body = h("div", {});
  panel.append(summary, mapEl, body);
  const { res, load } = resourceLoader(w, SPEAKERS, render);
  let map = null;

  const isStale = (s) => !s.lastSeenAt || Date.now() - Date.parse(s.lastSeenAt) > STALE_MS;

  function drawMap() {
    if (!res.data || w.state.tab !== "speakers") return;
    w.need("boundaries").then(() => {
      if (w.removed) return;
      map ??= communeMap(mapEl, { settings: w.settings, boundaries: w.lookups.boundaries });
      if (!map) return;
      map.extra.clearLayers();
      const counts = new Map();
      for (const s of res.data) counts.set(s.unitCode, (counts.get(s.unitCode) || 0) + 1);
      map.paint(new Map([...counts.keys()].map((code) => [code, "#9cc3ee"])), { fillOpacity: 0.45 });
      for (const s of res.data) {
        if (typeof s.lat !== "number" || typeof s.lon !== "number") continue;
        L.circleMarker([s.lat, s.lon], { radius: 6, color: "#fff", weight: 2, fillColor: isStale(s) ? "#d7191c" : "#2b7a3d", fillOpacity: 1 })
          .bindTooltip(`${s.name || s.code} · ${s.lastSeenAt ? t("warn.speakers.seen", { time: timeText(s.lastSeenAt) }) : t("warn.speakers.never")}`)
          .addTo(map.extra);
      }
      map.fit([...counts.keys()]);
      mapEl.dataset.ready = "1";
    }).catch((error) => mapEl.replaceChildren(errorBox(error)));
  }

  function render() {
    if (w.removed) return;
    if (res.error && !res.data) {
      setChildren(body, errorBox(res.error));
      return;
    }
    if (!res.data) {
      setChildren(body, loadingLine());
      return;
    }
    const list = res.data.slice().sort((a, b) => String(a.unitName || "").localeCompare(String(b.unitName || ""), "vi") || String(a.code).localeCompare(String(b.code)));
    const stale = list.filter(isStale);
    const communes = new Set(list.map((s) => s.unitCode)).size;
    const kpi = (value, label, tone) => h("div", { class: `ps-kpi ${tone ? `is-${tone}` : ""}` }, h("span", { class: "ps-kpi-value" }, value), h("span", { class: "ps-kpi-label" }, label));
    setChildren(summary,
      kpi(formatNumber(list.length), t("warn.speakers.total")),
      kpi(formatNumber(communes), t("warn.speakers.communes")),
      kpi(formatNumber(list.length - stale.length), t("warn.speakers.online"), "ok"),
      kpi(formatNumber(stale.length), t("warn.speakers.stale"), stale.length ? "bad" : "ok"));
    const col = (key) => t(`warn.speakers.col.${key}`);
    setChildren(body, h("div", { class: "table-wrap" }, h("table", { class: "data-table warn-table", "data-testid": "warn-speakers-table" },
      h("caption", { class: "visually-hidden" }, t("warn.tab.speakers")),
      h("thead", {}, h("tr", {}, ["cluster", "unit", "lastSeen", "state"].map((k) => h("th", { scope: "col" }, col(k))))),
      h("tbody", {}, list.length ? list.map((s) => {
        const old = isStale(s);
        const ago = s.lastSeenAt ? Math.max(0, (Date.now() - Date.parse(s.lastSeenAt)) / 1000) : null;
        return h("tr", { "data-testid": "warn-speaker-row", dataset: { code: s.code, stale: String(old) } },
          h("td", { "data-label": col("cluster") }, h("strong", {}, s.name || s.code), h("span", { class: "ps-code mono" }, s.code)),
          h("td", { "data-label": col("unit") }, s.unitName || s.unitCode || EMPTY),
          h("td", { "data-label": col("lastSeen") }, s.lastSeenAt ? timeText(s.lastSeenAt) : t("warn.speakers.never"),
            ago != null ? h("span", { class: "ps-code" }, t("warn.speakers.ago", { duration: formatDuration(Math.round(ago / 60) * 60 || 60) })) : null),
          h("td", { "data-label": col("state") }, h("span", { class: `badge ${old ? "badge-bad" : "badge-ok"}` }, t(old ? "warn.speakers.stateStale" : "warn.speakers.stateOnline"))));
      }) : h("tr", { class: "empty-row" }, h("td", { colspan: 4 }, t("warn.speakers.none")))))),
    h("p", { class: "ps-note" }, t("warn.speakers.note")));
    drawMap();
  }

  return {
    load: (force, options) => {
      const done = load(force, options);
      drawMap();
      return done;
    },
    relabel: render,
    unmount: () => map?.remove(),
  };
}
