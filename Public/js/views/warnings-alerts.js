// #/warnings/alerts — the warnings (GET /api/v1/warnings): a list with status chips and level colours, filtered by
// status, and the chosen warning's detail — both languages side by side, its communes on a map in the level's colour,
// the buttons its `actions` allow (edit, submit, approve, return with a reason, cancel with a reason, update), and for a
// published warning its CAP document and the loudspeakers' confirmations (GET /api/v1/warnings/{id}/broadcast) on a
// map of communes coloured by confirmation and in a table. Drafts are written in warnings-form.js.
// Test hooks (data-testid): warn-compose, warn-filter-<status|all>, warn-list, warn-item (data-id, data-status),
// warn-detail (data-id, data-status), warn-detail-map, warn-action-<action>, warn-cap-link, warn-broadcast,
// warn-broadcast-map, warn-broadcast-row (data-cluster, data-status), warn-return-reason.
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import {
  EMPTY, STATUSES, WARNINGS, actorName, askDialog, communeMap, drawShapes, errorBox, levelChip, levelLabel, loadingLine, periodText, safeColor,
  openRing, setChildren, statusChip, textOn, timeText,
} from "./warnings-common.js";
import { warningForm } from "./warnings-form.js";

const ACTIONS = ["edit", "submit", "approve", "return", "cancel", "update"];
// Communes by the confirmation of their clusters; the clusters themselves by their status.
const BROADCAST_COLORS = { played: "#2b7a3d", partial: "#f2c200", failed: "#d7191c", pending: "#b8c3d2", none: "#ffffff" };
const CLUSTER_COLORS = { played: "#2b7a3d", fetched: "#1d6fd1", pending: "#3d4756", failed: "#d7191c" };

