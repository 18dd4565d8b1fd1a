// Public UI settings (GET /api/v1/settings/ui) and the names derived from them.
import { api } from "./api.js";
import { getLanguage, t } from "./i18n.js";

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
  const province = settings?.province;
  if (!province) return "";
  return getLanguage() === "en" ? province.nameEn || province.name : province.name;
}

/** The IOC's full name: the configured Vietnamese name, or the dictionary's pattern in English. */
export function instanceName(settings) {
  if (getLanguage() === "vi" && settings?.instanceName) return settings.instanceName;
  return t("app.instanceName", { province: provinceName(settings) });
}
