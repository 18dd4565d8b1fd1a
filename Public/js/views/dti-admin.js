// DTI page, administrators only: the frameworks themselves — install one shipped with IOC (the national 922 and 405
// trees, Đắk Lắk's departments and communes), import one (JSON in the API's shape, or the XLSX workbook the export
// gives), copy the chosen one as next year's, download it as XLSX. A framework can be redefined until an agency has
// entered a value; after that the server answers 409 and says to copy it instead.
import { api, errorMessage, request } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import { downloadXlsx, isXlsxFile, XLSX_TYPE } from "./indicators-common.js";
import { BASE, frameworkPath } from "./dti-common.js";

/**
 * The panel (a closed <details>): `selected()` is the chosen framework's summary (or null), `onChanged(code)` is
 * called with the code of a framework just created or replaced.
 */
export function frameworkAdmin({ selected, onChanged }) {
  const status = h("p", { class: "dti-admin-status", id: "dti-admin-status", role: "status", "aria-live": "polite" });
  const templates = h("ul", { class: "dti-admin-templates", id: "dti-admin-templates" });
  const fileInput = h("input", { type: "file", id: "dti-admin-file", accept: `.json,application/json,.xlsx,${XLSX_TYPE}` });
  const copyCode = h("input", { type: "text", id: "dti-admin-copy-code", maxlength: "40", autocomplete: "off", spellcheck: "false" });
  const copyYear = h("input", { type: "number", id: "dti-admin-copy-year", min: "2000", max: "2100", step: "1" });
  const copyButton = h("button", { type: "button", class: "btn btn-secondary", id: "dti-admin-copy" });
  const exportButton = h("button", { type: "button", class: "btn btn-ghost", id: "dti-admin-export" });
  const summaryLabel = h("summary", {});
  const labels = {};
  const label = (key, control) => {
    const el = h("label", { for: control.id });
    labels[key] = el;
    return el;
  };

  function say(text, bad = false) {
    status.textContent = text;
    status.classList.toggle("ps-bad", bad);
  }

  async function act(work, success) {
    say(t("dti.admin.working"));
    try {
      const answer = await work();
      const code = answer?.summary?.code;
      say(success(answer));
      if (code) onChanged(code);
    } catch (error) {
      say(errorMessage(error), true);
    }
  }

  async function loadTemplates() {
    try {
      const list = await api.get(`${BASE}/templates`);
      templates.replaceChildren(...(Array.isArray(list) ? list : []).map((tpl) => h("li", {},
        h("span", { class: "dti-admin-template-name" }, `${tpl.year} · ${localized(tpl.name, tpl.nameEn)}`),
        h("span", { class: "muted" }, t("dti.admin.templateFacts", { count: formatNumber(tpl.subIndices), max: formatNumber(tpl.maxPoints) })),
        h("button", {
          type: "button", class: "btn btn-secondary btn-small", dataset: { template: tpl.file },
          onclick: () => act(() => api.post(`${BASE}/templates/${encodeURIComponent(tpl.file)}`, {}),
            (a) => t("dti.admin.installed", { code: a.summary.code })),
        }, t("dti.admin.install")))));
    } catch (error) {
      templates.replaceChildren(h("li", { class: "ps-bad" }, errorMessage(error)));
    }
  }

  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    const xlsx = isXlsxFile(file);
    act(async () => {
      if (xlsx) return request("POST", `${BASE}/frameworks/import`, file, { raw: true, contentType: XLSX_TYPE });
      let body;
      try {
        body = JSON.parse(await file.text());
      } catch {
        throw new Error(t("dti.admin.badJson"));
      }
      return api.post(`${BASE}/frameworks`, body);
    }, (a) => t("dti.admin.imported", { code: a.summary.code })).finally(() => { fileInput.value = ""; });
  });

  copyButton.addEventListener("click", () => {
    const from = selected();
    if (!from) return;
    act(() => api.post(`${frameworkPath(from.code)}/copy`, { code: copyCode.value.trim(), year: Number(copyYear.value) }),
      (a) => t("dti.admin.copied", { from: from.code, code: a.summary.code }));
  });

  exportButton.addEventListener("click", () => {
    const from = selected();
    if (!from) return;
    downloadXlsx(`${frameworkPath(from.code)}/framework.xlsx`, `bo-chi-so-${from.code.toLowerCase()}.xlsx`)
      .catch((error) => say(errorMessage(error), true));
  });

  const panel = h("details", { class: "dti-admin", id: "dti-admin" },
    summaryLabel,
    h("div", { class: "dti-admin-body" },
      h("section", {}, h("h3", { dataset: { i18n: "dti.admin.templates" } }), templates),
      h("section", {}, h("h3", { dataset: { i18n: "dti.admin.import" } }),
        h("p", { class: "muted", dataset: { i18n: "dti.admin.importHint" } }), label("file", fileInput), fileInput),
      h("section", {}, h("h3", { dataset: { i18n: "dti.admin.copy" } }),
        h("p", { class: "muted", id: "dti-admin-copy-from" }),
        h("div", { class: "dti-admin-row" },
          h("div", { class: "field" }, label("code", copyCode), copyCode),
          h("div", { class: "field" }, label("year", copyYear), copyYear),
          copyButton, exportButton))),
    status);

  function render() {
    summaryLabel.textContent = t("dti.admin.title");
    for (const el of panel.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    labels.file.textContent = t("dti.admin.file");
    labels.code.textContent = t("dti.admin.newCode");
    labels.year.textContent = t("dti.admin.newYear");
    copyButton.textContent = t("dti.admin.copyButton");
    exportButton.textContent = t("dti.admin.export");
    const from = selected();
    panel.querySelector("#dti-admin-copy-from").textContent = from ? t("dti.admin.copyFrom", { code: from.code }) : t("dti.admin.chooseFirst");
    copyButton.disabled = !from;
    exportButton.disabled = !from;
    if (from && !copyYear.value) {
      copyYear.value = String(from.year + 1);
      copyCode.value = from.code.replace(String(from.year), String(from.year + 1));
    }
  }

  panel.addEventListener("toggle", () => { if (panel.open && !templates.childElementCount) loadTemplates(); });
  render();
  return { element: panel, render };
}
