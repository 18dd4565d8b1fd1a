// Public services, sub-page "scorecard": the QĐ 766 scorecard of the province, one agency or one commune for a month
// or a report period — each indicator's fraction, rate against its threshold and score.
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, localized, t, tOr } from "../i18n.js";
import {
  AGENCY_SECTIONS, BASE, EMPTY, count, errorBox, labelled, loadingLine, maxText, mono, percentText, periodControls,
  periodLine, rateValue, scoreText, scrollTable, setChildren,
} from "./public-services-common.js";

/** Builds the sub-page in its panel; `ps` is the page's shared context (public-services.js). */
export function create(ps) {
  const { state, names, user, agencyName, unitName, writeLocation, fetchInto, namesReady, periodQuery } = ps;

  const scorecard = ps.resource();
  const scoreControls = periodControls(state, "ps-score", () => {
    writeLocation();
    loadScorecard(false);
  });
  const scopeSelect = h("select", { id: "ps-score-scope" });
  scopeSelect.addEventListener("change", () => {
    state.agency = scopeSelect.value || null;
    writeLocation();
    loadScorecard(false);
  });
  const scopeField = labelled("ps-score-scope", "ps.scopeLabel", scopeSelect);
  const unitChipBox = h("div", { class: "ps-filter-action" });
  const scoreFilters = h("div", { class: "ps-filters" }, ...scoreControls.elements, scopeField.element, unitChipBox);
  const scoreBody = h("div", { class: "ps-result", "aria-live": "polite" });
  ps.panels.get("scorecard")?.append(scoreFilters, scoreBody);

  const scorecardQuery = () => {
    let query = periodQuery();
    if (state.agency) query += `&agency=${encodeURIComponent(state.agency)}`;
    if (state.unit) query += `&unit=${encodeURIComponent(state.unit)}`;
    return query;
  };

  function relabelScorecard() {
    scoreControls.relabel();
    scopeField.relabel();
    const agencies = [...names.agencies.values()].filter((agency) => agency.active !== false && withinUserAgency(agency));
    const byKind = (kind) => agencies.filter((agency) => (AGENCY_SECTIONS.includes(agency.kind) ? agency.kind : "other") === kind)
      .sort((a, b) => agencyName(a.code).localeCompare(agencyName(b.code), "vi"));
    setChildren(scopeSelect, 
      h("option", { value: "" }, wholeScopeLabel()),
      ...AGENCY_SECTIONS.map((kind) => {
        const list = byKind(kind);
        return list.length
          ? h("optgroup", { label: t(`ps.section.${kind}`) }, list.map((agency) => h("option", { value: agency.code }, agencyName(agency.code))))
          : null;
      }).filter(Boolean));
    if (state.agency && !names.agencies.has(state.agency)) scopeSelect.append(h("option", { value: state.agency }, state.agency));
    scopeSelect.value = state.agency || "";
    unitChipBox.hidden = !state.unit;
    setChildren(unitChipBox, state.unit
      ? h("span", { class: "ps-chip" },
          h("span", {}, t("ps.scope.unit", { name: unitName(state.unit) })),
          h("button", {
            type: "button", class: "icon-button ps-chip-remove", title: t("ps.scope.removeUnit"), "aria-label": t("ps.scope.removeUnit"),
            onclick: () => {
              state.unit = null;
              writeLocation();
              loadScorecard(false);
            },
          }, icon("close")))
      : "");
  }

  function loadScorecard(force) {
    relabelScorecard();
    namesReady.then(() => {
      if (!ps.removed) relabelScorecard();
    });
    fetchInto(scorecard, scorecardQuery(), async () => {
      const data = await api.get(`${BASE}/scorecard?${scorecardQuery()}`);
      await namesReady;
      return data;
    }, renderScorecard, force);
  }

  function scopeTitle() {
    const parts = [];
    if (state.agency) parts.push(agencyName(state.agency));
    if (state.unit) parts.push(unitName(state.unit));
    return parts.length ? parts.join(" · ") : wholeScopeLabel();
  }

  /** "Toàn tỉnh", or "everything assigned to you" for a user who belongs to an agency (the server scopes the figures). */
  function wholeScopeLabel() {
    return scopedToAgency() ? t("ps.scope.assigned", { name: agencyName(user.agency.code, user.agency.name) }) : t("ps.scope.province");
  }

  /** Whether the user's figures are limited to an agency below the province (the provincial committee sees it all). */
  function scopedToAgency() {
    // The server limits only officers to their agency; operators, leaders and analysts read the whole province.
    return user?.role === "officer" && Boolean(user?.agency);
  }

  /** Whether an agency is the user's own or below it; every agency for users who do not belong to one. */
  function withinUserAgency(agency) {
    const own = user?.agency;
    if (!scopedToAgency()) return true;
    const byID = new Map([...names.agencies.values()].map((a) => [a.id, a]));
    for (let current = agency, depth = 0; current && depth < 20; current = byID.get(current.parentID), depth += 1) {
      if (current.id === own.id || current.code === own.code) return true;
    }
    return false;
  }

  function rateBar(rate, threshold) {
    const fill = h("span", { class: "ps-bar-fill" });
    fill.style.setProperty("width", `${Math.max(0, Math.min(1, rate ?? 0)) * 100}%`);
    const bar = h("span", { class: "ps-bar", "aria-hidden": "true" }, fill);
    if (typeof threshold === "number") {
      const mark = h("span", { class: "ps-bar-mark" });
      mark.style.setProperty("left", `${Math.min(1, threshold) * 100}%`);
      bar.append(mark);
      if (rate != null && rate < threshold) bar.classList.add("is-below");
    }
    return bar;
  }

  function indicatorRow(indicator) {
    const idCell = h("td", { class: "ps-nowrap ps-ind-id" }, mono(indicator.id));
    const nameCell = h("td", { class: "ps-ind-name" },
      h("span", { class: "ps-ind-title" }, localized(indicator.name)),
      h("span", { class: "ps-formula" }, localized(indicator.formula)));
    const max = indicator.maxScore > 0 ? maxText(indicator.maxScore) : null;
    if (!indicator.supported) {
      return h("tr", { class: "ps-unsupported" },
        idCell, nameCell,
        h("td", { colspan: 3, class: "ps-reason" },
          h("span", { class: "badge badge-muted" }, t("ps.notSupported")), " ", localized(indicator.reason)),
        h("td", { class: "ps-num ps-nowrap" }, max ? t("ps.scoreOf", { score: EMPTY, max }) : t("ps.monitorOnly")));
    }
    const hasRate = typeof indicator.rate === "number";
    const threshold = typeof indicator.threshold === "number" ? indicator.threshold : null;
    return h("tr", {},
      idCell, nameCell,
      h("td", { class: "ps-num ps-nowrap" },
        indicator.denominator != null ? t("ps.fraction", { numerator: count(indicator.numerator), denominator: count(indicator.denominator) }) : EMPTY),
      h("td", { class: "ps-rate-cell" },
        h("span", { class: `ps-rate-value${hasRate && threshold != null && indicator.rate < threshold ? " ps-bad" : ""}` }, rateValue(indicator.rate)),
        hasRate ? rateBar(indicator.rate, threshold) : null),
      h("td", { class: "ps-num ps-nowrap" }, threshold != null ? percentText(threshold) : EMPTY),
      h("td", { class: "ps-num ps-nowrap ps-strong" },
        max
          ? t("ps.scoreOf", { score: indicator.score != null ? scoreText(indicator.score) : EMPTY, max })
          : t("ps.monitorOnly")));
  }

  function renderScorecard() {
    if (ps.removed) return;
    const { data, error, loading } = scorecard;
    scoreBody.classList.toggle("is-busy", loading && Boolean(data));
    scoreBody.setAttribute("aria-busy", String(loading));
    if (error) {
      setChildren(scoreBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(scoreBody, loadingLine());
      return;
    }
    const indicators = data.indicators || [];
    const groups = [];
    for (const indicator of indicators) {
      const group = String(indicator.id).split(".")[0];
      let entry = groups.find((g) => g.group === group);
      if (!entry) groups.push((entry = { group, items: [] }));
      entry.items.push(indicator);
    }
    const supportedCount = indicators.filter((i) => i.supported).length;
    const share = data.scoredMaxScore > 0 ? data.totalScore / data.scoredMaxScore : null;
    const caption = t("ps.scorecardTitle", { scope: scopeTitle() });
    setChildren(scoreBody, 
      periodLine(data),
      h("div", { class: "ps-score-summary card" },
        h("div", { class: "ps-score-main" },
          h("p", { class: "panel-kicker" }, t("ps.scorecardKicker", { scope: scopeTitle() })),
          h("p", { class: "ps-score-total" },
            h("strong", {}, scoreText(data.totalScore)), " / ", maxText(data.scoredMaxScore), " ", t("ps.points")),
          h("p", { class: "ps-score-qualifier" }, t("ps.onIndicatorsWithData")),
          share != null ? rateBar(share, null) : null),
        h("ul", { class: "ps-score-notes" },
          h("li", {}, t("ps.scoreNote.supported", { count: formatNumber(supportedCount), total: formatNumber(indicators.length) })),
          h("li", {}, t("ps.scoreNote.maxima", {
            scored: maxText(data.scoredMaxScore), supported: maxText(data.supportedMaxScore), full: maxText(data.fullMaxScore),
          })),
          h("li", {}, t("ps.scoreNote.rule")))),
      scrollTable(caption, "ps-scorecard",
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("ps.col.indicatorId")),
          h("th", { scope: "col" }, t("ps.col.indicator")),
          h("th", { scope: "col", class: "ps-num" }, t("ps.col.fraction")),
          h("th", { scope: "col" }, t("ps.col.rate")),
          h("th", { scope: "col", class: "ps-num" }, t("ps.col.threshold")),
          h("th", { scope: "col", class: "ps-num" }, t("ps.col.score")))),
        groups.map(({ group, items }) => {
          const max = items.reduce((sum, i) => sum + (i.maxScore || 0), 0);
          const scored = items.reduce((sum, i) => sum + (i.supported && i.score != null ? i.score : 0), 0);
          const any = items.some((i) => i.supported && i.score != null);
          return h("tbody", {},
            h("tr", { class: "ps-section" },
              h("th", { scope: "rowgroup", colspan: 5 }, t("ps.indicatorGroup", { n: group, name: tOr(`ps.indicatorGroup.${group}`, group) })),
              h("td", { class: "ps-num ps-nowrap" }, t("ps.scoreOf", { score: any ? scoreText(scored) : EMPTY, max: maxText(max) }))),
            items.map(indicatorRow));
        })),
      h("p", { class: "ps-note" }, t("ps.scorecardSource")));
  }

  return { resource: scorecard, load: loadScorecard, relabel: relabelScorecard, render: renderScorecard };
}
