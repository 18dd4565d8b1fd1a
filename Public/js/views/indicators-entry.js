// Indicators, sub-page "entry" (officers): one row per indicator × period due from the officer's agency
// (GET /indicators/due; admins and operators choose the agency or see them all), with the last period's value and the same period last
// year beside the input, the kind of figure (ước tính / sơ bộ / chính thức) and a note. "Lưu nháp" posts the filled
// rows (POST /indicators/values, all or nothing: a 422 names the rows, shown beside them); "Gửi duyệt" saves what
// changed, then submits the drafts and returned values (POST /indicators/values/submit). Returned values show with
// the reason. What is typed is kept across reloads of the list until it is saved.
// The same rows as a spreadsheet: "Tải mẫu XLSX" downloads the agency's template (GET /indicators/template.xlsx, with
// ?agency= for the agency an admin or operator picked), and the filled file goes back as the raw body of
// POST /indicators/imports — entered like the form's rows (drafts for officers), all or nothing: a 422 lists its rows
// ("Dòng 4: …") above the form; a 201 reloads the form, where the new drafts wait to be submitted.
// Test hooks: `#ind-entry-form`, `input[data-indicator=CODE][data-period=P]`, `select[data-status-for]`, `#ind-save`,
// `#ind-submit`, `tr[data-row][data-state]`, `.ind-row-error`, `#ind-entry-message`, `#ind-template` (the template's
// link), `#ind-upload` (the file input; choosing a file uploads it), `#ind-upload-errors` (the refused rows, `li`).
import { api, errorMessage, isAbort, upload } from "../api.js";
import { h } from "../dom.js";
import { formatDate, formatNumber, localized, localizedName, t } from "../i18n.js";
import {
  BASE, EMPTY, MAX_UPLOAD_BYTES, STATUSES, XLSX_TYPE, downloadIcon, downloadXlsx, errorBox, flagList, indicatorName,
  inputText, isXlsxFile, loadingLine, parseNumber, periodLabel, problemList, provinceUnit, setChildren, stateBadge,
  unitOf, uploadIcon, valueText,
} from "./indicators-common.js";

const rowKey = (code, period) => `${code}|${period}`;

