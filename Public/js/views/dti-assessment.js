// DTI, an agency's assessment (GET /dti/frameworks/{code}/assessments/{agency}) as the framework's tree: collapsible
// pillars → main indices → sub-indices, each sub-index with what it needs as evidence, how it is scored, the agency's
// value and its points. Two uses:
// - "self" (the tab "Tự đánh giá", officers of the agency; admins pick any agency): while the draft is open, an input
//   fitting the method (yes/no, percent, number, count, proposed points), a note, links, evidence files (upload,
//   delete), live points; "Lưu nháp" saves what changed (PUT, merge), "Nộp" submits after a confirmation. Measured
//   sub-indices are read-only: IOC's figure, its counts, definition and period are their evidence. After the review:
//   the reviewer's adjustments with their reasons, and a one-time answer ("Giải trình").
// - "review" (dti-review.js): the same tree read-only, with "Điều chỉnh" (points and a reason) on each sub-index while
//   the framework is open, or a correction (a new results version) once published.
// What is typed stays across reloads (a live update, an upload) until it is saved.
// Test hooks: `#dti-form`, `.dti-leaf[data-criterion=C]`, `[data-value-for=C]` (the input; yes/no: radios of value 1/0),
// `.dti-note-input[data-criterion]`, `.dti-links-input[data-criterion]`, `.dti-file-input[data-criterion]`,
// `.dti-evidence-file[data-id]`, `.dti-leaf-points[data-criterion]`, `#dti-total`, `#dti-save`, `#dti-submit`,
// `#dti-form-message`, `.dti-adjust[data-criterion]`, `#dti-adjust-points`, `#dti-adjust-reason`, `#dti-adjust-save`,
// `#dti-answer-text`, `#dti-answer-send`, `#dti-editor[data-status]`.
import { api, errorMessage, upload } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, formatNumber, localized, t } from "../i18n.js";
import {
  EMPTY, EVIDENCE_ACCEPT, MAX_EVIDENCE_BYTES, agencyLabel, assessmentPath, confirmDialog, dayText, errorBox,
  fileSize, frameworkPath, hhmm, inputText, isLeaf, levelChip, levelFor, loadingLine, methodPoints, methodProblem,
  methodText, nodeName, parseNumber, pointsText, setChildren, statusBadge, treePoints, uploadIcon, valueText,
} from "./dti-common.js";

const NUMERIC = new Set(["ratio", "tiers", "count", "judgement"]);
const periodText = (period) => String(period ?? "").replace(/\d{4}-\d{2}-\d{2}/g, (iso) => dayText(iso));

/**
 * An assessment's view and form for `mode` "self" or "review"; `onChanged()` after the caller changed it (saved,
 * submitted, reviewed, answered, a file). `element` goes in the page; `show(agency, force)` loads an agency's.
 */
