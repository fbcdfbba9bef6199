// Chain pages: the node and its validators, recent blocks and throughput,
// the block list and one block with its attestations checked here.
import { t } from "./i18n.js";
import { h, card, kv, table, tile, link, short, instant, instantMs, num } from "./fmt.js";
import * as api from "./api.js";
import { validatorSet, checkAttestations, sha256, hexToBytes, bytesToHex, pinnedGenesis } from "./verify.js";

export function attBadge(a) {
  if (!a) return "";
  const cls = a.attested ? "badge ok" : "badge";
  return h("span", { class: cls, title: (a.signed_by || []).join(", ") },
    (a.attested ? t("b.attested") : t("b.notYet")) + " " + (a.signatures || 0) + "/" + (a.validators || 0));
}

// Committed transactions per minute over the given blocks: [{minute, txs}].
export function txPerMinute(blocks) {
  const per = new Map();
  for (const b of blocks) {
    const ms = instantMs(b.header?.time_ms);
    if (Number.isNaN(ms)) continue;
    const minute = Math.floor(ms / 60000) * 60000;
    per.set(minute, (per.get(minute) || 0) + Number(b.header?.tx_count || 0));
  }
  const keys = [...per.keys()].sort((a, b) => a - b);
  if (!keys.length) return [];
  const out = [];
  for (let m = keys[0]; m <= keys[keys.length - 1]; m += 60000) out.push({ minute: m, txs: per.get(m) || 0 });
  return out.slice(-60);
}

export function barChart(canvas, labels, datasets, opts = {}) {
  if (!window.Chart) { canvas.replaceWith(h("p", { class: "error" }, "Chart.js")); return null; }
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: datasets.length > 1 } } }, opts),
  });
}

export async function chainPage() {
  const [status, vals, list] = await Promise.all([
    api.get("/v1/status"), api.get("/v1/validators"), api.get("/v1/blocks"),
  ]);
  const blocks = (list.blocks || []).slice().sort((a, b) => Number(b.height) - Number(a.height));
  const perMin = txPerMinute(blocks);
  const last = perMin.length ? perMin[perMin.length - 1].txs : 0;
  const total = blocks.reduce((s, b) => s + Number(b.header?.tx_count || 0), 0);
  const spanMin = blocks.length > 1
    ? (instantMs(blocks[0].header.time_ms) - instantMs(blocks[blocks.length - 1].header.time_ms)) / 60000 : 0;
  const rate = spanMin > 0 ? (total / spanMin).toFixed(1) : String(total);

  const tiles = h("div", { class: "tiles" },
    tile(t("c.height"), num(status.height)),
    tile(t("c.leader"), status.leader || "—"),
    tile(t("c.term"), num(status.term)),
    tile(t("c.rate"), rate));

  // Roles and lag: the leader measures every peer's lag; a follower knows
  // only itself, and says so.
  const peers = new Map((status.peers || []).map((p) => [p.node_id, p]));
  const rows = (vals.validators || []).map((v) => {
    const p = peers.get(v.node_id);
    const isSelf = v.node_id === status.node_id;
    const raft = v.node_id === status.leader ? t("role.leader") : (v.role === "VALIDATOR_LEARNER" ? t("role.learner") : t("role.follower"));
    let lag = "—";
    if (v.node_id === status.leader) lag = "0";
    else if (p && status.role === "LEADER") lag = num(p.lag) + (p.connected ? "" : " (" + t("c.down") + ")");
    else if (isSelf) lag = num(Number(status.commit_index) - Number(status.applied_index));
    return [h("span", {}, v.node_id, isSelf ? h("span", { class: "muted" }, " (" + t("c.thisNode") + ")") : ""),
      v.org_id, raft, t(v.role === "VALIDATOR_LEARNER" ? "role.learnerVote" : "role.voter"), lag];
  });
  const nodes = card(h("h2", {}, t("c.nodes")),
    table([t("c.node"), t("c.org"), t("c.raft"), t("c.vote"), t("c.lag")], rows, [4]),
    status.role === "LEADER" ? null : h("p", { class: "muted" }, t("c.lagNote")));

  const canvas = h("canvas", { id: "tpm", "aria-label": t("c.tpm") });
  const chartCard = card(h("h2", {}, t("c.tpm")), h("div", { class: "chart" }, canvas));

  const recentBlocks = blocks.slice(0, 12);
  const recent = card(h("h2", {}, t("c.recent"), " ", link("#/blocks", t("c.all"))), blockTable(recentBlocks));
  // Attestation status of recent blocks, checked here from the header bytes
  // and the validators' signatures (not the node's own verdict).
  const badges = recent.querySelectorAll("[data-att]");
  Promise.all(recentBlocks.map(async (b, i) => {
    const atts = await api.get("/v1/blocks/" + b.height + "/attestations");
    const hash = bytesToHex(await sha256(hexToBytes(b.header_hex)));
    const set = validatorSet(vals, b.height);
    const res = await checkAttestations(set.chain_id || b.header.chain_id, b.height, hash, atts, set);
    badges[i].replaceChildren(verifiedBadge(res));
  })).catch(() => {});

  const out = [h("h1", {}, t("c.title") + " · " + status.chain_id), tiles, nodes, chartCard, recent];
  queueMicrotask(() => barChart(canvas, perMin.map((p) => instant(new Date(p.minute).toISOString()).slice(11, 16)),
    [{ label: t("c.tpm"), data: perMin.map((p) => p.txs), backgroundColor: "#1d4e89" }]));
  return out;
}