/** Builds the sub-page in its panel; `ind` is the page's shared context (indicators.js). */
export function create(ind) {
  const { state, fetchInto, writeLocation, catalogue, catalogueReady, settings, user } = ind;
  const due = ind.resource();
  const choosesAgency = user?.role !== "officer";
  const typed = new Map(); // row key → { value, status, note } as typed, until saved
  const saved = new Map(); // row key → { id, state, flags } from the last save (the list may not have them yet)
  const rowErrors = new Map(); // row key → message
  let message = null; // { kind: "ok" | "error", text }
  let busy = false;

  const agencySelect = h("select", { id: "ind-entry-agency" });
  agencySelect.addEventListener("change", () => {
    state.agency = agencySelect.value;
    fileState.error = null;
    writeLocation();
    load(false);
  });
  const agencyLabel = h("label", { for: "ind-entry-agency" });
  const agencyField = h("div", { class: "ps-filters", hidden: !choosesAgency }, h("div", { class: "field" }, agencyLabel, agencySelect));
  const summary = h("div", { class: "ind-entry-summary" });
  const messageBox = h("div", { id: "ind-entry-message", "aria-live": "polite" });
  const tableBox = h("div", { class: "ind-entry-table" });
  const saveButton = h("button", { type: "submit", class: "btn btn-secondary", id: "ind-save" });
  const submitButton = h("button", { type: "button", class: "btn btn-primary", id: "ind-submit", onclick: () => submit() });
  const hint = h("p", { class: "ps-note" });
  const form = h("form", { id: "ind-entry-form", class: "ind-entry-form", novalidate: true },
    tableBox, h("div", { class: "form-actions ind-entry-actions" }, saveButton, submitButton), hint);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  const body = h("div", { class: "ps-result", "aria-live": "polite" });

  // ---- The spreadsheet: template and upload ----

  const fileState = { busy: false, error: null, name: "" };
  const templateLabel = h("span", {});
  const templateLink = h("a", { class: "btn btn-secondary", id: "ind-template", href: templatePath(), onclick: downloadTemplate },
    downloadIcon(), templateLabel);
  const fileInput = h("input", {
    type: "file", id: "ind-upload", name: "file", class: "visually-hidden ps-file-input", accept: `.xlsx,${XLSX_TYPE}`,
    "aria-describedby": "ind-import-hint",
  });
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file) uploadFile(file);
  });
  const uploadLabel = h("span", {});
  const importTitle = h("h2", { class: "ind-import-title" });
  const importHint = h("p", { class: "ind-import-hint", id: "ind-import-hint" });
  const importStatus = h("p", { class: "ind-import-status", role: "status" });
  const uploadErrors = h("div", { id: "ind-upload-errors", class: "ind-upload-errors" });
  const importBox = h("section", { class: "card ind-import", id: "ind-import", "aria-labelledby": "ind-import-title" },
    h("div", { class: "ind-import-text" }, importTitle, importHint),
    h("div", { class: "ind-import-actions" }, templateLink, fileInput,
      h("label", { for: "ind-upload", class: "btn btn-primary ind-upload-button" }, uploadIcon(), uploadLabel)),
    importStatus, uploadErrors);
  importTitle.id = "ind-import-title";

  ind.panels.get("entry")?.append(agencyField, summary, importBox, messageBox, body);

  function templatePath() {
    return `${BASE}/template.xlsx${choosesAgency && state.agency ? `?agency=${encodeURIComponent(state.agency)}` : ""}`;
  }

  async function downloadTemplate(event) {
    event.preventDefault();
    if (fileState.busy) return;
    fileState.busy = "template";
    fileState.error = null;
    renderImport();
    try {
      await downloadXlsx(templatePath(), `mau-nhap-chi-tieu-${state.agency || "tat-ca"}.xlsx`);
    } catch (error) {
      fileState.error = error;
    }
    fileState.busy = false;
    if (!ind.removed) renderImport();
  }

  async function uploadFile(file) {
    if (fileState.busy) return;
    fileInput.value = ""; // the same file chosen again (after fixing it) uploads again
    fileState.name = file.name;
    fileState.error = null;
    if (!isXlsxFile(file)) fileState.error = { key: "indicators.upload.wrongType" };
    else if (file.size > MAX_UPLOAD_BYTES) fileState.error = { key: "indicators.upload.tooLarge", params: { size: "8 MB" } };
    if (fileState.error) {
      renderImport();
      return;
    }
    fileState.busy = "upload";
    message = null;
    renderMessage();
    renderImport();
    try {
      // A 401 reaches the shell's handler (back to the login page); a 422 names the rows.
      const answer = await upload("POST", `${BASE}/imports`, file, { contentType: XLSX_TYPE });
      const stored = Array.isArray(answer?.items) ? answer.items : [];
      const unit = provinceUnit(settings);
      const inForm = stored.filter((item) => item.unit === unit); // commune rows are not in the form
      // The file's values replace what was typed or saved in the form for those rows.
      for (const item of inForm) {
        const key = rowKey(item.indicator, item.period);
        typed.delete(key);
        saved.delete(key);
        rowErrors.delete(key);
      }
      const count = typeof answer?.accepted === "number" ? answer.accepted : stored.length;
      const drafts = stored.filter((item) => item.state === "draft").length;
      const flagged = stored.filter((item) => item.flags?.length).length;
      const parts = [t("indicators.upload.done", { count: formatNumber(count), name: file.name })];
      if (drafts) parts.push(t("indicators.upload.drafts", { count: formatNumber(drafts) }));
      if (flagged) parts.push(t("indicators.upload.flagged", { count: formatNumber(flagged) }));
      message = { kind: "ok", text: parts.join(" ") };
      fileState.busy = false;
      if (ind.removed) return;
      renderImport();
      // The reloaded list has the values; the answer adds their anomaly flags (kept while the list has the same ids).
      await load(true);
      if (ind.removed) return;
      for (const item of inForm) {
        const key = rowKey(item.indicator, item.period);
        const listed = items().find((i) => rowKey(i.indicator?.code, i.period) === key);
        if (listed?.entry?.id === item.id) saved.set(key, { id: item.id, state: item.state, vintage: item.vintage, flags: item.flags || [] });
      }
      render();
      return;
    } catch (error) {
      fileState.error = isAbort(error) ? null : error;
    }
    fileState.busy = false;
    if (!ind.removed) renderImport();
  }

  function renderImport() {
    importTitle.textContent = t("indicators.upload.title");
    importHint.textContent = t("indicators.upload.hint");
    templateLink.href = templatePath();
    templateLink.setAttribute("aria-disabled", String(fileState.busy === "template"));
    templateLabel.textContent = t(fileState.busy === "template" ? "indicators.exporting" : "indicators.upload.template");
    uploadLabel.textContent = t(fileState.busy === "upload" ? "indicators.upload.busy" : "indicators.upload.choose");
    fileInput.disabled = fileState.busy === "upload";
    importStatus.textContent = fileState.busy === "upload" ? t("indicators.upload.sending", { name: fileState.name }) : "";
    importStatus.hidden = fileState.busy !== "upload";
    setChildren(uploadErrors, problemList(fileState.error, { titleKey: "indicators.upload.errorsTitle" }));
  }

  /** The owner agencies of the catalogue (admins and operators enter for one of them). */
  function ownerAgencies() {
    const map = new Map();
    for (const indicator of catalogue.data?.indicators || []) {
      if (indicator.ownerAgency && !map.has(indicator.ownerAgency)) {
        map.set(indicator.ownerAgency, localized(indicator.ownerAgencyName) || indicator.ownerAgency);
      }
    }
    return [...map.entries()].sort((a, b) => a[1].localeCompare(b[1], "vi"));
  }

  function renderAgencies() {
    agencyLabel.textContent = t("indicators.agency");
    if (!choosesAgency) return;
    const agencies = ownerAgencies();
    setChildren(agencySelect,
      h("option", { value: "" }, t("indicators.entry.allAgencies")),
      agencies.map(([code, name]) => h("option", { value: code }, name)));
    if (state.agency && !agencies.some(([code]) => code === state.agency)) agencySelect.append(h("option", { value: state.agency }, state.agency));
    agencySelect.value = state.agency;
  }

  const path = () => `${BASE}/due${choosesAgency && state.agency ? `?agency=${encodeURIComponent(state.agency)}` : ""}`;

  /** Loads the due list (again when `force`); resolves once it is shown. */
  function load(force) {
    relabelControls();
    return fetchInto(due, `${state.agency}`, async () => {
      if (choosesAgency) {
        await catalogueReady;
        renderAgencies();
        writeLocation();
      }
      return api.get(path());
    }, render, force);
  }

  // ---- Rows ----

  function items() {
    return Array.isArray(due.data?.items) ? due.data.items : [];
  }

  /** The saved entry of a row: the last save's answer wins over the list's (which may be older). */
  function entryOf(item) {
    const key = rowKey(item.indicator?.code, item.period);
    const fromSave = saved.get(key);
    if (!fromSave) return item.entry || null;
    // Once the list knows the saved value, the list is right (it may have been submitted, returned or approved since).
    if (item.entry?.id && item.entry.id === fromSave.id) return { ...fromSave, ...item.entry, flags: fromSave.flags };
    return { ...(item.entry || {}), ...fromSave };
  }

  function rowInput(key) {
    return form.querySelector(`tr[data-row="${CSS.escape(key)}"] input.ind-input`);
  }

  function typedOf(item) {
    const key = rowKey(item.indicator?.code, item.period);
    const entry = entryOf(item);
    return typed.get(key) || {
      value: entry && typeof entry.value === "number" ? inputText(entry.value) : "",
      status: STATUSES.includes(entry?.status) ? entry.status : "preliminary",
      note: "",
    };
  }

  function remember(key, field, value) {
    const item = items().find((i) => rowKey(i.indicator?.code, i.period) === key);
    const current = typed.get(key) || (item ? { ...typedOf(item) } : { value: "", status: "preliminary", note: "" });
    current[field] = value;
    typed.set(key, current);
    rowErrors.delete(key);
    const cell = form.querySelector(`tr[data-row="${CSS.escape(key)}"] .ind-row-error`);
    if (cell) cell.remove();
    rowInput(key)?.removeAttribute("aria-invalid");
    renderButtons();
  }

  function entryRow(item) {
    const indicator = item.indicator || {};
    const key = rowKey(indicator.code, item.period);
    const entry = entryOf(item);
    const values = typedOf(item);
    const inputId = `ind-in-${indicator.code}-${item.period}`.replace(/[^A-Za-z0-9_-]/g, "-");
    const input = h("input", {
      type: "text", inputmode: "decimal", autocomplete: "off", class: "ind-input", id: inputId,
      dataset: { indicator: indicator.code || "", period: item.period || "" },
      value: values.value, "aria-invalid": rowErrors.has(key) ? "true" : null,
      "aria-label": t("indicators.entry.inputLabel", { name: localizedName(indicator), period: periodLabel(item.period) }),
    });
    input.addEventListener("input", () => remember(key, "value", input.value));
    const status = h("select", {
      class: "ind-status-select", dataset: { statusFor: key },
      "aria-label": t("indicators.entry.statusLabel", { name: localizedName(indicator) }),
    }, STATUSES.map((s) => h("option", { value: s }, t(`indicators.status.${s}`))));
    status.value = values.status;
    status.addEventListener("change", () => remember(key, "status", status.value));
    const note = h("input", {
      type: "text", class: "ind-note", maxlength: "500", value: values.note, autocomplete: "off",
      "aria-label": t("indicators.entry.noteLabel"), placeholder: t("indicators.entry.notePlaceholder"),
    });
    note.addEventListener("input", () => remember(key, "note", note.value));
    const flags = saved.get(key)?.flags || entry?.flags;
    const stateName = entry?.state || "";
    return h("tr", {
      dataset: { row: key, indicator: indicator.code || "", period: item.period || "", state: stateName || "new" },
      class: `${stateName === "returned" ? "ind-returned" : ""}${item.late ? " ind-late" : ""}`.trim() || null,
    },
    h("th", { scope: "row", class: "ind-entry-name" }, indicatorName(indicator),
      h("span", { class: "ps-code" }, [unitOf(indicator), choosesAgency && !state.agency ? localized(indicator.ownerAgencyName) || indicator.ownerAgency : ""]
        .filter(Boolean).join(" · "))),
    h("td", { class: "ps-nowrap" },
      h("span", { class: "ind-period" }, periodLabel(item.period)),
      h("span", { class: "ps-code" }, item.dueAt ? t("indicators.entry.dueAt", { date: formatDate(item.dueAt) }) : ""),
      item.late ? h("span", { class: "badge badge-bad" }, t("indicators.entry.late")) : null),
    h("td", { class: "ps-num" }, item.last ? [valueText(item.last.value), h("span", { class: "ps-code" }, periodLabel(item.last.period))] : EMPTY),
    h("td", { class: "ps-num" }, item.samePeriodLastYear
      ? [valueText(item.samePeriodLastYear.value), h("span", { class: "ps-code" }, periodLabel(item.samePeriodLastYear.period))]
      : EMPTY),
    h("td", { class: "ind-input-cell" }, h("label", { class: "visually-hidden", for: inputId }, t("indicators.col.value")), input),
    h("td", {}, status),
    h("td", {}, note),
    h("td", { class: "ind-entry-state" },
      stateBadge(stateName || null),
      stateName === "returned" && entry?.returnReason
        ? h("p", { class: "ind-return-reason" }, h("strong", {}, t("indicators.entry.returnReason")), " ", entry.returnReason)
        : null,
      flagList(flags, { className: "is-compact" }),
      rowErrors.has(key) ? h("p", { class: "ind-row-error", role: "alert" }, rowErrors.get(key)) : null));
  }

  function render() {
    if (ind.removed) return;
    const { data, error, loading } = due;
    body.classList.toggle("is-busy", loading && Boolean(data));
    renderMessage();
    if (error) {
      setChildren(summary);
      setChildren(body, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(body, loadingLine());
      return;
    }
    const list = items();
    const returned = list.filter((item) => entryOf(item)?.state === "returned");
    const late = list.filter((item) => item.late).length;
    setChildren(summary,
      h("p", { class: "ps-period-line" },
        h("span", {}, t("indicators.entry.agencyLine", { agency: localizedName(data.agency) || data.agency?.code || "" })),
        h("span", { class: "ps-dot", "aria-hidden": "true" }, "·"),
        h("span", {}, t("indicators.entry.dueCount", { count: list.length })),
        late ? h("span", { class: "ps-bad" }, t("indicators.entry.lateCount", { count: late })) : null),
      returned.length
        ? h("div", { class: "alert alert-warn ind-returned-box", role: "status" },
          h("strong", {}, t("indicators.entry.returnedTitle", { count: returned.length })),
          h("ul", {}, returned.map((item) => h("li", {},
            `${localizedName(item.indicator)} – ${periodLabel(item.period)}: `,
            h("em", {}, entryOf(item)?.returnReason || t("indicators.entry.noReason"))))))
        : null);
    const columns = ["indicator", "period", "last", "samePeriodLastYear", "value", "status", "note", "state"];
    setChildren(tableBox, list.length
      ? h("div", { class: "ps-scroll", role: "region", tabindex: "0", "aria-label": t("indicators.entry.caption") },
        h("table", { class: "ps-table ind-table ind-entry" },
          h("caption", { class: "visually-hidden" }, t("indicators.entry.caption")),
          h("thead", {}, h("tr", {}, columns.map((key) => h("th", {
            scope: "col", class: ["last", "samePeriodLastYear"].includes(key) ? "ps-num" : null,
          }, t(`indicators.entry.col.${key}`))))),
          h("tbody", {}, list.map(entryRow))))
      : h("p", { class: "ind-empty card" }, t("indicators.entry.nothingDue")));
    setChildren(body, form);
    renderButtons();
  }

  function renderMessage() {
    setChildren(messageBox, message
      ? h("div", { class: `alert ${message.kind === "ok" ? "alert-ok" : "alert-error"}`, role: message.kind === "ok" ? "status" : "alert" }, message.text)
      : null);
  }

  // ---- Save and submit ----

  /** The rows typed and not saved yet, as the API's values (or a per-row error for what is not a number). */
  function dirtyRows() {
    const rows = [];
    const invalid = [];
    for (const item of items()) {
      const key = rowKey(item.indicator?.code, item.period);
      const values = typed.get(key);
      if (!values || !values.value.trim()) continue;
      const value = parseNumber(values.value);
      if (!Number.isFinite(value)) {
        invalid.push(key);
        continue;
      }
      const row = { indicator: item.indicator.code, period: item.period, unit: provinceUnit(settings), value, status: values.status };
      if (values.note.trim()) row.note = values.note.trim();
      rows.push({ key, row });
    }
    return { rows, invalid };
  }

  function submittableIds() {
    return items().map((item) => entryOf(item)).filter((entry) => entry?.id && (entry.state === "draft" || entry.state === "returned"))
      .map((entry) => entry.id);
  }

  function renderButtons() {
    saveButton.textContent = t(busy === "save" ? "indicators.entry.saving" : "indicators.entry.save");
    submitButton.textContent = t(busy === "submit" ? "indicators.entry.submitting" : "indicators.entry.submit");
    const { rows, invalid } = dirtyRows();
    saveButton.disabled = Boolean(busy) || (rows.length === 0 && invalid.length === 0);
    submitButton.disabled = Boolean(busy) || (rows.length === 0 && invalid.length === 0 && submittableIds().length === 0);
    ind.renderTabs();
  }

  /** Marks rows whose text is not a number; true when there were none. */
  function checkNumbers(invalid) {
    for (const key of invalid) rowErrors.set(key, t("indicators.entry.notANumber"));
    return invalid.length === 0;
  }

  /** Posts the typed rows; true when saved (or nothing to save). */
  async function postRows() {
    const { rows, invalid } = dirtyRows();
    if (!checkNumbers(invalid)) {
      message = { kind: "error", text: t("indicators.entry.fixRows") };
      return false;
    }
    if (!rows.length) return true;
    try {
      const answer = await api.post(`${BASE}/values`, rows.map((r) => r.row));
      for (const item of Array.isArray(answer?.items) ? answer.items : []) {
        const target = rows[item.index] || rows.find((r) => r.row.indicator === item.indicator && r.row.period === item.period);
        if (!target) continue;
        saved.set(target.key, { id: item.id, state: item.state, vintage: item.vintage, flags: item.flags || [], value: target.row.value, status: target.row.status });
        typed.delete(target.key);
      }
      const flagged = (answer?.items || []).filter((item) => item.flags?.length).length;
      message = { kind: "ok", text: t(flagged ? "indicators.entry.savedFlagged" : "indicators.entry.saved", { count: rows.length, flagged }) };
      return true;
    } catch (error) {
      blameRows(error, rows.map((r) => r.key));
      message = { kind: "error", text: errorMessage(error) };
      return false;
    }
  }

  /** A problem's `items` ({index, field, messages}) next to the rows they name. */
  function blameRows(error, keys) {
    const blamed = Array.isArray(error?.problem?.items) ? error.problem.items : [];
    for (const item of blamed) {
      const key = keys[item.index];
      if (!key) continue;
      const text = localized(item.messages) || item.field || "";
      rowErrors.set(key, rowErrors.has(key) ? `${rowErrors.get(key)} ${text}` : text);
    }
  }

  async function save() {
    if (busy) return;
    busy = "save";
    rowErrors.clear();
    message = null;
    renderButtons();
    const ok = await postRows();
    busy = false;
    if (ind.removed) return;
    if (ok) load(true);
    else render();
  }

  async function submit() {
    if (busy) return;
    busy = "submit";
    rowErrors.clear();
    message = null;
    renderButtons();
    let ok = await postRows();
    const ids = ok ? submittableIds() : [];
    if (ok && ids.length) {
      try {
        const answer = await api.post(`${BASE}/values/submit`, { ids });
        const count = typeof answer?.submitted === "number" ? answer.submitted : ids.length;
        for (const [key, entry] of saved) if (ids.includes(entry.id)) saved.set(key, { ...entry, state: "submitted" });
        message = { kind: "ok", text: t("indicators.entry.submitted", { count }) };
      } catch (error) {
        const keys = ids.map((id) => items().find((item) => entryOf(item)?.id === id)).map((item) => (item ? rowKey(item.indicator?.code, item.period) : null));
        blameRows(error, keys);
        message = { kind: "error", text: errorMessage(error) };
        ok = false;
      }
    } else if (ok) {
      message = { kind: "error", text: t("indicators.entry.nothingToSubmit") };
    }
    busy = false;
    if (ind.removed) return;
    if (ok) load(true);
    else render();
  }

  function relabelControls() {
    renderAgencies();
    renderImport();
    hint.textContent = t("indicators.entry.hint");
    renderButtons();
  }

  return {
    load,
    relabel() {
      relabelControls();
      render();
    },
    invalidate() {
      due.key = null;
    },
    /** Rows due and not submitted yet (the tab's badge). */
    count() {
      return items().filter((item) => !["submitted", "approved"].includes(entryOf(item)?.state)).length;
    },
  };
}
