// Citizen report page: the draft kept in sessionStorage (the text, the place, the photos when they fit, and the
// idempotency key), so that a reload or a retry never loses the report nor creates a second one.
import { h } from "./dom.js";
import { DRAFT_KEY, DRAFT_PHOTOS_KEY, els, state, storage, takePhotoId } from "./report-common.js";
import { setLocation } from "./report-location.js";

/* ------------------------------------------------------------------ draft (sessionStorage) */

export function uuid() {
  if (window.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function ensureKey() {
  if (!state.key) state.key = uuid();
  return state.key;
}

let draftTimer = 0;

export function saveDraft() {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(writeDraft, 300);
}

export function writeDraft() {
  const store = storage();
  if (!store || state.result) return;
  const draft = {
    key: ensureKey(),
    category: els.category.value || state.pendingCategory || "",
    lat: state.location?.lat ?? null,
    lon: state.location?.lon ?? null,
    address: els.address.value,
    description: els.description.value,
    consent: els.consent.checked,
    name: els.name.value,
    phone: els.phone.value,
    email: els.email.value,
    showName: els.showName.checked,
    savedAt: new Date().toISOString(),
  };
  try {
    store.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft lives only in this page.
  }
}

export function blobToDataURL(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

export async function saveDraftPhotos() {
  const store = storage();
  if (!store || state.result) return;
  ensureKey();
  writeDraft();
  try {
    const data = await Promise.all(state.photos.map(async (p) => ({ w: p.width, h: p.height, d: await blobToDataURL(p.blob) })));
    store.setItem(DRAFT_PHOTOS_KEY, JSON.stringify(data));
  } catch {
    // Photos are large: when they do not fit, a reload keeps the text and the key but asks for the photos again.
    try { store.removeItem(DRAFT_PHOTOS_KEY); } catch { /* ignore */ }
  }
}

/** data: URL → Blob without fetch (the CSP's connect-src does not allow data: URLs). */
export function dataURLToBlob(url) {
  const match = /^data:([^;,]+);base64,(.*)$/.exec(String(url));
  if (!match) throw new Error("bad data URL");
  const binary = atob(match[2]);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: match[1] });
}

export async function restoreDraft() {
  const store = storage();
  if (!store) return false;
  let draft = null;
  try {
    draft = JSON.parse(store.getItem(DRAFT_KEY) || "null");
  } catch {
    draft = null;
  }
  if (!draft || typeof draft !== "object") return false;
  state.key = typeof draft.key === "string" && draft.key ? draft.key : null;
  state.pendingCategory = draft.category || null;
  if (draft.category) els.category.value = draft.category;
  els.address.value = draft.address || "";
  els.description.value = draft.description || "";
  els.consent.checked = Boolean(draft.consent);
  els.name.value = draft.name || "";
  els.phone.value = draft.phone || "";
  els.email.value = draft.email || "";
  els.showName.checked = Boolean(draft.showName);
  if (Number.isFinite(draft.lat) && Number.isFinite(draft.lon)) setLocation(draft.lat, draft.lon, { source: "draft" });
  try {
    const photos = JSON.parse(store.getItem(DRAFT_PHOTOS_KEY) || "[]");
    for (const p of Array.isArray(photos) ? photos : []) {
      const blob = dataURLToBlob(p.d);
      state.photos.push({ id: takePhotoId(), blob, width: p.w, height: p.h, url: URL.createObjectURL(blob) });
    }
  } catch {
    // A damaged photo draft is dropped.
  }
  const meaningful = draft.description || draft.category || Number.isFinite(draft.lat) || state.photos.length;
  return Boolean(meaningful);
}

export function clearDraft() {
  const store = storage();
  try {
    store?.removeItem(DRAFT_KEY);
    store?.removeItem(DRAFT_PHOTOS_KEY);
  } catch {
    // ignore
  }
}

export function discardDraft() {
  clearDraft();
  location.reload();
}