export function createEditor(dti, { mode, onChanged = () => {} }) {
  const { state } = dti;
  const res = { key: null, data: null, error: null, loading: false, seq: 0 };
  const typed = new Map(); // code → { value?, note?, links? } as typed (raw text), until saved
  const fieldErrors = new Map(); // code → message
  const leafNotes = new Map(); // code → { kind, text } (an upload, a review)
  const openLeaves = new Set(); // sub-indices whose evidence part is open
  const closedNodes = new Set(); // pillars and main indices the user folded
  const liveEls = new Map(); // code → element showing its live points
  let message = null; // { kind: "ok" | "error", text }
  let busy = false;
  let adjusting = null; // review: the sub-index being adjusted
  let answerText = "";
  const element = h("div", { class: "dti-editor", id: "dti-editor", "aria-live": "polite" });

  const key = (agency) => `${state.fw}|${agency}`;
  const agency = () => res.data?.agency?.code || (res.key ? res.key.split("|")[1] : "");
  const path = () => assessmentPath(state.fw, agency());
  const editable = () => mode === "self" && Boolean(res.data?.canEdit);
  const published = () => dti.summary()?.status === "published";
  /** Review: adjustments while open (the assessment says), corrections once published (reviewers of the framework). */
  const ownAgency = () => dti.role === "officer" && agency() === dti.user?.agency?.code; // never reviewed by itself
  const adjustable = () => mode === "review" && res.data && res.data.status !== "draft"
    && (res.data.canReview || (published() && dti.canReview() && res.data.status !== "none" && !ownAgency()));

  async function show(code, force = false) {
    if (!code || !state.fw) {
      res.key = null;
      res.data = null;
      render();
      return;
    }
    const k = key(code);
    if (!force && res.key === k && (res.data || res.loading)) {
      render();
      return;
    }
    if (res.key !== k) {
      typed.clear();
      fieldErrors.clear();
      leafNotes.clear();
      openLeaves.clear();
      message = null;
      adjusting = null;
      answerText = "";
      res.data = null;
    }
    const seq = ++res.seq;
    res.key = k;
    res.loading = true;
    res.error = null;
    if (!res.data) render();
    try {
      const data = await api.get(assessmentPath(state.fw, code));
      if (seq !== res.seq || dti.removed) return;
      res.data = data;
    } catch (error) {
      if (seq !== res.seq || dti.removed) return;
      res.error = error;
      res.data = null;
    }
    res.loading = false;
    render();
  }

  // ---- Values: what is typed, what is stored, the points ----

  function rawValue(code) {
    const entry = typed.get(code);
    if (entry && "value" in entry) return entry.value;
    const v = res.data?.values?.[code];
    return typeof v === "number" ? inputText(v) : "";
  }

  /** A typed value as the API wants it: a number, null (cleared) or undefined (not valid: `fieldErrors` says why). */
  function parsed(node, raw) {
    const text = String(raw ?? "").trim();
    if (!text) return null;
    const value = parseNumber(text);
    const problem = methodProblem(node.method, value, node.maxPoints ?? 0);
    if (problem) {
      fieldErrors.set(node.code, t(problem, { max: pointsText(node.maxPoints, { fixed: false }) }));
      return undefined;
    }
    return value;
  }

  /** The leaves' points as they stand: the server's, or computed from what is typed while the draft is edited. */
  function leafPoints() {
    const data = res.data;
    const points = { ...(data?.points || {}) };
    if (!editable()) return points;
    for (const [code, entry] of typed) {
      if (!("value" in entry)) continue;
      const node = nodeByCode.get(code);
      if (!node || node.measure || data.overrides?.[code]) continue;
      const value = parseNumber(entry.value);
      points[code] = methodPoints(node.method, value, node.maxPoints ?? 0);
    }
    return points;
  }

  let nodeByCode = new Map();

  /** The points of every node, the total and the value: the server's, or computed while values are typed. */
  function totals() {
    const data = res.data;
    const typing = editable() && [...typed.values()].some((entry) => "value" in entry);
    if (!typing) return { all: data?.points || {}, total: data?.total ?? 0, max: data?.maxPoints ?? 0, value: data?.value ?? 0 };
    const criteria = dti.detail()?.framework?.criteria || [];
    const all = treePoints(criteria, leafPoints());
    const total = criteria.reduce((sum, node) => sum + (all[node.code] ?? 0), 0);
    const max = res.data?.maxPoints || dti.summary()?.maxPoints || 0;
    const value = max > 0 ? Math.round((total / max) * 10_000) / 10_000 : 0;
    return { all, total, max, value };
  }

  /** Updates the points shown (the sub-index, its main index and pillar, the total) without re-rendering the form. */
  function updatePoints() {
    const { all, total, max, value } = totals();
    for (const [code, el] of liveEls) {
      if (code === "#total" || code === "#total-bar") el.textContent = t("dti.form.totalOf", { points: pointsText(total), max: pointsText(max, { fixed: false }) });
      else if (code === "#value") el.textContent = valueText(value);
      else if (code === "#level") setChildren(el, levelChip(levelFor(dti.detail()?.framework?.levels, value), dti.tones()));
      else el.textContent = pointsText(all[code], { fixed: false });
    }
    const dirty = [...typed.values()].some((entry) => Object.keys(entry).length);
    element.querySelector(".dti-unsaved")?.toggleAttribute("hidden", !dirty);
  }

  function setTyped(code, field, raw) {
    const entry = typed.get(code) || {};
    entry[field] = raw;
    typed.set(code, entry);
    if (field === "value" && fieldErrors.delete(code)) {
      const box = element.querySelector(`.dti-leaf[data-criterion="${CSS.escape(code)}"] .dti-leaf-error`);
      if (box) box.textContent = "";
    }
    updatePoints();
  }

  // ---- Saving, submitting, answering ----

  function saveBody() {
    const body = { values: {}, notes: {}, links: {} };
    let count = 0;
    let valid = true;
    for (const [code, entry] of typed) {
      const node = nodeByCode.get(code);
      if (!node) continue;
      if ("value" in entry && !node.measure) {
        const value = parsed(node, entry.value);
        if (value === undefined) valid = false;
        else body.values[code] = value;
        count += 1;
      }
      if ("note" in entry) {
        body.notes[code] = entry.note.trim() || null;
        count += 1;
      }
      if ("links" in entry) {
        body.links[code] = entry.links.split(/\s+/).map((s) => s.trim()).filter(Boolean);
        count += 1;
      }
    }
    return { body, count, valid };
  }

  /** The sub-index a problem's `field` names ("values.1.2", "links.6.13"), or null. */
  function problemLeaf(error) {
    const m = /^(?:values|notes|links)\.(.+)$/.exec(error?.field || "");
    return m && nodeByCode.has(m[1]) ? m[1] : null;
  }

  function fail(error) {
    const code = problemLeaf(error);
    if (code) {
      fieldErrors.set(code, errorMessage(error));
      openLeaves.add(code);
    }
    message = { kind: "error", text: errorMessage(error) };
  }

  /** Saves what changed; true when nothing is left to save. */
  async function save({ quiet = false } = {}) {
    const { body, count, valid } = saveBody();
    if (!valid) {
      message = { kind: "error", text: t("dti.form.invalid") };
      render();
      return false;
    }
    if (!count) {
      if (!quiet) {
        message = { kind: "ok", text: t("dti.form.nothingToSave") };
        render();
      }
      return true;
    }
    return perform(async () => {
      const data = await api.put(path(), body);
      typed.clear();
      fieldErrors.clear();
      return data;
    }, () => t("dti.form.saved", { time: hhmm() }));
  }

  /** Sends a change of the assessment (save, submit, answer): busy meanwhile, then its answer shown; true when done. */
  async function perform(request, done) {
    busy = true;
    render();
    try {
      res.data = await request();
      message = { kind: "ok", text: done() };
      onChanged();
      return true;
    } catch (error) {
      fail(error);
      return false;
    } finally {
      busy = false;
      render();
    }
  }

  async function submit() {
    const { total, max } = totals();
    const missing = res.data?.missingEvidence?.length || 0;
    const ok = await confirmDialog({
      title: t("dti.form.submitTitle", { name: agencyLabel(res.data.agency) }),
      text: t("dti.form.submitText", { assessor: dti.summary()?.assessor || "" }),
      body: h("ul", { class: "dti-dialog-list" },
        h("li", {}, t("dti.form.submitTotal", { points: pointsText(total), max: pointsText(max, { fixed: false }) })),
        missing ? h("li", { class: "ps-bad" }, t("dti.form.submitMissing", { count: formatNumber(missing) })) : null),
      ok: t("dti.form.submit"),
    });
    if (!ok || dti.removed) return;
    if (await save({ quiet: true })) await perform(() => api.post(`${path()}/submit`), () => t("dti.form.submitted", { time: hhmm() }));
  }

  async function sendAnswer() {
    const text = answerText.trim();
    if (!text) {
      message = { kind: "error", text: t("dti.answer.empty") };
      render();
      return;
    }
    const ok = await confirmDialog({ title: t("dti.answer.confirmTitle"), text: t("dti.answer.confirmText"), ok: t("dti.answer.send") });
    if (!ok || dti.removed) return;
    await perform(async () => {
      const data = await api.post(`${path()}/answer`, { text });
      answerText = "";
      return data;
    }, () => t("dti.answer.sent"));
  }

  // ---- Evidence files ----

  async function uploadFile(code, file, isPublic) {
    if (!file) return;
    openLeaves.add(code);
    if (file.size > MAX_EVIDENCE_BYTES) {
      leafNotes.set(code, { kind: "error", text: t("dti.file.tooLarge", { size: fileSize(file.size) }) });
      render();
      return;
    }
    leafNotes.set(code, { kind: "busy", text: t("dti.file.uploading", { name: file.name }) });
    render();
    const query = new URLSearchParams({ criterion: code, filename: file.name, public: isPublic ? "1" : "0" });
    try {
      await upload("POST", `${path()}/evidence?${query}`, file, { contentType: "application/octet-stream", timeout: 120_000 });
      leafNotes.set(code, { kind: "ok", text: t("dti.file.uploaded", { name: file.name }) });
      onChanged();
      await show(agency(), true);
    } catch (error) {
      leafNotes.set(code, { kind: "error", text: errorMessage(error) });
      render();
    }
  }

  async function removeFile(file) {
    const ok = await confirmDialog({
      title: t("dti.file.removeTitle"), text: t("dti.file.removeText", { name: file.filename }), ok: t("dti.file.remove"), danger: true,
    });
    if (!ok || dti.removed) return;
    openLeaves.add(file.criterion);
    try {
      await api.delete(`${path()}/evidence/${encodeURIComponent(file.id)}`);
      leafNotes.set(file.criterion, { kind: "ok", text: t("dti.file.removed", { name: file.filename }) });
      onChanged();
      await show(agency(), true);
    } catch (error) {
      leafNotes.set(file.criterion, { kind: "error", text: errorMessage(error) });
      render();
    }
  }

  // ---- Review: adjusting a sub-index ----

  async function saveAdjustment(node) {
    const pointsInput = element.querySelector("#dti-adjust-points");
    const reasonInput = element.querySelector("#dti-adjust-reason");
    const points = parseNumber(pointsInput?.value);
    const reason = (reasonInput?.value || "").trim();
    const max = node.maxPoints ?? 0;
    if (!Number.isFinite(points) || points < 0 || points > max) {
      leafNotes.set(node.code, { kind: "error", text: t("dti.review.pointsRange", { max: pointsText(max, { fixed: false }) }) });
      render();
      return;
    }
    if (!reason) {
      leafNotes.set(node.code, { kind: "error", text: t("dti.review.reasonNeeded") });
      render();
      return;
    }
    busy = true;
    render();
    try {
      if (res.data.canReview) {
        res.data = await api.post(`${path()}/review`, { criterion: node.code, points, reason });
        leafNotes.set(node.code, { kind: "ok", text: t("dti.review.saved", { time: hhmm() }) });
      } else {
        const results = await api.post(`${frameworkPath(state.fw)}/corrections`, { agency: agency(), criterion: node.code, points, reason });
        leafNotes.set(node.code, { kind: "ok", text: t("dti.review.corrected", { version: formatNumber(results?.version) }) });
        await show(agency(), true);
      }
      adjusting = null;
      onChanged();
    } catch (error) {
      leafNotes.set(node.code, { kind: "error", text: errorMessage(error) });
    } finally {
      busy = false;
      render();
    }
  }

  // ---- Rendering ----

  function live(code, className, text) {
    const el = h("span", { class: className }, text);
    liveEls.set(code, el);
    return el;
  }

  function valueShown(node, value) {
    if (typeof value !== "number") return h("span", { class: "muted" }, t("dti.form.noValue"));
    switch (node.method?.kind) {
      case "yesno": return t(value >= 1 ? "dti.yes" : "dti.no");
      case "ratio": return t("dti.percent", { value: formatNumber(value, { maximumFractionDigits: 2 }) });
      case "judgement": return t("dti.form.proposed", { points: pointsText(value, { fixed: false }) });
      default: return formatNumber(value, { maximumFractionDigits: 2 });
    }
  }

  function valueInput(node) {
    const code = node.code;
    const kind = node.method?.kind;
    const disabled = busy || undefined;
    if (kind === "yesno") {
      const current = rawValue(code);
      const radio = (value, label) => h("label", { class: "dti-yesno-option" },
        h("input", {
          type: "radio", name: `dti-yn-${code}`, value, "data-value-for": code, "data-focus": `${code}:yn${value}`, disabled,
          checked: current === value || undefined,
          onchange: () => setTyped(code, "value", value),
        }), h("span", {}, label));
      return h("div", { class: "dti-yesno", role: "radiogroup", "aria-label": nodeName(node) },
        radio("1", t("dti.yes")), radio("0", t("dti.no")));
    }
    const input = h("input", {
      type: "text", class: "dti-input", inputmode: kind === "count" ? "numeric" : "decimal", autocomplete: "off",
      "data-value-for": code, "data-focus": `${code}:value`, value: rawValue(code), disabled,
      "aria-label": `${code} ${nodeName(node)}`, "aria-invalid": fieldErrors.has(code) ? "true" : null,
      oninput: (event) => setTyped(code, "value", event.target.value),
    });
    const suffix = kind === "ratio" ? "%" : kind === "judgement" ? t("dti.form.ofMax", { max: pointsText(node.maxPoints, { fixed: false }) }) : null;
    return h("span", { class: "dti-input-wrap" }, input, suffix ? h("span", { class: "dti-input-suffix" }, suffix) : null);
  }

  function measuredBox(node, m) {
    if (!m) return null;
    const hasValue = typeof m.value === "number";
    return h("div", { class: "dti-measured" },
      h("p", { class: "dti-measured-figure" },
        h("span", { class: "badge badge-soon" }, t("dti.measured.badge")), " ",
        hasValue
          ? h("strong", {}, t("dti.percent", { value: formatNumber(m.value, { maximumFractionDigits: 2 }) }))
          : h("strong", {}, t("dti.measured.none")),
        typeof m.denominator === "number"
          ? h("span", { class: "muted" }, ` ${t("dti.measured.counts", { numerator: formatNumber(m.numerator ?? 0), denominator: formatNumber(m.denominator) })}`)
          : null),
      h("p", { class: "dti-measured-definition" }, localized(m.definition)),
      h("p", { class: "muted" }, t("dti.measured.period", { period: periodText(m.period) })));
  }

  function overrideBox(node, o) {
    if (!o) return null;
    const own = res.data?.values?.[node.code];
    const proposed = node.measure ? null : methodPoints(node.method, own, node.maxPoints ?? 0);
    return h("div", { class: "dti-override" },
      h("p", {}, h("strong", {}, t("dti.review.adjustedTo", { points: pointsText(o.points, { fixed: false }) })),
        proposed != null ? h("span", { class: "muted" }, ` ${t("dti.review.fromOwn", { points: pointsText(proposed, { fixed: false }) })}`) : null),
      h("p", { class: "dti-override-reason" }, o.reason),
      h("p", { class: "muted" }, t("dti.review.by", { by: o.by || EMPTY, at: formatDateTime(o.at) })));
  }

  function filesList(node, files) {
    if (!files.length) return h("p", { class: "muted dti-files-empty" }, t("dti.file.none"));
    return h("ul", { class: "dti-files" }, files.map((file) => h("li", { class: "dti-evidence-file", dataset: { id: file.id } },
      h("a", { href: `/api/v1/dti/evidence/${encodeURIComponent(file.id)}`, download: file.filename }, file.filename),
      h("span", { class: "muted" }, ` ${fileSize(file.size)}`),
      file.isPublic ? h("span", { class: "badge badge-ok dti-public-badge" }, t("dti.file.public")) : null,
      editable()
        ? h("button", { type: "button", class: "btn btn-ghost dti-file-remove", disabled: busy || undefined, onclick: () => removeFile(file) }, t("dti.file.remove"))
        : null)));
  }

  function uploader(node) {
    const code = node.code;
    const id = `dti-file-${code.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const publicBox = h("input", { type: "checkbox", class: "dti-file-public", "data-criterion": code, id: `${id}-public` });
    const input = h("input", {
      type: "file", id, class: "visually-hidden ps-file-input dti-file-input", "data-criterion": code, accept: EVIDENCE_ACCEPT,
      disabled: busy || undefined,
      onchange: (event) => uploadFile(code, event.target.files?.[0], publicBox.checked),
    });
    return h("div", { class: "dti-uploader" },
      input, h("label", { for: id, class: "btn btn-secondary dti-upload-button" }, uploadIcon(), h("span", {}, t("dti.file.add"))),
      h("label", { class: "dti-check", for: `${id}-public` }, publicBox, h("span", {}, t("dti.file.makePublic"))),
      h("p", { class: "ps-note" }, t("dti.file.hint")));
  }

  function leafNote(code) {
    const note = leafNotes.get(code);
    if (!note) return null;
    const cls = { ok: "alert alert-ok", error: "alert alert-error", busy: "dti-busy" }[note.kind] || "";
    return h("p", { class: `dti-leaf-note ${cls}`, role: note.kind === "error" ? "alert" : "status" }, note.text);
  }

  function evidencePart(node) {
    const data = res.data;
    const code = node.code;
    if (node.measure) {
      // IOC's figure above is the evidence; what the framework says of it, if anything, below.
      return node.evidence ? h("p", { class: "dti-evidence-need" }, h("strong", {}, t("dti.form.evidenceNeeded")), " ", localized(node.evidence, node.evidenceEn)) : null;
    }
    const files = (data.evidence || []).filter((e) => e.criterion === code);
    const note = rawText(code, "note", data.notes?.[code] || "");
    const links = rawText(code, "links", (data.links?.[code] || []).join("\n"));
    const missing = (data.missingEvidence || []).includes(code);
    const counts = [
      files.length ? t("dti.file.count", { count: formatNumber(files.length) }) : null,
      (data.links?.[code] || []).length ? t("dti.links.count", { count: formatNumber(data.links[code].length) }) : null,
      data.notes?.[code] ? t("dti.note.has") : null,
    ].filter(Boolean);
    const details = h("details", { class: "dti-leaf-more", open: openLeaves.has(code) || fieldErrors.has(code) || undefined },
      h("summary", {},
        h("span", {}, t("dti.form.evidence")),
        counts.length ? h("span", { class: "muted" }, ` · ${counts.join(" · ")}`) : null,
        missing ? h("span", { class: "badge badge-bad dti-missing-badge" }, t("dti.form.missingEvidence")) : null),
      node.evidence ? h("p", { class: "dti-evidence-need" }, h("strong", {}, t("dti.form.evidenceNeeded")), " ", localized(node.evidence, node.evidenceEn)) : null,
      h("div", { class: "dti-leaf-grid" },
        h("div", { class: "field" },
          h("label", { for: `dti-note-${code}` }, t("dti.note.label")),
          editable()
            ? h("textarea", {
              id: `dti-note-${code}`, class: "dti-note-input", "data-criterion": code, "data-focus": `${code}:note`, rows: 3, maxlength: 4000,
              disabled: busy || undefined, oninput: (event) => setTyped(code, "note", event.target.value),
            }, note)
            : h("p", { id: `dti-note-${code}`, class: "dti-readonly" }, note || EMPTY)),
        h("div", { class: "field" },
          h("label", { for: `dti-links-${code}` }, t("dti.links.label")),
          editable()
            ? h("textarea", {
              id: `dti-links-${code}`, class: "dti-links-input", "data-criterion": code, "data-focus": `${code}:links`, rows: 3,
              placeholder: "https://", disabled: busy || undefined, oninput: (event) => setTyped(code, "links", event.target.value),
            }, links)
            : h("ul", { id: `dti-links-${code}`, class: "dti-links" }, (data.links?.[code] || []).length
              ? data.links[code].map((url) => h("li", {}, h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url)))
              : h("li", { class: "muted" }, EMPTY))),
        h("div", { class: "dti-files-field" },
          h("span", { class: "ps-field-label" }, t("dti.file.label")),
          filesList(node, files),
          editable() ? uploader(node) : null)));
    details.addEventListener("toggle", () => {
      if (details.open) openLeaves.add(code);
      else openLeaves.delete(code);
    });
    return details;
  }

  function rawText(code, field, stored) {
    const entry = typed.get(code);
    return entry && field in entry ? entry[field] : stored;
  }

  function adjustForm(node) {
    const o = res.data.overrides?.[node.code];
    const current = o ? o.points : res.data.points?.[node.code];
    return h("div", { class: "dti-adjust-form" },
      h("div", { class: "field" },
        h("label", { for: "dti-adjust-points" }, t("dti.review.points", { max: pointsText(node.maxPoints, { fixed: false }) })),
        h("input", { id: "dti-adjust-points", type: "text", inputmode: "decimal", autocomplete: "off", value: inputText(current), disabled: busy || undefined })),
      h("div", { class: "field dti-adjust-reason" },
        h("label", { for: "dti-adjust-reason" }, t("dti.review.reason")),
        h("textarea", { id: "dti-adjust-reason", rows: 2, maxlength: 2000, disabled: busy || undefined })),
      h("div", { class: "form-actions" },
        h("button", { type: "button", class: "btn btn-primary", id: "dti-adjust-save", disabled: busy || undefined, onclick: () => saveAdjustment(node) },
          res.data.canReview ? t("dti.review.save") : t("dti.review.correct")),
        h("button", { type: "button", class: "btn btn-ghost", onclick: () => {
          adjusting = null;
          render();
        } }, t("dti.cancel"))));
  }

  function leaf(node, all) {
    const data = res.data;
    const code = node.code;
    const measured = data.measured?.[code];
    const override = data.overrides?.[code];
    const error = fieldErrors.get(code);
    const input = editable() && !node.measure && !override;
    return h("div", {
      class: "dti-leaf", dataset: {
        criterion: code, method: node.method?.kind || "", measured: node.measure ? "1" : "0", adjusted: override ? "1" : "0",
        missing: (data.missingEvidence || []).includes(code) ? "1" : "0",
      },
    },
    h("div", { class: "dti-leaf-head" },
      h("span", { class: "dti-leaf-code mono" }, code),
      h("div", { class: "dti-leaf-title" },
        h("span", { class: "dti-leaf-name" }, nodeName(node)),
        h("span", { class: "dti-leaf-method" }, methodText(node))),
      h("div", { class: "dti-leaf-value" },
        input ? valueInput(node) : node.measure ? null : h("span", { class: "dti-value-shown" }, valueShown(node, data.values?.[code]))),
      h("div", { class: "dti-leaf-points", dataset: { criterion: code } },
        h("span", { class: "dti-leaf-score" },
          live(code, "dti-points-live", pointsText(all[code], { fixed: false })),
          h("span", { class: "muted" }, ` / ${pointsText(node.maxPoints, { fixed: false })}`)),
        adjustable() && adjusting !== code
          ? h("button", {
            type: "button", class: "btn btn-secondary dti-adjust", dataset: { criterion: code }, disabled: busy || undefined,
            onclick: () => {
              adjusting = code;
              leafNotes.delete(code);
              render();
              element.querySelector("#dti-adjust-points")?.focus();
            },
          }, data.canReview ? t("dti.review.adjust") : t("dti.review.correction"))
          : null)),
    h("p", { class: "dti-leaf-error", role: "alert" }, error || ""),
    measuredBox(node, measured),
    overrideBox(node, override),
    adjusting === code ? adjustForm(node) : null,
    leafNote(code),
    evidencePart(node));
  }

  function branch(node, depth, all) {
    const details = h("details", {
      class: "dti-node", dataset: { node: node.code, depth: String(depth) }, open: !closedNodes.has(node.code) || undefined,
    },
    h("summary", { class: "dti-node-head" },
      h("span", { class: "dti-node-code mono" }, node.code),
      h("span", { class: "dti-node-name" }, nodeName(node)),
      h("span", { class: "dti-node-points" },
        live(node.code, "dti-points-live", pointsText(all[node.code], { fixed: false })),
        h("span", { class: "muted" }, ` / ${pointsText(dti.detail()?.maxima?.[node.code], { fixed: false })}`))),
    h("div", { class: "dti-node-body" }, (node.children || []).map((child) => (isLeaf(child) ? leaf(child, all) : branch(child, depth + 1, all)))));
    details.addEventListener("toggle", () => {
      if (details.open) closedNodes.delete(node.code);
      else closedNodes.add(node.code);
    });
    return details;
  }

  function head(totalsNow) {
    const data = res.data;
    const { total, max, value } = totalsNow;
    const levels = dti.detail()?.framework?.levels;
    return h("section", { class: "card dti-editor-head" },
      h("div", { class: "dti-editor-title" },
        h("h2", {}, agencyLabel(data.agency)),
        statusBadge(data.status),
        data.submittedAt ? h("span", { class: "muted" }, t("dti.form.submittedAt", { at: formatDateTime(data.submittedAt) })) : null),
      h("dl", { class: "dti-editor-figures" },
        h("div", {}, h("dt", {}, t("dti.col.points")), h("dd", { id: "dti-total" }, live("#total", "", t("dti.form.totalOf", { points: pointsText(total), max: pointsText(max, { fixed: false }) })))),
        h("div", {}, h("dt", {}, t("dti.col.value")), h("dd", { class: "dti-value" }, live("#value", "", valueText(value)))),
        h("div", {}, h("dt", {}, t("dti.col.level")), h("dd", {}, live("#level", "", levelChip(levelFor(levels, value), dti.tones())))),
        h("div", {}, h("dt", {}, t("dti.form.missingCount")),
          h("dd", { class: (data.missingEvidence || []).length ? "ps-bad" : "" }, formatNumber((data.missingEvidence || []).length)))),
      editable() ? h("p", { class: "ps-note" }, t("dti.form.help")) : null,
      !editable() && mode === "self" && data.frameworkStatus === "open" && data.status !== "draft"
        ? h("p", { class: "ps-note" }, t("dti.form.locked")) : null);
  }

  function reviewSummary() {
    const data = res.data;
    const overrides = Object.entries(data.overrides || {});
    if (!overrides.length && !data.answer && !data.canAnswer) return null;
    return h("section", { class: "card dti-review-summary", id: "dti-review-summary" },
      h("h3", {}, t("dti.review.summary", { count: formatNumber(overrides.length) })),
      overrides.length
        ? h("ul", { class: "dti-adjustments" }, overrides.map(([code, o]) => h("li", { dataset: { criterion: code } },
          h("strong", { class: "mono" }, code), " ", nodeName(nodeByCode.get(code)), ": ",
          h("strong", {}, t("dti.review.adjustedTo", { points: pointsText(o.points, { fixed: false }) })), " — ", o.reason,
          h("span", { class: "muted" }, ` (${t("dti.review.by", { by: o.by || EMPTY, at: formatDateTime(o.at) })})`))))
        : null,
      data.answer
        ? h("div", { class: "dti-answer", id: "dti-answer" },
          h("h4", {}, t("dti.answer.title", { at: formatDateTime(data.answeredAt) })),
          h("p", {}, data.answer))
        : null,
      mode === "self" && data.canAnswer
        ? h("div", { class: "dti-answer-form" },
          h("div", { class: "field" },
            h("label", { for: "dti-answer-text" }, t("dti.answer.label")),
            h("textarea", {
              id: "dti-answer-text", rows: 4, maxlength: 4000, "data-focus": "answer", disabled: busy || undefined,
              oninput: (event) => {
                answerText = event.target.value;
              },
            }, answerText)),
          h("p", { class: "ps-note" }, t("dti.answer.once")),
          h("div", { class: "form-actions" },
            h("button", { type: "button", class: "btn btn-primary", id: "dti-answer-send", disabled: busy || undefined, onclick: sendAnswer }, t("dti.answer.send"))))
        : null);
  }

  function actions() {
    if (!editable()) return null;
    const dirty = [...typed.values()].some((entry) => Object.keys(entry).length);
    return h("div", { class: "dti-actions" },
      h("span", { class: "dti-actions-total" }, live("#total-bar", "", "")),
      h("span", { class: "dti-unsaved badge badge-warn", hidden: !dirty || undefined }, t("dti.form.unsaved")),
      h("span", { class: "dti-actions-space" }),
      h("button", { type: "submit", class: "btn btn-secondary", id: "dti-save", disabled: busy || undefined }, t("dti.form.save")),
      h("button", { type: "button", class: "btn btn-primary", id: "dti-submit", disabled: busy || undefined, onclick: submit }, t("dti.form.submit")));
  }

  function messageBox() {
    return h("div", { id: "dti-form-message", role: message?.kind === "error" ? "alert" : "status" },
      message ? h("p", { class: `alert ${message.kind === "error" ? "alert-error" : "alert-ok"}` }, message.text) : null);
  }

  /** Re-renders, keeping the focus (and the caret) in the field the user was in. */
  function render() {
    if (dti.removed) return;
    const active = document.activeElement;
    const focusKey = element.contains(active) ? active.getAttribute("data-focus") || (active.id ? `#${active.id}` : null) : null;
    const caret = focusKey && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
    const adjustDraft = adjusting ? {
      points: element.querySelector("#dti-adjust-points")?.value, reason: element.querySelector("#dti-adjust-reason")?.value,
    } : null;
    draw();
    if (adjustDraft) {
      const points = element.querySelector("#dti-adjust-points");
      const reason = element.querySelector("#dti-adjust-reason");
      if (points && adjustDraft.points != null) points.value = adjustDraft.points;
      if (reason && adjustDraft.reason != null) reason.value = adjustDraft.reason;
    }
    if (focusKey) {
      const target = focusKey.startsWith("#")
        ? element.querySelector(focusKey.replace(/^#(.*)$/, (_, id) => `#${CSS.escape(id)}`))
        : element.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`);
      if (target && !target.disabled) {
        target.focus({ preventScroll: true });
        if (caret) {
          try {
            target.setSelectionRange(...caret);
          } catch {
            // Not a text field.
          }
        }
      }
    }
  }

  function draw() {
    liveEls.clear();
    element.dataset.status = res.data?.status || "";
    if (res.error) {
      setChildren(element, errorBox(res.error));
      return;
    }
    const detail = dti.detail();
    if (!res.data || !detail) {
      setChildren(element, res.key ? loadingLine() : null);
      return;
    }
    nodeByCode = new Map();
    const index = (nodes) => {
      for (const node of nodes || []) {
        nodeByCode.set(node.code, node);
        index(node.children);
      }
    };
    index(detail.framework?.criteria);
    const totalsNow = totals();
    const tree = (detail.framework?.criteria || []).map((node) => (isLeaf(node) ? leaf(node, totalsNow.all) : branch(node, 1, totalsNow.all)));
    const folding = h("div", { class: "dti-fold" },
      h("button", { type: "button", class: "btn btn-ghost", onclick: () => fold(false) }, t("dti.form.expandAll")),
      h("button", { type: "button", class: "btn btn-ghost", onclick: () => fold(true) }, t("dti.form.collapseAll")));
    const form = h("form", { id: mode === "self" ? "dti-form" : "dti-review-form", class: "dti-form", novalidate: true },
      folding, tree, actions());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!busy) save();
    });
    setChildren(element, head(totalsNow), reviewSummary(), messageBox(), form);
    updatePoints();
  }

  function fold(close) {
    for (const code of nodeByCode.keys()) {
      if (isLeaf(nodeByCode.get(code))) continue;
      if (close) closedNodes.add(code);
      else closedNodes.delete(code);
    }
    render();
  }

  return {
    element, show, render,
    agency,
    data: () => res.data,
    /** Whether the caller typed something not saved yet. */
    dirty: () => [...typed.values()].some((entry) => Object.keys(entry).length),
    /** A live change of this agency's assessment: read it again (what is typed stays). */
    refresh() {
      if (res.key && !busy) show(agency(), true);
    },
  };
}

/** The tab "Tự đánh giá": the agency's own assessment (admins pick any agency). */
export function create(dti) {
  const { state, user, role } = dti;
  const panel = dti.panels.get("assessment");
  const pickerLabel = h("label", { for: "dti-assess-agency" });
  const picker = h("select", { id: "dti-assess-agency" });
  picker.addEventListener("change", () => {
    state.agency = picker.value;
    dti.writeLocation();
    load(false);
  });
  const pickerBox = h("div", { class: "ps-filters", hidden: true }, h("div", { class: "field" }, pickerLabel, picker));
  const note = h("div", {});
  const editor = createEditor(dti, { mode: "self", onChanged: () => dti.dataChanged() });
  panel.append(pickerBox, note, editor.element);

  /** The agencies the user may enter for: admins any; officers of the assessing agency their own; others the list. */
  function choices() {
    const list = dti.shared.assessments.key === state.fw ? dti.shared.assessments.data?.items || [] : [];
    if (role === "admin") return list;
    if (dti.canReview()) return list.filter((item) => item.agency?.code === user?.agency?.code);
    return list;
  }

  function current(items) {
    const codes = items.map((item) => item.agency?.code);
    if (codes.includes(state.agency)) return state.agency;
    if (codes.includes(user?.agency?.code)) return user.agency.code;
    return codes[0] || "";
  }

  function load(force, { live = [], resync = false } = {}) {
    dti.need("detail");
    dti.need("assessments", force);
    const items = choices();
    const code = current(items);
    if (code) {
      if (live.includes(code) || resync) editor.refresh();
      else editor.show(code, force);
    }
    render();
  }

  function render() {
    if (dti.removed) return;
    pickerLabel.textContent = t("dti.form.agency");
    const res = dti.shared.assessments;
    if (res.key === state.fw && res.error) {
      pickerBox.hidden = true;
      setChildren(note, errorBox(res.error));
      return;
    }
    const items = choices();
    if (res.key !== state.fw || !res.data) {
      setChildren(note, loadingLine());
      return;
    }
    if (!items.length) {
      pickerBox.hidden = true;
      setChildren(note, h("p", { class: "dti-note" }, t("dti.form.notAssessed")));
      editor.show("");
      return;
    }
    setChildren(note);
    const code = current(items);
    pickerBox.hidden = items.length < 2;
    setChildren(picker, items.map((item) => h("option", { value: item.agency.code }, `${agencyLabel(item.agency)} — ${t(`dti.status.${item.status}`)}`)));
    picker.value = code;
    if (editor.agency() !== code || !editor.data()) editor.show(code);
    else editor.render();
  }

  return { load, render, relabel: render };
}
