// Table helpers shared by the public figures pages (chuyen-doi-so.html, cong-khai.html) and the console's DTI views:
// sortable column headers, sorting with the missing values last, and a search that ignores Vietnamese marks.
// The markup keeps its `dti-sort*` classes (app.css styles them for every page).
import { h } from "./dom.js";

/** Sorts a copy of `rows` by `sort` ({key, dir: 1 | -1}); `value(row, key)` gives a number or a string. */
export function sortRows(rows, sort, value) {
  const list = rows.slice();
  if (!sort?.key) return list;
  return list.sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    const missing = (x == null) - (y == null);
    if (missing) return missing; // none last, whatever the direction
    const order = typeof x === "string" || typeof y === "string" ? String(x).localeCompare(String(y), "vi") : x - y;
    return order * sort.dir || 0;
  });
}

/** A column header whose button sorts by `key` (a second click reverses); `aria-sort` tells the order. */
export function sortHeader(label, key, sort, onSort, { className = "", title = null, firstDir = 1 } = {}) {
  const active = sort?.key === key;
  const dir = active ? sort.dir : 0;
  return h("th", {
    scope: "col", class: `dti-sortable ${className}`, title,
    "aria-sort": active ? (dir > 0 ? "ascending" : "descending") : "none",
  }, h("button", {
    type: "button", class: "dti-sort", dataset: { sort: key },
    onclick: () => onSort({ key, dir: active ? -sort.dir : firstDir }),
  }, h("span", {}, label), h("span", { class: "dti-sort-mark", "aria-hidden": "true" }, active ? (dir > 0 ? "▲" : "▼") : "↕")));
}

/** Text for a search: lower case, no Vietnamese diacritics (đ → d). */
export function searchable(text) {
  return String(text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
}

/** Whether `text` matches what was typed in a search box (`query`), marks and case ignored; an empty query matches. */
export function matches(text, query) {
  const needle = searchable(String(query ?? "").trim());
  return !needle || searchable(text).includes(needle);
}
