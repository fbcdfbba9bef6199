// The node's API, read as the signed-in reader (a bearer token from
// `pledger-wallet login --print-token`) or anonymously. Same origin only:
// the page's CSP allows no other.
const TOKEN_KEY = "pledger.token";

export function token() { return sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(tok) {
  // Kept for the tab only unless the reader asks to remember it: a token
  // stands for an account for 15 minutes.
  localStorage.removeItem(TOKEN_KEY);
  if (tok) sessionStorage.setItem(TOKEN_KEY, tok);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

// GET a JSON answer. Throws ApiError with the API's error code and message.
export async function get(path) {
  const headers = { Accept: "application/json" };
  const tok = token();
  if (tok) headers.Authorization = "Bearer " + tok;
  let r;
  try {
    r = await fetch(path, { headers, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, "NETWORK", String(e));
  }
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!r.ok) {
    const err = body && body.error;
    throw new ApiError(r.status, err ? err.code : "HTTP_" + r.status, err ? err.message : text.slice(0, 200));
  }
  if (body === null) throw new ApiError(r.status, "NOT_JSON", "the node's answer is not JSON");
  return body;
}

// The same, but null for a 404 (a thing that does not exist yet).
export async function getOrNull(path) {
  try { return await get(path); } catch (e) { if (e.status === 404) return null; throw e; }
}

// GET text as is (the genesis file, byte for byte).
export async function getText(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new ApiError(r.status, "HTTP_" + r.status, "could not read " + path);
  return r.text();
}

export const enc = encodeURIComponent;
