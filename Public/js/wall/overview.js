// The overview: one tile per service, the province map, the open alarms and the live feed, fitted to one screen
// without scrolling (1920×1080 and 4K alike; stacked and scrollable on a phone).
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { errorMessage } from "../api.js";
import { createFeed } from "./feed.js";
import { createWallMap, METRICS } from "./map.js";
import { renderTile } from "./tiles.js";
import { createAlarmPanel } from "./alarms.js";

function tilesMessage(store) {
  if (store.error) return h("p", { class: "wall-panel-message is-error" }, t("wall.tiles.error"), " ", errorMessage(store.error));
  return h("p", { class: "wall-panel-message" }, t("wall.loading"));
}

/** Renders the tiles of `store` into `container` (a grid sized by the number of tiles). */
export function renderTiles(container, store, { links }) {
  const tiles = store.data?.tiles;
  if (!Array.isArray(tiles)) {
    container.dataset.count = "0";
    container.replaceChildren(tilesMessage(store));
    return;
  }
  container.dataset.count = String(tiles.length);
  if (!tiles.length) {
    container.replaceChildren(h("p", { class: "wall-panel-message" }, t("wall.tiles.none")));
    return;
  }
  container.replaceChildren(...tiles.map((tile) => renderTile(tile, { link: links })));
}

/**
 * createOverview(ctx, { kiosk, params }) → view { element, show, hide, languageChanged, destroy }.
 * `ctx`: { settings, live, overview, feed, alarmStore() } (the page's shared connection and stores).
 */
export function createOverview(ctx, { kiosk = false, params = {} } = {}) {
  const links = !kiosk;
  const tilesEl = h("section", { class: "wall-tiles", id: "wall-tiles", "aria-label": t("wall.tiles.label") });
  const metric = METRICS.includes(params.metric) ? params.metric : METRICS[0];
  const alarmStore = ctx.alarmStore();
  const map = createWallMap(ctx.settings, ctx.live, { metric, interactive: !kiosk, metricPicker: !kiosk, alarms: alarmStore });
  const feed = createFeed(ctx.feed, { links });
  const alarms = createAlarmPanel(alarmStore, { interactive: !kiosk });
  const mapPanel = h("section", { class: "wall-map-panel", "aria-label": t("wall.map.label") }, map.element);
  const side = h("div", { class: "wall-side" }, alarms.element, feed.element);
  const element = h("div", { class: "wall-overview" }, tilesEl, mapPanel, side);

  const render = () => renderTiles(tilesEl, ctx.overview, { links });
  const off = ctx.overview.on(render);
  render();

  return {
    element,
    kind: "overview",
    show: () => map.show(),
    hide: () => map.hide(),
    languageChanged() {
      tilesEl.setAttribute("aria-label", t("wall.tiles.label"));
      mapPanel.setAttribute("aria-label", t("wall.map.label"));
      render();
      map.languageChanged();
      alarms.languageChanged();
      feed.languageChanged();
    },
    destroy() {
      off();
      map.destroy();
      alarms.destroy();
      feed.destroy();
    },
  };
}
