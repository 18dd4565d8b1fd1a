// Dictionaries, translation and Vietnamese formatting of dates and numbers.
// Every user-visible string comes from /i18n/{lang}.json; markup refers to keys through
// data-i18n (text), data-i18n-placeholder, data-i18n-title and data-i18n-aria-label.

export const LANGUAGES = ["vi", "en"];
const DEFAULT_LANGUAGE = "vi";
const STORAGE_KEY = "ioc.lang";
// Times are stored in UTC and always shown in Vietnam's time zone, whatever the browser's.
const TIME_ZONE = "Asia/Ho_Chi_Minh";
// The architecture fixes Vietnamese number format (1.234,5) for both languages.
const NUMBER_LOCALE = "vi-VN";

let language = DEFAULT_LANGUAGE;
let dictionary = {};

export function getLanguage() {
  return language;
}

export function otherLanguage() {
  return language === "vi" ? "en" : "vi";
}

function storedLanguage() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(value) ? value : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

// One dictionary per area (/i18n/{lang}.json, /i18n/{lang}.{bundle}.json): the platform's (""), then one per service,
// merged (keys never clash: each bundle has its own prefix). The console loads the bundles its modules list
// (settings `modules[].i18n`, see `moduleBundles`); pages that do not read the settings first use the default.
export const PLATFORM_BUNDLE = "";
export const DEFAULT_BUNDLES = [PLATFORM_BUNDLE, "field-reports-public", "field-reports-console", "wall", "walls", "alarms"];
const BUNDLE_NAME = /^[a-z0-9-]*$/;

let bundles = DEFAULT_BUNDLES;

/** The platform's bundle and those the modules of the settings ask for (`modules[].i18n`), each once, in order. */
export function moduleBundles(modules) {
  const list = [PLATFORM_BUNDLE];
  for (const module of Array.isArray(modules) ? modules : []) {
    for (const bundle of Array.isArray(module?.i18n) ? module.i18n : []) {
      if (typeof bundle === "string" && BUNDLE_NAME.test(bundle) && !list.includes(bundle)) list.push(bundle);
    }
  }
  return list;
}

async function load(lang) {
  const parts = await Promise.all(bundles.map(async (bundle) => {
    const name = bundle ? `${lang}.${bundle}` : lang;
    const response = await fetch(`/i18n/${name}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`i18n: cannot load ${name} (${response.status})`);
    return response.json();
  }));
  dictionary = Object.assign({}, ...parts);
  language = lang;
  document.documentElement.lang = lang;
}

/**
 * Loads the stored language's dictionaries (default Vietnamese) and translates the page. `bundles`: the dictionaries
 * to load (the platform's is "", a service's is its name, e.g. "alarms"); by default the platform's and every service's.
 * They stay the page's dictionaries when the language changes.
 */
export async function initI18n(list = DEFAULT_BUNDLES) {
  bundles = list.includes(PLATFORM_BUNDLE) ? [...list] : [PLATFORM_BUNDLE, ...list];
  const wanted = storedLanguage();
  try {
    await load(wanted);
  } catch (error) {
    if (wanted === DEFAULT_LANGUAGE) throw error;
    await load(DEFAULT_LANGUAGE);
  }
  applyI18n(document);
}

/** Switches language, remembers it, re-translates the page and tells views (`ioc:languagechange`). */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  await load(lang);
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  applyI18n(document);
  window.dispatchEvent(new CustomEvent("ioc:languagechange", { detail: { lang } }));
}

export function hasKey(key) {
  return typeof dictionary[key] === "string";
}

/** Translates `key`, replacing `{name}` placeholders from `params`. Unknown keys come back as-is. */
export function t(key, params) {
  const text = dictionary[key];
  if (typeof text !== "string") return key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Like `t`, but returns `fallback` when the dictionary has no such key (e.g. codes sent by the server). */
export function tOr(key, fallback, params) {
  return hasKey(key) ? t(key, params) : fallback;
}

/**
 * A text the server sends in both languages, in the current one: a `{vi, en}` object (the server's LocalizedMessage),
 * or a pair `localized(vi, en)`. Falls back to Vietnamese, then to the other language; a plain string comes back as
 * it is, a missing value as "".
 */
export function localized(value, en) {
  if (arguments.length > 1) value = { vi: value, en };
  if (value == null) return "";
  if (typeof value === "string") return value;
  return value[language] || value.vi || value.en || "";
}

/**
 * The name of an object with `name` (Vietnamese) and optional `nameEn` (agencies, units, the province, references
 * such as `{code, name, nameEn}`) in the current language; its `code` when it has no name; "" for nothing.
 */
export function localizedName(value) {
  if (!value) return "";
  return localized(value.name, value.nameEn) || value.code || "";
}

const ATTRIBUTES = [
  ["data-i18n-placeholder", "placeholder"],
  ["data-i18n-title", "title"],
  ["data-i18n-aria-label", "aria-label"],
];

/** Applies data-i18n* attributes inside `root` (and on `root` itself). */
export function applyI18n(root = document) {
  const elements = [...root.querySelectorAll("[data-i18n], [data-i18n-placeholder], [data-i18n-title], [data-i18n-aria-label]")];
  if (root instanceof Element) elements.unshift(root);
  for (const el of elements) {
    if (el.hasAttribute("data-i18n")) el.textContent = t(el.getAttribute("data-i18n"));
    for (const [source, target] of ATTRIBUTES) {
      if (el.hasAttribute(source)) el.setAttribute(target, t(el.getAttribute(source)));
    }
  }
}

const partsFormatter = new Intl.DateTimeFormat("en-GB", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

function dateParts(value) {
  if (value == null || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const parts = {};
  for (const { type, value: part } of partsFormatter.formatToParts(date)) parts[type] = part;
  return parts;
}

/** dd/MM/yyyy in Asia/Ho_Chi_Minh; "" for a missing or invalid value. */
export function formatDate(value) {
  const p = dateParts(value);
  return p ? `${p.day}/${p.month}/${p.year}` : "";
}

/** dd/MM/yyyy HH:mm (or HH:mm:ss with `seconds`) in Asia/Ho_Chi_Minh; "" for a missing value. */
export function formatDateTime(value, { seconds = false } = {}) {
  const p = dateParts(value);
  if (!p) return "";
  const time = seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  return `${p.day}/${p.month}/${p.year} ${time}`;
}

/** Vietnamese number format: 1.234,5. */
export function formatNumber(value, { minimumFractionDigits = 0, maximumFractionDigits = 1 } = {}) {
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number)) return "";
  return new Intl.NumberFormat(NUMBER_LOCALE, { minimumFractionDigits, maximumFractionDigits }).format(number);
}

/** A duration in seconds as the largest whole unit that fits ("15 phút", "2 giờ", "1 ngày"). */
export function formatDuration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "";
  const units = [["duration.days", 86400], ["duration.hours", 3600], ["duration.minutes", 60], ["duration.seconds", 1]];
  const [key, size] = units.find(([, size]) => seconds >= size) || units[units.length - 1];
  const count = seconds / size;
  return t(count === 1 ? `${key}One` : key, { count: formatNumber(count) });
}

/** Binds a button that toggles between the two languages; its label comes from `lang.switch`. */
export function bindLanguageSwitch(button) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await setLanguage(otherLanguage());
    } finally {
      button.disabled = false;
    }
  });
}
