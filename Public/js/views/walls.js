// Video walls (#/walls/{wall}/{index}): pick a wall, see its rows × cols screens, and set what each screen shows —
// a view, a rotation of views, or a takeover (wins over both) that can be released. Admins also edit the grid and
// create display keys for the kiosks. Live refresh from the `wall.<code>` topics. The kinds of view a screen can
// show and the topics' names come from the settings (`wallViews`, `liveTopics.wallPrefix`). A screen of kind
// `indicators` (the KT-XH module's group screens) picks its group (`params.group`) among the catalogue's groups
// (GET /api/v1/indicators, read when that kind is offered).
import { api, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, localized, localizedName, t, tOr } from "../i18n.js";
import { wallTopic, wallViewKinds } from "../settings.js";

const ROUTE = "walls";
export const METRICS = ["fieldreports.open", "fieldreports.overdue", "fieldreports.received30d"];
const DEFAULT_TILES = [{ id: "fieldreports" }, { id: "publicservices" }];
const CASE_CODE = /^PA-\d{4}-\d{6}$/;
const ROTATION_MAX = 20;
const SECONDS_MIN = 5;
const SECONDS_MAX = 3600;
const SECONDS_DEFAULT = 30;
const GRID_MAX = 20;
const EDIT_ROLES = new Set(["admin", "operator"]);
const LIVE_DEBOUNCE_MS = 500;
const GROUP_CODE = /^[A-Za-z0-9._-]{1,64}$/;

// ---- Views in words ----

function tileName(id, tiles) {
  const tile = tiles.find((item) => item.id === id);
  return tOr(`walls.tile.${id}`, localized(tile?.title) || id || "");
}

/**
 * The indicator groups of the catalogue as a tree in display order: [{group, depth}] (a parent before its children,
 * siblings by `order` then code). `groups`: GET /api/v1/indicators → groups ({code, name, nameEn, parent, order}).
 */
function groupTree(groups) {
  const list = Array.isArray(groups) ? groups.filter((g) => g?.code) : [];
  const codes = new Set(list.map((g) => g.code));
  const children = new Map();
  for (const group of list) {
    const parent = group.parent && codes.has(group.parent) ? group.parent : "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(group);
  }
  const out = [];
  const seen = new Set();
  const walk = (parent, depth) => {
    const sorted = (children.get(parent) || []).sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || String(a.code).localeCompare(String(b.code)));
    for (const group of sorted) {
      if (seen.has(group.code)) continue;
      seen.add(group.code);
      out.push({ group, depth });
      walk(group.code, depth + 1);
    }
  };
  walk("", 0);
  return out;
}

function groupName(code, groups) {
  const group = Array.isArray(groups) ? groups.find((g) => g.code === code) : null;
  return group ? localizedName(group) || code : code || "";
}

/** "Bản đồ · Phản ánh quá hạn"; `groups`: the indicator groups (names of `indicators` views), when known. */
export function describeView(view, tiles = DEFAULT_TILES, groups = null) {
  if (!view?.kind) return t("walls.kind.none");
  const kind = tOr(`walls.kind.${view.kind}`, view.kind);
  const params = view.params || {};
  let detail = "";
  if (view.kind === "map") detail = params.metric ? tOr(`walls.metric.${params.metric}`, params.metric) : "";
  else if (view.kind === "tile") detail = tileName(params.tile, tiles);
  else if (view.kind === "service") detail = [tileName(params.tile, tiles), params.agency, params.unit].filter(Boolean).join(" › ");
  else if (view.kind === "case") detail = params.code || "";
  else if (view.kind === "url") detail = params.url || "";
  else if (view.kind === "indicators") detail = groupName(params.group, groups);
  return detail ? `${kind} · ${detail}` : kind;
}

// ---- One view editor: kind + the matching parameter ----

/**
 * `prefix` names the controls (`{prefix}-kind`, `{prefix}-param`). `kinds`: the view kinds to offer (settings
 * `wallViews`). `labels: false` uses aria-labels (rotation rows). `groups`: the indicator groups for the kind
 * `indicators` (null when they could not be read: the group code is typed instead).
 * Returns { element, peek() → view (unchecked), read() → view or throws { key, input } }.
 */
