// Field reports: the work queues (#/field-reports/queue/{queue}?category=&agency=&unit=&status=&q=&page=).
// Tabs with counts, filters, a paged table with deadline countdowns, bulk "assign to an agency" for dispatchers,
// and live refresh from the `cases` topic (new rows flash).
import { api, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, localized, t } from "../i18n.js";
import {
  DISPATCH_ROLES, EMPTY, PATHS, ROUTE, STATUSES, agencyPicker, caseHref, dueCell, errorBox, followCases, liveIndicator,
  loadLookups, loadingLine, namer, pathIcon, rememberQueue, setChildren, sortByName, statusBadge,
} from "./field-reports-common.js";

export const QUEUES = ["new", "mine", "near", "overdue", "reopened", "open", "all"];
const PAGE_SIZES = [25, 50, 100, 200];
const DEFAULT_PAGE_SIZE = 50;
const FILTERS = ["q", "category", "agency", "unit", "status"];
const LIVE_DEBOUNCE_MS = 700;
const TICK_MS = 30_000;

function defaultQueue(user) {
  return user?.role === "officer" ? "mine" : "new";
}

/** Queue, filters and page from the hash. */
function readLocation(queueFromPath, user) {
  const query = location.hash.split("?")[1] || "";
  const params = new URLSearchParams(query);
  const page = Number(params.get("page"));
  const size = Number(params.get("pageSize"));
  const state = {
    queue: QUEUES.includes(queueFromPath) ? queueFromPath : defaultQueue(user),
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: PAGE_SIZES.includes(size) ? size : DEFAULT_PAGE_SIZE,
  };
  for (const name of FILTERS) state[name] = params.get(name) || "";
  if (state.status && !STATUSES.includes(state.status)) state.status = "";
  return state;
}

