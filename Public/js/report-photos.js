// Citizen report page: photos chosen or taken, redrawn in the browser (smaller, upright, without EXIF data such as the
// GPS position), shown as thumbnails that can be removed.
import { formatNumber, t } from "./i18n.js";
import { h } from "./dom.js";
import { $, els, JPEG_QUALITY, MAX_SIDE, MAX_SOURCE_BYTES, setError, state, takePhotoId } from "./report-common.js";
import { saveDraftPhotos } from "./report-draft.js";

/* ------------------------------------------------------------------ photos */

export function loadImage(blob) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.onload = () => resolve({ img, url });
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("decode"));
    };
    img.src = url;
  });
}

export function canvasBlob(canvas, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("encode"))), "image/jpeg", quality);
  });
}

/**
 * Redraws the photo on a canvas, at most MAX_SIDE px on the long side, and encodes it as JPEG: smaller uploads,
 * and the EXIF block (GPS position, phone model, time) is not carried over. Browsers apply the EXIF orientation
 * when they decode, so the picture stays upright.
 */
export async function resizePhoto(file) {
  const { img, url } = await loadImage(file);
  try {
    const width = img.naturalWidth;
    const height = img.naturalHeight;
    if (!width || !height) throw new Error("decode");
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const targetW = Math.max(1, Math.round(width * scale));
    const targetH = Math.max(1, Math.round(height * scale));
    // Halve in steps first: one big jump from 4000 px to 1600 px looks jagged.
    let source = img;
    let sw = width;
    let sh = height;
    while (sw / 2 >= targetW * 1.05) {
      const step = document.createElement("canvas");
      step.width = Math.round(sw / 2);
      step.height = Math.round(sh / 2);
      const ctx = step.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(source, 0, 0, step.width, step.height);
      source = step;
      sw = step.width;
      sh = step.height;
    }
    const canvas = document.createElement("canvas");
    canvas.width = targetW;
    canvas.height = targetH;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff"; // transparent PNG areas become white, not black
    ctx.fillRect(0, 0, targetW, targetH);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(source, 0, 0, targetW, targetH);
    let blob = await canvasBlob(canvas, JPEG_QUALITY);
    for (const quality of [0.7, 0.6, 0.5]) {
      if (blob.size <= state.limits.maxPhotoBytes) break;
      blob = await canvasBlob(canvas, quality);
    }
    if (blob.size > state.limits.maxPhotoBytes) throw new Error("too-big");
    return { blob, width: targetW, height: targetH };
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function looksLikeImage(file) {
  if (file.type) return file.type.startsWith("image/");
  return /\.(jpe?g|png|webp|gif|bmp|heic|heif|avif)$/i.test(file.name || "");
}

export async function addFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  const problems = [];
  const room = state.limits.maxPhotos - state.photos.length - state.processing;
  if (files.length > room) {
    problems.push({ key: "frp.report.photosTooMany", params: { max: state.limits.maxPhotos, skipped: files.length - Math.max(room, 0) } });
  }
  const accepted = [];
  for (const file of files) {
    if (!looksLikeImage(file)) {
      problems.push({ key: "frp.report.photoNotImage", params: { name: file.name || "?" } });
    } else if (file.size > MAX_SOURCE_BYTES) {
      problems.push({ key: "frp.report.photoTooLarge", params: { name: file.name || "?" } });
    } else if (accepted.length < room) {
      accepted.push(file);
    }
  }
  state.processing += accepted.length;
  setPhotoProblems(problems);
  renderPhotos();
  for (const file of accepted) {
    try {
      const photo = await resizePhoto(file);
      const entry = { id: takePhotoId(), ...photo, url: URL.createObjectURL(photo.blob) };
      state.photos.push(entry);
    } catch (error) {
      const key = error.message === "too-big" ? "frp.report.photoTooLarge" : "frp.report.photoUnreadable";
      problems.push({ key, params: { name: file.name || "?" } });
      setPhotoProblems(problems);
    } finally {
      state.processing -= 1;
      renderPhotos();
    }
  }
  if (!problems.length && state.errors["fr-photos-error"]) setError("fr-photos-error", null);
  saveDraftPhotos();
}

export function setPhotoProblems(problems) {
  if (!problems.length) return;
  setError("fr-photos-error", { list: [...problems] });
}

export function removePhoto(id) {
  const index = state.photos.findIndex((p) => p.id === id);
  if (index < 0) return;
  const [photo] = state.photos.splice(index, 1);
  URL.revokeObjectURL(photo.url);
  renderPhotos();
  saveDraftPhotos();
  const buttons = els.thumbs.querySelectorAll(".fr-thumb-remove");
  (buttons[Math.min(index, buttons.length - 1)] || $("fr-photos"))?.focus();
}

export function formatBytes(bytes) {
  if (bytes >= 1024 * 1024) return t("frp.bytesMB", { value: formatNumber(bytes / 1024 / 1024, { maximumFractionDigits: 1 }) });
  return t("frp.bytesKB", { value: formatNumber(Math.max(1, Math.round(bytes / 1024))) });
}

export function renderPhotos() {
  const items = state.photos.map((photo, index) => h("li", { class: "fr-thumb", dataset: { photoId: String(photo.id) } },
    h("img", { src: photo.url, alt: t("frp.report.photoAlt", { n: index + 1 }), width: 160, height: 160 }),
    h("span", { class: "fr-thumb-meta" }, t("frp.report.photoMeta", { w: photo.width, h: photo.height, size: formatBytes(photo.blob.size) })),
    h("button", {
      type: "button",
      class: "fr-thumb-remove",
      "aria-label": t("frp.report.photoRemove", { n: index + 1 }),
      title: t("frp.report.photoRemove", { n: index + 1 }),
      onclick: () => removePhoto(photo.id),
    }, "×")));
  for (let i = 0; i < state.processing; i += 1) {
    items.push(h("li", { class: "fr-thumb is-processing", "aria-busy": "true" }, h("span", { class: "fr-thumb-spinner" }), h("span", { class: "fr-thumb-meta" }, t("frp.report.photoProcessing"))));
  }
  els.thumbs.replaceChildren(...items);
  els.thumbs.hidden = items.length === 0;
  els.photosCount.textContent = t("frp.report.photosCount", { count: state.photos.length, max: state.limits.maxPhotos });
  const full = state.photos.length + state.processing >= state.limits.maxPhotos;
  for (const input of [els.photos, els.camera]) input.disabled = full || state.sending;
  document.querySelectorAll(".fr-photo-actions label").forEach((label) => label.classList.toggle("is-disabled", full));
}