function viewEditor(prefix, view, tiles, { kinds, labels = true, onChange, groups = null } = {}) {
  const kind = h("select", { id: `${prefix}-kind`, class: "walls-kind", "aria-label": labels ? null : t("walls.form.kind") },
    kinds.map((k) => h("option", { value: k }, tOr(`walls.kind.${k}`, k))));
  kind.value = kinds.includes(view?.kind) ? view.kind : kinds.includes("overview") ? "overview" : kinds[0] || "";
  const paramBox = h("div", { class: "walls-param-box" });
  let param = null;
  const remembered = { ...(view?.params || {}) };

  function buildParam() {
    const k = kind.value;
    const id = `${prefix}-param`;
    let labelKey = null;
    param = null;
    if (k === "map") {
      labelKey = "walls.form.metric";
      param = h("select", { id }, METRICS.map((m) => h("option", { value: m }, t(`walls.metric.${m}`))));
      param.value = METRICS.includes(remembered.metric) ? remembered.metric : METRICS[0];
    } else if (k === "tile") {
      labelKey = "walls.form.tile";
      param = h("select", { id }, tiles.map((tile) => h("option", { value: tile.id }, tileName(tile.id, tiles))));
      if (tiles.some((tile) => tile.id === remembered.tile)) param.value = remembered.tile;
    } else if (k === "service") {
      // The service screen of a tile that has one (drill-down), optionally opened at one agency.
      labelKey = "walls.form.tile";
      const drillable = tiles.filter((tile) => tile.drill);
      param = h("select", { id }, (drillable.length ? drillable : tiles).map((tile) => h("option", { value: tile.id }, tileName(tile.id, tiles))));
      if (tiles.some((tile) => tile.id === remembered.tile)) param.value = remembered.tile;
    } else if (k === "case") {
      labelKey = "walls.form.caseCode";
      param = h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", placeholder: "PA-2026-000001", value: remembered.code || "" });
    } else if (k === "url") {
      labelKey = "walls.form.url";
      param = h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", placeholder: "/phan-anh-cong-khai.html", value: remembered.url || "" });
    } else if (k === "indicators") {
      // The catalogue's groups as an indented tree (names in the page's language); the code is typed when unknown.
      labelKey = "walls.form.group";
      if (Array.isArray(groups)) {
        const tree = groupTree(groups);
        param = h("select", { id },
          h("option", { value: "" }, `— ${t("walls.form.group")} —`),
          tree.map(({ group, depth }) => h("option", { value: group.code }, `${"\u00a0\u00a0\u00a0".repeat(depth)}${localizedName(group) || group.code}`)));
        if (remembered.group && !tree.some(({ group }) => group.code === remembered.group)) {
          param.append(h("option", { value: remembered.group }, remembered.group));
        }
        param.value = remembered.group || (tree[0]?.group.code ?? "");
      } else {
        param = h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", placeholder: "KT", value: remembered.group || "" });
      }
    }
    if (param) param.dataset.param = k;
    if (!param) paramBox.replaceChildren();
    else if (labels) paramBox.replaceChildren(h("div", { class: "field" }, h("label", { for: id }, t(labelKey)), param));
    else {
      param.setAttribute("aria-label", t(labelKey));
      paramBox.replaceChildren(param);
    }
  }

  kind.addEventListener("change", () => {
    Object.assign(remembered, peek().params || {});
    buildParam();
    onChange?.();
  });
  buildParam();

  function peek() {
    const k = kind.value;
    const value = param ? param.value.trim() : "";
    if (k === "map") return { kind: k, params: { metric: value } };
    if (k === "tile") return { kind: k, params: { tile: value } };
    if (k === "service") return { kind: k, params: { tile: value, ...(remembered.agency ? { agency: remembered.agency } : {}), ...(remembered.unit ? { unit: remembered.unit } : {}) } };
    if (k === "case") return { kind: k, params: { code: value.toUpperCase() } };
    if (k === "url") return { kind: k, params: { url: value } };
    if (k === "indicators") return { kind: k, params: { group: value } };
    // A kind this editor has no control for (a service's screen): keep the parameters it was assigned with.
    if (view?.kind === k && view.params && typeof view.params === "object") return { kind: k, params: { ...view.params } };
    return { kind: k };
  }

  function read() {
    const result = peek();
    const k = result.kind;
    if (k === "case" && !CASE_CODE.test(result.params.code)) throw { key: "walls.error.caseCode", input: param };
    if (k === "url" && (!result.params.url.startsWith("/") || result.params.url.startsWith("//"))) throw { key: "walls.error.url", input: param };
    if ((k === "tile" || k === "service") && !result.params.tile) throw { key: "walls.error.tile", input: param };
    if (k === "indicators" && !GROUP_CODE.test(result.params.group)) throw { key: "walls.error.group", input: param };
    return result;
  }

  const element = labels
    ? h("div", { class: "walls-view-editor" },
      h("div", { class: "field" }, h("label", { for: `${prefix}-kind` }, t("walls.form.kind")), kind), paramBox)
    : h("div", { class: "walls-view-editor walls-view-editor--inline" }, kind, paramBox);
  return { element, peek, read };
}

