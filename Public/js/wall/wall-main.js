// The wall page (wall.html): the overview at /wall (also the leaders' phone view) with its own hash routes (service
// screens, a case, an alarm's detail: routes.js), or one kiosk screen of a video wall at /wall/<wall>/<screen>
// (or wall.html?wall=…&screen=… for testing).
// One live connection, one overview store and one feed store serve whatever views the page shows.
import {
  applyI18n, DEFAULT_BUNDLES, formatDateTime, getLanguage, initI18n, LANGUAGES, localized, moduleBundles, otherLanguage, setLanguage, t,
} from "../i18n.js";
import { loadSettings, missingCatalogue, provinceName } from "../settings.js";
import { hasDisplayKey, initDisplayKey, isRefused, liveURL, markRefused } from "./wall-api.js";
import { LiveConnection } from "./live.js";
import { createFeedStore, createOverviewStore } from "./store.js";
import { createAlarmStore } from "./alarms.js";
import { createOverview } from "./overview.js";
import { startOverviewRoutes } from "./routes.js";
import { startKiosk } from "./screen.js";
import { refreshAges } from "./tiles.js";
import { shortTime } from "./format.js";

const AGE_TICK_MS = 15_000;
const BOOT_RETRY_MS = 10_000;

const $ = (id) => document.getElementById(id);

/** Which screen this page is: the overview, or a kiosk screen of a wall. */
export function parseRoute(pathname = location.pathname, search = location.search) {
  const query = new URLSearchParams(search);
  const match = pathname.replace(/\/+$/, "").match(/^\/wall\/([^/]+)\/([^/]+)$/);
  if (match) {
    try {
      return { kind: "kiosk", wall: decodeURIComponent(match[1]), index: decodeURIComponent(match[2]) };
    } catch {
      return { kind: "overview" };
    }
  }
  if (query.get("wall") && query.get("screen") != null && query.get("screen") !== "") {
    return { kind: "kiosk", wall: query.get("wall"), index: query.get("screen") };
  }
  return { kind: "overview" };
}

function loginRedirect() {
  const next = location.pathname + location.search + location.hash; // back to the same service screen or alarm
  location.replace(`/login.html?next=${encodeURIComponent(next)}`);
}

// ---- header: clock, live indicator, offline banner ----

function startClock() {
  const clock = $("wall-clock");
  const tick = () => {
    const now = new Date();
    const text = formatDateTime(now, { seconds: true });
    clock.textContent = text;
    clock.dateTime = now.toISOString();
  };
  tick();
  // Aligned to the second, one text update per second: no allocation that grows.
  setTimeout(() => {
    tick();
    setInterval(tick, 1000);
  }, 1000 - (Date.now() % 1000));
}

function bindLiveIndicator(live) {
  const indicator = $("wall-live");
  const label = indicator.querySelector(".wall-live-text");
  const banner = $("wall-offline");
  const bannerText = $("wall-offline-text");
  let countdown = null;

  const render = () => {
    // A screen the server refuses is not offline: it says it is not authorised (and the screen says how to fix it).
    const refused = isRefused() && live.status !== "live";
    const status = refused ? "refused" : live.status;
    indicator.dataset.status = status;
    label.textContent = t(`wall.live.${status}`);
    indicator.title = t(`wall.live.${status}Hint`);
    const offline = status === "offline";
    document.body.classList.toggle("is-offline", offline);
    banner.hidden = !offline;
    if (offline) {
      const seconds = Math.max(0, Math.ceil((live.retryAt - Date.now()) / 1000));
      bannerText.textContent = live.ws || seconds === 0
        ? t("wall.offline.reconnecting")
        : t("wall.offline.retryIn", { seconds });
    }
  };
  document.addEventListener("wall:auth", render);
  live.onStatus(() => {
    render();
    clearInterval(countdown);
    countdown = live.status === "offline" ? setInterval(render, 1000) : null;
  });
  return render;
}

// ---- start ----

