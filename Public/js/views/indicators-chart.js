// Trend charts of indicators as inline SVG (no chart library): the series, a second series (the year to date), the
// plan as a dashed line (one level per year, or one level for the whole chart) and revised periods marked by a ring.
// Used by the console (light) and the wall (dark): the look comes from the `ind-chart-*` classes of each stylesheet.
// Server figures go in as attributes and text nodes, never as markup.

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value != null && value !== false) el.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const finite = (v) => typeof v === "number" && Number.isFinite(v);

/** A y range that shows the data well: a little margin, from 0 when the values are far from it. */
function domain(values) {
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  }
  if (min >= 0 && min < 0.35 * max) min = 0;
  const pad = (max - min) * 0.08;
  return [min === 0 ? 0 : min - pad, max + pad];
}

/**
 * trendChart(options) → an <svg>.
 * - `points`: [{period, value, revised?, note?}] in time order (the main line).
 * - `secondary`: [{period, value}] on the same periods (e.g. the year to date), optional.
 * - `plan`: a number (one level) or [{period, value}] (a level per period, drawn as steps), optional.
 * - `axes`: draw the value axis and the periods (the detail chart); without it a sparkline that fills its box.
 * - `width`, `height`: the drawing's units (a narrower width keeps the labels readable on a phone); `maxLabels`: how
 *   many periods are named under the axis at most.
 * - `formatValue(v)`, `formatPeriod(key)`: the labels; `label`: the chart's accessible name.
 * - `labels`: { value, secondary, plan, revised } names for the legend and the points' tooltips.
 */
