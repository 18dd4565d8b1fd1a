// The app shell: session check, top bar, navigation and the hash router (#/map, #/agencies, …).
import { api, errorMessage, setCsrfToken, setUnauthorizedHandler } from "./api.js";
import { bindLanguageSwitch, initI18n, t } from "./i18n.js";
import { instanceName, loadSettings, provinceName } from "./settings.js";
import * as mapView from "./views/map.js";
import * as publicServicesView from "./views/public-services.js";
import * as fieldReportsView from "./views/field-reports.js";
import * as wallsView from "./views/walls.js";
import * as alarmsView from "./views/alarms.js";
import { adminViews } from "./views/admin.js";
import { forbiddenView, notFoundView, placeholderView } from "./views/placeholder.js";

const DEFAULT_ROUTE = "map";
// Old addresses that moved: #/alerts (the alerts service's placeholder) is now the alarms page.
const MOVED = { alerts: "alarms" };

// Services not built yet: route name → dictionary key of the service.
const UPCOMING = {
  "socio-economic": "socioEconomic",
  cameras: "cameras",
  security: "security",
  dti: "dti",
  reports: "reports",
};

const ROUTES = {
  map: { title: "nav.map", view: mapView, fullBleed: true },
  "field-reports": { title: "nav.fieldReports", view: fieldReportsView },
  "public-services": { title: "nav.publicServices", view: publicServicesView },
  walls: { title: "walls.nav", view: wallsView },
  alarms: { title: "alarms.nav", view: alarmsView },
  ...Object.fromEntries(
    Object.entries(UPCOMING).map(([route, key]) => [route, { title: `nav.${key}`, view: placeholderView(key) }]),
  ),
  ...Object.fromEntries(
    Object.entries(adminViews).map(([route, view]) => [route, { title: `nav.${route}`, view, adminOnly: true }]),
  ),
};

const content = document.getElementById("content");
const state = { settings: null, user: null, route: null, mounted: null };

function loginURL() {
  const here = location.pathname + location.search + location.hash;
  return `/login.html?next=${encodeURIComponent(here)}`;
}

function redirectToLogin() {
  setCsrfToken(null);
  location.replace(loginURL());
}

// ---- Navigation drawer (phones) ----

function setNavOpen(open) {
  document.body.classList.toggle("nav-open", open);
  document.getElementById("nav-toggle").setAttribute("aria-expanded", String(open));
  document.getElementById("nav-backdrop").hidden = !open;
}

// ---- Router ----

function currentRouteName() {
  const path = location.hash.replace(/^#\/?/, "");
  return path.split(/[/?]/)[0] || "";
}

function route() {
  const name = currentRouteName();
  if (!name || MOVED[name]) {
    location.replace(`#/${MOVED[name] || DEFAULT_ROUTE}`);
    return;
  }
  setNavOpen(false);
  state.mounted?.unmount?.();
  state.mounted = null;

  let definition = ROUTES[name];
  if (!definition) definition = { title: "error.notFoundTitle", view: notFoundView };
  else if (definition.adminOnly && state.user.role !== "admin") definition = { ...definition, view: forbiddenView };
  state.route = { name, ...definition };

  for (const link of document.querySelectorAll(".sidebar a[data-route]")) {
    if (link.dataset.route === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  content.classList.toggle("content--full", Boolean(definition.fullBleed));
  const root = document.createElement("section");
  root.className = `view view-${name}`;
  content.replaceChildren(root);
  content.scrollTop = 0;
  updateTitle();
  state.mounted = definition.view.mount(root, { settings: state.settings, user: state.user }) || null;
}

function updateTitle() {
  const page = state.route ? t(state.route.title) : "";
  document.title = page ? `${page} – ${instanceName(state.settings)}` : instanceName(state.settings);
}

// ---- Top bar ----

function renderChrome() {
  const { settings, user } = state;
  document.getElementById("brand-province").textContent = t("app.provinceLine", { province: provinceName(settings) });
  document.getElementById("demo-badge").hidden = !settings.demo;
  document.getElementById("app-version").textContent = settings.version ? t("app.version", { version: settings.version }) : "";
  const roleLabel = t(`role.${user.role}`);
  for (const prefix of ["user", "nav-user"]) {
    const name = document.getElementById(`${prefix}-name`);
    name.textContent = user.displayName || user.username;
    name.title = user.agency ? user.agency.name : "";
    document.getElementById(`${prefix}-role`).textContent = roleLabel;
  }
  document.getElementById("nav-admin").hidden = user.role !== "admin";
  updateTitle();
}

async function logout() {
  const button = document.getElementById("logout");
  button.disabled = true;
  try {
    await api.delete("/api/v1/session");
  } catch {
    // Already signed out or the server is unreachable: the login page is the right place either way.
  }
  setCsrfToken(null);
  location.href = "/login.html";
}

// ---- Start ----

function showBootError(error) {
  document.getElementById("boot-message").textContent = errorMessage(error);
  document.getElementById("boot-retry").hidden = false;
}

async function start() {
  await initI18n();
  let session;
  try {
    [state.settings, session] = await Promise.all([loadSettings(), api.get("/api/v1/session")]);
  } catch (error) {
    if (error.status === 401) redirectToLogin();
    else showBootError(error);
    return;
  }
  state.user = session.user;
  setCsrfToken(session.csrfToken);
  setUnauthorizedHandler(redirectToLogin);

  renderChrome();
  bindLanguageSwitch(document.getElementById("lang-switch"));
  document.getElementById("logout").addEventListener("click", logout);
  document.getElementById("nav-toggle").addEventListener("click", () => setNavOpen(!document.body.classList.contains("nav-open")));
  document.getElementById("nav-backdrop").addEventListener("click", () => setNavOpen(false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setNavOpen(false);
  });
  window.addEventListener("ioc:languagechange", () => {
    renderChrome();
    if (state.mounted?.languageChanged) state.mounted.languageChanged();
    else route();
  });
  window.addEventListener("hashchange", route);

  document.body.classList.remove("is-loading");
  route();
}

document.getElementById("boot-retry").addEventListener("click", () => location.reload());
start();
