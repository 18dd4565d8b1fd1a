// Administration: agencies (with a create form), users, data sources and the audit log.
import { api, ApiError, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { applyI18n, formatDateTime, formatDuration, formatNumber, localizedName, t, tOr } from "../i18n.js";
import { loadBoundaries, unitDisplayName } from "../units.js";

export const AGENCY_KINDS = [
  "provinceCommittee", "department", "serviceCenter", "communeCommittee", "police", "utility", "company", "other",
];
const EMPTY = "—";
const MAX_UNITS_SHOWN = 3;

// ---- Shared pieces ----

function statusBadge(ok, okKey, badKey) {
  return h("span", { class: `badge ${ok ? "badge-ok" : "badge-bad"}` }, t(ok ? okKey : badKey));
}

function mono(value) {
  return value == null || value === "" ? EMPTY : h("span", { class: "mono" }, value);
}

/** A table that turns into labelled cards on phones (the labels come from data-label). */
function dataTable(columns, rows) {
  const head = h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", class: column.class }, t(column.label)))));
  const body = h("tbody", {},
    rows.length
      ? rows.map((row) => h("tr", {}, columns.map((column) => {
        const value = column.value(row);
        return h("td", { class: column.class, "data-label": t(column.label) }, value == null || value === "" ? EMPTY : value);
      })))
      : h("tr", { class: "empty-row" }, h("td", { colspan: columns.length }, t("table.empty"))));
  return h("div", { class: "table-wrap" }, h("table", { class: "data-table" }, head, body));
}

/**
 * A read-only list page. `spec`: title and intro keys, `load()` → data with `items` and `total`,
 * `columns(data)`, optional `summary(data)` and `extra({ reload, user })` → { element, toolbar(), loaded(data), languageChanged() }.
 */
function listView(spec) {
  return {
    mount(root, { user, settings }) {
      let data = null;
      let error = null;
      let loading = false;
      let removed = false;

      const header = h("header", { class: "page-header" });
      const body = h("div", { class: "page-body" });
      const extra = spec.extra ? spec.extra({ reload, user }) : null;
      root.append(header, extra ? extra.element : "", body);

      function render() {
        header.replaceChildren(
          h("div", { class: "page-heading" },
            h("h1", {}, t(spec.title)),
            h("p", { class: "page-intro" }, t(spec.intro))),
          h("div", { class: "page-tools" },
            extra?.toolbar?.(),
            h("button", { type: "button", class: "btn btn-secondary", onclick: reload, disabled: loading },
              icon("refresh"), h("span", {}, t("table.refresh")))),
        );
        if (error) {
          body.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, errorMessage(error)));
        } else if (!data) {
          body.replaceChildren(h("p", { class: "muted", role: "status" }, t("app.loading")));
        } else {
          const summary = spec.summary ? spec.summary(data) : t("table.total", { count: formatNumber(data.total ?? data.items.length) });
          body.replaceChildren(h("p", { class: "table-summary" }, summary), dataTable(spec.columns(data), data.items));
        }
      }

      async function reload() {
        loading = true;
        error = null;
        render();
        try {
          const loaded = await spec.load({ settings });
          if (removed) return;
          data = { ...loaded, items: loaded.items || [] };
          extra?.loaded?.(data);
        } catch (caught) {
          if (removed) return;
          error = caught;
        }
        loading = false;
        render();
      }

      reload();
      return {
        unmount() {
          removed = true;
        },
        languageChanged() {
          render();
          extra?.languageChanged?.();
        },
      };
    },
  };
}

const agencyName = localizedName;

/** Unit codes → "Phường Buôn Ma Thuột, Xã Ea Kao +3" using the province boundaries when available. */
function unitList(codes, units) {
  if (!Array.isArray(codes) || codes.length === 0) return EMPTY;
  const names = codes.map((code) => (units?.get(code) ? unitDisplayName(units.get(code)) : code));
  const shown = names.slice(0, MAX_UNITS_SHOWN).join(", ");
  const more = names.length - MAX_UNITS_SHOWN;
  const el = h("span", { title: names.join(", ") }, shown);
  if (more > 0) el.append(" ", h("span", { class: "muted" }, t("table.more", { count: formatNumber(more) })));
  return el;
}

async function unitIndex(settings) {
  try {
    const collection = await loadBoundaries(settings.province.code);
    return new Map((collection.features || []).map((f) => [f.properties.code, f.properties]));
  } catch {
    return null; // Names are a convenience; codes still show.
  }
}

// ---- Agencies, with the create form ----

