// The overview page's own routes, in the hash (so that the browser's back button walks back up a drill-down):
//   (none)                                              the overview
//   #service/<tile>[/agency/<code>][/unit/<code>]       a service screen (drill-down), see drill.js
//   #case/<code>                                        one field report (the wall's case view)
//   #alarm/<code>                                       the overview with one alarm's detail drawer
// The overview stays mounted (hidden) under the other pages, so coming back does not rebuild its map.
// Test hooks: `#wall-screen[data-view]` is the page shown ("overview", "service", "case").
import { h, icon } from "../dom.js";
import { localized, t } from "../i18n.js";
import { buildView } from "./views.js";
import { createAlarmDrawer } from "./alarms.js";

/** The route of `hash`: { kind: "overview" | "service" | "case" | "alarm", params }. */
export function parseHash(hash = location.hash) {
  const raw = String(hash || "").replace(/^#\/?/, "");
  if (!raw) return { kind: "overview", params: {} };
  let parts;
  try {
    parts = raw.split("/").map((part) => decodeURIComponent(part));
  } catch {
    return { kind: "overview", params: {} };
  }
  const [head, first, ...rest] = parts;
  if (head === "service" && first) {
    const params = { tile: first };
    for (let i = 0; i + 1 < rest.length; i += 2) {
      if (rest[i] === "agency" && rest[i + 1]) params.agency = rest[i + 1];
      else if (rest[i] === "unit" && rest[i + 1]) params.unit = rest[i + 1];
    }
    return { kind: "service", params };
  }
  if (head === "case" && first) return { kind: "case", params: { code: first } };
  if (head === "alarm" && first) return { kind: "alarm", params: { code: first } };
  return { kind: "overview", params: {} };
}

/**
 * Mounts the overview into `host` and follows the hash. `chrome`: the page header (setTitle).
 * → { languageChanged(), refreshTitle() }
 */
export function startOverviewRoutes(ctx, { host, chrome, overview, createOverview }) {
  const overviewWrapper = h("div", { class: "wall-view", dataset: { kind: "overview" } }, overview.element);
  host.replaceChildren(overviewWrapper);
  host.dataset.view = "overview";
  let page = null; // { key, route, built, wrapper, bar }
  let drawer = null; // { code, built }
  let currentKey = null;
  let previousRoute = null;

  function pageTitle(route) {
    if (route.kind === "service") {
      const tile = ctx.overview.tile(route.params.tile);
      return tile ? localized(tile.title) : t("wall.view.service");
    }
    if (route.kind === "case") return t("wall.view.case", { code: route.params.code });
    return "";
  }

  /** Back where we came from when that was in this page; else up to the overview. */
  function goBack() {
    if (previousRoute && previousRoute.kind !== "alarm") history.back();
    else location.hash = "";
  }

  /** The bar above a case: Tổng quan › Phản ánh PA-… and a back button. */
  function caseBar(route) {
    const back = h("button", { type: "button", class: "wall-back", id: "wall-back", onclick: goBack });
    const list = h("ol", { class: "wall-crumbs-list" });
    const nav = h("nav", { class: "wall-crumbs" }, list);
    const render = () => {
      back.replaceChildren(h("span", { "aria-hidden": "true" }, "‹ "), t("wall.drill.back"));
      nav.setAttribute("aria-label", t("wall.drill.crumbs"));
      list.replaceChildren(
        h("li", { class: "wall-crumb" }, h("a", { href: "#", dataset: { crumb: "overview" } }, icon("list", "icon wall-crumb-icon"), t("wall.drill.overview"))),
        h("li", { class: "wall-crumb" }, h("span", { "aria-current": "page" }, t("wall.view.case", { code: route.params.code }))));
    };
    render();
    return { element: h("div", { class: "wall-routed-bar" }, back, nav), render };
  }

  function closePage() {
    if (!page) return;
    page.built.destroy();
    page.wrapper.remove();
    page = null;
  }

  function showPage(route) {
    if (route.kind === "overview") {
      closePage();
      if (overviewWrapper.hidden) {
        overviewWrapper.hidden = false;
        overview.show();
      }
      host.dataset.view = "overview";
      chrome.setTitle("");
      return;
    }
    const key = JSON.stringify(route);
    if (!page || page.key !== key) {
      closePage();
      const built = buildView(ctx, route, { createOverview, interactive: true });
      const bar = route.kind === "case" ? caseBar(route) : null;
      const body = h("div", { class: "wall-routed-body" }, built.element);
      const wrapper = h("div", { class: `wall-view wall-routed wall-routed--${built.kind}`, dataset: { kind: built.kind } }, bar?.element, body);
      host.append(wrapper);
      page = { key, route, built, wrapper, bar };
      built.show();
    }
    if (!overviewWrapper.hidden) {
      overviewWrapper.hidden = true;
      overview.hide();
    }
    host.dataset.view = page.built.kind;
    chrome.setTitle(pageTitle(route));
  }

  function closeDrawer({ restoreFocus = true } = {}) {
    if (!drawer) return;
    const { code } = drawer;
    drawer.built.destroy();
    drawer.built.element.remove();
    drawer = null;
    host.classList.remove("has-drawer");
    if (restoreFocus) document.querySelector(`#wall-alarms li[data-code="${CSS.escape(code)}"] a`)?.focus({ preventScroll: true });
  }

  /** The drawer opens left of the alarm list (so that another alarm is one click away), over the map. */
  function placeDrawer() {
    if (!drawer) return;
    const side = overview.element.querySelector(".wall-side");
    const sideRect = side?.getBoundingClientRect();
    const hostRect = host.getBoundingClientRect();
    const beside = sideRect && sideRect.width > 0 && window.innerWidth > 800 && sideRect.left - hostRect.left > 600;
    host.style.setProperty("--drawer-right", beside ? `${Math.round(hostRect.right - sideRect.left)}px` : "");
  }

  function showDrawer(code) {
    if (drawer?.code === code) return;
    closeDrawer({ restoreFocus: false });
    const built = createAlarmDrawer(ctx, code, { onClose: goBack });
    host.append(built.element);
    host.classList.add("has-drawer");
    drawer = { code, built };
    placeDrawer();
    built.focus();
  }

  function apply() {
    const route = parseHash();
    const key = JSON.stringify(route);
    if (key === currentKey) return;
    previousRoute = currentKey ? JSON.parse(currentKey) : null;
    currentKey = key;
    showPage(route.kind === "alarm" ? { kind: "overview", params: {} } : route);
    if (route.kind === "alarm") showDrawer(route.params.code);
    else closeDrawer();
    if (route.kind !== "overview" && route.kind !== "alarm") {
      page?.built.focus?.();
      if (!page?.built.focus) page?.wrapper.querySelector("#wall-back")?.focus({ preventScroll: true });
    }
  }

  window.addEventListener("hashchange", apply);
  window.addEventListener("resize", placeDrawer);
  apply();
  if (!overviewWrapper.hidden) overview.show();

  return {
    languageChanged() {
      overview.languageChanged();
      page?.built.languageChanged();
      page?.bar?.render();
      drawer?.built.languageChanged();
      if (page) chrome.setTitle(pageTitle(page.route));
    },
    refreshTitle() {
      if (page) chrome.setTitle(pageTitle(page.route));
    },
  };
}