function verifiedBadge(res) {
  const cls = res.ok === true ? "badge ok" : res.ok === false ? "badge bad" : "badge";
  const word = res.ok === true ? "✓ " + t("b.attested") : res.ok === false ? "✗ " + t("v.notVerified") : t("b.notYet");
  return h("span", { class: cls, title: res.detail }, word + " " + res.signed_by.length + "/" + res.voters);
}

function blockTable(blocks) {
  return table([t("b.height"), t("b.time"), t("b.txs"), h("span", { class: "hide-narrow" }, t("b.proposer")), t("b.att")],
    blocks.map((b) => [link("#/block/" + b.height, String(b.height)), instant(b.header?.time_ms),
      String(b.header?.tx_count || 0), h("span", { class: "hide-narrow" }, b.header?.proposer_id || ""),
      b.attestation ? attBadge(b.attestation) : h("span", { "data-att": b.height, class: "muted" }, "…")]),
    [0, 2]);
}

export async function blocksPage(q) {
  const to = q.get("to");
  const list = await api.get("/v1/blocks" + (to ? "?from=" + Math.max(1, Number(to) - 49) + "&to=" + to : ""));
  const blocks = (list.blocks || []).slice().sort((a, b) => Number(b.height) - Number(a.height));
  const lowest = blocks.length ? Number(blocks[blocks.length - 1].height) : 0;
  return [h("h1", {}, t("b.list")), card(blockTable(blocks),
    lowest > 1 ? h("p", {}, link("#/blocks?to=" + (lowest - 1), t("b.older"))) : null)];
}

export async function blockPage(id) {
  const b = await api.get("/v1/blocks/" + id);
  const hdr = b.header || {};
  const [atts, vals] = await Promise.all([
    api.getOrNull("/v1/blocks/" + b.height + "/attestations").catch(() => null),
    api.get("/v1/validators"),
  ]);
  // The header's bytes hash to the block hash the validators sign.
  const computed = b.header_hex ? bytesToHex(await sha256(hexToBytes(b.header_hex))) : "";
  const set = validatorSet(vals, b.height);
  const res = await checkAttestations(set.chain_id || hdr.chain_id, b.height, computed, atts, set);
  const sigRows = set.validators.filter((v) => v.voter).map((v) => {
    const a = (atts?.attestations || []).find((x) => x.validator_id === v.node_id);
    const good = res.signed_by.includes(v.node_id);
    return [v.node_id, a ? (good ? h("span", { class: "ok" }, "✓ " + t("b.sigOk")) : h("span", { class: "bad" }, "✗ " + t("b.sigBad")))
      : h("span", { class: "muted" }, t("b.noSig")), a ? h("span", { class: "mono" }, short(a.state_root, 16)) : ""];
  });
  const verdict = res.ok === true ? h("div", { class: "verdict ok", id: "att-verdict" }, "✓ " + t("b.attVerified"))
    : res.ok === null ? h("div", { class: "verdict pending", id: "att-verdict" }, t("b.attPending"))
      : h("div", { class: "verdict bad", id: "att-verdict" }, "✗ " + t("v.notVerified") + ": " + res.detail);
  const hashOk = computed === b.hash;
  return [
    h("h1", {}, t("b.block") + " " + b.height),
    card(kv([
      [t("b.hash"), h("span", { class: "mono" }, b.hash, " ", hashOk ? h("span", { class: "ok" }, "✓ sha256(header)") : h("span", { class: "bad" }, "✗ sha256(header) = " + computed))],
      [t("b.time"), instant(hdr.time_ms)],
      [t("b.proposer"), hdr.proposer_id],
      [t("b.prev"), hdr.prev_hash ? link("#/block/" + (Number(b.height) - 1), short(hdr.prev_hash, 16), "mono") : ""],
      [t("b.txRoot"), h("span", { class: "mono" }, hdr.tx_root || "")],
      [t("b.stateRoot"), h("span", { class: "mono" }, b.state_root || "")],
      [t("b.raft"), "term " + (hdr.raft_term || 0) + ", index " + (hdr.raft_index || 0)],
      [t("b.txs"), String(hdr.tx_count || 0)],
    ])),
    card(h("h2", {}, t("b.txList")), (b.tx_ids || []).length
      ? table(["#", t("b.txid")], b.tx_ids.map((x, i) => [String(i), link("#/tx/" + x, short(x, 24), "mono")]), [0])
      : h("p", { class: "muted" }, t("b.noTx"))),
    card(h("h2", {}, t("b.attTitle")), verdict, h("p", { class: "muted" }, set.source === "pinned" ? t("v.fromPinned") : t("v.fromNode")),
      table([t("b.validator"), t("b.signed"), t("b.stateRoot")], sigRows)),
    (b.attestations || []).length ? card(h("h2", {}, t("b.carried")),
      table([t("b.validator"), t("b.height")], b.attestations.map((a) => [a.validator_id, link("#/block/" + a.height, String(a.height))]))) : null,
  ].filter(Boolean);
}
