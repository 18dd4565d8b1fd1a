// A service screen: one tile's figures drilled down (GET /api/v1/wall/drill/{tile}) — the province by agency, one
// agency by commune, then the items themselves (worst first, as the server sorts them). On the overview it is a hash
// route (#service/<tile>[/agency/<code>][/unit/<code>]) whose rows are links one level down; on a kiosk (view kind
// "service") it is read-only. It refreshes on live events (throttled) and every minute.
// Fits one screen: the table scrolls inside its panel (kiosks: cut, with the count above); on a phone each row
// becomes a card. Test hooks: `.wall-service[data-tile][data-level][data-ready="1"]`, `tr[data-key]`, `tr[data-code]`.
import { errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, localized, localizedName, t } from "../i18n.js";
import { liveTopic, provinceName } from "../settings.js";
import { figureText, noteServerTime, shortTime } from "./format.js";
import { isAbort, wallGet } from "./wall-api.js";

const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const POLL_MS = 60_000;
const RETRY_MS = 15_000;
const LIVE_MIN_GAP_MS = 10_000;
const ITEMS_CAP = 200; // the server's cap: at this many, say that the list is cut
const SEVERITY_RANK = { bad: 3, warn: 2, good: 1 };
const TILE_ICONS = { fieldreports: "report", publicservices: "dossier", alarms: "bell" };
// The live topics (their keys in settings `liveTopics`) that change a tile's figures; any other tile: `wall`.
const LIVE_TOPICS = { fieldreports: ["fieldReports", "wall"], publicservices: ["wall"], alarms: ["alarms"] };

/** The hash of a service screen: #service/<tile>[/agency/<code>][/unit/<code>]. */
export function serviceHash({ tile, agency, unit }) {
  let hash = `#service/${encodeURIComponent(tile)}`;
  if (agency) hash += `/agency/${encodeURIComponent(agency)}`;
  if (unit) hash += `/unit/${encodeURIComponent(unit)}`;
  return hash;
}

/** An item's link: "/wall#case/…" stays on this page (a hash route); other same-origin paths open the console. */
function itemLink(link) {
  if (typeof link !== "string" || !link.startsWith("/") || link.startsWith("//")) return null;
  if (link.startsWith("/wall#")) return { href: link.slice("/wall".length), inPage: true };
  return { href: link, inPage: false };
}

function worstSeverity(severity) {
  let worst = null;
  for (const value of Object.values(severity || {})) {
    if ((SEVERITY_RANK[value] || 0) > (SEVERITY_RANK[worst] || 0)) worst = value;
  }
  return worst;
}

/**
 * serviceView(ctx, params, { interactive }) → view { element, kind: "service", title(), show, hide, languageChanged, destroy }.
 * `params`: { tile, agency?, unit? }.
 */