function agencyForm({ reload, user }) {
  if (user?.role !== "admin") return null;
  let agencies = [];
  let shownError = null;
  let createdName = null;

  const field = (name, labelKey, control, hintKey) =>
    h("div", { class: "field" },
      h("label", { for: `agency-${name}`, "data-i18n": labelKey }, t(labelKey)),
      control,
      hintKey ? h("p", { class: "field-hint", "data-i18n": hintKey }, t(hintKey)) : null);

  const inputs = {
    code: h("input", { id: "agency-code", name: "code", type: "text", required: true, autocomplete: "off", spellcheck: "false" }),
    name: h("input", { id: "agency-name", name: "name", type: "text", required: true, autocomplete: "off" }),
    nameEn: h("input", { id: "agency-nameEn", name: "nameEn", type: "text", autocomplete: "off" }),
    kind: h("select", { id: "agency-kind", name: "kind" },
      AGENCY_KINDS.map((kind) => h("option", { value: kind, "data-i18n": `agencyKind.${kind}` }, t(`agencyKind.${kind}`)))),
    parentID: h("select", { id: "agency-parentID", name: "parentID" }),
    unitCodes: h("input", {
      id: "agency-unitCodes", name: "unitCodes", type: "text", autocomplete: "off", spellcheck: "false",
      "data-i18n-placeholder": "agencies.unitCodesPlaceholder", placeholder: t("agencies.unitCodesPlaceholder"),
    }),
  };
  inputs.kind.value = "department";

  const errorBox = h("p", { class: "form-error", role: "alert", hidden: true });
  const successBox = h("p", { class: "alert alert-ok", role: "status", hidden: true });
  const submit = h("button", { type: "submit", class: "btn btn-primary", "data-i18n": "agencies.create" }, t("agencies.create"));
  const form = h("form", { class: "card form-card", id: "agency-form", novalidate: true, hidden: true },
    h("h2", { class: "card-title", "data-i18n": "agencies.newTitle" }, t("agencies.newTitle")),
    h("div", { class: "form-grid" },
      field("code", "agencies.code", inputs.code),
      field("kind", "agencies.kind", inputs.kind),
      field("name", "agencies.name", inputs.name),
      field("nameEn", "agencies.nameEn", inputs.nameEn),
      field("parentID", "agencies.parent", inputs.parentID),
      field("unitCodes", "agencies.unitCodes", inputs.unitCodes, "agencies.unitCodesHint")),
    errorBox,
    h("div", { class: "form-actions" },
      submit,
      h("button", { type: "button", class: "btn btn-ghost", "data-i18n": "form.cancel", onclick: () => toggle(false) }, t("form.cancel"))),
  );

  function toggle(open = form.hidden) {
    form.hidden = !open;
    document.getElementById("agency-new")?.setAttribute("aria-expanded", String(open));
    if (open) inputs.code.focus();
  }

  function fillParents() {
    const current = inputs.parentID.value;
    inputs.parentID.replaceChildren(
      h("option", { value: "", "data-i18n": "agencies.noParent" }, t("agencies.noParent")),
      ...agencies.map((agency) => h("option", { value: agency.id }, `${agency.code} – ${agencyName(agency)}`)),
    );
    inputs.parentID.value = current;
  }

  function showError(error) {
    shownError = error;
    for (const input of Object.values(inputs)) input.removeAttribute("aria-invalid");
    if (!error) {
      errorBox.hidden = true;
      return;
    }
    const fieldName = error.field;
    errorBox.textContent = error instanceof ApiError ? errorMessage(error) : t(error.key, { field: t(error.label) });
    errorBox.hidden = false;
    const input = inputs[fieldName];
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }

  function showCreated(name) {
    createdName = name;
    successBox.textContent = name ? t("agencies.created", { name }) : "";
    successBox.hidden = !name;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showCreated(null);
    const body = {
      code: inputs.code.value.trim(),
      name: inputs.name.value.trim(),
      nameEn: inputs.nameEn.value.trim(),
      kind: inputs.kind.value,
      parentID: inputs.parentID.value || null,
      unitCodes: inputs.unitCodes.value.split(/[\s,;]+/).filter(Boolean),
    };
    for (const [name, label] of [["code", "agencies.code"], ["name", "agencies.name"]]) {
      if (!body[name]) {
        showError({ field: name, key: "form.required", label });
        return;
      }
    }
    showError(null);
    submit.disabled = true;
    try {
      const agency = await api.post("/api/v1/agencies", body);
      form.reset();
      inputs.kind.value = "department";
      toggle(false);
      showCreated(agencyName(agency) || body.name);
      reload();
    } catch (error) {
      showError(error);
    } finally {
      submit.disabled = false;
    }
  });

  return {
    element: h("div", { class: "page-extra" }, successBox, form),
    toolbar: () => h("button", {
      type: "button", class: "btn btn-primary", id: "agency-new", onclick: () => toggle(),
      "aria-controls": "agency-form", "aria-expanded": String(!form.hidden),
    }, icon("plus"), h("span", {}, t("agencies.new"))),
    loaded(data) {
      agencies = data.items;
      fillParents();
    },
    languageChanged() {
      applyI18n(form);
      fillParents();
      if (shownError) showError(shownError);
      if (createdName) showCreated(createdName);
    },
  };
}

