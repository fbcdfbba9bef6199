// DOM building and formatting. Pages build elements with h(), never with
// innerHTML, so nothing a node answers is ever parsed as markup.
import { t, lang } from "./i18n.js";

// h("td", {class: "num"}, "1", child, [more]) -> element. Attributes
// starting with "on" take functions; null/undefined/false children are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const link = (href, text, cls) => h("a", { href, class: cls }, text);

// A hash, an id: shortened for tables, whole in a title.
export function short(hex, n = 12) {
  if (!hex) return "";
  return hex.length > n + 2 ? hex.slice(0, n) + "…" : hex;
}

// Amounts are integer fen as decimal strings (docs/api.md): shown in yuan
// with thousands separators, exactly (BigInt, never a float).
export function yuan(fen) {
  if (fen === undefined || fen === null || fen === "") return "¥0.00";
  let v = BigInt(fen);
  const neg = v < 0n;
  if (neg) v = -v;
  const whole = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (v % 100n).toString().padStart(2, "0");
  return (neg ? "-" : "") + "¥" + whole + "." + cents;
}

// Yuan as a number for charts only (never for display of exact figures).
export const yuanNumber = (fen) => Number(BigInt(fen || 0)) / 100;

// Basis points as a percentage: 385 -> "3.85%".
export function bps(n) {
  const v = Number(n || 0);
  return (v / 100).toFixed(2).replace(/\.?0+$/, "") + "%";
}

// Dates come as ISO dates in China time already (docs/api.md).
export function date(d) {
  if (d === undefined || d === null || d === "") return "";
  return String(d).slice(0, 10);
}

// Instants: RFC 3339 in China time (+08:00); shown as "YYYY-MM-DD HH:MM:SS"
// in China time whatever the browser's zone.
export function instant(s) {
  if (!s) return "";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?\+08:00$/.exec(s);
  if (m) return m[1] + " " + m[2];
  const ms = typeof s === "number" ? s : Date.parse(s);
  if (Number.isNaN(ms)) return String(s);
  return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19).replace("T", " ");
}

// Unix ms of an RFC 3339 instant (or NaN).
export const instantMs = (s) => Date.parse(s);

// Today's date in China time, YYYY-MM-DD.
export const todayChina = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

export const num = (n) => Number(n || 0).toLocaleString(lang() === "zh" ? "zh-CN" : "en-US");

// An enum value without its prefix, in words: "PATENT_VALID" -> t("enum.PATENT_VALID") or "valid".
export function enumWord(v) {
  if (v === undefined || v === null || v === "") return "";
  const key = "enum." + v;
  const got = t(key);
  if (got !== key) return got;
  return String(v).replace(/^(PATENT_STATUS_|PATENT_|PLEDGE_|POOL_|TRANCHE_|ORG_|ROLE_|VALIDATOR_|LOAN_)/, "")
    .toLowerCase().replace(/_/g, " ");
}

// The reader's answer may be cut (docs/api.md "A cut answer says so"):
// a field named in `redacted` is shown as withheld, never as zero or empty.
export function isWithheld(answer, path) {
  return Array.isArray(answer?.redacted) && answer.redacted.includes(path);
}
export const withheld = () => h("span", { class: "withheld" }, t("withheld"));
export function field(answer, path, value, render = (x) => x) {
  if (isWithheld(answer, path)) return withheld();
  return render(value);
}

// A key/value list: rows of [label, value], skipping rows whose value is null.
export function kv(rows) {
  const dl = h("dl", { class: "kv" });
  for (const [k, v] of rows) {
    if (v === null || v === undefined) continue;
    dl.append(h("dt", {}, k), h("dd", {}, v));
  }
  return dl;
}

export function table(headers, rows, numeric = []) {
  return h("table", {},
    h("thead", {}, h("tr", {}, headers.map((x, i) => h("th", { class: numeric.includes(i) ? "num" : null }, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => h("td", { class: numeric.includes(i) ? "num" : null }, c))))));
}

export const card = (...children) => h("div", { class: "card" }, ...children);
export const tile = (k, v) => h("div", { class: "tile" }, h("div", { class: "k" }, k), h("div", { class: "v" }, v));
