// The 48-hour chart of one station (Chart.js, from GET /api/v1/stations/{code}/series?hours=48), used by the console
// and the public page: hourly VN_AQI bars coloured by category for an air station; the water level as a line with the
// alarm levels I/II/III as dashed lines; rainfall bars with the running total; other parameters as lines.
// Hours come as "2026-12-08T10:00+07:00" (Vietnam time): the labels are read from the text, not from a Date.
import { h } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import {
  AQI_CATEGORIES, SILENT_COLOR, WATER_COLORS, aqiCategory, alarmLevels, loadChart, paramName, paramUnit, paramValue, safeColor,
} from "./environment-common.js";

const finite = (v) => typeof v === "number" && Number.isFinite(v);
const GRID = "rgba(11, 37, 69, 0.08)";
const TEXT = "#5a6677";

function hourLabel(at) {
  return typeof at === "string" && at.length >= 16 ? at.slice(11, 16) : "";
}

function dayLabel(at) {
  return typeof at === "string" && at.length >= 10 ? `${at.slice(8, 10)}/${at.slice(5, 7)}` : "";
}

/** The chart's datasets and axes for the station's kind. */
function chartSpec(station, hours, categories) {
  const kind = station?.kind;
  const value = (param) => hours.map((hour) => (finite(hour.values?.[param]) ? hour.values[param] : null));
  if (kind === "air") {
    const aqi = hours.map((hour) => (finite(hour.aqi) ? hour.aqi : null));
    const colors = hours.map((hour) => safeColor(hour.color) || aqiCategory(hour.aqi, categories)?.color || SILENT_COLOR);
    return {
      type: "bar",
      datasets: [{ label: "VN_AQI", data: aqi, backgroundColor: colors, borderColor: "rgba(0,0,0,0.25)", borderWidth: 1, borderRadius: 2, categoryPercentage: 0.95, barPercentage: 0.9 }],
      scales: { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: "VN_AQI" } } },
      legend: false,
      afterLabel: (i) => {
        const category = aqiCategory(aqi[i], categories);
        const pm = ["pm25", "pm10"].filter((p) => finite(hours[i].values?.[p])).map((p) => `${paramName(p)}: ${paramValue(p, hours[i].values[p])}`);
        return [category ? localized(category.name, category.nameEn) : "", ...pm].filter(Boolean);
      },
      summary: () => summary(aqi, "VN_AQI", (v) => formatNumber(v)),
    };
  }
  if (kind === "water") {
    const levels = alarmLevels(station) || [];
    const data = value("water_level");
    const datasets = [{
      type: "line", label: paramName("water_level"), data, borderColor: "#1d4ed8", backgroundColor: "rgba(29, 78, 216, 0.12)",
      fill: true, pointRadius: 0, pointHitRadius: 8, borderWidth: 2.5, tension: 0.25, order: 0,
    }];
    levels.forEach((level, i) => {
      if (level == null) return;
      datasets.push({
        type: "line", label: t("env.chart.alarmLine", { level: t(`env.water.short${i + 1}`), value: formatNumber(level) }),
        data: hours.map(() => level), borderColor: WATER_COLORS[i + 1], borderDash: [7, 5], borderWidth: 2,
        pointRadius: 0, pointHitRadius: 0, fill: false, order: 1,
      });
    });
    return {
      type: "line", datasets,
      scales: { y: { title: { display: true, text: `${paramName("water_level")} (cm)` }, grace: "5%" } },
      legend: true,
      summary: () => summary(data, paramName("water_level"), (v) => paramValue("water_level", v)),
    };
  }
  if (kind === "rain") {
    const data = value("rainfall");
    let total = 0;
    const cumulative = data.map((v) => {
      total += v || 0;
      return Math.round(total * 10) / 10;
    });
    return {
      type: "bar",
      datasets: [
        { label: t("env.chart.rainHour"), data, backgroundColor: "#3b82f6", borderRadius: 2, yAxisID: "y", order: 1 },
        { type: "line", label: t("env.chart.rainTotal"), data: cumulative, borderColor: "#0b2545", borderWidth: 2, pointRadius: 0, yAxisID: "y2", order: 0 },
      ],
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "mm/h" } },
        y2: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: t("env.chart.rainTotalAxis") } },
      },
      legend: true,
      summary: () => t("env.chart.rainSummary", { total: formatNumber(total, { maximumFractionDigits: 1 }) }),
    };
  }
  // Weather and fire danger: one line per parameter, the second unit on the right.
  const params = (Array.isArray(station?.parameters) && station.parameters.length ? station.parameters : Object.keys(hours[hours.length - 1]?.values || {}));
  const palette = ["#c2410c", "#1d4ed8", "#15803d", "#6d28d9"];
  const units = [];
  const datasets = params.map((param, i) => {
    const unit = paramUnit(param) || param;
    if (!units.includes(unit)) units.push(unit);
    return {
      type: kind === "fire" ? "bar" : "line", label: paramName(param), data: value(param),
      borderColor: palette[i % palette.length], backgroundColor: kind === "fire" ? "#f97316" : palette[i % palette.length],
      pointRadius: 0, pointHitRadius: 8, borderWidth: 2, tension: 0.25, yAxisID: units.indexOf(unit) === 0 ? "y" : "y2",
      hidden: units.indexOf(unit) > 1,
    };
  });
  const scales = { y: { title: { display: true, text: units[0] || "" }, beginAtZero: kind === "fire" } };
  if (units.length > 1) scales.y2 = { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: units[1] } };
  return { type: kind === "fire" ? "bar" : "line", datasets, scales, legend: datasets.length > 1, summary: () => "" };
}

