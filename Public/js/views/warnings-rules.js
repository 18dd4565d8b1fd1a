// #/warnings/rules — the alert rules (GET /api/v1/alert-rules): a table with each rule's source, condition, severity,
// the subjects firing now and whether it is on; for admins and operators an editor of every field
// (POST /api/v1/alert-rules, PUT /api/v1/alert-rules/{code}), switching a rule on or off, and "Thử trên dữ liệu đã
// lưu" (POST /api/v1/alert-rules/test) which shows, per subject, when the rule would have raised and cleared.
// Test hooks (data-testid): warn-rule-new, warn-rules-table, warn-rule-row (data-code, data-enabled), warn-rule-edit,
// warn-rule-toggle, warn-rule-firing, warn-rule-form, warn-rule-<field>, warn-rule-subject (data-code),
// warn-rule-subjects-all, warn-rule-save, warn-rule-cancel, warn-rule-error, warn-rule-test, warn-rule-test-from,
// warn-rule-test-to, warn-rule-test-result, warn-rule-test-subject (data-code, data-raises), warn-rule-transition.
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, localized, t } from "../i18n.js";
import {
  EMPTY, RULES, SEVERITIES, actorName, errorBox, fieldErrors, fromLocalInput, levelChip, loadingLine, setChildren, severityChip, timeText,
  toLocalInput,
} from "./warnings-common.js";

const KINDS = ["threshold", "crossing", "rate", "absence"];
const DAY = 24 * 3600 * 1000;

/** A rule as the API takes it back (without what the server adds). */
function ruleBody(rule) {
  const { firing, description, updatedAt, updatedBy, ...body } = rule;
  return body;
}

