// Formatting shared by the wall's views: figures, localized server texts, ages ("cập nhật 3 phút trước"), times.
import { formatDateTime, formatNumber, t } from "../i18n.js";

const EMPTY = "–";

/** A tile figure by its `format`: integer | percent (0..1) | hours | decimal. */
export function figureText(value, format) {
  if (typeof value !== "number" || !Number.isFinite(value)) return EMPTY;
  switch (format) {
    case "percent":
      return t("wall.format.percent", { value: formatNumber(value * 100, { maximumFractionDigits: 1 }) });
    case "hours":
      return t("wall.format.hours", { value: formatNumber(value, { maximumFractionDigits: 1 }) });
    case "decimal":
      return formatNumber(value, { maximumFractionDigits: 2 });
    case "integer":
    default:
      return formatNumber(Math.round(value), { maximumFractionDigits: 0 });
  }
}

/** A compact count for map bubbles: 999, 9.999, then 12k, 1,2M. */
export function compactCount(count) {
  if (count < 10_000) return formatNumber(count, { maximumFractionDigits: 0 });
  if (count >= 1_000_000) return t("wall.format.millions", { value: formatNumber(count / 1_000_000, { maximumFractionDigits: 1 }) });
  const thousands = count / 1000;
  return t("wall.format.thousands", { value: formatNumber(thousands, { maximumFractionDigits: 0 }) });
}

/** "vừa xong" / "3 phút" / "2 giờ" / "4 ngày": whole units, for ages. */
export function ageDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return null;
  const whole = (key, size) => {
    const count = Math.floor(s / size);
    return t(count === 1 ? `${key}One` : key, { count: formatNumber(count) });
  };
  if (s < 3600) return whole("duration.minutes", 60);
  if (s < 48 * 3600) return whole("duration.hours", 3600);
  return whole("duration.days", 86400);
}

/** "cập nhật 3 phút trước" (or "cập nhật vừa xong"). */
export function updatedAgoText(seconds) {
  const duration = ageDuration(seconds);
  return duration ? t("wall.age.updatedAgo", { duration }) : t("wall.age.updatedJustNow");
}

/** HH:mm in Vietnam time for today's items, dd/MM HH:mm for older ones. */
export function shortTime(value, now = Date.now()) {
  const full = formatDateTime(value);
  if (!full) return "";
  const [date, time] = full.split(" ");
  const today = formatDateTime(new Date(now)).split(" ")[0];
  return date === today ? time : `${date.slice(0, 5)} ${time}`;
}

// ---- Server clock: ages are measured against the server's time (`asOf`), not a kiosk's drifting clock. ----

let clockSkewMs = 0;

/** Records the server's time from a response's `asOf` (ignored when missing or absurd). */
export function noteServerTime(asOf) {
  const server = Date.parse(asOf);
  if (!Number.isFinite(server)) return;
  const skew = server - Date.now();
  if (Math.abs(skew) < 7 * 86400 * 1000) clockSkewMs = skew;
}

export function serverNow() {
  return Date.now() + clockSkewMs;
}

/** Seconds since `iso` by the server's clock; null when `iso` is missing. */
export function ageSeconds(iso) {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, (serverNow() - at) / 1000);
}
