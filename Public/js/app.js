// The app shell: session check, top bar, navigation and the hash router (#/map, #/agencies, …).
// The menu and the routes come from the server's module catalogue (settings `modules[].console`): each entry names
// its route, title (dictionary key), icon, group and roles; the page of a route is views/<route>.js, loaded when first
// opened. The dictionaries are the platform's plus those the modules list (`modules[].i18n`).
import { api, errorMessage, setCsrfToken, setUnauthorizedHandler } from "./api.js";
import { bindLanguageSwitch, initI18n, moduleBundles, PLATFORM_BUNDLE, t } from "./i18n.js";
import { h } from "./dom.js";
import { instanceName, loadSettings, missingCatalogue, provinceName } from "./settings.js";
import { forbiddenView, loadFailedView, notFoundView, placeholderView } from "./views/placeholder.js";

const DEFAULT_ROUTE = "map";
// Old addresses that moved: #/alerts (the alerts service's placeholder) is now the alarms page.
const MOVED = { alerts: "alarms" };
const ROUTE_NAME = /^[a-z0-9-]+$/;
const GROUPS = ["services", "admin"];

// Services not built yet (not modules yet): route name → [dictionary key of the service, icon]. Shown after the
// modules' services.
// Services still to come: shown (marked "coming") only to the roles that will use them (issue 18, point 10), and
// gone once their module lands.
const UPCOMING = {
  cameras: ["cameras", "i-camera", ["admin", "operator", "leader", "officer"]],
  security: ["security", "i-shield", ["admin", "operator", "leader", "analyst"]],
  reports: ["reports", "i-clipboard", ["admin", "operator", "leader"]],
};

// Route name → { title, group, roles, icon, load() → view module } (from the settings, see buildRoutes).
let ROUTES = {};

const content = document.getElementById("content");
const state = { settings: null, user: null, route: null, mounted: null, seq: 0 };

function loginURL() {
  const here = location.pathname + location.search + location.hash;
  return `/login.html?next=${encodeURIComponent(here)}`;
}

function redirectToLogin() {
  setCsrfToken(null);
  location.replace(loginURL());
}

// ---- Routes and menu from the module catalogue ----

/** Console entries of the catalogue, in menu order (modules in order, each module's entries in order). */
function consoleEntries(modules) {
  const entries = [];
  for (const module of modules) {
    for (const entry of Array.isArray(module?.console) ? module.console : []) {
      if (!ROUTE_NAME.test(entry?.route || "") || !GROUPS.includes(entry.group)) continue;
      if (entries.some((other) => other.route === entry.route)) continue;
      entries.push(entry);
    }
  }
  return entries;
}

function buildRoutes(modules) {
  const routes = {};
  for (const entry of consoleEntries(modules)) {
    routes[entry.route] = {
      title: entry.title,
      icon: entry.icon,
      group: entry.group,
      roles: Array.isArray(entry.roles) ? entry.roles : [],
      load: () => import(`./views/${entry.route}.js`),
    };
  }
  for (const [route, [key, icon, roles]] of Object.entries(UPCOMING)) {
    if (routes[route]) continue; // it became a module
    const view = placeholderView(key);
    routes[route] = { title: `nav.${key}`, icon, group: "services", upcoming: true, roles, load: () => Promise.resolve(view) };
  }
  return routes;
}

function allowed(definition) {
  return definition.roles.includes(state.user.role);
}

function navItem(route, { title, icon, upcoming }) {
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#${icon}`);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.append(use);
  return h("li", {},
    h("a", { href: `#/${route}`, "data-route": route, class: upcoming ? "is-upcoming" : null }, svg, h("span", { "data-i18n": title }, t(title)),
      upcoming ? h("span", { class: "nav-soon", "data-i18n": "nav.soon" }, t("nav.soon")) : null));
}

/** The sidebar's two lists: the services the user may open (modules first, then the upcoming ones) and admin pages. */
function renderNav() {
  const groups = { services: [], admin: [] };
  const entries = Object.entries(ROUTES);
  // Upcoming services come after every module's service, whatever the order of the object.
  entries.sort(([, a], [, b]) => Number(Boolean(a.upcoming)) - Number(Boolean(b.upcoming)));
  for (const [route, definition] of entries) {
    if (allowed(definition)) groups[definition.group].push(navItem(route, definition));
  }
  document.getElementById("nav-services").replaceChildren(...groups.services);
  document.getElementById("nav-admin-list").replaceChildren(...groups.admin);
  document.getElementById("nav-admin").hidden = groups.admin.length === 0;
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

async function route() {
  const name = currentRouteName();
  if (!name || MOVED[name]) {
    location.replace(`#/${MOVED[name] || DEFAULT_ROUTE}`);
    return;
  }
  setNavOpen(false);
  const seq = ++state.seq;

  const found = ROUTES[name];
  let definition;
  if (!found) definition = { title: "error.notFoundTitle", view: notFoundView };
  else if (!allowed(found)) definition = { ...found, view: forbiddenView };
  else {
    let view;
    try {
      view = await found.load();
    } catch (error) {
      console.error(`The page of #/${name} could not be loaded`, error);
      view = loadFailedView;
    }
    if (seq !== state.seq) return; // the user has gone elsewhere meanwhile
    definition = { ...found, view, fullBleed: Boolean(view.fullBleed) };
  }

  state.mounted?.unmount?.();
  state.mounted = null;
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

function showBootError(message) {
  document.getElementById("boot-message").textContent = message;
  document.getElementById("boot-retry").hidden = false;
}

async function start() {
  // The settings say which dictionaries the console needs; the session is checked meanwhile.
  const session = api.get("/api/v1/session");
  session.catch(() => {}); // handled below, once the dictionaries are loaded
  let settings;
  try {
    settings = await loadSettings();
  } catch (error) {
    await initI18n([PLATFORM_BUNDLE]);
    showBootError(errorMessage(error));
    return;
  }
  const missing = missingCatalogue(settings);
  if (missing.length) {
    // A server older than this page: no menu can be built (there is no copy of it here).
    await initI18n([PLATFORM_BUNDLE]);
    showBootError(t("app.catalogueMissing", { fields: missing.join(", ") }));
    return;
  }
  await initI18n(moduleBundles(settings.modules));
  try {
    state.settings = settings;
    const answer = await session;
    state.user = answer.user;
    setCsrfToken(answer.csrfToken);
  } catch (error) {
    if (error.status === 401) redirectToLogin();
    else showBootError(errorMessage(error));
    return;
  }
  setUnauthorizedHandler(redirectToLogin);

  ROUTES = buildRoutes(settings.modules);
  renderNav();
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