const agenciesView = listView({
  title: "agencies.title",
  intro: "agencies.intro",
  extra: agencyForm,
  async load({ settings }) {
    const [list, units] = await Promise.all([api.get("/api/v1/agencies"), unitIndex(settings)]);
    return { ...list, units, byID: new Map((list.items || []).map((a) => [a.id, a])) };
  },
  columns: (data) => [
    { label: "agencies.code", class: "col-code", value: (a) => mono(a.code) },
    { label: "agencies.name", value: (a) => agencyName(a) },
    { label: "agencies.kind", value: (a) => tOr(`agencyKind.${a.kind}`, a.kind) },
    { label: "agencies.parent", value: (a) => agencyName(data.byID.get(a.parentID)) },
    { label: "agencies.units", value: (a) => unitList(a.unitCodes, data.units) },
    { label: "table.status", value: (a) => statusBadge(a.active !== false, "status.active", "status.inactive") },
  ],
});

// ---- Users ----

function formatScope(scope, units) {
  if (scope == null || scope === "") return EMPTY;
  if (Array.isArray(scope)) return unitList(scope, units);
  if (typeof scope === "string") return units?.get(scope) ? unitDisplayName(units.get(scope)) : scope;
  return JSON.stringify(scope);
}

const usersView = listView({
  title: "users.title",
  intro: "users.intro",
  async load({ settings }) {
    const [list, agencies, units] = await Promise.all([
      api.get("/api/v1/users"),
      api.get("/api/v1/agencies").catch(() => ({ items: [] })),
      unitIndex(settings),
    ]);
    return { ...list, units, agencies: new Map((agencies.items || []).map((a) => [a.id, a])) };
  },
  columns: (data) => [
    { label: "users.username", value: (u) => mono(u.username) },
    { label: "users.displayName", value: (u) => u.displayName },
    { label: "users.role", value: (u) => tOr(`role.${u.role}`, u.role) },
    { label: "users.agency", value: (u) => agencyName(data.agencies.get(u.agencyID)) || (u.agencyID ? mono(u.agencyID) : EMPTY) },
    { label: "users.scope", value: (u) => formatScope(u.unitScope, data.units) },
    { label: "table.status", value: (u) => statusBadge(u.active !== false, "status.active", "status.locked") },
  ],
});

// ---- Data sources ----

const sourcesView = listView({
  title: "sources.title",
  intro: "sources.intro",
  load: () => api.get("/api/v1/sources"),
  columns: () => [
    { label: "sources.name", value: (s) => s.name },
    { label: "sources.kind", value: (s) => tOr(`sourceKind.${s.kind}`, s.kind) },
    { label: "sources.freshness", value: (s) => formatDuration(s.expectedFreshnessSeconds) },
    { label: "sources.lastDataAt", value: (s) => formatDateTime(s.lastDataAt) || h("span", { class: "muted" }, t("sources.never")) },
    { label: "sources.errorCount", class: "col-number", value: (s) => formatNumber(s.errorCount ?? 0) },
    { label: "table.status", value: (s) => statusBadge(!s.stale, "sources.fresh", "sources.stale") },
  ],
});

// ---- Audit log ----

const AUDIT_LIMIT = 100;

const auditView = listView({
  title: "audit.title",
  intro: "audit.intro",
  load: () => api.get(`/api/v1/audit?limit=${AUDIT_LIMIT}`),
  summary: (data) => t("audit.showing", { shown: formatNumber(data.items.length), total: formatNumber(data.total ?? data.items.length) }),
  columns: () => [
    { label: "audit.seq", class: "col-number", value: (e) => mono(String(e.seq)) },
    { label: "audit.at", value: (e) => formatDateTime(e.at, { seconds: true }) },
    { label: "audit.actor", value: (e) => e.actor },
    { label: "audit.action", value: (e) => tOr(`auditAction.${e.action}`, e.action) },
    { label: "audit.target", value: (e) => (e.targetType || e.targetID ? mono([e.targetType, e.targetID].filter(Boolean).join(" · ")) : EMPTY) },
    { label: "audit.ip", value: (e) => mono(e.ip) },
  ],
});

/** Route name → view, for the router. */
export const adminViews = {
  agencies: agenciesView,
  users: usersView,
  sources: sourcesView,
  audit: auditView,
};