export function trendChart({
  points = [], secondary = null, plan = null, axes = false, width = 720, height = 260, maxLabels = 8,
  formatValue = String, formatPeriod = String, label = "", labels = {}, className = "",
} = {}) {
  const main = points.filter((p) => p && finite(p.value));
  const periods = main.map((p) => p.period);
  const second = Array.isArray(secondary) ? secondary.filter((p) => p && finite(p.value) && periods.includes(p.period)) : [];
  const planSteps = Array.isArray(plan)
    ? plan.filter((p) => p && finite(p.value) && periods.includes(p.period))
    : finite(plan) ? periods.map((period) => ({ period, value: plan })) : [];

  const root = svg("svg", {
    class: `ind-chart${axes ? " ind-chart--axes" : " ind-chart--spark"}${className ? ` ${className}` : ""}`,
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: axes ? "xMidYMid meet" : "none",
    role: "img",
    "aria-label": label || null,
  });
  if (main.length === 0) return root;

  const values = [...main, ...second, ...planSteps].map((p) => p.value);
  const [lo, hi] = domain(values);
  const left = axes ? 64 : 3;
  const right = axes ? 16 : 3;
  const top = axes ? 14 : 4;
  const bottom = axes ? 34 : 4;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const index = new Map(periods.map((period, i) => [period, i]));
  const x = (period) => left + (periods.length === 1 ? plotW / 2 : (index.get(period) * plotW) / (periods.length - 1));
  const y = (v) => top + plotH - ((v - lo) * plotH) / (hi - lo || 1);
  const f = (n) => n.toFixed(1);
  const path = (list) => list.map((p, i) => `${i ? "L" : "M"}${f(x(p.period))},${f(y(p.value))}`).join("");
  const nonScaling = axes ? null : "non-scaling-stroke";

  if (axes) {
    const grid = svg("g", { class: "ind-chart-grid" });
    for (let i = 0; i <= 3; i += 1) {
      const v = lo + ((hi - lo) * i) / 3;
      const yy = f(y(v));
      grid.append(
        svg("line", { x1: left, x2: width - right, y1: yy, y2: yy, class: "ind-chart-gridline" }),
        svg("text", { x: left - 8, y: yy, class: "ind-chart-tick", "text-anchor": "end", "dominant-baseline": "middle" }, formatValue(v)));
    }
    // Period labels: at most ~maxLabels, always the first and the last.
    const step = Math.max(1, Math.ceil(periods.length / Math.max(2, maxLabels)));
    periods.forEach((period, i) => {
      if (i % step !== 0 && i !== periods.length - 1) return;
      if (i !== periods.length - 1 && periods.length - 1 - i < step) return; // too close to the last one
      grid.append(svg("text", {
        x: f(x(period)), y: height - 10, class: "ind-chart-tick",
        "text-anchor": periods.length === 1 ? "middle" : i === 0 ? "start" : i === periods.length - 1 ? "end" : "middle",
      }, formatPeriod(period)));
    });
    root.append(grid);
  }

  if (!axes && main.length > 1) {
    const area = `${path(main)}L${f(x(periods[periods.length - 1]))},${f(top + plotH)}L${f(x(periods[0]))},${f(top + plotH)}Z`;
    root.append(svg("path", { d: area, class: "ind-chart-area" }));
  }

  if (planSteps.length) {
    // One dashed level per run of periods with the same plan (a year's plan), half a step wider on each side.
    const half = periods.length > 1 ? plotW / (periods.length - 1) / 2 : plotW / 2;
    const runs = [];
    for (const p of planSteps) {
      const run = runs[runs.length - 1];
      if (run && run.value === p.value && index.get(p.period) === index.get(run.last) + 1) run.last = p.period;
      else runs.push({ first: p.period, last: p.period, value: p.value });
    }
    const d = runs.map((run) => {
      const x1 = Math.max(left, x(run.first) - half);
      const x2 = Math.min(width - right, x(run.last) + half);
      return `M${f(x1)},${f(y(run.value))}L${f(x2)},${f(y(run.value))}`;
    }).join("");
    root.append(svg("path", { d, class: "ind-chart-plan", "vector-effect": nonScaling },
      svg("title", {}, `${labels.plan || ""}: ${formatValue(runs[runs.length - 1].value)}`)));
  }

  if (second.length > 1) {
    root.append(svg("path", { d: path(second), class: "ind-chart-line ind-chart-line--secondary", "vector-effect": nonScaling }));
  }
  if (main.length > 1) root.append(svg("path", { d: path(main), class: "ind-chart-line", "vector-effect": nonScaling }));

  if (axes) {
    const dots = svg("g", { class: "ind-chart-points" });
    for (const p of main) {
      const title = `${formatPeriod(p.period)}: ${formatValue(p.value)}${p.revised ? ` · ${labels.revised || ""}` : ""}${p.note ? ` · ${p.note}` : ""}`;
      if (p.revised) {
        dots.append(svg("circle", { cx: f(x(p.period)), cy: f(y(p.value)), r: 7, class: "ind-chart-revised", "data-period": p.period },
          svg("title", {}, title)));
      }
      dots.append(svg("circle", { cx: f(x(p.period)), cy: f(y(p.value)), r: 3.5, class: "ind-chart-dot", "data-period": p.period },
        svg("title", {}, title)));
    }
    root.append(dots);
  } else {
    // A stretched sparkline would turn circles into ellipses: dots are zero-length strokes with round caps.
    const dot = (p, cls) => svg("path", {
      d: `M${f(x(p.period))},${f(y(p.value))}l0,0`, class: cls, "vector-effect": "non-scaling-stroke",
    });
    for (const p of main) if (p.revised) root.append(dot(p, "ind-chart-revised-dot"));
    root.append(dot(main[main.length - 1], "ind-chart-last"));
  }
  return root;
}

/** The legend under a detail chart: the line, the year to date, the plan (dashed) and the revised mark. */
export function chartLegend(items) {
  const ul = document.createElement("ul");
  ul.className = "ind-chart-legend";
  for (const item of items) {
    if (!item) continue;
    const li = document.createElement("li");
    const key = svg("svg", { class: "ind-chart-key", viewBox: "0 0 28 12", "aria-hidden": "true" });
    if (item.kind === "revised") {
      key.append(svg("circle", { cx: 14, cy: 6, r: 5, class: "ind-chart-revised" }), svg("circle", { cx: 14, cy: 6, r: 2.5, class: "ind-chart-dot" }));
    } else {
      const cls = item.kind === "plan" ? "ind-chart-plan" : item.kind === "secondary" ? "ind-chart-line ind-chart-line--secondary" : "ind-chart-line";
      key.append(svg("path", { d: "M1,6L27,6", class: cls }));
    }
    li.append(key, document.createTextNode(item.label));
    ul.append(li);
  }
  return ul;
}