function summary(values, name, format) {
  const list = values.map((v, i) => [v, i]).filter(([v]) => finite(v));
  if (!list.length) return t("env.chart.noData");
  const [max] = list.reduce((a, b) => (b[0] > a[0] ? b : a));
  const [min] = list.reduce((a, b) => (b[0] < a[0] ? b : a));
  return t("env.chart.summary", { name, max: format(max), min: format(min), last: format(list[list.length - 1][0]) });
}

/**
 * Draws the 48-hour chart of `series` ({station, hours}) in `container` (replacing its children). Resolves to
 * `{ destroy() }`. `categories`: the VN_AQI categories (the server's definition) for the tooltips.
 */
export async function drawSeriesChart(container, series, { categories = AQI_CATEGORIES, height = 280 } = {}) {
  const station = series?.station || {};
  const hours = Array.isArray(series?.hours) ? series.hours : [];
  if (!hours.length) {
    container.replaceChildren(h("p", { class: "muted env-chart-empty" }, t("env.chart.noData")));
    return { destroy() {} };
  }
  const Chart = await loadChart();
  const spec = chartSpec(station, hours, categories);
  const canvas = h("canvas", { role: "img", "aria-label": `${t("env.chart.title", { name: station.name || station.code || "" })}. ${spec.summary()}` });
  const box = h("div", { class: "env-chart-box", style: `height:${height}px`, dataset: { testid: "env-chart", station: station.code || "", kind: station.kind || "" } }, canvas);
  container.replaceChildren(box, h("p", { class: "env-chart-summary" }, spec.summary()));
  const labels = hours.map((hour) => hourLabel(hour.at));
  const chart = new Chart(canvas, {
    type: spec.type,
    data: { labels, datasets: spec.datasets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { display: spec.legend, position: "bottom", labels: { boxWidth: 18, color: TEXT } },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? `${dayLabel(hours[items[0].dataIndex].at)} ${labels[items[0].dataIndex]}` : ""),
            afterLabel: spec.afterLabel ? (item) => (item.datasetIndex === 0 ? spec.afterLabel(item.dataIndex) : "") : undefined,
          },
        },
      },
      scales: {
        x: {
          grid: { color: GRID },
          ticks: {
            color: TEXT, autoSkip: true, maxRotation: 0, autoSkipPadding: 10,
            // The day under midnight (and under the first hour).
            callback: (_, i) => (labels[i] === "00:00" || i === 0 ? [labels[i], dayLabel(hours[i].at)] : labels[i]),
          },
        },
        ...Object.fromEntries(Object.entries(spec.scales).map(([id, scale]) => [id, {
          ...scale, grid: { color: GRID, ...(scale.grid || {}) },
          ticks: { color: TEXT, callback: (v) => formatNumber(v, { maximumFractionDigits: 1 }) },
          title: { color: TEXT, ...(scale.title || {}) },
        }])),
      },
    },
  });
  return { destroy: () => chart.destroy() };
}