export function create(w) {
  const panel = w.panels.get("alerts");
  const res = { data: null, error: null, loading: false, seq: 0 };
  const broadcast = { id: null, data: null, error: null, seq: 0 };
  let form = null;
  let detailMap = null;
  let broadcastMap = null;

  const composeButton = w.canAuthor ? h("button", { type: "button", class: "btn btn-primary", "data-testid": "warn-compose", onclick: () => openForm(null) }) : null;
  const filters = h("div", { class: "warn-filters", role: "group" });
  const list = h("div", { class: "warn-list", "data-testid": "warn-list" });
  const detail = h("div", { class: "warn-detail-slot" });
  const formSlot = h("div", { class: "warn-form-slot" });
  const toolbar = h("div", { class: "warn-toolbar" }, filters, composeButton);
  const grid = h("div", { class: "warn-grid" }, list, detail);
  panel.append(toolbar, grid, formSlot);

  const warnings = () => (Array.isArray(res.data) ? res.data : []);
  const byId = (id) => warnings().find((x) => x.id === id) || null;
  const levels = () => w.lookups.levels;
  const hazardName = (x) => localized(x.hazardName) || localized(w.lookups.hazards.find((hz) => hz.code === x.hazard)?.name) || x.hazard || "";

  // ---- Loading ----

  async function load(force = false, { quiet = false } = {}) {
    w.need("levels").then(() => !w.removed && render()).catch(() => {});
    w.need("hazards").catch(() => {});
    if (!force && (res.data || res.loading)) {
      if (!quiet) render();
      return;
    }
    const seq = ++res.seq;
    res.loading = true;
    if (!quiet) render();
    try {
      const data = await api.get(WARNINGS);
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
    if (force && broadcast.id) loadBroadcast(broadcast.id, true);
  }

  async function loadBroadcast(id, force = false) {
    if (!force && broadcast.id === id && (broadcast.data || broadcast.error)) return;
    const seq = ++broadcast.seq;
    if (broadcast.id !== id) broadcast.data = null;
    broadcast.id = id;
    broadcast.error = null;
    try {
      const data = await api.get(`${WARNINGS}/${encodeURIComponent(id)}/broadcast`);
      if (w.removed || seq !== broadcast.seq) return;
      broadcast.data = Array.isArray(data) ? data : [];
    } catch (error) {
      if (w.removed || seq !== broadcast.seq) return;
      broadcast.error = error;
    }
    if (w.state.id === id) renderBroadcast();
  }

  // ---- Rendering ----

  function renderFilters() {
    filters.setAttribute("aria-label", t("warn.filterStatus"));
    const count = (status) => warnings().filter((x) => !status || x.status === status).length;
    setChildren(filters, ["", ...STATUSES].map((status) => {
      const n = count(status);
      if (status && !n && w.state.status !== status) return null;
      return h("button", {
        type: "button", class: "warn-filter", "aria-pressed": String((w.state.status || "") === status), "data-testid": `warn-filter-${status || "all"}`,
        dataset: { status }, onclick: () => {
          w.state.status = status;
          w.writeLocation();
          render();
        },
      }, status ? t(`warn.status.${status}`) : t("warn.all"), h("span", { class: "warn-filter-count" }, formatNumber(n)));
    }));
    if (composeButton) setChildren(composeButton, icon("plus"), h("span", {}, t("warn.compose")));
  }

  function item(x) {
    const color = safeColor(x.color) || levels().find((l) => l.level === x.level)?.color || "#8a94a3";
    const selected = x.id === w.state.id;
    const areas = Array.isArray(x.areas) ? x.areas : [];
    return h("li", {},
      h("button", {
        type: "button", class: "warn-item", "aria-pressed": String(selected), "data-testid": "warn-item", dataset: { id: x.id, status: x.status },
        style: `--level-color:${color}`, onclick: () => select(x.id),
      },
      h("span", { class: "warn-item-top" }, levelChip(x.level, { color: x.color, name: x.levelName, levels: levels(), short: true }),
        h("span", { class: "warn-item-hazard" }, hazardName(x)), statusChip(x.status),
        x.msgType && x.msgType !== "Alert" ? h("span", { class: "badge badge-muted" }, t(`warn.msgType.${x.msgType}`)) : null),
      h("span", { class: "warn-item-headline" }, localized(x.headline) || h("em", { class: "muted" }, t("warn.noHeadline"))),
      h("span", { class: "warn-item-meta" },
        areas.length ? t("warn.areasSummary", { first: areas.slice(0, 3).map((a) => localized(a.name, a.nameEn) || a.code).join(", "), more: areas.length > 3 ? t("warn.andMore", { count: areas.length - 3 }) : "" }) : t("warn.noAreas")),
      h("span", { class: "warn-item-meta" }, periodText(x.effective, x.expires))));
  }

  function render() {
    if (w.removed) return;
    renderFilters();
    if (form) {
      grid.hidden = true;
      toolbar.hidden = true;
      return;
    }
    grid.hidden = false;
    toolbar.hidden = false;
    if (res.error && !res.data) {
      setChildren(list, errorBox(res.error));
      setChildren(detail);
      return;
    }
    if (!res.data) {
      setChildren(list, loadingLine());
      return;
    }
    const shown = warnings().filter((x) => !w.state.status || x.status === w.state.status);
    list.classList.toggle("is-busy", res.loading);
    setChildren(list, res.error ? errorBox(res.error) : null,
      shown.length ? h("ul", { class: "warn-items" }, shown.map(item)) : h("p", { class: "muted warn-empty" }, t("warn.none")));
    renderDetail();
  }

  function select(id) {
    // A warning the status filter hides (it has just changed status) brings back the whole list.
    const x = byId(id);
    if (x && w.state.status && x.status !== w.state.status) w.state.status = "";
    w.state.id = id;
    w.writeLocation();
    render();
    if (window.matchMedia("(max-width: 1100px)").matches) detail.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  function bilingual(labelKey, value, testid) {
    const vi = value?.vi || "";
    const en = value?.en || "";
    if (!vi && !en) return null;
    return h("section", { class: "warn-text", "data-testid": testid },
      h("h3", { class: "warn-text-title" }, t(labelKey)),
      h("div", { class: "warn-text-pair" },
        h("div", { lang: "vi" }, h("span", { class: "warn-lang" }, "VI"), h("p", {}, vi || h("em", { class: "muted" }, t("warn.missingText")))),
        h("div", { lang: "en" }, h("span", { class: "warn-lang" }, "EN"), h("p", {}, en || h("em", { class: "muted" }, t("warn.missingText"))))));
  }

  function fact(label, value) {
    if (value == null || value === "" || (Array.isArray(value) && !value.length)) return null;
    return [h("dt", {}, label), h("dd", {}, value)];
  }

  function actionButton(x, action) {
    const danger = action === "cancel" || action === "return";
    const primary = action === "approve" || action === "submit";
    return h("button", {
      type: "button", class: `btn ${primary ? "btn-primary" : danger ? "warn-btn-outline-danger" : "btn-secondary"}`, "data-testid": `warn-action-${action}`,
      onclick: () => act(x, action),
    }, t(`warn.action.${action}`));
  }

  function renderDetail() {
    detailMap?.remove();
    detailMap = null;
    broadcastMap?.remove();
    broadcastMap = null;
    const x = byId(w.state.id);
    if (!x) {
      setChildren(detail, h("div", { class: "card warn-detail warn-detail--empty" },
        h("p", { class: "panel-hint" }, warnings().length ? t("warn.pickOne") : t("warn.noneYet"))));
      return;
    }
    const color = safeColor(x.color) || levels().find((l) => l.level === x.level)?.color || "#8a94a3";
    const actions = (Array.isArray(x.actions) ? x.actions : []).filter((a) => ACTIONS.includes(a));
    const mapEl = h("div", { class: "warn-map", "data-testid": "warn-detail-map" });
    const published = x.status === "published" || Boolean(x.publishedAt);
    setChildren(detail, h("article", { class: "card warn-detail", "data-testid": "warn-detail", dataset: { id: x.id, status: x.status } },
      h("header", { class: "warn-band", style: `background:${color};color:${textOn(color)}` },
        h("span", { class: "warn-band-level" }, t("warn.riskLevel", { level: x.level ?? "?" })),
        h("span", { class: "warn-band-name" }, levelLabel(x.levelName, x.level)),
        h("span", { class: "warn-band-hazard" }, hazardName(x))),
      h("div", { class: "warn-detail-body" },
        h("div", { class: "warn-detail-head" },
          statusChip(x.status),
          x.msgType && x.msgType !== "Alert" ? h("span", { class: "badge badge-muted" }, t(`warn.msgType.${x.msgType}`)) : null,
          h("h2", { class: "warn-detail-title" }, localized(x.headline) || t("warn.noHeadline"))),
        x.status === "returned" && x.returnReason
          ? h("div", { class: "alert alert-warn", role: "note", "data-testid": "warn-return-reason" }, h("strong", {}, t("warn.returnedBecause")), " ", x.returnReason)
          : null,
        actions.length ? h("div", { class: "warn-actions" }, actions.map((action) => actionButton(x, action))) : null,
        published && x.capUrl ? h("p", { class: "warn-cap" },
          h("a", { href: x.capUrl, target: "_blank", rel: "noopener", "data-testid": "warn-cap-link" }, t("warn.capLink")),
          h("span", { class: "muted" }, ` · ${x.identifier || ""}`)) : null,
        h("dl", { class: "facts warn-facts" },
          fact(t("warn.fact.areas"), (x.areas || []).map((a) => localized(a.name, a.nameEn) || a.code).join(", ")),
          fact(t("warn.fact.period"), periodText(x.effective || x.publishedAt, x.expires)),
          fact(t("warn.fact.created"), `${timeText(x.createdAt)} · ${actorName(x.createdBy) || EMPTY}`),
          fact(t("warn.fact.submitted"), x.submittedAt ? timeText(x.submittedAt) : null),
          fact(t("warn.fact.approved"), x.approvedAt ? `${timeText(x.approvedAt)} · ${actorName(x.approvedBy) || EMPTY}` : null),
          fact(t("warn.fact.published"), x.publishedAt ? timeText(x.publishedAt) : null),
          fact(t("warn.fact.rule"), x.ruleCode ? h("span", { class: "mono" }, x.ruleCode) : null),
          fact(t("warn.fact.references"), references(x) ? h("span", { class: "mono" }, references(x)) : null),
          fact(t("warn.fact.identifier"), x.identifier ? h("span", { class: "mono" }, x.identifier) : null),
          fact(t("warn.fact.shape"), shapeText(x))),
        bilingual("warn.field.headline", x.headline, "warn-detail-headline"),
        bilingual("warn.field.description", x.description, "warn-detail-description"),
        bilingual("warn.field.instruction", x.instruction, "warn-detail-instruction"),
        published ? null : h("h3", { class: "warn-text-title" }, t("warn.mapTitle")),
        published ? null : mapEl,
        published ? h("section", { class: "warn-broadcast", "data-testid": "warn-broadcast" }) : null)));
    if (published) {
      loadBroadcast(x.id);
      renderBroadcast();
    } else {
      drawAreasMap(mapEl, x, color);
    }
  }

  /** The identifiers a warning replaces (the server sends a CAP `references` text, or a list). */
  function references(x) {
    if (Array.isArray(x.references)) return x.references.join(", ");
    return typeof x.references === "string" ? x.references : "";
  }

  function shapeText(x) {
    const parts = [];
    if (Array.isArray(x.polygon) && x.polygon.length >= 3) parts.push(t("warn.shape.polygon", { count: openRing(x.polygon).length }));
    if (x.circle) parts.push(t("warn.shape.circle", { km: formatNumber(x.circle.radiusKm, { maximumFractionDigits: 1 }) }));
    return parts.join(" · ") || null;
  }

  function drawAreasMap(mapEl, x, color) {
    w.need("boundaries").then(() => {
      if (w.removed || !mapEl.isConnected) return;
      detailMap = communeMap(mapEl, { settings: w.settings, boundaries: w.lookups.boundaries });
      if (!detailMap) return;
      const codes = (x.areas || []).map((a) => a.code);
      detailMap.paint(new Map(codes.map((code) => [code, color])));
      drawShapes(detailMap.extra, x, color);
      detailMap.fit(codes);
      mapEl.dataset.ready = "1";
    }).catch((error) => mapEl.replaceChildren(errorBox(error)));
  }

  // ---- Broadcast confirmations ----

  function communeState(clusters) {
    if (!clusters.length) return "none";
    if (clusters.every((c) => c.status === "played")) return "played";
    if (clusters.some((c) => c.status === "failed")) return "failed";
    if (clusters.some((c) => c.status === "played" || c.status === "fetched")) return "partial";
    return "pending";
  }

  function renderBroadcast() {
    const box = detail.querySelector(".warn-broadcast");
    const x = byId(w.state.id);
    if (!box || !x) return;
    broadcastMap?.remove();
    broadcastMap = null;
    const title = h("h3", { class: "warn-text-title" }, t("warn.broadcast.title"));
    if (broadcast.id !== x.id || (!broadcast.data && !broadcast.error)) {
      setChildren(box, title, loadingLine());
      return;
    }
    if (broadcast.error) {
      setChildren(box, title, errorBox(broadcast.error));
      return;
    }
    const clusters = broadcast.data;
    const played = clusters.filter((c) => c.status === "played").length;
    const fetched = clusters.filter((c) => c.status === "fetched").length;
    const failed = clusters.filter((c) => c.status === "failed").length;
    const mapEl = h("div", { class: "warn-map", "data-testid": "warn-broadcast-map" });
    const byCommune = new Map();
    for (const c of clusters) byCommune.set(c.unitCode, [...(byCommune.get(c.unitCode) || []), c]);
    const legendItem = (key) => h("li", {}, h("span", { class: "warn-swatch", style: `background:${BROADCAST_COLORS[key]}` }), t(`warn.broadcast.commune.${key}`));
    setChildren(box, title,
      h("p", { class: "warn-broadcast-summary", "data-testid": "warn-broadcast-summary" },
        h("strong", {}, t("warn.broadcast.summary", { played: formatNumber(played), total: formatNumber(clusters.length) })),
        fetched ? ` · ${t("warn.broadcast.fetchedCount", { count: formatNumber(fetched) })}` : "",
        failed ? h("span", { class: "warn-bad" }, ` · ${t("warn.broadcast.failedCount", { count: formatNumber(failed) })}`) : ""),
      clusters.length ? mapEl : h("p", { class: "muted" }, t("warn.broadcast.none")),
      clusters.length ? h("ul", { class: "warn-legend" }, ["played", "partial", "failed", "pending", "none"].map(legendItem)) : null,
      clusters.length ? h("div", { class: "table-wrap" }, h("table", { class: "data-table warn-table" },
        h("caption", { class: "visually-hidden" }, t("warn.broadcast.title")),
        h("thead", {}, h("tr", {}, ["cluster", "unit", "status", "fetchedAt", "playedAt"].map((k) => h("th", { scope: "col" }, t(`warn.broadcast.col.${k}`))))),
        h("tbody", {}, clusters.map((c) => h("tr", { "data-testid": "warn-broadcast-row", dataset: { cluster: c.cluster, status: c.status } },
          h("td", { "data-label": t("warn.broadcast.col.cluster") }, h("strong", {}, c.name || c.cluster), h("span", { class: "ps-code mono" }, c.cluster)),
          h("td", { "data-label": t("warn.broadcast.col.unit") }, c.unitName || c.unitCode || EMPTY),
          h("td", { "data-label": t("warn.broadcast.col.status") }, h("span", { class: "warn-bstatus", dataset: { status: c.status } }, t(`warn.broadcast.status.${c.status}`))),
          h("td", { "data-label": t("warn.broadcast.col.fetchedAt") }, timeText(c.fetchedAt)),
          h("td", { "data-label": t("warn.broadcast.col.playedAt") }, timeText(c.playedAt))))))) : null);
    if (!clusters.length) return;
    w.need("boundaries").then(() => {
      if (w.removed || !mapEl.isConnected) return;
      broadcastMap = communeMap(mapEl, { settings: w.settings, boundaries: w.lookups.boundaries });
      if (!broadcastMap) return;
      const codes = new Set([...(x.areas || []).map((a) => a.code), ...byCommune.keys()]);
      broadcastMap.paint(new Map([...codes].map((code) => [code, BROADCAST_COLORS[communeState(byCommune.get(code) || [])]])), { fillOpacity: 0.6 });
      for (const c of clusters) {
        if (typeof c.lat !== "number" || typeof c.lon !== "number") continue;
        L.circleMarker([c.lat, c.lon], { radius: 7, color: "#fff", weight: 2, fillColor: CLUSTER_COLORS[c.status] || "#3d4756", fillOpacity: 1 })
          .bindTooltip(`${c.name || c.cluster} · ${t(`warn.broadcast.status.${c.status}`)}`).addTo(broadcastMap.extra);
      }
      const color = safeColor(x.color) || levels().find((l) => l.level === x.level)?.color || "#8a94a3";
      drawShapes(broadcastMap.extra, x, color);
      broadcastMap.fit([...codes]);
      mapEl.dataset.ready = "1";
    }).catch((error) => mapEl.replaceChildren(errorBox(error)));
  }

  // ---- Actions ----

  async function act(x, action) {
    const path = `${WARNINGS}/${encodeURIComponent(x.id)}`;
    if (action === "edit") {
      openForm(x);
      return;
    }
    const headline = localized(x.headline) || x.identifier || x.id;
    const dialogs = {
      submit: { title: t("warn.confirm.submitTitle"), text: t("warn.confirm.submitText", { headline }), ok: t("warn.action.submit") },
      approve: { title: t("warn.confirm.approveTitle"), text: t("warn.confirm.approveText", { headline }), ok: t("warn.action.approve") },
      return: { title: t("warn.confirm.returnTitle"), text: headline, reasonLabel: t("warn.confirm.returnReason"), ok: t("warn.action.return"), danger: true },
      cancel: { title: t("warn.confirm.cancelTitle"), text: t("warn.confirm.cancelText", { headline }), reasonLabel: t("warn.confirm.cancelReason"), ok: t("warn.action.cancel"), danger: true },
      update: { title: t("warn.confirm.updateTitle"), text: t("warn.confirm.updateText", { headline }), ok: t("warn.action.update") },
    };
    let answer = null;
    const done = await askDialog({
      ...dialogs[action],
      submit: async (reason) => {
        const body = action === "return" || action === "cancel" ? { reason } : undefined;
        answer = await api.post(`${path}/${action}`, body);
      },
    });
    if (done == null) return;
    await load(true);
    if (action === "update" && answer?.id) {
      w.state.id = answer.id;
      w.writeLocation();
      render();
      openForm(byId(answer.id) || answer);
      return;
    }
    if (answer?.id) select(answer.id);
  }

  // ---- The draft form ----

  function openForm(warning) {
    closeForm();
    form = warningForm({
      w, warning,
      onSaved: async (saved) => {
        closeForm();
        await load(true);
        if (saved?.id) select(saved.id);
      },
      onCancel: () => {
        closeForm();
        render();
      },
    });
    formSlot.replaceChildren(form.element);
    render();
    form.element.scrollIntoView({ block: "start" });
    form.focus();
  }

  function closeForm() {
    form?.destroy();
    form = null;
    formSlot.replaceChildren();
  }

  return {
    load,
    relabel() {
      render();
      form?.relabel();
    },
    badge() {
      const waiting = warnings().filter((x) => x.status === "submitted").length;
      const published = warnings().filter((x) => x.status === "published").length;
      if (waiting) return { text: formatNumber(waiting), bad: true, title: t("warn.waitingApproval", { count: waiting }) };
      return published ? { text: formatNumber(published), title: t("warn.publishedCount", { count: published }) } : null;
    },
    unmount() {
      closeForm();
      detailMap?.remove();
      broadcastMap?.remove();
    },
  };
}
