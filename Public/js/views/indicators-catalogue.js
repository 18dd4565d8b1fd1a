// Indicators, sub-page "catalogue" (Danh mục): the indicators of the catalogue by group — unit, kind of period, owner
// agency, deadline, whether approval is required — with the catalogue as a workbook (GET /indicators/catalogue.xlsx,
// every reader). Admins send the same workbook back (POST /indicators/catalogue, raw XLSX body, all or nothing): a 422
// lists each refused entry (its code, the column and the message); after a success the page's catalogue is reloaded.
// Test hooks: `#ind-catalogue-xlsx`, `#ind-catalogue-upload` (the file input, admins), `#ind-catalogue-errors` (`li`),
// `#ind-catalogue-message`, `#ind-catalogue tr[data-indicator]`.
import { isAbort, upload } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, localized, localizedName, t, tOr } from "../i18n.js";
import {
  BASE, EMPTY, MAX_UPLOAD_BYTES, XLSX_TYPE, deadlineText, downloadIcon, downloadXlsx, errorBox, groupTree, indicatorName,
  isXlsxFile, loadingLine, problemList, scrollTable, setChildren, unitOf, uploadIcon,
} from "./indicators-common.js";

/** "[3].unit" → { sheet: "indicator", column: "unit" }; "groups[1].parent" → { sheet: "group", column: "parent" }. */
function fieldColumn(field) {
  const m = /^(groups)?\[\d+\]\.?(.*)$/.exec(String(field || ""));
  if (!m) return { sheet: "indicator", column: "" };
  return { sheet: m[1] ? "group" : "indicator", column: m[2] || "" };
}

