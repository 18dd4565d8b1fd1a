// Public transparency page: each agency's dossier figures this year (no personal data; no sign-in).
import { api } from "./api.js";
import { initI18n, applyI18n, t, formatDate, formatNumber, bindLanguageSwitch, localized } from "./i18n.js";
import { h } from "./dom.js";
import { loadSettings, provinceName } from "./settings.js";

async function render() {
  const [settings, figures] = await Promise.all([
    loadSettings(),
    api.get("/api/v1/public-services/public-figures"),
  ]);
  document.getElementById("portal-subtitle").textContent = t("portal.subtitle", { province: provinceName(settings) });
  document.getElementById("demo-badge").hidden = !figures.demo;
  document.getElementById("portal-period").textContent = t("portal.period", { from: formatDate(figures.from), asOf: formatDate(figures.asOf) });
  const defs = figures.definitions || {};
  document.getElementById("portal-rate1").textContent = localized(defs.onTimeRate?.name);
  document.getElementById("portal-rate2").textContent = localized(defs.earlyOrOnTimeAmongResolvedRate?.name);
  const pct = (v) => (v === undefined || v === null ? "—" : `${formatNumber(v * 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%`);
  const body = document.querySelector("#portal-table tbody");
  body.replaceChildren(...(figures.agencies || []).map((a) =>
    h("tr", {}, h("td", {}, a.name), h("td", { class: "num" }, formatNumber(a.received)), h("td", { class: "num" }, formatNumber(a.resolved)),
      h("td", { class: "num" }, pct(a.onTimeRate)), h("td", { class: "num" }, pct(a.earlyOrOnTimeAmongResolvedRate)))));
  document.getElementById("portal-definitions").replaceChildren(...Object.values(defs).flatMap((d) => [
    h("dt", {}, localized(d.name)), h("dd", {}, localized(d.definition)),
  ]));
  document.body.dataset.ready = "1";
}

await initI18n();
applyI18n();
bindLanguageSwitch(document.getElementById("lang-switch"));
window.addEventListener("ioc:languagechange", () => { applyI18n(); render(); });
render();
