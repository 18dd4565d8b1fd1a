// Citizen report page: the province's communes in the browser (point in polygon), to tell which commune a point is in
// and whether it is inside the province; the server answers instead when the boundaries could not be loaded.
import { api } from "./api.js";
import { getLanguage, t } from "./i18n.js";
import { state } from "./report-common.js";

/* ------------------------------------------------------------------ boundaries and point in polygon */

export let communes = []; // { properties, bbox: [minLon, minLat, maxLon, maxLat], polygons: [[ring…]…] }
let provincePolygons = [];
export let boundariesState = "loading"; // loading | ready | failed

export function geometryPolygons(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

export function polygonsBBox(polygons) {
  let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] || []) {
      if (x < minX) minX = x; if (x > maxX) maxX = x;
      if (y < minY) minY = y; if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

export function ringContains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function polygonsContain(polygons, x, y) {
  return polygons.some((polygon) => ringContains(polygon[0], x, y) && !polygon.slice(1).some((hole) => ringContains(hole, x, y)));
}

export function indexBoundaries(collection) {
  const features = Array.isArray(collection?.features) ? collection.features : [];
  communes = features.filter((f) => f.properties?.level === "commune").map((feature) => {
    const polygons = geometryPolygons(feature.geometry);
    return { properties: feature.properties, polygons, bbox: polygonsBBox(polygons) };
  });
  provincePolygons = features.filter((f) => f.properties?.level === "province").flatMap((f) => geometryPolygons(f.geometry));
  boundariesState = communes.length ? "ready" : "failed";
}

/** The boundaries could not be loaded: places are asked from the server. */
export function boundariesFailed() {
  boundariesState = "failed";
}

/** The commune (GeoJSON properties) containing the point, or null. */
export function communeAt(lat, lon) {
  for (const commune of communes) {
    const [minX, minY, maxX, maxY] = commune.bbox;
    if (lon < minX || lon > maxX || lat < minY || lat > maxY) continue;
    if (polygonsContain(commune.polygons, lon, lat)) return commune.properties;
  }
  return null;
}

export function insideProvince(lat, lon) {
  if (communeAt(lat, lon)) return true;
  return provincePolygons.length ? polygonsContain(provincePolygons, lon, lat) : false;
}

export function unitName(properties) {
  if (!properties) return "";
  if (getLanguage() === "vi") return properties.fullName || properties.name || properties.code;
  const kind = { "Phường": "ward", "Xã": "commune", "Đặc khu": "specialZone" }[properties.unitType] || "other";
  return t("frp.unitName", { name: properties.nameEn || properties.name, type: t(`frp.unitType.${kind}`) });
}

/** Asks the server which commune a point is in (when the boundaries could not be loaded in the browser). */
export async function locateOnServer(lat, lon) {
  const body = await api.get(`/api/v1/units/locate?lat=${lat}&lon=${lon}`);
  const provinceCode = state.settings?.province?.code;
  if (!body.commune || (provinceCode && body.commune.provinceCode && body.commune.provinceCode !== provinceCode)) return null;
  return body.commune;
}