// ---- Live: the `wall.<code>` topics (one small socket while the view is mounted) ----

function followWalls(topics, listener) {
  let ws = null;
  let stopped = false;
  let retries = 0;
  let retryTimer = null;

  function connect() {
    if (stopped || typeof WebSocket === "undefined") return;
    try {
      ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`);
    } catch {
      retry();
      return;
    }
    const socket = ws;
    socket.addEventListener("open", () => {
      for (const topic of topics) socket.send(JSON.stringify({ type: "subscribe", topics: [topic] }));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "subscribed") retries = 0;
      if (message.type !== "events") return;
      for (const item of Array.isArray(message.events) ? message.events : []) {
        if (topics.includes(item.topic)) listener(item.topic, item.data || {});
      }
      if (message.dropped) listener(null, { type: "resync" });
    });
    socket.addEventListener("close", () => {
      if (ws === socket) ws = null;
      retry();
    });
  }

  function retry() {
    if (stopped || retryTimer) return;
    retries += 1;
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(retries - 1, 5));
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    ws?.close();
  };
}

// ---- The page ----

function readLocation() {
  const [, code = "", index = ""] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/");
  const number = Number(index);
  return { code: decodeURIComponent(code), index: Number.isInteger(number) && number > 0 ? number : null };
}

export function mount(root, { settings, user }) {
  const kinds = wallViewKinds(settings);
  const canEdit = EDIT_ROLES.has(user?.role);
  const isAdmin = user?.role === "admin";
  const selection = readLocation();
  let walls = null;
  let tiles = DEFAULT_TILES;
  let loadError = null;
  let loading = false;
  let removed = false;
  let seq = 0;
  let stopLive = null;
  let liveTopics = "";
  let liveTimer = null;
  let dirty = false; // the side form has unsaved edits: a refresh must not wipe them
  let shownVersion = null; // the screen version the side form was built from
  let message = null; // { kind: "ok" | "error", text }
  let gridOpen = false;
  let issuedKey = null; // { url } shown once after creating a display key
  // The indicator groups, read once when screens may show the kind `indicators` (null: not read or unreadable).
  let indicatorGroups = null;
  const wantsGroups = kinds.includes("indicators");

  // ---- Skeleton ----

  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", id: "walls-refresh", onclick: () => load() },
    icon("refresh"), h("span", {}, t("walls.refresh")));
  const gridButton = isAdmin
    ? h("button", { type: "button", class: "btn btn-secondary", id: "walls-edit-grid", "aria-controls": "walls-grid-form", onclick: () => toggleGrid() },
      h("span", {}, t("walls.grid.edit")))
    : null;
  const keyButton = isAdmin
    ? h("button", { type: "button", class: "btn btn-secondary", id: "walls-display-key", onclick: createKey },
      icon("lock"), h("span", {}, t("walls.key.create")))
    : null;
  const header = h("header", { class: "page-header" },
    h("div", { class: "page-heading" }, h("h1", {}, t("walls.title")), h("p", { class: "page-intro" }, t("walls.intro"))),
    h("div", { class: "page-tools" }, gridButton, keyButton, refreshButton));
  const tabList = h("div", { class: "walls-tabs", role: "tablist", id: "walls-tabs", "aria-label": t("walls.tabsLabel") });
  const messageBox = h("div", { id: "walls-message", "aria-live": "polite" });
  const extra = h("div", { class: "page-extra walls-extra" });
  const gridArea = h("div", { class: "walls-board", id: "walls-board" });
  const panel = h("aside", { class: "walls-panel card", id: "walls-panel", "aria-labelledby": "walls-panel-title", hidden: true });
  const layout = h("div", { class: "walls-layout" }, gridArea, panel);
  root.append(header, tabList, messageBox, extra, layout);

  const currentWall = () => walls?.find((wall) => wall.code === selection.code) || null;
  const currentScreen = () => currentWall()?.screens.find((screen) => screen.index === selection.index) || null;

  function writeLocation() {
    if (removed) return;
    const parts = [ROUTE, selection.code && encodeURIComponent(selection.code), selection.index].filter(Boolean);
    const hash = `#/${parts.join("/")}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  function showMessage(kind, text) {
    message = text ? { kind, text } : null;
    messageBox.replaceChildren(message
      ? h("div", { class: `alert ${kind === "ok" ? "alert-ok" : "alert-error"}`, role: kind === "ok" ? "status" : "alert" }, message.text)
      : "");
  }

  // ---- Loading ----

  async function load({ quiet = false } = {}) {
    const mine = ++seq;
    loading = true;
    refreshButton.disabled = true;
    if (!quiet && !walls) renderBoard();
    try {
      const [list, overview, catalogue] = await Promise.all([
        api.get("/api/v1/walls"),
        tiles === DEFAULT_TILES ? api.get("/api/v1/wall/overview").catch(() => null) : null,
        wantsGroups && !indicatorGroups ? api.get("/api/v1/indicators").catch(() => null) : null,
      ]);
      if (Array.isArray(catalogue?.groups)) indicatorGroups = catalogue.groups;
      if (removed || mine !== seq) return;
      walls = (list?.items || []).map((wall) => ({
        ...wall, screens: [...(wall.screens || [])].sort((a, b) => a.index - b.index),
      }));
      if (Array.isArray(overview?.tiles) && overview.tiles.length) tiles = overview.tiles.filter((tile) => tile.id);
      loadError = null;
    } catch (error) {
      if (removed || mine !== seq) return;
      loadError = error;
    }
    loading = false;
    refreshButton.disabled = false;
    if (walls && !currentWall()) {
      selection.code = walls[0]?.code || "";
      selection.index = null;
    }
    if (selection.index && !currentScreen()) selection.index = null;
    writeLocation();
    renderAll();
    followLive();
  }

  function followLive() {
    const topics = (walls || []).map((wall) => wallTopic(settings, wall.code));
    if (topics.join(",") === liveTopics) return;
    stopLive?.();
    liveTopics = topics.join(",");
    stopLive = topics.length ? followWalls(topics, () => {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => load({ quiet: true }), LIVE_DEBOUNCE_MS);
    }) : null;
  }

  // ---- Rendering ----

  function renderAll() {
    renderTabs();
    renderExtra();
    renderBoard();
    renderPanel();
  }

  function renderTabs() {
    tabList.replaceChildren(...(walls || []).map((wall) => {
      const selected = wall.code === selection.code;
      return h("button", {
        type: "button", role: "tab", class: "walls-tab", id: `walls-tab-${wall.code}`, dataset: { wall: wall.code },
        "aria-selected": String(selected), "aria-controls": "walls-board", tabindex: selected ? "0" : "-1",
        onclick: () => selectWall(wall.code), onkeydown: tabKey,
      },
      h("span", { class: "walls-tab-name" }, wall.name || wall.code),
      h("span", { class: "walls-tab-size" }, t("walls.size", { rows: formatNumber(wall.rows), cols: formatNumber(wall.cols) })));
    }));
  }

  function tabKey(event) {
    const codes = (walls || []).map((wall) => wall.code);
    const at = codes.indexOf(selection.code);
    let next = null;
    if (event.key === "ArrowRight") next = codes[(at + 1) % codes.length];
    else if (event.key === "ArrowLeft") next = codes[(at - 1 + codes.length) % codes.length];
    if (!next) return;
    event.preventDefault();
    selectWall(next);
    document.getElementById(`walls-tab-${next}`)?.focus();
  }

  function selectWall(code) {
    if (code === selection.code) return;
    selection.code = code;
    selection.index = null;
    dirty = false;
    gridOpen = false;
    issuedKey = null;
    showMessage(null);
    writeLocation();
    renderAll();
  }

  function selectScreen(index) {
    selection.index = index;
    dirty = false;
    showMessage(null);
    writeLocation();
    renderBoard();
    renderPanel();
    document.getElementById("walls-panel-title")?.focus({ preventScroll: true });
  }

  function renderBoard() {
    if (loadError && !walls) {
      gridArea.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, errorMessage(loadError)));
      return;
    }
    if (!walls) {
      gridArea.replaceChildren(h("p", { class: "muted", role: "status" }, t("app.loading")));
      return;
    }
    const wall = currentWall();
    if (!wall) {
      gridArea.replaceChildren(h("p", { class: "muted" }, t("walls.none")));
      return;
    }
    const byIndex = new Map(wall.screens.map((screen) => [screen.index, screen]));
    const cells = [];
    for (let index = 1; index <= wall.rows * wall.cols; index += 1) {
      const screen = byIndex.get(index);
      cells.push(screen ? screenCard(screen) : h("div", { class: "walls-screen walls-screen--empty", id: `walls-screen-${index}` },
        h("span", { class: "walls-screen-index" }, formatNumber(index))));
    }
    const grid = h("div", {
      class: "walls-grid", id: "walls-grid", role: "list", "aria-label": wall.name || wall.code,
      style: `grid-template-columns: repeat(${wall.cols}, minmax(0, 1fr))`,
    }, cells);
    gridArea.replaceChildren(
      loadError ? h("div", { class: "alert alert-error", role: "alert" }, errorMessage(loadError)) : "",
      h("p", { class: "walls-board-hint muted" }, t(canEdit ? "walls.boardHint" : "walls.boardHintReadOnly")),
      grid);
  }

  function screenCard(screen) {
    const selected = screen.index === selection.index;
    const rotation = Array.isArray(screen.rotation) ? screen.rotation : [];
    const showing = screen.takeover ? screen.takeover.view : rotation.length ? null : screen.view;
    const lines = rotation.length
      ? rotation.slice(0, 3).map((item) => h("span", { class: "walls-screen-line" }, describeView(item.view, tiles, indicatorGroups)))
      : [h("span", { class: "walls-screen-line" }, describeView(screen.view, tiles, indicatorGroups))];
    if (rotation.length > 3) lines.push(h("span", { class: "walls-screen-line muted" }, t("walls.more", { count: formatNumber(rotation.length - 3) })));
    return h("div", { role: "listitem", class: "walls-cell" },
      h("button", {
        type: "button", id: `walls-screen-${screen.index}`, dataset: { index: String(screen.index), kind: showing?.kind || "rotation" },
        class: `walls-screen${selected ? " is-selected" : ""}${screen.takeover ? " is-takeover" : ""}`,
        "aria-pressed": String(selected), onclick: () => selectScreen(screen.index),
        title: t("walls.screenTitle", { index: formatNumber(screen.index) }),
      },
      h("span", { class: "walls-screen-top" },
        h("span", { class: "walls-screen-index" }, formatNumber(screen.index)),
        rotation.length ? h("span", { class: "badge badge-soon walls-badge-rotation" }, t("walls.badge.rotation", { count: formatNumber(rotation.length) })) : ""),
      screen.takeover
        ? h("span", { class: "walls-screen-body" },
          h("span", { class: "badge badge-bad walls-badge-takeover" }, t("walls.badge.takeover", { by: screen.takeover.by || "?" })),
          h("span", { class: "walls-screen-line" }, describeView(screen.takeover.view, tiles, indicatorGroups)),
          h("span", { class: "walls-screen-under muted" }, t("walls.underTakeover")),
          lines)
        : h("span", { class: "walls-screen-body" }, lines)));
  }

  // ---- Admin: grid and display key ----

  function toggleGrid(open = !gridOpen) {
    gridOpen = open;
    renderExtra();
    if (open) document.getElementById("walls-grid-name")?.focus();
  }

  function renderExtra() {
    const wall = currentWall();
    gridButton?.setAttribute("aria-expanded", String(gridOpen));
    if (gridButton) gridButton.disabled = !wall;
    if (keyButton) keyButton.disabled = !wall;
    const parts = [];
    if (issuedKey) parts.push(keyBox());
    if (isAdmin && gridOpen && wall) parts.push(gridForm(wall));
    extra.replaceChildren(...parts);
  }

  function gridForm(wall) {
    const name = h("input", { id: "walls-grid-name", type: "text", required: true, autocomplete: "off", value: wall.name || "" });
    const rows = h("input", { id: "walls-grid-rows", type: "number", min: 1, max: GRID_MAX, step: 1, required: true, value: wall.rows });
    const cols = h("input", { id: "walls-grid-cols", type: "number", min: 1, max: GRID_MAX, step: 1, required: true, value: wall.cols });
    const error = h("p", { class: "form-error", role: "alert", id: "walls-grid-error", hidden: true });
    const save = h("button", { type: "submit", class: "btn btn-primary", id: "walls-grid-save" }, t("walls.grid.save"));
    const field = (id, key, control) => h("div", { class: "field" }, h("label", { for: id }, t(key)), control);
    const form = h("form", { class: "card form-card walls-grid-form", id: "walls-grid-form", novalidate: true },
      h("h2", { class: "card-title" }, t("walls.grid.title", { code: wall.code })),
      h("div", { class: "walls-grid-fields" },
        field("walls-grid-name", "walls.grid.name", name),
        field("walls-grid-rows", "walls.grid.rows", rows),
        field("walls-grid-cols", "walls.grid.cols", cols)),
      h("p", { class: "field-hint" }, t("walls.grid.hint")),
      error,
      h("div", { class: "form-actions" }, save,
        h("button", { type: "button", class: "btn btn-ghost", id: "walls-grid-cancel", onclick: () => toggleGrid(false) }, t("walls.cancel"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      for (const input of [name, rows, cols]) input.removeAttribute("aria-invalid");
      const body = { name: name.value.trim(), rows: Number(rows.value), cols: Number(cols.value) };
      const fail = (key, input, text) => {
        error.textContent = text || t(key);
        error.hidden = false;
        input?.setAttribute("aria-invalid", "true");
        input?.focus();
      };
      if (!body.name) return fail("walls.error.name", name);
      for (const [value, input] of [[body.rows, rows], [body.cols, cols]]) {
        if (!Number.isInteger(value) || value < 1 || value > GRID_MAX) return fail("walls.error.gridSize", input);
      }
      save.disabled = true;
      try {
        await api.put(`/api/v1/walls/${encodeURIComponent(wall.code)}`, body);
        gridOpen = false;
        showMessage("ok", t("walls.grid.saved"));
        await load({ quiet: true });
      } catch (caught) {
        save.disabled = false;
        fail(null, { name, rows, cols }[caught.field], errorMessage(caught));
      }
    });
    return form;
  }

  async function createKey() {
    const wall = currentWall();
    if (!wall) return;
    keyButton.disabled = true;
    try {
      const answer = await api.post(`/api/v1/walls/${encodeURIComponent(wall.code)}/display-key`);
      // The server's URL opens screen 1; point it at the selected screen when there is one.
      let path = answer?.url || `/wall/${encodeURIComponent(wall.code)}/1?key=${encodeURIComponent(answer?.key || "")}`;
      if (selection.index) path = path.replace(/^(\/wall\/[^/]+\/)\d+/, `$1${selection.index}`);
      issuedKey = { url: new URL(path, location.origin).href, wall: wall.code };
      showMessage(null);
    } catch (error) {
      showMessage("error", errorMessage(error));
    }
    renderExtra();
    document.getElementById("walls-key-url")?.focus({ preventScroll: true });
  }

  function keyBox() {
    const url = h("input", { id: "walls-key-url", type: "text", readonly: true, value: issuedKey.url, spellcheck: "false", onfocus: (event) => event.target.select() });
    const copied = h("span", { class: "walls-key-copied", id: "walls-key-copied", role: "status" });
    const copy = h("button", {
      type: "button", class: "btn btn-primary", id: "walls-key-copy",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(issuedKey.url);
        } catch {
          url.select();
          document.execCommand?.("copy");
        }
        copied.textContent = t("walls.key.copied");
      },
    }, t("walls.key.copy"));
    return h("section", { class: "card form-card walls-key", id: "walls-key-result", "aria-labelledby": "walls-key-title" },
      h("h2", { class: "card-title", id: "walls-key-title" }, t("walls.key.title", { code: issuedKey.wall })),
      h("div", { class: "alert alert-warn", role: "alert" }, t("walls.key.warning")),
      h("div", { class: "field" }, h("label", { for: "walls-key-url" }, t("walls.key.url")),
        h("div", { class: "walls-key-row" }, url, copy, copied)),
      h("p", { class: "field-hint" }, t("walls.key.hint")),
      h("div", { class: "form-actions" },
        h("button", { type: "button", class: "btn btn-ghost", id: "walls-key-close", onclick: () => { issuedKey = null; renderExtra(); } }, t("walls.key.close"))));
  }

  // ---- The side panel: one screen ----

  function renderPanel() {
    const wall = currentWall();
    const screen = currentScreen();
    if (!wall || !screen) {
      panel.hidden = true;
      panel.replaceChildren();
      layout.classList.remove("has-panel");
      return;
    }
    if (dirty && !panel.hidden && panel.dataset.key === `${wall.code}/${screen.index}`) {
      // Keep the edits; say that the screen changed meanwhile.
      const note = panel.querySelector("#walls-stale");
      if (note) note.hidden = screen.version === shownVersion;
      const status = panel.querySelector("#walls-panel-status");
      status?.replaceWith(panelStatus(screen));
      return;
    }
    shownVersion = screen.version;
    panel.dataset.key = `${wall.code}/${screen.index}`;
    panel.hidden = false;
    layout.classList.add("has-panel");
    const markDirty = () => { dirty = true; };
    const panelError = h("p", { class: "form-error", role: "alert", id: "walls-panel-error", hidden: true });
    const stale = h("div", { class: "alert alert-warn walls-stale", id: "walls-stale", hidden: true },
      h("span", {}, t("walls.stale")), " ",
      h("button", { type: "button", class: "btn btn-ghost", id: "walls-stale-reload", onclick: () => { dirty = false; renderPanel(); } }, t("walls.staleReload")));

    const children = [
      h("div", { class: "walls-panel-head" },
        h("h2", { class: "card-title", id: "walls-panel-title", tabindex: "-1" }, t("walls.panelTitle", { index: formatNumber(screen.index) })),
        h("button", { type: "button", class: "icon-button walls-panel-close", id: "walls-panel-close", title: t("walls.close"), "aria-label": t("walls.close"),
          onclick: () => { selection.index = null; dirty = false; writeLocation(); renderBoard(); renderPanel(); } }, icon("close"))),
      h("a", { class: "btn btn-secondary walls-open", id: "walls-open-screen", href: `/wall/${encodeURIComponent(wall.code)}/${screen.index}`, target: "_blank", rel: "noopener" },
        t("walls.openScreen")),
      panelStatus(screen),
      stale,
      panelError,
    ];
    if (canEdit) children.push(assignmentForm(wall, screen, panelError, markDirty), takeoverForm(wall, screen, panelError, markDirty));
    panel.replaceChildren(...children);
  }

  function panelStatus(screen) {
    const rotation = Array.isArray(screen.rotation) ? screen.rotation : [];
    const rows = [[t("walls.status.view"), describeView(screen.view, tiles, indicatorGroups)]];
    if (rotation.length) {
      rows.push([t("walls.status.rotation"), h("ol", { class: "walls-status-rotation" },
        rotation.map((item) => h("li", {}, t("walls.rotationItem", { view: describeView(item.view, tiles, indicatorGroups), seconds: formatNumber(item.seconds) }))))]);
    }
    if (screen.takeover) {
      rows.push([t("walls.status.takeover"), h("span", {},
        h("span", { class: "badge badge-bad" }, t("walls.badge.takeover", { by: screen.takeover.by || "?" })), " ",
        describeView(screen.takeover.view, tiles, indicatorGroups),
        screen.takeover.at ? h("span", { class: "muted" }, ` · ${formatDateTime(screen.takeover.at)}`) : "")]);
    }
    rows.push([t("walls.status.version"), h("span", { class: "mono" }, String(screen.version ?? "—"))]);
    return h("dl", { class: "walls-status", id: "walls-panel-status" }, rows.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
  }

  function showPanelError(box, error) {
    for (const el of panel.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    if (!error) {
      box.hidden = true;
      return;
    }
    box.textContent = error.key ? t(error.key) : errorMessage(error);
    box.hidden = false;
    if (error.input) {
      error.input.setAttribute("aria-invalid", "true");
      error.input.focus();
    }
  }

  function assignmentForm(wall, screen, errorBox, markDirty) {
    const main = viewEditor("walls-view", screen.view, tiles, { kinds, onChange: markDirty, groups: indicatorGroups });
    let rotation = (Array.isArray(screen.rotation) ? screen.rotation : []).map((item) => ({ view: item.view, seconds: item.seconds }));
    let editors = [];
    const list = h("ol", { class: "walls-rotation", id: "walls-rotation" });
    const addButton = h("button", { type: "button", class: "btn btn-secondary", id: "walls-rot-add", onclick: () => {
      sync();
      rotation.push({ view: { kind: "map", params: { metric: METRICS[0] } }, seconds: SECONDS_DEFAULT });
      markDirty();
      drawRotation();
      document.getElementById(`walls-rot-${rotation.length - 1}-kind`)?.focus();
    } }, icon("plus"), h("span", {}, t("walls.rotation.add")));
    const empty = h("p", { class: "muted walls-rotation-empty" }, t("walls.rotation.empty"));

    function sync() {
      rotation = editors.map(({ editor, seconds }) => ({ view: editor.peek(), seconds: Number(seconds.value) }));
    }

    function drawRotation() {
      editors = rotation.map((item, i) => {
        const editor = viewEditor(`walls-rot-${i}`, item.view, tiles, { kinds, labels: false, onChange: markDirty, groups: indicatorGroups });
        const seconds = h("input", {
          id: `walls-rot-${i}-seconds`, type: "number", min: SECONDS_MIN, max: SECONDS_MAX, step: 1, value: item.seconds,
          class: "walls-seconds", "aria-label": t("walls.rotation.seconds"),
        });
        const remove = h("button", {
          type: "button", class: "icon-button walls-rot-remove", id: `walls-rot-${i}-remove`,
          title: t("walls.rotation.remove"), "aria-label": t("walls.rotation.remove"),
          onclick: () => { sync(); rotation.splice(i, 1); markDirty(); drawRotation(); },
        }, icon("close"));
        return { editor, seconds, element: h("li", { class: "walls-rot-row", id: `walls-rot-${i}` },
          editor.element, h("span", { class: "walls-seconds-wrap" }, seconds, h("span", { class: "muted" }, t("walls.rotation.secondsUnit"))), remove) };
      });
      list.replaceChildren(...editors.map((row) => row.element));
      empty.hidden = rotation.length > 0;
      addButton.disabled = rotation.length >= ROTATION_MAX;
    }
    drawRotation();

    const save = h("button", { type: "submit", class: "btn btn-primary", id: "walls-save" }, t("walls.save"));
    const form = h("form", { class: "walls-section", id: "walls-screen-form", novalidate: true, oninput: markDirty },
      h("h3", { class: "walls-section-title" }, t("walls.section.assignment")),
      main.element,
      h("h4", { class: "walls-subtitle" }, t("walls.rotation.title")),
      h("p", { class: "field-hint" }, t("walls.rotation.hint", { min: SECONDS_MIN, max: SECONDS_MAX, count: ROTATION_MAX })),
      empty, list, addButton,
      h("div", { class: "form-actions" }, save));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let body;
      try {
        const view = main.read();
        const items = editors.map(({ editor, seconds }) => {
          const value = Number(seconds.value);
          if (!Number.isInteger(value) || value < SECONDS_MIN || value > SECONDS_MAX) throw { key: "walls.error.seconds", input: seconds };
          return { view: editor.read(), seconds: value };
        });
        if (items.length > ROTATION_MAX) throw { key: "walls.error.rotationMax" };
        body = { view, rotation: items.length ? items : null };
      } catch (error) {
        showPanelError(errorBox, error);
        return;
      }
      showPanelError(errorBox, null);
      save.disabled = true;
      try {
        await api.put(`/api/v1/walls/${encodeURIComponent(wall.code)}/screens/${screen.index}`, body);
        dirty = false;
        showMessage("ok", t("walls.saved", { index: formatNumber(screen.index) }));
        await load({ quiet: true });
      } catch (error) {
        save.disabled = false;
        showPanelError(errorBox, error);
      }
    });
    return form;
  }

  function takeoverForm(wall, screen, errorBox, markDirty) {
    const editor = viewEditor("walls-takeover", screen.takeover?.view || { kind: "case" }, tiles, { kinds, onChange: markDirty, groups: indicatorGroups });
    const path = `/api/v1/walls/${encodeURIComponent(wall.code)}/screens/${screen.index}/takeover`;
    const takeButton = h("button", { type: "submit", class: "btn btn-primary walls-takeover-btn", id: "walls-takeover" },
      t(screen.takeover ? "walls.takeover.change" : "walls.takeover.take"));
    const releaseButton = screen.takeover
      ? h("button", { type: "button", class: "btn btn-secondary", id: "walls-release", onclick: async () => {
        releaseButton.disabled = true;
        try {
          await api.delete(path);
          dirty = false;
          showMessage("ok", t("walls.takeover.released", { index: formatNumber(screen.index) }));
          await load({ quiet: true });
        } catch (error) {
          releaseButton.disabled = false;
          showPanelError(errorBox, error);
        }
      } }, t("walls.takeover.release"))
      : null;
    const form = h("form", { class: "walls-section walls-takeover", id: "walls-takeover-form", novalidate: true, oninput: markDirty },
      h("h3", { class: "walls-section-title" }, t("walls.section.takeover")),
      h("p", { class: "field-hint" }, t("walls.takeover.hint")),
      editor.element,
      h("div", { class: "form-actions" }, takeButton, releaseButton));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let view;
      try {
        view = editor.read();
      } catch (error) {
        showPanelError(errorBox, error);
        return;
      }
      showPanelError(errorBox, null);
      takeButton.disabled = true;
      try {
        await api.post(path, { view });
        dirty = false;
        showMessage("ok", t("walls.takeover.taken", { index: formatNumber(screen.index) }));
        await load({ quiet: true });
      } catch (error) {
        takeButton.disabled = false;
        showPanelError(errorBox, error);
      }
    });
    return form;
  }

  renderAll();
  load();

  return {
    unmount() {
      removed = true;
      clearTimeout(liveTimer);
      stopLive?.();
    },
  };
}
