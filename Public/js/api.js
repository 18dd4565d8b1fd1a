// Every HTTP request of the web UI goes through here: same-origin cookies, CSRF header on writes,
// RFC 9457 problem details turned into ApiError with a message in the current language. Besides JSON it sends raw
// bodies (a photo, a CSV/XLSX file, a multipart form), uploads with progress, and reads files (blob downloads).
import { localized, t } from "./i18n.js";

const CSRF_STORAGE_KEY = "ioc.csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

let csrfToken = readStoredToken();
let unauthorizedHandler = null;

function readStoredToken() {
  try {
    return sessionStorage.getItem(CSRF_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Keeps the session's CSRF token (from the session response) in memory and sessionStorage. */
export function setCsrfToken(token) {
  csrfToken = token || null;
  try {
    if (csrfToken) sessionStorage.setItem(CSRF_STORAGE_KEY, csrfToken);
    else sessionStorage.removeItem(CSRF_STORAGE_KEY);
  } catch {
    // Storage unavailable: the in-memory token still works for this page.
  }
}

/** Called with the error whenever a request answers 401 (e.g. the session expired). */
export function setUnauthorizedHandler(handler) {
  unauthorizedHandler = handler;
}

/** An error answer from the API. `problem` is the problem+json body when there is one. */
export class ApiError extends Error {
  constructor(status, problem, options) {
    super(problemMessage(problem) || `HTTP ${status}`, options);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** The field the server blamed, if any. */
  get field() {
    return this.problem?.field ?? null;
  }
}

function problemMessage(problem) {
  if (!problem) return null;
  return localized(problem.messages) || problem.detail || problem.title || null;
}

/** Text to show for any error thrown by `request`, in the current language. */
export function errorMessage(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    return problemMessage(error.problem) || t("error.http", { status: error.status });
  }
  return t("error.unexpected");
}

const JSON_ACCEPT = "application/json, application/problem+json";

function isJSONType(type) {
  return type.includes("application/json") || type.includes("+json");
}

/** Request headers: Accept, Content-Type, the CSRF token on unsafe methods, then the caller's (which win). */
function requestHeaders(method, { accept = JSON_ACCEPT, contentType = null, headers = {} } = {}) {
  const all = { Accept: accept };
  if (contentType) all["Content-Type"] = contentType;
  if (!SAFE_METHODS.has(method) && csrfToken) all["X-CSRF-Token"] = csrfToken;
  return { ...all, ...headers };
}

function failed(status, problem) {
  const error = new ApiError(status, problem);
  if (status === 401 && unauthorizedHandler) unauthorizedHandler(error);
  return error;
}

function abortError() {
  const error = new Error("aborted");
  error.name = "AbortError";
  return error;
}

/** Whether `error` is the rejection of a request its caller aborted (through `signal`). */
export function isAbort(error) {
  return error?.name === "AbortError";
}

/** The file name a Content-Disposition header gives, or null. */
function dispositionFilename(disposition) {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || "");
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/**
 * Sends one request. By default `body` goes as JSON and the promise resolves to the parsed JSON answer (null for 204
 * or an answer that is not JSON) and rejects with ApiError for an error answer (401 also calls the unauthorized
 * handler), with ApiError status 0 when the server could not be reached or `timeout` ran out (`reason: "timeout"`),
 * and with an AbortError when the caller's `signal` aborted it.
 *
 * `options`:
 * - `headers`: more request headers (Idempotency-Key, X-Follow-Token, Authorization, a fresh X-CSRF-Token …)
 * - `raw`: send `body` as it is (Blob, File, ArrayBuffer, FormData, text) with `contentType` (none for FormData)
 * - `accept`: the Accept header (default JSON and problem+json)
 * - `signal`, `timeout` (ms), `cache` (fetch's cache mode)
 * - `as`: "json" (default); "blob" → `{ blob, type, filename }` (filename from Content-Disposition, or null);
 *   "answer" → `{ status, ok, body, headers }` for any HTTP answer (body: parsed JSON or null), never an ApiError
 *   but for status 0.
 */
export async function request(method, path, body, options = {}) {
  const { raw = false, contentType = null, signal, timeout = 0, cache, as = "json" } = options;
  const init = { method, credentials: "same-origin" };
  if (cache) init.cache = cache;
  let type = contentType;
  if (body !== undefined) {
    if (raw) init.body = body;
    else {
      type ??= "application/json";
      init.body = JSON.stringify(body);
    }
  }
  init.headers = requestHeaders(method, { ...options, contentType: type });

  // The caller's signal and the time-out both abort the fetch; which one did tells the error apart.
  let controller = null;
  let timer = 0;
  let timedOut = false;
  const onAbort = () => controller.abort();
  if (signal || timeout > 0) {
    controller = new AbortController();
    init.signal = controller.signal;
    if (signal?.aborted) controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeout > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeout);
    }
  }

  try {
    let response;
    try {
      response = await fetch(path, init);
    } catch (cause) {
      throw networkError(cause);
    }
    const answerType = response.headers.get("Content-Type") || "";
    const isJSON = isJSONType(answerType);
    try {
      if (as === "answer") {
        const parsed = isJSON && response.status !== 204 ? await response.json().catch(() => null) : null;
        return { status: response.status, ok: response.ok, body: parsed, headers: response.headers };
      }
      if (!response.ok) {
        const problem = isJSON ? await response.json().catch(() => null) : null;
        throw failed(response.status, problem);
      }
      if (as === "blob") {
        const blob = await response.blob();
        return { blob, type: answerType, filename: dispositionFilename(response.headers.get("Content-Disposition")) };
      }
      if (response.status === 204 || !isJSON) return null;
      return await response.json();
    } catch (cause) {
      // The body was cut off (the network, the time-out or the caller's abort while reading it).
      if (cause instanceof ApiError || cause instanceof SyntaxError) throw cause;
      throw networkError(cause);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }

  function networkError(cause) {
    if (signal?.aborted && !timedOut) return abortError();
    const error = new ApiError(0, null, { cause });
    if (timedOut) error.reason = "timeout";
    return error;
  }
}

/**
 * Sends a raw body (a file, a photo, a multipart form) with upload progress, which fetch cannot report. Same answers
 * and errors as `request` (`as`: "json" or "answer"; ApiError 0 with `reason` "network" or "timeout"; an AbortError
 * when `signal` aborts it). `onProgress(loaded, total)` follows the bytes sent; `onUploaded()` runs when the last one
 * has left (the server is working on it).
 */
export function upload(method, path, body, options = {}) {
  const { contentType = null, signal, timeout = 0, as = "json", onProgress, onUploaded } = options;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    if (timeout > 0) xhr.timeout = timeout;
    xhr.responseType = "text";
    for (const [name, value] of Object.entries(requestHeaders(method, { ...options, contentType }))) {
      xhr.setRequestHeader(name, value);
    }
    const onAbort = () => xhr.abort();
    const done = () => signal?.removeEventListener("abort", onAbort);
    const fail = (reason) => {
      done();
      if (reason === "abort") {
        reject(abortError());
        return;
      }
      const error = new ApiError(0, null);
      error.reason = reason;
      reject(error);
    };
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    });
    xhr.upload.addEventListener("load", () => onUploaded?.());
    xhr.addEventListener("load", () => {
      done();
      let parsed = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = null;
      }
      const status = xhr.status;
      const ok = status >= 200 && status < 300;
      if (as === "answer") {
        resolve({ status, ok, body: parsed, headers: { get: (name) => xhr.getResponseHeader(name) } });
      } else if (!ok) {
        reject(status === 0 ? new ApiError(0, null) : failed(status, parsed));
      } else {
        resolve(status === 204 ? null : parsed);
      }
    });
    xhr.addEventListener("error", () => fail("network"));
    xhr.addEventListener("timeout", () => fail("timeout"));
    xhr.addEventListener("abort", () => fail("abort"));
    if (signal?.aborted) {
      fail("abort");
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    xhr.send(body);
  });
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body) => request("POST", path, body),
  put: (path, body) => request("PUT", path, body),
  patch: (path, body) => request("PATCH", path, body),
  delete: (path) => request("DELETE", path),
};
