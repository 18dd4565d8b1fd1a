// Fetch wrapper for the IOC JSON API: same-origin cookies, CSRF header on writes,
// RFC 9457 problem details turned into ApiError with a message in the current language.
import { getLanguage, t } from "./i18n.js";

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

function problemMessage(problem, lang = getLanguage()) {
  if (!problem) return null;
  return problem.messages?.[lang] || problem.detail || problem.title || null;
}

/** Text to show for any error thrown by `request`, in the current language. */
export function errorMessage(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    return problemMessage(error.problem) || t("error.http", { status: error.status });
  }
  return t("error.unexpected");
}

/** Sends one request; resolves to the parsed JSON body (null for 204), rejects with ApiError. */
export async function request(method, path, body) {
  const headers = { Accept: "application/json, application/problem+json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (!SAFE_METHODS.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;

  let response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    throw new ApiError(0, null, { cause });
  }

  const type = response.headers.get("Content-Type") || "";
  const isJSON = type.includes("application/json") || type.includes("+json");
  if (!response.ok) {
    const problem = isJSON ? await response.json().catch(() => null) : null;
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && unauthorizedHandler) unauthorizedHandler(error);
    throw error;
  }
  if (response.status === 204 || !isJSON) return null;
  return response.json();
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body) => request("POST", path, body),
  put: (path, body) => request("PUT", path, body),
  patch: (path, body) => request("PATCH", path, body),
  delete: (path) => request("DELETE", path),
};
