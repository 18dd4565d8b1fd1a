// Public services, sub-page "import" (admins and operators): a CSV or XLSX file of dossiers uploaded with progress,
// then the server's summary — rows accepted, rejected (with each error), created, updated, unchanged.
import { api, ApiError, errorMessage, isAbort, upload } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import {
  BASE, EMPTY, IMPORT_TYPES, MAX_ERRORS_SHOWN, UPLOAD_PATH, XLSX_TYPE, count, mono, pathIcon, scrollTable, setChildren,
  sizeText,
} from "./public-services-common.js";

/** Builds the sub-page in its panel (when the user may import); `ps` is the page's shared context (public-services.js). */
export function create(ps) {
  const importState = { phase: "idle", loaded: 0, total: 0, result: null, error: null, file: null, upload: null };
  const importBody = h("div", { class: "ps-import" });
  ps.panels.get("import")?.append(importBody);
  // The native file input is kept (focusable, visually hidden) but its button text is the browser's, so a label in the
  // page's language opens it; a file can also be dropped on the box.
  const fileInput = h("input", {
    id: "ps-import-file", type: "file", name: "file", class: "visually-hidden ps-file-input",
    accept: `.csv,.xlsx,text/csv,${XLSX_TYPE}`, required: true, "aria-describedby": "ps-import-file-name",
  });
  function chooseFile(file) {
    if (importState.phase === "uploading" || importState.phase === "processing") return;
    importState.file = file || null;
    importState.phase = "idle";
    importState.error = null;
    renderImport();
  }
  fileInput.addEventListener("change", () => chooseFile(fileInput.files?.[0]));

  function fileExtension(file) {
    const match = /\.([a-z0-9]+)$/i.exec(file?.name || "");
    return match ? match[1].toLowerCase() : "";
  }

  async function startImport(event) {
    event.preventDefault();
    const file = importState.file;
    if (!file) {
      importState.error = { key: "ps.import.chooseFile" };
      renderImport();
      fileInput.focus();
      return;
    }
    const type = IMPORT_TYPES[fileExtension(file)];
    if (!type) {
      importState.error = { key: "ps.import.wrongType" };
      renderImport();
      return;
    }
    importState.phase = "uploading";
    importState.loaded = 0;
    importState.total = file.size;
    importState.result = null;
    importState.error = null;
    renderImport();
    let csrfToken;
    try {
      ({ csrfToken } = await api.get("/api/v1/session")); // a fresh token, and a check that the session is still alive
    } catch (error) {
      importState.phase = "idle";
      importState.error = error;
      renderImport();
      return;
    }
    const controller = new AbortController();
    importState.upload = controller;
    try {
      // A 401 reaches the shell's handler, which sends the user to the login page.
      const body = await upload("POST", `${BASE}/imports`, file, {
        contentType: type,
        headers: csrfToken ? { "X-CSRF-Token": csrfToken } : {},
        signal: controller.signal,
        onProgress(loaded, total) {
          importState.loaded = loaded;
          importState.total = total;
          updateProgress();
        },
        onUploaded() {
          importState.phase = "processing";
          importState.loaded = importState.total;
          renderImport();
        },
      });
      if (!body) throw new ApiError(200, null);
      importState.phase = "done";
      importState.result = body;
      // Figures elsewhere on the page are now out of date.
      ps.invalidate();
      if (body.accepted > 0) {
        fileInput.value = "";
        importState.file = null;
      }
    } catch (error) {
      importState.phase = "idle";
      if (isAbort(error)) importState.error = { key: "ps.import.cancelled" };
      else importState.error = error.status === 404 ? { key: "ps.import.unavailable" } : error;
    }
    importState.upload = null;
    renderImport();
  }

  const progressBar = h("progress", { class: "ps-progress", max: "100", id: "ps-import-progress" });
  const progressText = h("p", { class: "ps-progress-text", role: "status" });

  function updateProgress() {
    if (ps.removed) return;
    if (importState.phase === "processing") {
      progressBar.removeAttribute("value"); // indeterminate while the server works
      progressText.textContent = t("ps.import.processing");
      return;
    }
    const percent = importState.total ? Math.floor((importState.loaded / importState.total) * 100) : 0;
    progressBar.value = percent;
    progressText.textContent = t("ps.import.uploading", {
      percent: formatNumber(percent), loaded: sizeText(importState.loaded), total: sizeText(importState.total),
    });
  }

  function importSummary(result) {
    const item = (key, value, tone) => h("div", { class: `ps-kpi${tone ? ` ${tone}` : ""}` },
      h("span", { class: "ps-kpi-value" }, count(value)), h("span", { class: "ps-kpi-label" }, t(`ps.import.${key}`)));
    const errors = result.errors || [];
    const tone = result.rejected > 0 ? (result.accepted > 0 ? "alert-warn" : "alert-error") : "alert-ok";
    return [
      h("div", { class: `alert ${tone}`, role: "status" },
        t(result.rejected > 0 ? "ps.import.doneWithErrors" : "ps.import.done", {
          accepted: count(result.accepted), rows: count(result.rows), rejected: count(result.rejected),
        })),
      h("div", { class: "ps-kpis" },
        item("rows", result.rows),
        item("accepted", result.accepted, "is-ok"),
        item("rejected", result.rejected, result.rejected ? "is-bad" : null),
        item("created", result.created),
        item("updated", result.updated),
        item("unchanged", result.unchanged)),
      errors.length
        ? [
          h("h3", { class: "ps-subtitle" }, t("ps.import.errorsTitle", { count: count(errors.length) })),
          scrollTable(t("ps.import.errorsTitle", { count: count(errors.length) }), "ps-list",
            h("thead", {}, h("tr", {},
              h("th", { scope: "col", class: "ps-num" }, t("ps.import.row")),
              h("th", { scope: "col" }, t("ps.col.code")),
              h("th", { scope: "col" }, t("ps.import.field")),
              h("th", { scope: "col" }, t("ps.import.message")))),
            h("tbody", {}, errors.slice(0, MAX_ERRORS_SHOWN).map((error) => h("tr", {},
              h("td", { class: "ps-num" }, error.row != null ? formatNumber(error.row) : EMPTY),
              h("td", { class: "ps-nowrap" }, mono(error.code)),
              h("td", { class: "ps-nowrap" }, mono(error.field)),
              h("td", { class: "ps-message" }, localized(error.messages) || EMPTY))))),
          errors.length > MAX_ERRORS_SHOWN ? h("p", { class: "ps-note" }, t("ps.import.moreErrors", { count: count(MAX_ERRORS_SHOWN) })) : null,
        ]
        : null,
    ];
  }

  function renderImport() {
    if (ps.removed || !ps.canImport) return;
    const busy = importState.phase === "uploading" || importState.phase === "processing";
    const file = importState.file;
    const error = importState.error;
    fileInput.disabled = busy;
    const submit = h("button", { type: "submit", class: "btn btn-primary", disabled: busy },
      pathIcon(UPLOAD_PATH), h("span", {}, t(busy ? "ps.import.busy" : "ps.import.submit")));
    const cancel = importState.phase === "uploading"
      ? h("button", { type: "button", class: "btn btn-ghost", onclick: () => importState.upload?.abort() }, t("form.cancel"))
      : null;
    const form = h("form", { class: "card form-card ps-import-form", novalidate: true, onsubmit: startImport },
      h("h2", { class: "card-title" }, t("ps.import.title")),
      h("p", { class: "ps-hint" }, t("ps.import.intro")),
      h("div", { class: "field" },
        h("span", { class: "ps-field-label" }, t("ps.import.file")),
        h("div", {
          class: `ps-dropzone${busy ? " is-disabled" : ""}`,
          ondragover: (event) => {
            event.preventDefault();
            event.currentTarget.classList.add("is-dragging");
          },
          ondragleave: (event) => event.currentTarget.classList.remove("is-dragging"),
          ondrop: (event) => {
            event.preventDefault();
            event.currentTarget.classList.remove("is-dragging");
            const dropped = event.dataTransfer?.files?.[0];
            if (dropped) chooseFile(dropped);
          },
        },
        fileInput,
        h("label", { for: "ps-import-file", class: "btn btn-secondary" }, icon("dossier"), h("span", {}, t("ps.import.choose"))),
        h("span", { class: "ps-file-name", id: "ps-import-file-name" }, file
          ? t("ps.import.selected", { name: file.name, size: sizeText(file.size) })
          : t("ps.import.noFile"))),
        h("p", { class: "field-hint" }, t("ps.import.fileHint"))),
      error
        ? h("p", { class: "form-error", role: "alert" }, error.key ? t(error.key) : errorMessage(error))
        : null,
      busy ? h("div", { class: "ps-progress-box" }, progressBar, progressText) : null,
      h("div", { class: "form-actions" }, submit, cancel));
    if (busy) updateProgress();
    setChildren(importBody, form, importState.phase === "done" && importState.result
      ? h("div", { class: "ps-import-result", "aria-live": "polite" }, importSummary(importState.result))
      : null);
  }

  return { render: renderImport };
}
