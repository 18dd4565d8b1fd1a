// Public UI settings (GET /api/v1/settings/ui) and the names derived from them.
import { api } from "./api.js";
import { getLanguage, localizedName, t } from "./i18n.js";

let settingsPromise = null;

/** Loads the UI settings once per page. */
export function loadSettings() {
  settingsPromise ??= api.get("/api/v1/settings/ui").catch((error) => {
    settingsPromise = null;
    throw error;
  });
  return settingsPromise;
}

/** The province's name in the current language. */
export function provinceName(settings) {
  return localizedName(settings?.province);
}

// The module catalogue (the server's modules): `modules` (console menu and dictionaries, read by app.js), `liveTopics`
// (names of the live topics by key) and `wallViews` (the kinds of view a wall screen can show).
const CATALOGUE = ["modules", "liveTopics", "wallViews"];

/** The catalogue fields these settings lack (a server older than this page), e.g. ["modules"]; [] when complete. */
export function missingCatalogue(settings) {
  return CATALOGUE.filter((field) => settings?.[field] == null);
}

/**
 * The live topic the settings name `key` (`liveTopics`: cases, fieldReports, alarms, wall, wallPrefix). Throws when the
 * server does not name it: the pages check `missingCatalogue` when they start.
 */
export function liveTopic(settings, key) {
  const topic = settings?.liveTopics?.[key];
  if (typeof topic !== "string" || !topic) throw new Error(`settings.liveTopics.${key} is missing`);
  return topic;
}

/** The topic of one video wall's layout changes (`wall.<code>`). */
export function wallTopic(settings, code) {
  return `${liveTopic(settings, "wallPrefix")}${code}`;
}

/** The kinds of view a wall screen can show (`wallViews`), in the server's order. */
export function wallViewKinds(settings) {
  return Array.isArray(settings?.wallViews) ? settings.wallViews.filter((kind) => typeof kind === "string") : [];
}

/** The IOC's full name: the configured Vietnamese name, or the dictionary's pattern in English. */
export function instanceName(settings) {
  if (getLanguage() === "vi" && settings?.instanceName) return settings.instanceName;
  return t("app.instanceName", { province: provinceName(settings) });
}