export function mount(root, { settings, user }, queueFromPath) {
  const state = readLocation(queueFromPath, user);
  const canAssign = DISPATCH_ROLES.has(user?.role);
  const canSeeRouting = DISPATCH_ROLES.has(user?.role); // the server lets admins and operators read the routing table
  let removed = false;
  let lookups = null;
  let names = namer({ agencies: new Map(), units: new Map(), categories: new Map() });
  let data = null;
  let loadError = null;
  let loading = false;
  let seq = 0;
  const selected = new Set();
  let lastChecked = null;
  let previousCodes = null; // codes shown before a live refresh: rows not among them flash
  const liveCodes = new Set();
  let liveTimer = null;
  let dueCells = [];
  let bulkResult = null;
  let bulkBusy = false;
  let bulkError = null;

  // ---- Location ----

  function writeLocation() {
    if (removed) return;
    const params = new URLSearchParams();
    for (const name of FILTERS) if (state[name]) params.set(name, state[name]);
    if (state.page > 1) params.set("page", String(state.page));
    if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set("pageSize", String(state.pageSize));
    const query = params.toString();
    const hash = `#/${ROUTE}/queue/${state.queue}${query ? `?${query}` : ""}`;
    rememberQueue(hash);
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  // ---- Skeleton ----

  const heading = h("h1", { id: "frc-title" });
  const intro = h("p", { class: "page-intro" });
  const indicator = liveIndicator();
  const routingLink = canSeeRouting ? h("a", { class: "btn btn-secondary", id: "frc-routing-link", href: `#/${ROUTE}/routing` }) : null;
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", id: "frc-refresh", onclick: () => load() });
  const header = h("header", { class: "page-header frc-page-header" },
    h("div", { class: "page-heading" }, heading, intro),
    h("div", { class: "page-tools" }, indicator.element, routingLink, refreshButton));

  const tabButtons = new Map();
  const tabList = h("div", { class: "frc-tabs", role: "tablist", id: "frc-tabs" });
  for (const queue of QUEUES) {
    const button = h("button", {
      type: "button", role: "tab", id: `frc-tab-${queue}`, class: "frc-tab", "aria-controls": "frc-queue-panel",
      dataset: { queue }, onclick: () => selectQueue(queue), onkeydown: (event) => tabKey(event, queue),
    });
    tabButtons.set(queue, button);
    tabList.append(button);
  }

  // Filters
  const searchInput = h("input", { id: "frc-filter-q", type: "search", autocomplete: "off", spellcheck: "false", value: state.q });
  const categorySelect = h("select", { id: "frc-filter-category" });
  const agencySelect = h("select", { id: "frc-filter-agency" });
  const unitSelect = h("select", { id: "frc-filter-unit" });
  const statusSelect = h("select", { id: "frc-filter-status" });
  const clearButton = h("button", { type: "button", class: "btn btn-ghost", id: "frc-filter-clear", onclick: clearFilters });
  const filterLabels = [];
  const filterField = (id, key, control, extraClass = "") => {
    const label = h("label", { for: id });
    filterLabels.push([label, key]);
    return h("div", { class: `field ${extraClass}` }, label, control);
  };
  const filters = h("form", { class: "frc-filters", id: "frc-filters", role: "search", onsubmit: (event) => {
    event.preventDefault();
    applyFilter("q", searchInput.value.trim());
  } },
  filterField("frc-filter-q", "frc.filter.q", h("div", { class: "frc-search" }, icon("search", "icon frc-search-icon"), searchInput), "frc-filter-q"),
  filterField("frc-filter-category", "frc.filter.category", categorySelect),
  filterField("frc-filter-agency", "frc.filter.agency", agencySelect),
  filterField("frc-filter-unit", "frc.filter.unit", unitSelect),
  filterField("frc-filter-status", "frc.filter.status", statusSelect),
  h("div", { class: "frc-filter-actions" }, clearButton));

  let searchTimer = null;
  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => applyFilter("q", searchInput.value.trim()), 400);
  });
  for (const [name, select] of [["category", categorySelect], ["agency", agencySelect], ["unit", unitSelect], ["status", statusSelect]]) {
    select.addEventListener("change", () => applyFilter(name, select.value));
  }

  // Bulk assignment (dispatchers only)
  const bulkCount = h("strong", { class: "frc-bulk-count", id: "frc-bulk-count" });
  const bulkNote = h("input", { id: "frc-bulk-note", type: "text", autocomplete: "off", maxlength: "1000" });
  const bulkNoteLabel = h("label", { for: "frc-bulk-note" });
  const bulkSubmit = h("button", { type: "submit", class: "btn btn-primary", id: "frc-bulk-assign" });
  const bulkClear = h("button", { type: "button", class: "btn btn-ghost", id: "frc-bulk-clear", onclick: () => {
    selected.clear();
    renderTable();
    renderBulk();
  } });
  const bulkErrorBox = h("p", { class: "form-error", role: "alert", id: "frc-bulk-error", hidden: true });
  const bulkSlot = h("div", { class: "frc-bulk-picker" });
  let bulkPicker = null;
  const bulkForm = canAssign
    ? h("form", { class: "frc-bulk card", id: "frc-bulk", hidden: true, novalidate: true, onsubmit: bulkAssign },
      h("div", { class: "frc-bulk-head" }, bulkCount, bulkClear),
      h("div", { class: "frc-bulk-row" },
        bulkSlot,
        h("div", { class: "field frc-bulk-note" }, bulkNoteLabel, bulkNote),
        h("div", { class: "frc-bulk-submit" }, bulkSubmit)),
      bulkErrorBox)
    : null;
  const bulkResultBox = h("div", { class: "frc-bulk-result", id: "frc-bulk-result", "aria-live": "polite" });

  const summary = h("p", { class: "frc-summary", id: "frc-summary" });
  const announcer = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite", id: "frc-announcer" });
  const tableBox = h("div", { class: "frc-table-box", id: "frc-queue-panel", role: "tabpanel" });
  const pager = h("nav", { class: "frc-pager", id: "frc-pager" });

  setChildren(root, header, tabList, filters, bulkForm, bulkResultBox,
    h("div", { class: "frc-summary-row" }, summary, announcer), tableBox, pager);

  // ---- Tabs ----

  function tabKey(event, queue) {
    const index = QUEUES.indexOf(queue);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: QUEUES.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = QUEUES[(next + QUEUES.length) % QUEUES.length];
    selectQueue(target);
    tabButtons.get(target).focus();
  }

  function selectQueue(queue) {
    if (state.queue === queue) return;
    state.queue = queue;
    state.page = 1;
    writeLocation();
    renderTabs();
    load();
  }

  function tabCount(queue) {
    if (!data) return null;
    if (queue === "all") return state.queue === "all" ? data.total : null;
    const value = data.counts?.[queue];
    return typeof value === "number" ? value : null;
  }

  function renderTabs() {
    tabList.setAttribute("aria-label", t("frc.queue.tabsLabel"));
    for (const [queue, button] of tabButtons) {
      const selectedTab = queue === state.queue;
      button.setAttribute("aria-selected", String(selectedTab));
      button.tabIndex = selectedTab ? 0 : -1;
      const value = tabCount(queue);
      const tone = value > 0 && queue === "overdue" ? " is-bad" : value > 0 && queue === "near" ? " is-warn" : value > 0 && queue === "new" ? " is-new" : "";
      setChildren(button,
        h("span", {}, t(`frc.queue.${queue}`)),
        value == null ? null : h("span", { class: `frc-tab-count${tone}`, id: `frc-count-${queue}` }, formatNumber(value)));
      button.title = t(`frc.queue.${queue}Hint`);
    }
  }

  // ---- Filters ----

  function option(value, text) {
    return h("option", { value }, text);
  }

  function fillFilters() {
    const categories = sortByName(lookups?.categoryList || [], (c) => localized(c.name));
    setChildren(categorySelect, option("", t("frc.filter.allCategories")), categories.map((c) => option(c.code, localized(c.name))));
    const agencies = sortByName(lookups?.agencyList || [], (a) => names.agencyName(a.code));
    setChildren(agencySelect, option("", t("frc.filter.allAgencies")), agencies.map((a) => option(a.code, names.agencyName(a.code))));
    const units = sortByName(lookups?.unitList || [], (u) => names.unitName(u.code));
    setChildren(unitSelect, option("", t("frc.filter.allUnits")), units.map((u) => option(u.code, names.unitName(u.code))));
    setChildren(statusSelect, option("", t("frc.filter.allStatuses")), STATUSES.map((s) => option(s, t(`frc.status.${s}`))));
    // A value from the hash that the lists do not know still filters, and shows as its code.
    for (const [name, select] of [["category", categorySelect], ["agency", agencySelect], ["unit", unitSelect]]) {
      if (state[name] && ![...select.options].some((o) => o.value === state[name])) select.append(option(state[name], state[name]));
      select.value = state[name];
    }
    statusSelect.value = state.status;
    for (const [label, key] of filterLabels) label.textContent = t(key);
    searchInput.placeholder = t("frc.filter.qPlaceholder");
    clearButton.textContent = t("frc.filter.clear");
    clearButton.hidden = !FILTERS.some((name) => state[name]);
  }

  function applyFilter(name, value) {
    // The server matches a code exactly ("PA-…") and other text in the description.
    if (name === "q" && /^pa-/i.test(value)) value = value.toUpperCase();
    if (state[name] === value) return;
    state[name] = value;
    state.page = 1;
    writeLocation();
    clearButton.hidden = !FILTERS.some((key) => state[key]);
    load();
  }

  function clearFilters() {
    for (const name of FILTERS) state[name] = "";
    state.page = 1;
    searchInput.value = "";
    writeLocation();
    fillFilters();
    load();
    searchInput.focus();
  }

  // ---- Loading ----

  function query() {
    const params = new URLSearchParams({ queue: state.queue });
    for (const name of ["status", "agency", "category", "unit", "q"]) if (state[name]) params.set(name, state[name]);
    params.set("page", String(state.page));
    params.set("pageSize", String(state.pageSize));
    return params.toString();
  }

  async function load({ fromLive = false } = {}) {
    const mySeq = ++seq;
    loading = true;
    if (!fromLive) previousCodes = null;
    renderBusy();
    try {
      const answer = await api.get(`/api/v1/cases?${query()}`);
      if (removed || mySeq !== seq) return;
      data = { ...answer, items: answer.items || [], counts: answer.counts || {} };
      loadError = null;
      // Past the last page (e.g. the queue shrank): go to the last one.
      const pages = Math.max(1, Math.ceil((data.total || 0) / state.pageSize));
      if (state.page > pages && data.total > 0) {
        state.page = pages;
        writeLocation();
        load();
        return;
      }
    } catch (error) {
      if (removed || mySeq !== seq) return;
      loadError = error;
    }
    loading = false;
    tableBox.dataset.ready = "1";
    tableBox.dataset.total = String(data?.total ?? 0);
    renderTabs();
    renderTable();
    renderBulk();
    renderPager();
  }

  function renderBusy() {
    tableBox.classList.toggle("is-busy", loading && Boolean(data));
    tableBox.setAttribute("aria-busy", String(loading));
    refreshButton.disabled = loading;
    if (!data && !loadError) setChildren(tableBox, loadingLine());
  }

  // ---- Table ----

  const COLUMNS = [
    { key: "code", className: "frc-col-code" },
    { key: "category", className: "frc-col-category" },
    { key: "unit", className: "frc-col-unit" },
    { key: "agency", className: "frc-col-agency" },
    { key: "status", className: "frc-col-status" },
    { key: "receivedAt", className: "frc-col-time" },
    { key: "dueAt", className: "frc-col-due" },
    { key: "reopenCount", className: "frc-col-num" },
  ];

  function selectAllBox(items) {
    const box = h("input", { type: "checkbox", id: "frc-select-all", class: "frc-check", "aria-label": t("frc.table.selectAll") });
    const chosen = items.filter((item) => selected.has(item.code)).length;
    box.checked = items.length > 0 && chosen === items.length;
    box.indeterminate = chosen > 0 && chosen < items.length;
    box.disabled = !items.length;
    box.addEventListener("change", () => {
      for (const item of items) {
        if (box.checked) selected.add(item.code);
        else selected.delete(item.code);
      }
      renderTable();
      renderBulk();
    });
    return box;
  }

  function rowBox(item, items) {
    const box = h("input", {
      type: "checkbox", class: "frc-check frc-row-check", id: `frc-check-${item.code}`, value: item.code,
      "aria-label": t("frc.table.select", { code: item.code }),
    });
    box.checked = selected.has(item.code);
    box.addEventListener("click", (event) => {
      // Shift+click selects (or clears) the range from the last box clicked.
      if (event.shiftKey && lastChecked && lastChecked !== item.code) {
        const codes = items.map((i) => i.code);
        const [a, b] = [codes.indexOf(lastChecked), codes.indexOf(item.code)].sort((x, y) => x - y);
        if (a >= 0) for (const code of codes.slice(a, b + 1)) box.checked ? selected.add(code) : selected.delete(code);
      }
      if (box.checked) selected.add(item.code);
      else selected.delete(item.code);
      lastChecked = item.code;
      renderTable();
      renderBulk();
      document.getElementById(`frc-check-${item.code}`)?.focus();
    });
    return box;
  }

  function renderTable() {
    if (removed) return;
    renderBusy();
    dueCells = [];
    if (loadError && !data) {
      setChildren(tableBox, errorBox(loadError));
      summary.textContent = "";
      return;
    }
    if (!data) return;
    const items = data.items;
    const shownCodes = new Set(items.map((item) => item.code));
    for (const code of [...selected]) if (!shownCodes.has(code)) selected.delete(code);
    const flash = previousCodes ? items.filter((item) => !previousCodes.has(item.code)).map((i) => i.code) : [];
    const flashSet = new Set(flash);
    const updatedSet = new Set(previousCodes ? items.filter((item) => previousCodes.has(item.code) && liveCodes.has(item.code)).map((i) => i.code) : []);
    previousCodes = null;
    liveCodes.clear();

    const headRow = h("tr", {},
      canAssign ? h("th", { scope: "col", class: "frc-col-check" }, selectAllBox(items)) : null,
      COLUMNS.map((column) => h("th", { scope: "col", class: column.className }, t(`frc.col.${column.key}`))));
    const rows = items.map((item) => {
      const due = dueCell(item);
      dueCells.push(due);
      const reopen = item.reopenCount || 0;
      return h("tr", {
        id: `frc-row-${item.code}`,
        class: [
          "frc-row",
          selected.has(item.code) ? "is-selected" : "",
          flashSet.has(item.code) ? "frc-flash" : "",
          updatedSet.has(item.code) ? "frc-flash-update" : "",
          `frc-row--${due.element.dataset.deadline}`,
        ].filter(Boolean).join(" "),
        dataset: { code: item.code, status: item.status || "" },
      },
      canAssign ? h("td", { class: "frc-col-check" }, rowBox(item, items)) : null,
      h("td", { class: "frc-col-code" },
        h("a", { href: caseHref(item.code), class: "frc-code-link mono", id: `frc-link-${item.code}` }, item.code)),
      h("td", { class: "frc-col-category" },
        h("span", { class: "frc-cell-main" }, names.categoryName(item.category) || EMPTY),
        item.title ? h("span", { class: "frc-cell-sub", title: item.title }, item.title) : null),
      h("td", { class: "frc-col-unit" }, names.unitName(item.unit) || EMPTY),
      h("td", { class: "frc-col-agency" },
        item.agency ? h("span", { class: "frc-cell-main" }, names.agencyName(item.agency)) : h("span", { class: "muted" }, t("frc.table.noAgency")),
        item.assignee ? h("span", { class: "frc-cell-sub" }, t("frc.table.assignee", { name: item.assignee })) : null),
      h("td", { class: "frc-col-status" }, statusBadge(item.status, item.statusLabel)),
      h("td", { class: "frc-col-time" }, formatDateTime(item.receivedAt) || EMPTY),
      h("td", { class: "frc-col-due" }, due.element),
      h("td", { class: "frc-col-num" },
        reopen > 0 ? h("span", { class: "badge badge-warn frc-reopen", title: t("frc.table.reopenHint") }, formatNumber(reopen)) : h("span", { class: "muted" }, "0")));
    });
    const columns = COLUMNS.length + (canAssign ? 1 : 0);
    const body = h("tbody", {}, rows.length
      ? rows
      : h("tr", { class: "frc-empty" }, h("td", { colspan: columns }, t(FILTERS.some((name) => state[name]) ? "frc.table.emptyFiltered" : `frc.table.empty.${state.queue}`))));
    setChildren(tableBox,
      loadError ? errorBox(loadError) : null,
      h("div", { class: "frc-scroll" },
        h("table", { class: "frc-table", id: "frc-table", "aria-labelledby": `frc-tab-${state.queue}` }, h("thead", {}, headRow), body)));

    const total = data.total || 0;
    const first = total ? (state.page - 1) * state.pageSize + 1 : 0;
    const last = Math.min(total, (state.page - 1) * state.pageSize + items.length);
    summary.textContent = total
      ? t("frc.table.showing", { first: formatNumber(first), last: formatNumber(last), total: formatNumber(total) })
      : t("frc.table.none");
    if (flash.length) {
      announcer.textContent = t("frc.live.newRows", { count: formatNumber(flash.length), codes: flash.slice(0, 3).join(", ") });
    }
  }

  function renderPager() {
    if (!data) {
      setChildren(pager);
      return;
    }
    const pages = Math.max(1, Math.ceil((data.total || 0) / state.pageSize));
    const go = (page) => {
      state.page = Math.min(pages, Math.max(1, page));
      writeLocation();
      load();
      tableBox.scrollIntoView({ block: "start" });
    };
    const size = h("select", { id: "frc-page-size", "aria-label": t("frc.pager.size") },
      PAGE_SIZES.map((n) => option(String(n), t("frc.pager.sizeOption", { count: formatNumber(n) }))));
    size.value = String(state.pageSize);
    size.addEventListener("change", () => {
      state.pageSize = Number(size.value);
      state.page = 1;
      writeLocation();
      load();
    });
    pager.setAttribute("aria-label", t("frc.pager.label"));
    setChildren(pager,
      h("button", { type: "button", class: "btn btn-secondary", id: "frc-page-prev", disabled: state.page <= 1, onclick: () => go(state.page - 1) },
        pathIcon(PATHS.chevronLeft), h("span", {}, t("frc.pager.previous"))),
      h("span", { class: "frc-pager-text" }, t("frc.pager.page", { page: formatNumber(state.page), pages: formatNumber(pages) })),
      h("button", { type: "button", class: "btn btn-secondary", id: "frc-page-next", disabled: state.page >= pages, onclick: () => go(state.page + 1) },
        h("span", {}, t("frc.pager.next")), pathIcon(PATHS.chevronRight)),
      size);
  }

  // ---- Bulk assignment ----

  function renderBulk() {
    if (!bulkForm) return;
    bulkForm.hidden = selected.size === 0 && !bulkBusy;
    bulkCount.textContent = t("frc.bulk.selected", { count: formatNumber(selected.size) });
    bulkClear.textContent = t("frc.bulk.clear");
    bulkNoteLabel.textContent = t("frc.bulk.note");
    bulkNote.placeholder = t("frc.bulk.notePlaceholder");
    bulkSubmit.disabled = bulkBusy || selected.size === 0;
    setChildren(bulkSubmit, pathIcon(PATHS.route), h("span", {}, t(bulkBusy ? "frc.bulk.busy" : "frc.bulk.submit", { count: formatNumber(selected.size) })));
    bulkErrorBox.hidden = !bulkError;
    bulkErrorBox.textContent = bulkError ? (bulkError.key ? t(bulkError.key) : errorMessage(bulkError)) : "";
    renderBulkResult();
  }

  function renderBulkResult() {
    if (!bulkResult) {
      setChildren(bulkResultBox);
      return;
    }
    const items = bulkResult.items || [];
    const ok = items.filter((item) => item.result === "assigned");
    const failed = items.filter((item) => item.result !== "assigned");
    const tone = failed.length ? (ok.length ? "alert-warn" : "alert-error") : "alert-ok";
    setChildren(bulkResultBox,
      h("div", { class: `alert ${tone} frc-bulk-summary`, role: "status" },
        h("div", { class: "frc-bulk-summary-head" },
          h("strong", {}, t("frc.bulk.done", {
            assigned: formatNumber(ok.length), total: formatNumber(items.length), agency: names.agencyName(bulkResult.agency),
          })),
          h("button", { type: "button", class: "icon-button frc-dismiss", id: "frc-bulk-result-close", title: t("frc.bulk.dismiss"),
            "aria-label": t("frc.bulk.dismiss"), onclick: () => {
              bulkResult = null;
              renderBulkResult();
            } }, icon("close"))),
        failed.length
          ? h("ul", { class: "frc-bulk-items", id: "frc-bulk-failed" }, failed.map((item) => h("li", {
            class: "is-failed", dataset: { code: item.code, result: item.result },
          },
          h("a", { href: caseHref(item.code), class: "mono frc-nowrap" }, item.code),
          h("span", { class: "badge badge-bad" }, t("frc.bulk.result.failed")),
          item.messages ? h("span", { class: "frc-bulk-message" }, localized(item.messages)) : null)))
          : null,
        ok.length
          ? h("p", { class: "frc-bulk-ok", id: "frc-bulk-assigned" },
            h("span", { class: "badge badge-ok" }, t("frc.bulk.result.assigned")), " ",
            ok.map((item, i) => [i ? ", " : "", h("a", { href: caseHref(item.code), class: "mono", dataset: { code: item.code, result: item.result } }, item.code)]))
          : null));
  }

  async function bulkAssign(event) {
    event.preventDefault();
    const agency = bulkPicker?.value;
    if (!agency) {
      bulkError = { key: "frc.bulk.chooseAgency" };
      renderBulk();
      bulkPicker?.select.focus();
      return;
    }
    const codes = [...selected].slice(0, 200);
    bulkBusy = true;
    bulkError = null;
    renderBulk();
    try {
      const body = { codes, agency };
      const note = bulkNote.value.trim();
      if (note) body.note = note;
      const answer = await api.post("/api/v1/cases/bulk-assign", body);
      if (removed) return;
      bulkResult = { ...answer, agency };
      for (const item of answer.items || []) if (item.result === "assigned") selected.delete(item.code);
      bulkNote.value = "";
      bulkPicker?.clearFilter();
      load();
    } catch (error) {
      if (removed) return;
      bulkError = error;
    }
    bulkBusy = false;
    renderBulk();
    if (bulkResult) document.getElementById("frc-bulk-result-close")?.focus();
  }

  // ---- Live ----

  function onLive(event) {
    if (event?.code) liveCodes.add(event.code);
    if (event?.type === "case.created" && event.code) {
      announcer.textContent = t("frc.live.created", { code: event.code });
    }
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      if (removed) return;
      previousCodes = new Set((data?.items || []).map((item) => item.code));
      load({ fromLive: true });
    }, LIVE_DEBOUNCE_MS);
  }
  const stopLive = followCases(settings, onLive, (status) => indicator.set(status));

  const ticker = setInterval(() => {
    for (const cell of dueCells) cell.update();
  }, TICK_MS);

  // "/" jumps to the search box, as in most consoles.
  function onKey(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    event.preventDefault();
    searchInput.focus();
    searchInput.select();
  }
  document.addEventListener("keydown", onKey);

  // ---- Start ----

  function renderHeader() {
    heading.textContent = t("frc.title");
    intro.textContent = t(canAssign ? "frc.intro.dispatch" : user?.role === "officer" ? "frc.intro.officer" : "frc.intro.read");
    if (routingLink) setChildren(routingLink, pathIcon(PATHS.route), h("span", {}, t("frc.routing.link")));
    setChildren(refreshButton, icon("refresh"), h("span", {}, t("table.refresh")));
    refreshButton.title = t("frc.refreshHint");
    indicator.relabel();
  }

  function renderAll() {
    renderHeader();
    renderTabs();
    fillFilters();
    if (bulkPicker) bulkPicker.relabel();
    renderTable();
    renderBulk();
    renderPager();
  }

  renderHeader();
  renderTabs();
  fillFilters();
  writeLocation();
  load();
  loadLookups(settings).then((loaded) => {
    if (removed) return;
    lookups = loaded;
    names = namer(loaded);
    fillFilters();
    if (canAssign) {
      bulkPicker = agencyPicker("frc-bulk-agency", loaded, { labelKey: "frc.bulk.agency" });
      setChildren(bulkSlot, bulkPicker.element);
    }
    renderTable();
    renderBulk();
  });

  return {
    unmount() {
      removed = true;
      stopLive();
      clearInterval(ticker);
      clearTimeout(liveTimer);
      clearTimeout(searchTimer);
      document.removeEventListener("keydown", onKey);
    },
    languageChanged: renderAll,
  };
}