async function boot() {
  await initDisplayKey();
  const route = parseRoute();
  const kiosk = route.kind === "kiosk";
  document.body.classList.toggle("is-kiosk", kiosk);
  document.body.classList.toggle("is-overview", !kiosk);

  const wantedLanguage = new URLSearchParams(location.search).get("lang");
  let settings;
  try {
    // The wall's dictionaries and those the modules list (a service's screen on the wall speaks its own words).
    settings = await loadSettings();
    await initI18n([...new Set([...DEFAULT_BUNDLES, ...moduleBundles(settings?.modules)])]);
    if (LANGUAGES.includes(wantedLanguage) && wantedLanguage !== getLanguage()) await setLanguage(wantedLanguage);
  } catch {
    // The server is not reachable yet (a screen that boots before the server): try again by itself.
    $("wall-boot-message").textContent = "Đang chờ máy chủ… / Waiting for the server…";
    setTimeout(() => location.reload(), BOOT_RETRY_MS);
    return;
  }
  const missing = missingCatalogue(settings);
  if (missing.length) {
    // A server older than this page (no live topics' names): wait for it to be updated.
    $("wall-boot-message").textContent = t("wall.catalogueMissing", { fields: missing.join(", ") });
    setTimeout(() => location.reload(), BOOT_RETRY_MS);
    return;
  }

  const live = new LiveConnection(liveURL);
  const onUnauthorized = () => {
    if (!kiosk && !hasDisplayKey()) loginRedirect();
    else markRefused(true);
  };
  let alarmStore = null;
  const ctx = {
    settings,
    live,
    overview: createOverviewStore(live, { settings, onUnauthorized }),
    feed: createFeedStore(live, { settings, onUnauthorized }),
    // Created by the first view that shows alarms (a kiosk screen that never does, never fetches them).
    alarmStore: () => {
      alarmStore ??= createAlarmStore(live, { settings, onUnauthorized });
      return alarmStore;
    },
  };

  const host = $("wall-screen");
  const chrome = {
    title: "",
    setTitle(text) {
      chrome.title = text || "";
      renderBrand();
    },
    setTakeover(by) {
      const tag = $("wall-takeover");
      tag.hidden = !by;
      tag.textContent = by ? t("wall.screen.takenOver", { by }) : "";
    },
    setScreenTag(text) {
      const tag = $("wall-screen-tag");
      tag.hidden = !text;
      tag.textContent = text || "";
    },
    onFirstRender() {
      if (document.body.dataset.ready === "1") return;
      document.body.classList.remove("is-loading");
      document.body.dataset.readyAt = String(Math.round(performance.now())); // ms since navigation, for tests
      document.body.dataset.ready = "1";
    },
  };

  function renderBrand() {
    document.title = t("wall.pageTitle");
    // Whose figures these are: the province, or the caller's agencies (an officer's wall shows what its REST views show).
    const scope = ctx.overview.data?.scope;
    $("wall-brand-sub").textContent = [t("app.provinceLine", { province: provinceName(settings) }), scope ? localized(scope.label) : "", chrome.title]
      .filter(Boolean).join(" · ");
    $("wall-brand-sub").dataset.scope = scope ? "agencies" : "province";
  }

  function renderAsOf() {
    const asOf = ctx.overview.data?.asOf;
    const el = $("wall-asof");
    el.textContent = asOf ? t("wall.asOf", { time: shortTime(asOf) }) : "";
    // The last refresh failed: the figures shown are those of `asOf`.
    el.classList.toggle("is-stale", Boolean(ctx.overview.error && asOf));
    el.title = ctx.overview.error && asOf ? t("wall.asOfStale") : "";
  }

  const renderLive = bindLiveIndicator(live);
  startClock();
  renderBrand();
  ctx.overview.on(renderAsOf);
  ctx.overview.on(renderBrand);

  ctx.overview.refresh();
  const snapshot = ctx.feed.reload();

  let controller;
  if (kiosk) {
    host.replaceChildren();
    controller = startKiosk(ctx, { wall: route.wall, index: route.index, host, chrome });
    ctx.overview.on(() => controller.refreshTitle());
    keepAwake();
  } else {
    const overview = createOverview(ctx, { kiosk: false });
    controller = startOverviewRoutes(ctx, { host, chrome, overview, createOverview });
    ctx.overview.on(() => controller.refreshTitle());
    const firstData = ctx.overview.on(() => {
      firstData();
      chrome.onFirstRender();
    });
    const langButton = $("wall-lang");
    langButton.hidden = false;
    langButton.addEventListener("click", async () => {
      langButton.disabled = true;
      try {
        await setLanguage(otherLanguage());
      } finally {
        langButton.disabled = false;
      }
    });
  }

  // The live connection starts after the feed's snapshot, so that it resumes right after it (no gap).
  await Promise.race([snapshot, new Promise((resolve) => setTimeout(resolve, 5000))]);
  live.start();

  // Ages ("cập nhật 3 phút trước") and stale badges move on by themselves.
  setInterval(() => refreshAges(document), AGE_TICK_MS);

  window.addEventListener("ioc:languagechange", () => {
    applyI18n(document);
    renderBrand();
    renderAsOf();
    renderLive();
    controller.languageChanged();
  });

  // A phone coming back to the foreground: reconnect at once and refresh.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    live.reconnectNow();
    ctx.overview.refreshSoon();
  });
}

/** Kiosks: ask the screen not to sleep (where the browser allows it); ask again when the page becomes visible. */
function keepAwake() {
  if (!navigator.wakeLock?.request) return;
  const request = () => navigator.wakeLock.request("screen").catch(() => {});
  request();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") request();
  });
}

boot();
