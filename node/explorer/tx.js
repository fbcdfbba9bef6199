// The transaction page: the action in words, its signers, the receipt, and
// its inclusion proof and block attestations verified in this browser.
import { t } from "./i18n.js";
import { h, card, kv, table, link, short, instant, withheld, isWithheld } from "./fmt.js";
import * as api from "./api.js";
import { verifyTransaction, ed25519Verify, hexToBytes } from "./verify.js";
import { describe, fieldLabel, fieldValue } from "./describe.js";

export async function txPage(id) {
  const txv = await api.get("/v1/txs/" + id + "?wait=0");
  if (txv.status === "PENDING") {
    return [h("h1", {}, t("tx.title") + " " + short(id, 16)), card(h("p", { class: "withheld" }, t("tx.pending")))];
  }
  const [block, atts, vals] = await Promise.all([
    api.get("/v1/blocks/" + txv.height),
    api.getOrNull("/v1/blocks/" + txv.height + "/attestations").catch(() => null),
    api.get("/v1/validators"),
  ]);
  const result = await verifyTransaction(txv, block, atts, vals);

  const verdictCls = result.verdict === "verified" ? "ok" : result.verdict === "not_verified" ? "bad" : "pending";
  const verdictText = { verified: "✓ " + t("v.verified"), not_verified: "✗ " + t("v.notVerified"),
    pending: t("v.pending"), unverifiable: t("v.unverifiable") }[result.verdict];
  const why = result.steps.filter((s) => s.ok !== true).map((s) => t(s.key) + ": " + s.detail).join("; ");
  const verification = card(h("h2", {}, t("v.title")),
    h("div", { class: "verdict " + verdictCls, id: "verdict", "data-verdict": result.verdict },
      verdictText, why && result.verdict !== "verified" ? h("div", { class: "muted" }, why) : null),
    h("ul", { class: "steps" }, result.steps.map((s) => h("li", { "data-step": s.key },
      s.ok === true ? h("span", { class: "ok" }, "✓ ") : s.ok === false ? h("span", { class: "bad" }, "✗ ") : h("span", { class: "muted" }, "… "),
      t(s.key), h("span", { class: "muted mono" }, " " + s.detail)))),
    h("p", { class: result.source === "pinned" ? "muted" : "withheld", id: "trust-source" },
      result.source === "pinned" ? t("v.fromPinned") : t("v.fromNode"), " ", link("#/trust", t("tr.title"))));

  const d = txv.body ? describe(txv.body) : null;
  const rc = txv.receipt_code || txv.receipt?.code || "";
  const summary = card(kv([
    [t("tx.id"), h("span", { class: "mono" }, txv.tx_id)],
    [t("tx.action"), d ? h("strong", { id: "tx-title" }, d.title)
      : txv.action ? (t("act." + txv.action) !== "act." + txv.action ? t("act." + txv.action) : txv.action) : withheld()],
    [t("tx.block"), link("#/block/" + txv.height, String(txv.height))],
    [t("tx.index"), String(txv.index || 0)],
    [t("tx.time"), instant(txv.block_time_ms)],
    [t("tx.result"), rc ? h("span", { class: rc === "OK" ? "ok" : "bad", id: "result-code" }, rc) : withheld()],
    [t("tx.rule"), txv.receipt?.rule || (isWithheld(txv, "receipt.rule") || !txv.receipt ? withheld() : "—")],
    [t("tx.message"), txv.receipt?.message || (isWithheld(txv, "receipt.message") || !txv.receipt ? withheld() : "—")],
  ]));

  const grounds = (txv.receipt?.grounds || []);
  const groundsCard = grounds.length ? card(h("h2", {}, t("tx.grounds")), h("ul", { id: "grounds" }, grounds.map((g) => h("li", {}, g)))) : null;

  let signers = null;
  if (txv.tx?.signatures?.length) {
    const body = hexToBytes(txv.tx.body);
    const rows = await Promise.all(txv.tx.signatures.map(async (s) => {
      const acct = await api.getOrNull("/v1/accounts/" + s.public_key).catch(() => null);
      let ok = false;
      try { ok = await ed25519Verify(hexToBytes(s.public_key), hexToBytes(s.signature), body); } catch (e) { ok = false; }
      return [acct?.org_id ? link("#/org/" + acct.org_id, acct.org_id) : "?", (acct?.roles || []).join(", "),
        h("span", { class: "mono" }, short(s.public_key, 16)), ok ? h("span", { class: "ok" }, "✓") : h("span", { class: "bad" }, "✗")];
    }));
    signers = card(h("h2", {}, t("tx.signers")), table([t("si.org"), t("si.roles"), t("tx.key"), t("tx.sigValid")], rows));
  } else {
    signers = card(h("h2", {}, t("tx.signers")), withheld());
  }

  const fields = d ? card(h("h2", {}, t("tx.fields")), kv(d.fields)) : null;
  const events = (txv.receipt?.events || []).length ? card(h("h2", {}, t("tx.events")),
    table([t("tx.event"), t("tx.attrs")], txv.receipt.events.map((e) => [e.type || e.name || "",
      (e.attributes || e.attrs || []).map((a) => (a.key || a.name) + "=" + a.value).join(", ") || JSON.stringify(e)]))) : null;
  const note = txv.view ? card(h("p", { class: "withheld", id: "cut-note" }, t("tx.cut"), " ", (txv.redacted || []).join(", "))) : null;

  return [h("h1", {}, t("tx.title") + " " + short(txv.tx_id, 16)), note, summary, verification, groundsCard, signers, fields, events]
    .filter(Boolean);
}