export function serviceView(ctx, params = {}, { interactive = false } = {}) {
  const tile = String(params.tile ?? "");
  const agency = params.agency ? String(params.agency) : "";
  const unit = params.unit ? String(params.unit) : "";
  const valid = CODE.test(tile) && (!agency || CODE.test(agency)) && (!unit || CODE.test(unit));
  const level = unit ? "item" : agency ? "unit" : "agency";

  const crumbs = h("ol", { class: "wall-crumbs-list" });
  const nav = h("nav", { class: "wall-crumbs" }, crumbs);
  const heading = h("h2", { class: "wall-service-title", id: "wall-service-title", tabindex: "-1" });
  const summary = h("p", { class: "wall-service-summary", role: "status" });
  const asOf = h("span", { class: "wall-service-asof" });
  const consoleLink = h("a", { class: "wall-service-console", hidden: true, target: "_blank", rel: "noopener" });
  const panel = h("div", { class: "wall-service-panel", tabindex: interactive ? "0" : null });
  const element = h("section", {
    class: `wall-service${interactive ? " is-interactive" : ""}`, "aria-labelledby": heading.id,
    dataset: { tile, level, ready: "0" },
  },
  nav,
  h("header", { class: "wall-service-head" },
    icon(TILE_ICONS[tile] || "chart", "icon wall-service-icon"), heading, summary, asOf, interactive ? consoleLink : null),
  panel);

  let data = null;
  let error = valid ? null : { invalid: true };
  let controller = null;
  let timer = null;
  let lastFetch = 0;
  let destroyed = false;

  function path() {
    const query = new URLSearchParams();
    if (agency) query.set("agency", agency);
    if (unit) query.set("unit", unit);
    const q = query.toString();
    return `/api/v1/wall/drill/${encodeURIComponent(tile)}${q ? `?${q}` : ""}`;
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (!destroyed) timer = setTimeout(load, ms);
  }

  async function load() {
    clearTimeout(timer);
    if (!valid) return;
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    lastFetch = Date.now();
    try {
      const answer = await wallGet(path(), { signal: mine.signal });
      if (controller !== mine || destroyed) return;
      noteServerTime(answer?.asOf);
      data = answer && typeof answer === "object" ? answer : {};
      error = null;
      schedule(POLL_MS);
    } catch (caught) {
      if (isAbort(caught) || controller !== mine || destroyed) return;
      error = caught;
      // A refused address (unknown agency, no such tile) will not heal soon: ask again at the normal pace.
      schedule(caught.status >= 400 && caught.status < 500 ? POLL_MS : RETRY_MS);
    } finally {
      if (controller === mine) controller = null;
    }
    render();
  }

  /** After live events: at most one fetch every LIVE_MIN_GAP_MS (bursts coalesce). */
  function refreshSoon() {
    if (controller || destroyed) return;
    schedule(Math.max(1000, LIVE_MIN_GAP_MS - (Date.now() - lastFetch)));
  }

  // ---- breadcrumb: Tổng quan › Tỉnh › Cơ quan › Xã/phường ----

  function renderCrumbs() {
    nav.setAttribute("aria-label", t("wall.drill.crumbs"));
    const agencyName = localizedName(data?.agency) || agency;
    const unitName = localizedName(data?.unit) || unit;
    const steps = [];
    if (interactive) steps.push({ text: t("wall.drill.overview"), href: "#", home: true });
    steps.push({ text: t("app.provinceLine", { province: provinceName(ctx.settings) }), href: serviceHash({ tile }) });
    if (agency) steps.push({ text: agencyName, href: serviceHash({ tile, agency }) });
    if (unit) steps.push({ text: unitName, href: serviceHash({ tile, agency, unit }) });
    crumbs.replaceChildren(...steps.map((step, index) => {
      const last = index === steps.length - 1;
      let content;
      if (last) content = h("span", { "aria-current": "page" }, step.text);
      else if (interactive) content = h("a", { href: step.href, dataset: { crumb: step.home ? "overview" : String(index) } }, step.home ? icon("list", "icon wall-crumb-icon") : null, step.text);
      else content = h("span", {}, step.text);
      return h("li", { class: "wall-crumb" }, content);
    }));
  }

  // ---- agency / commune tables ----

  function valueCell(row, column) {
    const value = row.values?.[column.key];
    const severity = row.severity?.[column.key];
    return h("td", {
      class: "wall-drill-num",
      dataset: { label: localized(column.label), column: String(column.key), ...(SEVERITY_RANK[severity] ? { severity } : {}) },
    }, figureText(typeof value === "number" ? value : null, column.format));
  }

  function rowsTable() {
    const columns = Array.isArray(data.columns) ? data.columns.filter((c) => c?.key) : [];
    const rows = Array.isArray(data.rows) ? data.rows.filter((r) => r?.key) : [];
    const nameLabel = t(level === "agency" ? "wall.drill.col.agency" : "wall.drill.col.unit");
    if (!rows.length) return h("p", { class: "wall-panel-message" }, t(`wall.drill.empty.${level}`));
    const body = rows.map((row) => {
      const next = level === "agency" ? { tile, agency: row.key } : { tile, agency, unit: row.key };
      const name = row.name || row.key;
      const worst = worstSeverity(row.severity);
      return h("tr", { dataset: { key: String(row.key), ...(worst ? { worst } : {}) } },
        h("th", { scope: "row", class: "wall-drill-name", dataset: { label: nameLabel } },
          interactive ? h("a", { href: serviceHash(next), dataset: { drillKey: String(row.key) } }, name) : name),
        columns.map((column) => valueCell(row, column)));
    });
    return h("table", { class: "wall-drill-table", dataset: { level } },
      h("caption", { class: "visually-hidden" }, `${localized(data.title)} – ${t(`wall.drill.level.${level}`)}`),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, nameLabel),
        columns.map((column) => h("th", { scope: "col", class: "wall-drill-num" }, localized(column.label))))),
      h("tbody", {}, body));
  }

  // ---- items ----

  function itemsTable() {
    const items = Array.isArray(data.items) ? data.items.filter((item) => item?.code) : [];
    if (!items.length) return h("p", { class: "wall-panel-message" }, t("wall.drill.empty.item"));
    const showPlace = !unit || items.some((item) => item.place && item.place !== items[0].place);
    const showAgency = !agency;
    const label = (key) => t(`wall.drill.col.${key}`);
    const rows = items.map((item) => {
      const link = interactive ? itemLink(item.link) : null;
      const code = link
        ? h("a", { href: link.href, dataset: { itemCode: item.code }, ...(link.inPage ? {} : { target: "_blank", rel: "noopener" }) }, item.code)
        : item.code;
      return h("tr", { dataset: { code: item.code, overdue: item.overdue ? "1" : "0" } },
        h("th", { scope: "row", class: "wall-drill-code", dataset: { label: label("code") } }, code),
        h("td", { class: "wall-drill-text", dataset: { label: label("title") } }, localized(item.title)),
        h("td", { dataset: { label: label("status") } },
          h("span", { class: "wall-drill-status", dataset: { status: String(item.status || "") } }, localized(item.statusLabel) || item.status || "")),
        h("td", { class: "wall-drill-time", dataset: { label: label("at") } },
          h("time", { datetime: item.at || "" }, shortTime(item.at))),
        h("td", { class: "wall-drill-time", dataset: { label: label("due") } },
          item.dueAt ? h("time", { datetime: item.dueAt, title: formatDateTime(item.dueAt) }, shortTime(item.dueAt)) : "–",
          item.overdue ? h("span", { class: "wall-badge wall-badge-bad" }, t("wall.drill.overdue")) : null),
        showPlace ? h("td", { dataset: { label: label("place") } }, item.place || "") : null,
        showAgency ? h("td", { dataset: { label: label("itemAgency") } }, item.agency || "") : null);
    });
    return h("table", { class: "wall-drill-table wall-drill-items", dataset: { level: "item" } },
      h("caption", { class: "visually-hidden" }, `${localized(data.title)} – ${t("wall.drill.level.item")}`),
      h("thead", {}, h("tr", {},
        ["code", "title", "status", "at", "due"].map((key) => h("th", { scope: "col" }, label(key))),
        showPlace ? h("th", { scope: "col" }, label("place")) : null,
        showAgency ? h("th", { scope: "col" }, label("itemAgency")) : null)),
      h("tbody", {}, rows));
  }

  function summaryText() {
    if (data.level === "item") {
      const count = Array.isArray(data.items) ? data.items.length : 0;
      const text = t(count === 1 ? "wall.drill.count.itemOne" : "wall.drill.count.item", { count: formatNumber(count) });
      return count >= ITEMS_CAP ? `${text} · ${t("wall.drill.capped", { count: formatNumber(count) })}` : text;
    }
    const count = Array.isArray(data.rows) ? data.rows.length : 0;
    return t(`wall.drill.count.${level}${count === 1 ? "One" : ""}`, { count: formatNumber(count) });
  }

  function render() {
    if (destroyed) return;
    renderCrumbs();
    heading.textContent = data ? `${localized(data.title) || tile} – ${t(`wall.drill.level.${level}`)}` : (localized(ctx.overview.tile(tile)?.title) || tile);
    const tileLink = ctx.overview.tile(tile)?.link;
    consoleLink.hidden = !(typeof tileLink === "string" && tileLink.startsWith("/") && !tileLink.startsWith("//"));
    if (!consoleLink.hidden) {
      consoleLink.href = tileLink;
      consoleLink.textContent = t("wall.drill.openConsole");
    }
    if (!data) {
      summary.textContent = "";
      asOf.textContent = "";
      const text = error ? (error.invalid ? t("wall.drill.badParams") : `${t("wall.drill.error")} ${errorMessage(error)}`) : t("wall.loading");
      panel.replaceChildren(h("p", { class: `wall-panel-message${error ? " is-error" : ""}` }, text));
      return;
    }
    summary.textContent = summaryText();
    asOf.textContent = data.asOf ? t("wall.asOf", { time: shortTime(data.asOf) }) : "";
    asOf.classList.toggle("is-stale", Boolean(error));
    const table = data.level === "item" || level === "item" ? itemsTable() : rowsTable();
    const scroll = panel.scrollTop;
    const problem = error ? h("p", { class: "wall-panel-message is-error", role: "alert" }, `${t("wall.drill.error")} ${errorMessage(error)}`) : null;
    panel.replaceChildren(...[problem, table].filter(Boolean));
    panel.scrollTop = scroll; // a live refresh keeps the reader's place
    element.dataset.ready = "1";
  }

  const offs = (LIVE_TOPICS[tile] || ["wall"]).map((key) => ctx.live.subscribe(liveTopic(ctx.settings, key), () => refreshSoon()));
  offs.push(ctx.live.onResync(() => refreshSoon()));
  offs.push(ctx.overview.on(() => { if (!data) render(); }));
  render();
  load();

  return {
    element,
    kind: "service",
    title: () => (data ? localized(data.title) : localized(ctx.overview.tile(tile)?.title)) || t("wall.view.service"),
    focus: () => heading.focus({ preventScroll: true }),
    show: () => {},
    hide: () => {},
    languageChanged: render,
    destroy() {
      destroyed = true;
      for (const off of offs) off();
      clearTimeout(timer);
      controller?.abort();
    },
  };
}