export function create(w) {
  const panel = w.panels.get("rules");
  const res = { data: null, error: null, loading: false, seq: 0 };
  const sources = { data: null, error: null };
  let stations = null; // for the subjects of environment series
  let editor = null;

  const newButton = w.canAuthor ? h("button", { type: "button", class: "btn btn-primary", "data-testid": "warn-rule-new", onclick: () => openEditor(null) }) : null;
  const note = h("p", { class: "ps-note" });
  const toolbar = h("div", { class: "warn-toolbar" }, note, newButton);
  const body = h("div", { class: "warn-rules" });
  const editorSlot = h("div", { class: "warn-form-slot" });
  panel.append(toolbar, editorSlot, body);

  const rules = () => (Array.isArray(res.data) ? res.data : []);
  const sourceOf = (key) => (sources.data || []).find((s) => s.key === key) || null;
  const paramOf = (source, code) => (source?.parameters || []).find((p) => p.code === code) || null;

  async function load(force = false, { quiet = false } = {}) {
    if (!sources.data) {
      api.get(`${RULES}/sources`).then((data) => {
        sources.data = Array.isArray(data) ? data : [];
        if (!w.removed) render();
      }).catch((error) => {
        sources.error = error;
      });
    }
    if (!force && (res.data || res.loading)) {
      if (!quiet) render();
      return;
    }
    const seq = ++res.seq;
    res.loading = true;
    if (!quiet) render();
    try {
      const data = await api.get(RULES);
      if (w.removed || seq !== res.seq) return;
      res.data = Array.isArray(data) ? data : [];
      res.error = null;
    } catch (error) {
      if (w.removed || seq !== res.seq) return;
      res.error = error;
    }
    res.loading = false;
    w.renderTabs();
    render();
    if (w.state.rule && !editor && w.canAuthor) {
      const rule = rules().find((r) => r.code === w.state.rule);
      if (rule || w.state.rule === "new") openEditor(rule || null);
    }
  }

  function loadStations() {
    stations ??= api.get("/api/v1/stations").then((list) => (Array.isArray(list) ? list.map((s) => s.station).filter(Boolean) : []))
      .catch(() => {
        stations = null;
        return [];
      });
    return stations;
  }

  // ---- The table ----

  function sourceText(rule) {
    const source = sourceOf(rule.series);
    const param = paramOf(source, rule.parameter);
    return [localized(source?.name) || rule.series, localized(param?.name) || rule.parameter].filter(Boolean).join(" · ");
  }

  function render() {
    if (w.removed) return;
    note.textContent = t("warn.rules.note");
    if (newButton) setChildren(newButton, icon("plus"), h("span", {}, t("warn.rules.new")));
    if (res.error && !res.data) {
      setChildren(body, errorBox(res.error));
      return;
    }
    if (!res.data) {
      setChildren(body, loadingLine());
      return;
    }
    const col = (key) => t(`warn.rules.col.${key}`);
    setChildren(body, res.error ? errorBox(res.error) : null, h("div", { class: "table-wrap" },
      h("table", { class: "data-table warn-table warn-rules-table", "data-testid": "warn-rules-table" },
        h("caption", { class: "visually-hidden" }, t("warn.tab.rules")),
        h("thead", {}, h("tr", {}, ["rule", "source", "condition", "severity", "firing", "enabled", "updated"].map((k) => h("th", { scope: "col" }, col(k))),
          w.canAuthor ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, col("actions"))) : null)),
        h("tbody", {}, rules().length ? rules().map((rule) => h("tr", {
          "data-testid": "warn-rule-row", dataset: { code: rule.code, enabled: String(Boolean(rule.enabled)) }, class: rule.enabled ? null : "warn-row-off",
        },
        h("td", { "data-label": col("rule") }, h("strong", {}, localized(rule.name, rule.nameEn) || rule.code), h("span", { class: "ps-code mono" }, rule.code)),
        h("td", { "data-label": col("source") }, sourceText(rule),
          Array.isArray(rule.subjects) && rule.subjects.length ? h("span", { class: "ps-code" }, t("warn.rules.subjectsCount", { count: rule.subjects.length })) : h("span", { class: "ps-code" }, t("warn.rules.allSubjects"))),
        h("td", { "data-label": col("condition") }, localized(rule.description) || EMPTY,
          rule.proposeWarning ? h("span", { class: "warn-propose" }, t("warn.rules.proposes"), " ", levelChip(rule.proposeWarning.level, { levels: w.lookups.levels, short: true })) : null,
          rule.quietHours ? h("span", { class: "ps-code" }, t("warn.rules.quietShort", { start: rule.quietHours.start, end: rule.quietHours.end })) : null),
        h("td", { "data-label": col("severity") }, severityChip(rule.severity)),
        h("td", { "data-label": col("firing"), "data-testid": "warn-rule-firing" }, Array.isArray(rule.firing) && rule.firing.length
          ? h("span", { class: "warn-firing" }, rule.firing.map((code) => h("span", { class: "warn-firing-chip", dataset: { code } }, code)))
          : h("span", { class: "muted" }, t("warn.rules.quiet"))),
        h("td", { "data-label": col("enabled") }, w.canAuthor
          ? h("button", {
            type: "button", class: `warn-switch ${rule.enabled ? "is-on" : ""}`, role: "switch", "aria-checked": String(Boolean(rule.enabled)), "data-testid": "warn-rule-toggle",
            "aria-label": t(rule.enabled ? "warn.rules.turnOff" : "warn.rules.turnOn", { name: localized(rule.name, rule.nameEn) || rule.code }),
            onclick: (event) => toggle(rule, event.currentTarget),
          }, h("span", { class: "warn-switch-knob", "aria-hidden": "true" }), h("span", {}, t(rule.enabled ? "warn.rules.on" : "warn.rules.off")))
          : h("span", { class: `badge ${rule.enabled ? "badge-ok" : "badge-muted"}` }, t(rule.enabled ? "warn.rules.on" : "warn.rules.off"))),
        h("td", { "data-label": col("updated") }, timeText(rule.updatedAt), h("span", { class: "ps-code" }, actorName(rule.updatedBy))),
        w.canAuthor ? h("td", {}, h("button", { type: "button", class: "btn btn-secondary warn-small", "data-testid": "warn-rule-edit", onclick: () => openEditor(rule) }, t("warn.rules.edit"))) : null))
          : h("tr", { class: "empty-row" }, h("td", { colspan: w.canAuthor ? 8 : 7 }, t("warn.rules.none")))))));
  }

  async function toggle(rule, button) {
    button.disabled = true;
    try {
      await api.put(`${RULES}/${encodeURIComponent(rule.code)}`, { ...ruleBody(rule), enabled: !rule.enabled });
      await load(true, { quiet: true });
    } catch (error) {
      button.disabled = false;
      body.prepend(errorBox(error));
    }
  }

  // ---- The editor ----

  function openEditor(rule) {
    closeEditor();
    editor = ruleEditor(rule);
    editorSlot.replaceChildren(editor.element);
    body.hidden = true;
    toolbar.hidden = true;
    w.state.rule = rule?.code || "new";
    w.writeLocation();
    editor.element.scrollIntoView({ block: "start" });
    editor.focus();
  }

  function closeEditor() {
    editor = null;
    editorSlot.replaceChildren();
    body.hidden = false;
    toolbar.hidden = false;
    if (w.state.rule) {
      w.state.rule = "";
      w.writeLocation();
    }
  }

  function ruleEditor(rule) {
    const editing = Boolean(rule);
    const c = rule?.condition || {};
    const labels = [];
    const controls = {};
    const id = (name) => `warn-rule-${name}`;
    const control = (name, el) => {
      el.id = id(name);
      el.dataset.testid = id(name);
      controls[name] = el;
      return el;
    };
    const field = (name, key, el, { hint = null, cls = "" } = {}) => {
      const label = h("label", { for: id(name) });
      labels.push([label, key]);
      const hintEl = hint ? h("p", { class: "field-hint" }) : null;
      if (hint) labels.push([hintEl, hint]);
      return h("div", { class: `field warn-field ${cls}`, dataset: { field: name } }, label, control(name, el), hintEl);
    };
    const text = (value, attrs = {}) => h("input", { type: "text", value: value ?? "", autocomplete: "off", ...attrs });
    const num = (value) => h("input", { type: "text", inputmode: "decimal", value: value ?? "", autocomplete: "off" });
    const select = (options, value) => {
      const el = h("select", {}, options.map((o) => h("option", { value: o })));
      el.value = value ?? options[0];
      return el;
    };
    const check = (name, key, checked) => {
      const box = control(name, h("input", { type: "checkbox", checked: Boolean(checked) }));
      const span = h("span", {});
      labels.push([span, key]);
      return h("label", { class: "warn-check", dataset: { field: name } }, box, span);
    };
    const section = (key, ...children) => {
      const title = h("h3", { class: "warn-form-subtitle" });
      labels.push([title, key]);
      return h("section", { class: "warn-rule-section" }, title, h("div", { class: "warn-rule-grid" }, ...children));
    };

    const seriesSelect = h("select", {});
    const paramSelect = h("select", {});
    const subjectsBox = h("div", { class: "warn-subjects", id: id("subjects") });
    controls.subjects = subjectsBox;
    const allSubjects = h("input", { type: "checkbox", checked: !Array.isArray(rule?.subjects), "data-testid": "warn-rule-subjects-all" });
    const allSubjectsLabel = h("span", {});
    const subjectList = h("div", { class: "warn-subject-list" });
    const chosenSubjects = new Set(Array.isArray(rule?.subjects) ? rule.subjects : []);
    subjectsBox.append(h("label", { class: "warn-check" }, allSubjects, allSubjectsLabel), subjectList);
    allSubjects.addEventListener("change", renderSubjects);

    const kind = select(KINDS, c.kind === "rateOfChange" ? "rate" : c.kind || "threshold");
    const comparison = select(["above", "below"], c.comparison || "above");
    const thresholdRef = select(["value", "1", "2", "3"], c.levelRef || "value");
    const unitLabel = h("span", { class: "warn-unit" });

    const infoSection = section("warn.rules.section.info",
      field("code", "warn.rules.field.code", text(rule?.code, { readonly: editing, maxlength: 64, spellcheck: "false" }), { hint: editing ? null : "warn.rules.codeHint" }),
      field("name", "warn.rules.field.name", text(rule?.name, { maxlength: 200 }), { cls: "warn-span-2" }),
      field("nameEn", "warn.rules.field.nameEn", text(rule?.nameEn, { maxlength: 200 }), { cls: "warn-span-2" }));
    const dataSection = section("warn.rules.section.data",
      field("series", "warn.rules.field.series", seriesSelect, { cls: "warn-span-2" }),
      field("parameter", "warn.rules.field.parameter", paramSelect, { cls: "warn-span-2" }),
      h("div", { class: "warn-field warn-span-4" }, h("span", { class: "warn-field-label", dataset: { key: "subjects" } }), subjectsBox));
    labels.push([dataSection.querySelector("[data-key=subjects]"), "warn.rules.field.subjects"]);
    const valueField = field("value", "warn.rules.field.value", num(c.value));
    valueField.append(unitLabel);
    const conditionSection = section("warn.rules.section.condition",
      field("kind", "warn.rules.field.kind", kind, { cls: "warn-span-2" }),
      field("comparison", "warn.rules.field.comparison", comparison),
      field("levelRef", "warn.rules.field.thresholdRef", thresholdRef),
      valueField,
      field("durationMinutes", "warn.rules.field.duration", num(c.durationMinutes)),
      field("windowMinutes", "warn.rules.field.window", num(c.windowMinutes)),
      field("maxSilenceMinutes", "warn.rules.field.maxSilence", num(c.maxSilenceMinutes)),
      check("sum", "warn.rules.field.sum", c.sum));
    const kindHint = h("p", { class: "field-hint warn-kind-hint" });
    conditionSection.append(kindHint);

    const quietOn = rule?.quietHours != null;
    const quietSection = section("warn.rules.section.clear",
      field("hysteresis", "warn.rules.field.hysteresis", num(rule?.hysteresis ?? 0)),
      field("clearAfterMinutes", "warn.rules.field.clearAfter", num(rule?.clearAfterMinutes ?? 0)),
      h("div", { class: "warn-span-2" }, check("quiet", "warn.rules.field.quiet", quietOn)),
      field("quietStart", "warn.rules.field.quietStart", h("input", { type: "time", value: rule?.quietHours?.start || "22:00" })),
      field("quietEnd", "warn.rules.field.quietEnd", h("input", { type: "time", value: rule?.quietHours?.end || "06:00" })),
      field("quietUnless", "warn.rules.field.quietUnless", select(["", ...SEVERITIES], rule?.quietHours?.unlessSeverityAtLeast || ""), { cls: "warn-span-2" }));
    const proposeOn = rule?.proposeWarning != null;
    const hazardSelect = h("select", {});
    const outcomeSection = section("warn.rules.section.outcome",
      field("severity", "warn.rules.field.severity", select(SEVERITIES, rule?.severity || "warning")),
      h("div", { class: "warn-span-3" }, check("propose", "warn.rules.field.propose", proposeOn)),
      field("proposeHazard", "warn.rules.field.proposeHazard", hazardSelect, { cls: "warn-span-2" }),
      field("proposeLevel", "warn.rules.field.proposeLevel", select(["1", "2", "3", "4", "5"], String(rule?.proposeWarning?.level || 2))),
      h("div", { class: "warn-span-4" }, check("enabled", "warn.rules.field.enabled", rule ? rule.enabled : false)));

    // The trial on stored data.
    const now = Date.now();
    const testFrom = h("input", { type: "datetime-local", step: 60, value: toLocalInput(now - 7 * DAY) });
    const testTo = h("input", { type: "datetime-local", step: 60, value: toLocalInput(now) });
    const testButton = h("button", { type: "button", class: "btn btn-secondary", "data-testid": "warn-rule-test", onclick: runTest });
    const testResult = h("div", { class: "warn-test-result", "data-testid": "warn-rule-test-result", "aria-live": "polite" });
    const testSection = section("warn.rules.section.test",
      field("test-from", "warn.rules.field.testFrom", testFrom),
      field("test-to", "warn.rules.field.testTo", testTo),
      h("div", { class: "field warn-span-2 warn-test-button" }, testButton));
    const testHint = h("p", { class: "field-hint" });
    testSection.append(testHint, testResult);

    const topError = h("div", { class: "alert alert-error", role: "alert", hidden: true, "data-testid": "warn-rule-error" });
    const errors = fieldErrors(topError, controls);
    const title = h("h2", { class: "card-title" });
    const saveButton = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "warn-rule-save" });
    const cancelButton = h("button", { type: "button", class: "btn btn-ghost", "data-testid": "warn-rule-cancel", onclick: closeEditor });
    const element = h("form", { class: "card form-card warn-form warn-rule-form", "data-testid": "warn-rule-form", novalidate: true, onsubmit: save },
      title, topError, infoSection, dataSection, conditionSection, quietSection, outcomeSection, testSection,
      h("div", { class: "form-actions warn-form-actions" }, saveButton, cancelButton));

    // ---- Dependent fields ----

    function renderSources() {
      const list = sources.data || [];
      const current = seriesSelect.value || rule?.series || list[0]?.key || "";
      setChildren(seriesSelect, list.map((s) => h("option", { value: s.key }, localized(s.name) || s.key)),
        current && !list.some((s) => s.key === current) ? h("option", { value: current }, current) : null);
      seriesSelect.value = current;
      renderParams();
    }

    function renderParams() {
      const source = sourceOf(seriesSelect.value);
      const current = paramSelect.value || rule?.parameter || "";
      const params = source?.parameters || [];
      setChildren(paramSelect, params.map((p) => h("option", { value: p.code }, `${localized(p.name) || p.code}${p.unit ? ` (${p.unit})` : ""}`)),
        current && !params.some((p) => p.code === current) ? h("option", { value: current }, current) : null);
      paramSelect.value = params.some((p) => p.code === current) || (current && !params.length) ? current : params[0]?.code || current;
      unitLabel.textContent = paramOf(source, paramSelect.value)?.unit || "";
      renderSubjects();
      renderCondition();
    }

    function renderSubjects() {
      allSubjectsLabel.textContent = t("warn.rules.allSubjects");
      subjectList.hidden = allSubjects.checked;
      if (allSubjects.checked) return;
      const series = seriesSelect.value;
      const param = paramSelect.value;
      if (!series.startsWith("environment.")) {
        // Subjects of other sources: their codes, typed.
        const input = h("input", { type: "text", value: [...chosenSubjects].join(", "), "data-testid": "warn-rule-subjects-text", class: "warn-subjects-text" });
        input.addEventListener("input", () => {
          chosenSubjects.clear();
          for (const code of input.value.split(/[\s,;]+/).filter(Boolean)) chosenSubjects.add(code);
        });
        setChildren(subjectList, input, h("p", { class: "field-hint" }, t("warn.rules.subjectsHint")));
        return;
      }
      setChildren(subjectList, loadingLine());
      loadStations().then((list) => {
        if (allSubjects.checked) return;
        const air = series === "environment.aqi" || param === "aqi";
        const fits = list.filter((s) => (air ? s.kind === "air" : (s.parameters || []).includes(param)));
        setChildren(subjectList, fits.length ? fits.map((s) => h("label", { class: "warn-check", "data-testid": "warn-rule-subject", dataset: { code: s.code } },
          h("input", { type: "checkbox", checked: chosenSubjects.has(s.code), onchange: (event) => {
            if (event.target.checked) chosenSubjects.add(s.code);
            else chosenSubjects.delete(s.code);
          } }), h("span", {}, `${s.name} `, h("span", { class: "mono muted" }, s.code)))) : h("p", { class: "muted" }, t("warn.rules.noSubjects")));
      });
    }

    function renderCondition() {
      const k = kind.value;
      const show = (name, on) => {
        const el = element.querySelector(`[data-field="${name}"]`);
        if (el) el.hidden = !on;
      };
      const levels = paramSelect.value === "water_level";
      show("comparison", k !== "absence");
      show("levelRef", k !== "absence" && k !== "rate" && levels);
      show("value", k !== "absence" && (k === "rate" || !levels || thresholdRef.value === "value"));
      show("durationMinutes", k === "threshold");
      show("windowMinutes", k === "rate");
      show("sum", k === "rate");
      show("maxSilenceMinutes", k === "absence");
      show("hysteresis", k !== "absence");
      kindHint.textContent = t(`warn.rules.kindHint.${k}`);
    }

    function renderQuiet() {
      for (const name of ["quietStart", "quietEnd", "quietUnless"]) element.querySelector(`[data-field="${name}"]`).hidden = !controls.quiet.checked;
      for (const name of ["proposeHazard", "proposeLevel"]) element.querySelector(`[data-field="${name}"]`).hidden = !controls.propose.checked;
    }

    function renderHazards() {
      const current = hazardSelect.value || rule?.proposeWarning?.hazard || "";
      setChildren(hazardSelect, w.lookups.hazards.map((hz) => h("option", { value: hz.code }, localized(hz.name) || hz.code)),
        current && !w.lookups.hazards.some((hz) => hz.code === current) ? h("option", { value: current }, current) : null);
      if (current) hazardSelect.value = current;
    }

    seriesSelect.addEventListener("change", () => {
      paramSelect.value = "";
      renderParams();
    });
    paramSelect.addEventListener("change", () => {
      unitLabel.textContent = paramOf(sourceOf(seriesSelect.value), paramSelect.value)?.unit || "";
      renderSubjects();
      renderCondition();
    });
    kind.addEventListener("change", renderCondition);
    thresholdRef.addEventListener("change", renderCondition);
    controls.quiet.addEventListener("change", renderQuiet);
    controls.propose.addEventListener("change", renderQuiet);
    element.addEventListener("input", () => errors.clear());

    function relabel() {
      title.textContent = editing ? t("warn.rules.editTitle", { name: localized(rule.name, rule.nameEn) || rule.code }) : t("warn.rules.newTitle");
      for (const [el, key] of labels) el.textContent = t(key);
      for (const o of kind.options) o.textContent = t(`warn.rules.kind.${o.value}`);
      for (const o of comparison.options) o.textContent = t(`warn.rules.comparison.${o.value}`);
      for (const o of thresholdRef.options) o.textContent = o.value === "value" ? t("warn.rules.ref.value") : t("warn.rules.ref.level", { level: "I".repeat(Number(o.value)) });
      for (const o of controls.severity.options) o.textContent = t(`warn.severity.${o.value}`);
      for (const o of controls.quietUnless.options) o.textContent = o.value ? t("warn.rules.unless", { severity: t(`warn.severity.${o.value}`) }) : t("warn.rules.unlessNone");
      for (const o of controls.proposeLevel.options) o.textContent = t("warn.levelShort", { level: o.value });
      testButton.textContent = t("warn.rules.test");
      testHint.textContent = t("warn.rules.testHint");
      saveButton.textContent = editing ? t("warn.rules.save") : t("warn.rules.create");
      cancelButton.textContent = t("form.cancel");
      renderSources();
      renderHazards();
      renderQuiet();
      renderTestResult();
    }

    // ---- The body ----

    function number(name) {
      const text = controls[name].value.trim().replace(",", ".");
      if (text === "") return null;
      const value = Number(text);
      return Number.isFinite(value) ? value : text; // the server names the field
    }

    function bodyOf() {
      const k = kind.value;
      const useLevel = k !== "absence" && k !== "rate" && paramSelect.value === "water_level" && thresholdRef.value !== "value";
      return {
        code: controls.code.value.trim(), name: controls.name.value.trim(), nameEn: controls.nameEn.value.trim(),
        series: seriesSelect.value, parameter: paramSelect.value,
        subjects: allSubjects.checked ? null : [...chosenSubjects],
        condition: {
          kind: k,
          comparison: k === "absence" ? "above" : comparison.value,
          value: k === "absence" || useLevel ? null : number("value"),
          levelRef: useLevel ? thresholdRef.value : null,
          durationMinutes: k === "threshold" ? number("durationMinutes") : null,
          windowMinutes: k === "rate" ? number("windowMinutes") : null,
          sum: k === "rate" ? controls.sum.checked : false,
          maxSilenceMinutes: k === "absence" ? number("maxSilenceMinutes") : null,
        },
        hysteresis: k === "absence" ? 0 : number("hysteresis") ?? 0,
        clearAfterMinutes: number("clearAfterMinutes") ?? 0,
        quietHours: controls.quiet.checked
          ? { start: controls.quietStart.value, end: controls.quietEnd.value, unlessSeverityAtLeast: controls.quietUnless.value || null } : null,
        severity: controls.severity.value,
        proposeWarning: controls.propose.checked ? { hazard: hazardSelect.value, level: Number(controls.proposeLevel.value) } : null,
        enabled: controls.enabled.checked,
      };
    }

    const FIELD_MAP = {
      "condition.kind": "kind", "condition.comparison": "comparison", "condition.value": "value", "condition.levelRef": "levelRef",
      "condition.durationMinutes": "durationMinutes", "condition.windowMinutes": "windowMinutes", "condition.maxSilenceMinutes": "maxSilenceMinutes",
      "quietHours.start": "quietStart", "quietHours.end": "quietEnd", "quietHours.unlessSeverityAtLeast": "quietUnless", quietHours: "quietStart",
      "proposeWarning.hazard": "proposeHazard", "proposeWarning.level": "proposeLevel", proposeWarning: "proposeHazard",
      "condition.duration": "durationMinutes", "condition.window": "windowMinutes", "condition.maxSilence": "maxSilenceMinutes",
      "condition.maxGap": "durationMinutes", clearAfter: "clearAfterMinutes", "quietHours.startMinute": "quietStart", "quietHours.endMinute": "quietEnd",
      "rule.code": "code", "rule.name": "name", "rule.series": "series", "rule.parameter": "parameter", from: "test-from", to: "test-to",
    };
    const mapField = (error) => {
      const raw = String(error?.field || "");
      const inner = raw.replace(/^rule\./, "");
      return { ...FIELD_MAP, [raw]: FIELD_MAP[raw] || FIELD_MAP[inner] || inner };
    };

    async function save(event) {
      event.preventDefault();
      errors.clear();
      saveButton.disabled = true;
      try {
        const payload = bodyOf();
        if (editing) await api.put(`${RULES}/${encodeURIComponent(rule.code)}`, payload);
        else await api.post(RULES, payload);
        closeEditor();
        await load(true);
      } catch (error) {
        errors.show(error, mapField(error));
      } finally {
        saveButton.disabled = false;
      }
    }

    // ---- The trial ----

    let test = null; // {from, to, result} or {error}
    async function runTest() {
      errors.clear();
      const from = fromLocalInput(testFrom.value);
      const to = fromLocalInput(testTo.value);
      testButton.disabled = true;
      setChildren(testResult, loadingLine());
      try {
        // A rule being written may have no code or name yet: the trial does not need them.
        const rule = bodyOf();
        rule.code ||= "thu-nghiem";
        rule.name ||= t("warn.rules.test");
        const result = await api.post(`${RULES}/test`, { rule, from, to });
        test = { from, to, result };
      } catch (error) {
        test = null;
        setChildren(testResult);
        errors.show(error, mapField(error));
      } finally {
        testButton.disabled = false;
      }
      renderTestResult();
    }

    function renderTestResult() {
      if (!test) return;
      const { from, to, result } = test;
      const subjects = Array.isArray(result?.subjects) ? result.subjects : [];
      const unit = unitLabel.textContent;
      const start = Date.parse(from);
      const end = Date.parse(to);
      const pct = (at) => Math.max(0, Math.min(100, ((Date.parse(at) - start) / Math.max(1, end - start)) * 100));
      const strip = (transitions) => {
        const bands = [];
        let open = null;
        for (const tr of transitions) {
          if (tr.kind === "raise" && open == null) open = pct(tr.at);
          if (tr.kind === "clear" && open != null) {
            bands.push([open, pct(tr.at)]);
            open = null;
          }
        }
        if (open != null) bands.push([open, 100]);
        return h("div", { class: "warn-strip", role: "img", "aria-label": t("warn.rules.stripLabel", { count: bands.length }) },
          bands.map(([a, b]) => h("span", { class: "warn-strip-band", style: `left:${a}%;width:${Math.max(0.6, b - a)}%` })));
      };
      const raises = typeof result?.raises === "number" ? result.raises : subjects.reduce((n, s) => n + (s.transitions || []).filter((tr) => tr.kind === "raise").length, 0);
      setChildren(testResult,
        h("p", { class: `warn-test-summary ${raises ? "is-firing" : ""}` }, t("warn.rules.testSummary", {
          raises: formatNumber(raises), subjects: formatNumber(subjects.filter((s) => (s.transitions || []).length).length),
          from: formatDateTime(from), to: formatDateTime(to),
        })),
        subjects.length ? h("ul", { class: "warn-test-subjects" }, subjects.map((s) => {
          const transitions = Array.isArray(s.transitions) ? s.transitions : [];
          const count = transitions.filter((tr) => tr.kind === "raise").length;
          return h("li", { class: "warn-test-subject", "data-testid": "warn-rule-test-subject", dataset: { code: s.code, raises: String(count) } },
            h("div", { class: "warn-test-head" }, h("strong", {}, s.name || s.code), h("span", { class: "mono muted" }, s.code),
              h("span", { class: `badge ${count ? "badge-bad" : "badge-muted"}` }, t("warn.rules.raises", { count: formatNumber(count) }))),
            strip(transitions),
            transitions.length ? h("ol", { class: "warn-transitions" }, transitions.map((tr) => h("li", { "data-testid": "warn-rule-transition", dataset: { kind: tr.kind } },
              h("span", { class: `warn-tr-kind warn-tr-${tr.kind}` }, t(`warn.rules.transition.${tr.kind}`)),
              h("time", { datetime: tr.at }, formatDateTime(tr.at)),
              typeof tr.value === "number" ? h("span", { class: "warn-tr-value" }, `${formatNumber(tr.value, { maximumFractionDigits: 2 })}${unit ? ` ${unit}` : ""}`) : null))) : null);
        })) : h("p", { class: "muted" }, t("warn.rules.testNoSubjects")));
    }

    renderCondition();
    relabel();
    w.need("hazards").then(() => renderHazards()).catch(() => {});
    if (!sources.data) {
      api.get(`${RULES}/sources`).then((data) => {
        sources.data = Array.isArray(data) ? data : [];
        relabel();
      }).catch(() => {});
    }
    return { element, relabel, focus: () => (editing ? controls.name : controls.code).focus() };
  }

  return {
    load,
    relabel() {
      render();
      editor?.relabel();
    },
    badge() {
      const firing = rules().reduce((n, r) => n + (r.enabled && Array.isArray(r.firing) ? r.firing.length : 0), 0);
      return firing ? { text: formatNumber(firing), bad: true, title: t("warn.rules.firingCount", { count: firing }) } : null;
    },
  };
}
