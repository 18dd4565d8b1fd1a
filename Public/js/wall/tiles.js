// Service tiles, rendered generically from the overview's tile shape (later services add tiles with the same shape;
// only the icon is looked up by id, with a default). Every tile shows the age of its data and a "stale" badge.
import { h, icon } from "../dom.js";
import { localized, t } from "../i18n.js";
import { ageSeconds, figureText, updatedAgoText } from "./format.js";

const TILE_ICONS = {
  fieldreports: "report",
  publicservices: "dossier",
  socioeconomic: "chart",
  cameras: "camera",
  security: "shield",
  alerts: "bell",
  alarms: "bell",
  dti: "trend",
  reports: "clipboard",
};
const SEVERITIES = new Set(["good", "warn", "bad"]);
export const TREND_MAX_POINTS = 90; // a chart never holds more than this window

/** True when the tile's source is stale: the server says so, or its data is older than twice the expected period. */
export function isStale(freshness) {
  if (!freshness) return false;
  if (freshness.stale) return true;
  const age = ageSeconds(freshness.lastDataAt);
  const expected = Number(freshness.expectedSeconds);
  return age != null && expected > 0 && age > 2 * expected;
}

/** Updates the age texts and stale badges under `root` (called by a ticker; no re-render needed). */
export function refreshAges(root) {
  for (const el of root.querySelectorAll("[data-age-at]")) {
    const age = ageSeconds(el.dataset.ageAt);
    el.textContent = age == null ? t("wall.age.unknown") : updatedAgoText(age);
  }
  for (const tile of root.querySelectorAll(".wall-tile[data-expected]")) {
    const freshness = { stale: tile.dataset.serverStale === "1", lastDataAt: tile.dataset.lastDataAt, expectedSeconds: Number(tile.dataset.expected) };
    const stale = isStale(freshness);
    tile.dataset.stale = stale ? "1" : "0";
    const badge = tile.querySelector(".wall-badge-stale");
    if (badge) badge.hidden = !stale;
  }
}

/** An SVG sparkline (area + line + last point) of the last TREND_MAX_POINTS points. */
export function sparkline(trend, { large = false } = {}) {
  const points = (Array.isArray(trend?.points) ? trend.points : [])
    .filter((p) => typeof p?.value === "number" && Number.isFinite(p.value))
    .slice(-TREND_MAX_POINTS);
  const ns = "http://www.w3.org/2000/svg";
  const width = 300;
  const height = large ? 90 : 60;
  const pad = 4;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "wall-spark");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  if (points.length < 2) {
    svg.setAttribute("aria-label", t("wall.tile.noTrend"));
    return svg;
  }
  const values = points.map((p) => p.value);
  const min = Math.min(...values, 0);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (i) => pad + (i * (width - 2 * pad)) / (points.length - 1);
  const y = (v) => height - pad - ((v - min) * (height - 2 * pad)) / span;
  const line = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join("");
  const area = `${line}L${x(points.length - 1).toFixed(1)},${height - pad}L${x(0).toFixed(1)},${height - pad}Z`;
  const make = (tag, attributes) => {
    const el = document.createElementNS(ns, tag);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    return el;
  };
  svg.append(
    make("path", { d: area, class: "wall-spark-area" }),
    make("path", { d: line, class: "wall-spark-line", "vector-effect": "non-scaling-stroke" }),
  );
  const last = points[points.length - 1];
  svg.setAttribute("aria-label", t("wall.tile.trendSummary", {
    label: localized(trend.label), first: figureText(values[0]), last: figureText(last.value), count: points.length,
  }));
  return svg;
}

function figure(item) {
  const severity = SEVERITIES.has(item?.severity) ? item.severity : null;
  return h("div", { class: "wall-figure", dataset: { figure: String(item?.key ?? ""), ...(severity ? { severity } : {}) } },
    h("dt", { class: "wall-figure-label" }, localized(item?.label)),
    h("dd", { class: "wall-figure-value" }, figureText(item?.value, item?.format)));
}

function trendBlock(tile, large) {
  const points = Array.isArray(tile.trend?.points) ? tile.trend.points : [];
  if (!points.length) return null;
  const last = points[points.length - 1];
  return h("figure", { class: "wall-trend" },
    h("figcaption", { class: "wall-trend-label" },
      h("span", {}, localized(tile.trend.label)),
      last && typeof last.value === "number" ? h("span", { class: "wall-trend-last" }, figureText(last.value)) : null),
    sparkline(tile.trend, { large }));
}

/**
 * One tile. `link`: make the title a link — to the in-page service screen when the tile has `drill`, else to the
 * console; `large`: the single-tile view.
 * Test hooks: `.wall-tile[data-tile=id]` with figures `[data-figure=key]`.
 */
export function renderTile(tile, { link = true, large = false } = {}) {
  const freshness = tile.freshness || {};
  const stale = isStale(freshness);
  const title = localized(tile.title) || tile.id;
  const href = typeof tile.link === "string" && tile.link.startsWith("/") && !tile.link.startsWith("//") ? tile.link : null;
  const figures = Array.isArray(tile.figures) ? tile.figures : [];
  const drill = link && typeof tile.drill === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(tile.drill) ? tile.drill : null;
  // A tile with a service screen opens it in the page (the whole tile is the link); else the title opens the console.
  const tileTitle = () => {
    if (drill) {
      return h("a", { class: "wall-tile-drill", href: `#service/${encodeURIComponent(drill)}`, dataset: { drill }, title: t("wall.tile.drill", { title }) },
        title, h("span", { class: "wall-tile-chevron", "aria-hidden": "true" }, "›"));
    }
    return link && href ? h("a", { href, title: t("wall.tile.open", { title }) }, title) : title;
  };
  const el = h("article", {
    class: `wall-tile${large ? " wall-tile--large" : ""}${drill ? " is-drill" : ""}`,
    dataset: {
      tile: String(tile.id),
      stale: stale ? "1" : "0",
      serverStale: freshness.stale ? "1" : "0",
      lastDataAt: freshness.lastDataAt || "",
      expected: String(Number(freshness.expectedSeconds) || 0),
      figures: String(Math.min(figures.length, 6)),
    },
  },
  h("header", { class: "wall-tile-head" },
    icon(TILE_ICONS[tile.id] || "chart", "icon wall-tile-icon"),
    h("h2", { class: "wall-tile-title" }, tileTitle()),
    h("span", { class: "wall-badge wall-badge-stale", hidden: !stale, title: t("wall.tile.staleHint") }, t("wall.tile.stale")),
    h("span", { class: "wall-age", dataset: { ageAt: freshness.lastDataAt || "" } },
      freshness.lastDataAt ? updatedAgoText(ageSeconds(freshness.lastDataAt)) : t("wall.age.unknown"))),
  h("dl", { class: "wall-figures" }, figures.map(figure)),
  trendBlock(tile, large));
  el.style.setProperty("--figures", String(Math.max(1, figures.length)));
  return el;
}
