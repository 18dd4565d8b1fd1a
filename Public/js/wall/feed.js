// The live feed panel: new reports, deadline breaches, alarms… newest first, at most FEED_MAX rows in the DOM.
// Test hooks: `#wall-feed li[data-code]` (the item's code, or `#<id>` for an item without one).
import { h } from "../dom.js";
import { formatDate, localized, t } from "../i18n.js";
import { FEED_MAX } from "./store.js";
import { shortTime } from "./format.js";

const SEVERITIES = new Set(["info", "warn", "bad", "good"]);

function safeLink(link) {
  return typeof link === "string" && link.startsWith("/") && !link.startsWith("//") ? link : null;
}

function row(item, { links, fresh }) {
  const severity = SEVERITIES.has(item.severity) ? item.severity : "info";
  const title = localized(item.title) || item.type || "";
  const href = links ? safeLink(item.link) : null;
  const body = [
    h("span", { class: "wall-feed-title" }, title),
    h("span", { class: "wall-feed-meta" },
      item.code ? h("span", { class: "wall-feed-code" }, item.code) : null,
      item.place ? h("span", { class: "wall-feed-place" }, item.place) : null),
  ];
  return h("li", {
    class: `wall-feed-item${fresh ? " is-new" : ""}`,
    dataset: { code: item.code || `#${item.id ?? ""}`, severity, topic: item.topic || "" },
  },
  h("time", { class: "wall-feed-time", datetime: item.at || "" }, shortTime(item.at)),
  h("span", { class: "wall-feed-dot", "aria-hidden": "true" }),
  href ? h("a", { class: "wall-feed-body", href }, body) : h("span", { class: "wall-feed-body" }, body));
}

/** Mounts the feed into `root`; returns { element, languageChanged(), destroy() }. */
export function createFeed(store, { links = true, compact = false } = {}) {
  const list = h("ul", { class: "wall-feed-list", id: "wall-feed", "aria-live": "polite", "aria-relevant": "additions" });
  const empty = h("p", { class: "wall-feed-empty" });
  const heading = h("h2", { class: "wall-panel-title" });
  const element = h("section", { class: `wall-feed${compact ? " wall-feed--compact" : ""}`, "aria-labelledby": "wall-feed-title" },
    heading, list, empty);
  heading.id = "wall-feed-title";

  function renderAll() {
    heading.textContent = t("wall.feed.title");
    list.replaceChildren(...store.items.slice(0, FEED_MAX).map((item) => row(item, { links, fresh: false })));
    updateEmpty();
  }

  function updateEmpty() {
    empty.hidden = store.items.length > 0;
    empty.textContent = store.error && !store.items.length ? t("wall.feed.error") : store.loaded ? t("wall.feed.empty") : t("wall.loading");
  }

  function addItems(items) {
    for (const item of items) {
      const index = store.items.indexOf(item);
      if (index < 0) continue;
      const li = row(item, { links, fresh: true });
      const before = list.children[index] || null;
      list.insertBefore(li, before);
    }
    while (list.children.length > FEED_MAX) list.lastElementChild.remove();
    // Rows that fell off the store's window leave the DOM too.
    while (list.children.length > store.items.length) list.lastElementChild.remove();
    updateEmpty();
  }

  const off = store.on((kind, items) => {
    // One live item slides in; a catch-up batch re-renders (positions depend on each other).
    if (kind === "add" && items.length === 1) addItems(items);
    else renderAll();
  });
  // Times of day change at midnight ("14:32" → "dd/MM 14:32"): re-render then, cheaply, once a minute at most.
  let day = formatDate(new Date());
  const timer = setInterval(() => {
    const today = formatDate(new Date());
    if (today !== day) {
      day = today;
      renderAll();
    }
  }, 60_000);
  renderAll();

  return {
    element,
    languageChanged: renderAll,
    destroy() {
      off();
      clearInterval(timer);
    },
  };
}