/** Builds the sub-page in its panel; `ind` is the page's shared context (indicators.js). */
export function create(ind) {
  const { catalogue, catalogueReady, user } = ind;
  const isAdmin = user?.role === "admin";
  const fileState = { busy: false, error: null, name: "", result: null };

  const title = h("h2", { class: "ind-import-title", id: "ind-catalogue-title" });
  const intro = h("p", { class: "ind-import-hint" });
  const exportLabel = h("span", {});
  const exportLink = h("a", { class: "btn btn-secondary", id: "ind-catalogue-xlsx", href: `${BASE}/catalogue.xlsx`, onclick: exportCatalogue },
    downloadIcon(), exportLabel);
  const fileInput = isAdmin
    ? h("input", {
      type: "file", id: "ind-catalogue-upload", name: "file", class: "visually-hidden ps-file-input", accept: `.xlsx,${XLSX_TYPE}`,
      "aria-describedby": "ind-catalogue-hint",
    })
    : null;
  fileInput?.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file) uploadFile(file);
  });
  const uploadLabel = h("span", {});
  const importHint = h("p", { class: "ind-import-hint", id: "ind-catalogue-hint" });
  const status = h("p", { class: "ind-import-status", role: "status", hidden: true });
  const errors = h("div", { id: "ind-catalogue-errors", class: "ind-upload-errors" });
  const messageBox = h("div", { id: "ind-catalogue-message", "aria-live": "polite" });
  const box = h("section", { class: "card ind-import", "aria-labelledby": "ind-catalogue-title" },
    h("div", { class: "ind-import-text" }, title, intro, isAdmin ? importHint : null),
    h("div", { class: "ind-import-actions" }, exportLink,
      fileInput ? [fileInput, h("label", { for: "ind-catalogue-upload", class: "btn btn-primary ind-upload-button" }, uploadIcon(), uploadLabel)] : null),
    status, errors);
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  ind.panels.get("catalogue")?.append(box, messageBox, body);

  async function exportCatalogue(event) {
    event.preventDefault();
    if (fileState.busy) return;
    fileState.busy = "export";
    fileState.error = null;
    renderControls();
    try {
      await downloadXlsx(`${BASE}/catalogue.xlsx`, "danh-muc-chi-tieu.xlsx");
    } catch (error) {
      fileState.error = error;
    }
    fileState.busy = false;
    if (!ind.removed) renderControls();
  }

  async function uploadFile(file) {
    if (fileState.busy) return;
    fileInput.value = "";
    fileState.name = file.name;
    fileState.result = null;
    fileState.error = null;
    if (!isXlsxFile(file)) fileState.error = { key: "indicators.upload.wrongType" };
    else if (file.size > MAX_UPLOAD_BYTES) fileState.error = { key: "indicators.upload.tooLarge", params: { size: "8 MB" } };
    if (!fileState.error) {
      fileState.busy = "upload";
      renderControls();
      try {
        fileState.result = await upload("POST", `${BASE}/catalogue`, file, { contentType: XLSX_TYPE }) || {};
      } catch (error) {
        fileState.error = isAbort(error) ? null : error;
      }
      fileState.busy = false;
    }
    if (ind.removed) return;
    renderControls();
    if (fileState.result) {
      await ind.reloadCatalogue();
      if (!ind.removed) render();
    }
  }

  /** A refused entry: which indicator or group, which column of the workbook, and why. */
  function describeError(item) {
    const { sheet, column } = fieldColumn(item.field);
    const text = localized(item.messages) || item.field || EMPTY;
    if (!column && !item.code) return text;
    const params = { code: item.code || "", n: formatNumber((item.index ?? 0) + 1), column: column || EMPTY, message: text };
    return t(`indicators.catalogue.error.${sheet}${item.code ? "" : "At"}`, params);
  }

  function renderControls() {
    title.textContent = t("indicators.catalogue.title");
    intro.textContent = t("indicators.catalogue.intro");
    importHint.textContent = t("indicators.catalogue.importHint");
    exportLink.setAttribute("aria-disabled", String(fileState.busy === "export"));
    exportLabel.textContent = t(fileState.busy === "export" ? "indicators.exporting" : "indicators.catalogue.export");
    uploadLabel.textContent = t(fileState.busy === "upload" ? "indicators.upload.busy" : "indicators.catalogue.choose");
    if (fileInput) fileInput.disabled = fileState.busy === "upload";
    status.hidden = fileState.busy !== "upload";
    status.textContent = fileState.busy === "upload" ? t("indicators.upload.sending", { name: fileState.name }) : "";
    setChildren(errors, problemList(fileState.error, { titleKey: "indicators.catalogue.errorsTitle", describe: describeError }));
    const r = fileState.result;
    setChildren(messageBox, r
      ? h("div", { class: "alert alert-ok", role: "status" }, t("indicators.catalogue.done", {
        created: formatNumber(r.created ?? 0), updated: formatNumber(r.updated ?? 0), unchanged: formatNumber(r.unchanged ?? 0),
        groups: formatNumber(r.groups ?? 0),
      }))
      : null);
  }

  function render() {
    if (ind.removed) return;
    renderControls();
    if (catalogue.error) {
      setChildren(body, errorBox(catalogue.error));
      return;
    }
    if (!catalogue.data) {
      setChildren(body, loadingLine());
      return;
    }
    const indicators = catalogue.data.indicators;
    const tree = groupTree(catalogue.data.groups);
    const known = new Set(tree.map(({ group }) => group.code));
    const sections = tree.map(({ group, depth }) => ({ group, depth, items: indicators.filter((i) => i.group === group.code) }));
    const orphans = indicators.filter((i) => !known.has(i.group));
    if (orphans.length) sections.push({ group: null, depth: 0, items: orphans });
    const byCode = (a, b) => String(a.code).localeCompare(String(b.code));
    const columns = ["indicator", "unit", "period", "owner", "deadline", "approval"];
    const row = (indicator) => h("tr", { dataset: { indicator: indicator.code || "" }, class: indicator.active === false ? "ind-inactive" : null },
      h("th", { scope: "row", class: "ind-catalogue-name" }, indicatorName(indicator),
        indicator.formula ? h("span", { class: "ps-code" }, t("indicators.catalogue.formula", { formula: indicator.formula })) : null,
        indicator.active === false ? h("span", { class: "badge badge-muted" }, t("indicators.catalogue.inactive")) : null),
      h("td", {}, unitOf(indicator) || EMPTY),
      h("td", { class: "ps-nowrap" }, tOr(`indicators.periodKind.${indicator.period}`, indicator.period || EMPTY)),
      h("td", {}, localized(indicator.ownerAgencyName) || indicator.ownerAgency || EMPTY),
      h("td", {}, indicator.deadline ? deadlineText(indicator.deadline) : EMPTY),
      h("td", {}, indicator.requiresApproval ? t("indicators.catalogue.requiresApproval") : t("indicators.catalogue.direct")));
    setChildren(body,
      h("p", { class: "ps-period-line" }, t("indicators.catalogue.count", {
        indicators: formatNumber(indicators.length), groups: formatNumber(catalogue.data.groups.length),
      })),
      scrollTable(t("indicators.catalogue.caption"), { id: "ind-catalogue", class: "ps-table ind-table ind-catalogue" },
        h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, t(`indicators.catalogue.col.${key}`))))),
        h("tbody", {}, indicators.length
          ? sections.filter((s) => s.items.length || s.depth === 0).map((section) => [
            h("tr", { class: "ps-section", dataset: { group: section.group?.code || "" } },
              h("th", { scope: "rowgroup", colspan: columns.length, style: `padding-left: ${0.75 + section.depth}rem` },
                section.group ? localizedName(section.group) : t("indicators.otherGroup"),
                section.group ? h("span", { class: "ps-code mono ind-inline-code" }, ` ${section.group.code}`) : null)),
            section.items.slice().sort(byCode).map(row),
          ])
          : h("tr", { class: "ps-empty" }, h("td", { colspan: columns.length }, t("indicators.catalogue.empty"))))),
      isAdmin ? null : h("p", { class: "ps-note" }, t("indicators.catalogue.readOnly")));
  }

  return {
    load() {
      render();
      catalogueReady.then(() => {
        if (!ind.removed) render();
      });
    },
    relabel: render,
    invalidate() {},
  };
}
