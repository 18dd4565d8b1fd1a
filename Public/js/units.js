// Administrative-unit boundaries (GeoJSON from GET /api/v1/units/{code}/boundaries) and their names.
import { api } from "./api.js";
import { getLanguage, localizedName, t } from "./i18n.js";

const cache = new Map();

/** The FeatureCollection of a province (the province outline plus its communes), fetched once. */
export function loadBoundaries(provinceCode) {
  if (!cache.has(provinceCode)) {
    const promise = api.get(`/api/v1/units/${encodeURIComponent(provinceCode)}/boundaries`);
    promise.catch(() => cache.delete(provinceCode));
    cache.set(provinceCode, promise);
  }
  return cache.get(provinceCode);
}

/** Dictionary key suffix for a unit type as the GSO writes it. */
export function unitKind(unitType) {
  switch (unitType) {
    case "Phường": return "ward";
    case "Xã": return "commune";
    case "Đặc khu": return "specialZone";
    case "Tỉnh": return "province";
    case "Thành phố": return "city";
    default: return "other";
  }
}

export function unitTypeLabel(unitType) {
  const kind = unitKind(unitType);
  return kind === "other" && unitType ? unitType : t(`unitType.${kind}`);
}

/** "Phường Buôn Ma Thuột" in Vietnamese, "Buon Ma Thuot Ward" in English. */
export function unitDisplayName(properties) {
  if (!properties) return "";
  if (getLanguage() === "vi") return properties.fullName || properties.name || properties.code;
  return t("unit.fullName", { name: properties.nameEn || properties.name, type: unitTypeLabel(properties.unitType) });
}

/** Plain name in the current language ("Buôn Ma Thuột" / "Buon Ma Thuot"). */
export function unitShortName(properties) {
  return localizedName(properties);
}
