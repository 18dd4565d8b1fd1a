// Login page: POST /api/v1/session, then go to `next` (a same-origin path) or "/".
import { api, errorMessage, setCsrfToken } from "./api.js";
import { applyI18n, bindLanguageSwitch, initI18n, t } from "./i18n.js";
import { instanceName, loadSettings, provinceName } from "./settings.js";

const form = document.getElementById("login-form");
const username = document.getElementById("login-username");
const password = document.getElementById("login-password");
const submit = document.getElementById("login-submit");
const errorBox = document.getElementById("login-error");

let settings = null;
// The error on screen, kept so that it can be re-worded when the language changes.
let shownError = null;

/** The `next` query parameter if it is a path on this site, else "/". */
function nextLocation() {
  const next = new URLSearchParams(location.search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  try {
    const url = new URL(next, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

function showError(error) {
  shownError = error;
  renderError();
}

function renderError() {
  if (!shownError) {
    errorBox.hidden = true;
    errorBox.textContent = "";
    return;
  }
  errorBox.textContent = typeof shownError === "string" ? t(shownError) : errorMessage(shownError);
  errorBox.hidden = false;
}

function renderSettings() {
  if (!settings) return;
  document.getElementById("login-subtitle").textContent = t("login.subtitle", { province: provinceName(settings) });
  document.getElementById("demo-badge").hidden = !settings.demo;
  document.getElementById("app-version").textContent = settings.version ? t("app.version", { version: settings.version }) : "";
  document.title = `${t("login.pageTitlePrefix")} – ${instanceName(settings)}`;
}

async function onSubmit(event) {
  event.preventDefault();
  const credentials = { username: username.value.trim(), password: password.value };
  if (!credentials.username || !credentials.password) {
    showError("login.missing");
    (credentials.username ? password : username).focus();
    return;
  }
  showError(null);
  submit.disabled = true;
  submit.textContent = t("login.submitting");
  try {
    const session = await api.post("/api/v1/session", credentials);
    setCsrfToken(session?.csrfToken);
    location.href = nextLocation();
  } catch (error) {
    showError(error);
    password.select();
    submit.disabled = false;
    submit.textContent = t("login.submit");
  }
}

async function start() {
  await initI18n();
  bindLanguageSwitch(document.getElementById("lang-switch"));
  window.addEventListener("ioc:languagechange", () => {
    renderSettings();
    renderError();
    if (!submit.disabled) applyI18n(submit);
  });
  form.addEventListener("submit", onSubmit);
  try {
    settings = await loadSettings();
    renderSettings();
  } catch {
    // The form works without settings; only the province subtitle is missing.
  }
}

start();
