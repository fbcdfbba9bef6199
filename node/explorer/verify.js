// Verification in the browser (docs/explorer.md, docs/audit.md): a
// transaction's RFC 6962 inclusion proof up to the tx_root of the block
// header, and the validators' Ed25519 attestations of that header, with
// WebCrypto only. Nothing here trusts the node's own verdicts
// (`attestation.attested`, `proof.tx_root`): it recomputes from bytes.
//
// Bytes, exactly as the node hashes and signs them:
//   block hash     = SHA-256(header bytes)                    ledger/block.cc BlockHash
//   leaf           = SHA-256(0x00 || Transaction bytes)       ledger/merkle.cc, Block.txs
//   inner node     = SHA-256(0x01 || left || right)
//   tx id          = SHA-256(TxBody bytes)                    ledger/tx.cc TxId
//   attestation    = Ed25519 over "pledger/attestation/v1" 0x00 be16 len chain_id chain_id
//                    be16 len validator_id validator_id be64 height block_hash state_root
//                    results_root                             ledger/attestation.h
const GENESIS_KEY = "pledger.genesis";

export function hexToBytes(hex) {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new Error("not hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
export const bytesToHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function concat(...parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// ---- protobuf, the little needed: reading a header, writing an envelope.

// Fields of a message: [{no, wire, value}] in order; value is a BigInt for
// varints, a Uint8Array for length-delimited fields. Throws on bad input.
export function pbFields(bytes) {
  const out = [];
  let i = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      if (i >= bytes.length || shift > 63n) throw new Error("truncated varint");
      const b = bytes[i++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < bytes.length) {
    const key = varint();
    const no = Number(key >> 3n), wire = Number(key & 7n);
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      if (i + len > bytes.length) throw new Error("truncated field");
      out.push({ no, wire, value: bytes.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) { out.push({ no, wire, value: bytes.subarray(i, i + 8) }); i += 8; }
    else if (wire === 5) { out.push({ no, wire, value: bytes.subarray(i, i + 4) }); i += 4; }
    else throw new Error("unsupported wire type " + wire);
  }
  return out;
}

// The header fields the checks need (ledger.proto BlockHeader).
export function decodeHeader(bytes) {
  const f = pbFields(bytes);
  const one = (no) => f.find((x) => x.no === no)?.value;
  const dec = new TextDecoder();
  return {
    chain_id: one(1) ? dec.decode(one(1)) : "",
    height: one(2) ?? 0n,
    tx_root: one(4) ?? new Uint8Array(),
    tx_count: one(5) ?? 0n,
    time_ms: one(8) ?? 0n,
    proposer_id: one(9) ? dec.decode(one(9)) : "",
  };
}

function pbVarint(n) {
  let v = BigInt(n);
  const out = [];
  do { let b = Number(v & 0x7fn); v >>= 7n; if (v) b |= 0x80; out.push(b); } while (v);
  return Uint8Array.from(out);
}
const pbBytes = (no, b) => concat(pbVarint((no << 3) | 2), pbVarint(b.length), b);

// A Transaction envelope from its JSON (body and signatures in hex), encoded
// as the wallet and the node's JSON path encode it (fields in number order,
// no defaults). An envelope submitted as other bytes would not match: then
// the proof fails and says so.
export function encodeTransaction(tx) {
  const parts = [];
  if (tx.body) parts.push(pbBytes(1, hexToBytes(tx.body)));
  for (const s of tx.signatures || []) {
    const inner = [];
    if (s.public_key) inner.push(pbBytes(1, hexToBytes(s.public_key)));
    if (s.signature) inner.push(pbBytes(2, hexToBytes(s.signature)));
    parts.push(pbBytes(2, concat(...inner)));
  }
  return concat(...parts);
}

// ---- RFC 6962 / RFC 9162 2.1.3.2

export async function merkleLeaf(data) { return sha256(concat(Uint8Array.of(0), data)); }
const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

// The root the path leads to from `leaf` at `index` of `size`, or null when
// the path's length does not fit the tree.
export async function merkleRootFromPath(leaf, index, size, path) {
  let fn = BigInt(index), sn = BigInt(size) - 1n;
  if (fn > sn) return null;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await node(p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await node(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

// ---- Attestations

export function attestationSigningBytes(chainId, a) {
  const te = new TextEncoder();
  const chain = te.encode(chainId), vid = te.encode(a.validator_id);
  const be16 = (n) => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
  const be64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };
  return concat(te.encode("pledger/attestation/v1"), Uint8Array.of(0), be16(chain.length), chain, be16(vid.length), vid,
    be64(a.height), hexToBytes(a.block_hash), hexToBytes(a.state_root), hexToBytes(a.results_root));
}

export async function ed25519Verify(publicKey, signature, data) {
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, data);
}

// ---- The validator set to check against

// The pinned genesis file (its text, as the reader supplied it), or null.
export function pinnedGenesis() {
  const text = localStorage.getItem(GENESIS_KEY);
  if (!text) return null;
  try { return { text, doc: JSON.parse(text) }; } catch (e) { return null; }
}
// Checks and pins a genesis file's text. Throws when it has no validators.
export function pinGenesis(text) {
  const doc = JSON.parse(text);
  if (!validatorsOfGenesis(doc).length) throw new Error("no validators in this file");
  localStorage.setItem(GENESIS_KEY, text);
  return doc;
}
export function unpinGenesis() { localStorage.removeItem(GENESIS_KEY); }

function validatorsOfGenesis(doc) {
  const list = doc?.validators || doc?.validator_set?.validators || [];
  return Array.isArray(list) ? list : [];
}

export async function genesisHash(text) { return bytesToHex(await sha256(new TextEncoder().encode(text))); }

// {source: "pinned" | "node", chain_id, validators: [{node_id, key (hex), voter}]}
// Voters only count; the key in force for the block (a rotation after it
// means the previous key signed it).
export function validatorSet(nodeValidators, height) {
  const pinned = pinnedGenesis();
  const list = pinned ? validatorsOfGenesis(pinned.doc) : (nodeValidators?.validators || []);
  const out = list.map((v) => {
    const rotatedAfter = v.key_height && BigInt(height) <= BigInt(v.key_height) && v.previous_public_key_hex;
    return {
      node_id: v.node_id,
      key: rotatedAfter ? v.previous_public_key_hex : v.public_key_hex,
      voter: (v.role || "VALIDATOR_VOTER") === "VALIDATOR_VOTER" || v.role === 1,
    };
  });
  return { source: pinned ? "pinned" : "node", chain_id: pinned?.doc?.chain_id || "", validators: out };
}

// ---- The whole check of one transaction

// Each step: {key, ok (true/false/null = could not be checked), detail}.
// Returns {verdict: "verified" | "not_verified" | "unverifiable", steps, signed_by}.
export async function verifyTransaction(txv, block, atts, nodeValidators) {
  const steps = [];
  const step = (key, ok, detail = "") => { steps.push({ key, ok, detail }); return ok; };
  try {
    // 1. The header: its bytes hash to the block hash everyone signs.
    const header = hexToBytes(block.header_hex || "");
    const hdr = decodeHeader(header);
    const blockHash = await sha256(header);
    const hashHex = bytesToHex(blockHash);
    step("v.header", hashHex === txv.block_hash && hdr.height === BigInt(txv.height),
      hashHex === txv.block_hash ? "sha256(header) = " + hashHex.slice(0, 16) + "…, height " + hdr.height
        : "sha256(header) = " + hashHex.slice(0, 16) + "… but the transaction names block " + String(txv.block_hash).slice(0, 16) + "…");

    // 2. The transaction's bytes, id and place.
    if (!txv.tx || !txv.tx.body) {
      step("v.bytes", null, "");
      return finish(steps, "unverifiable", []);
    }
    const txid = bytesToHex(await sha256(hexToBytes(txv.tx.body)));
    step("v.txid", txid === txv.tx_id, "sha256(body) = " + txid.slice(0, 16) + "…");

    // 3. The inclusion proof, folded to the header's tx_root.
    const proof = txv.proof || {};
    const path = (proof.path || []).map(hexToBytes);
    const leaf = await merkleLeaf(encodeTransaction(txv.tx));
    const sizeOk = BigInt(proof.tree_size || 0) === hdr.tx_count && BigInt(proof.leaf_index || 0) === BigInt(txv.index || 0);
    const root = await merkleRootFromPath(leaf, proof.leaf_index || 0, proof.tree_size || 0, path);
    // The answer's own tx_root must be the header's too: a node that serves
    // one thing and signs another is caught here, not trusted.
    const claimed = proof.tx_root || "";
    const rootOk = root !== null && equal(root, hdr.tx_root) && claimed === bytesToHex(hdr.tx_root);
    step("v.proof", sizeOk && rootOk,
      !sizeOk ? "leaf " + proof.leaf_index + " of " + proof.tree_size + ", the header says " + hdr.tx_count + " transactions"
        : root === null ? "the path's length does not fit a tree of " + proof.tree_size
          : !equal(root, hdr.tx_root) ? "root " + bytesToHex(root).slice(0, 16) + "… ≠ header tx_root " + bytesToHex(hdr.tx_root).slice(0, 16) + "…"
            : claimed !== bytesToHex(hdr.tx_root) ? "the answer's tx_root " + claimed.slice(0, 16) + "… ≠ header tx_root " + bytesToHex(hdr.tx_root).slice(0, 16) + "…"
              : "root " + bytesToHex(root).slice(0, 16) + "… = header tx_root");

    // 4. The attestations of this header, against the validator set.
    const set = validatorSet(nodeValidators, txv.height);
    const chainId = set.chain_id || hdr.chain_id;
    const res = await checkAttestations(chainId, txv.height, hashHex, atts, set);
    step("v.attest", res.ok, res.detail);
    const allOk = steps.every((s) => s.ok === true);
    const anyBad = steps.some((s) => s.ok === false && !(s.key === "v.attest" && res.pending));
    return finish(steps, allOk ? "verified" : anyBad ? "not_verified" : "pending", res.signed_by, set.source);
  } catch (e) {
    step("v.error", false, String(e.message || e));
    return finish(steps, "not_verified", []);
  }
}

function finish(steps, verdict, signed_by, source) { return { verdict, steps, signed_by, source }; }

// Attestations of block `height` with hash `hashHex`: a quorum of the set's
// voters (more than half) signed the same state and results roots.
export async function checkAttestations(chainId, height, hashHex, atts, set) {
  const voters = set.validators.filter((v) => v.voter);
  const quorum = Math.floor(voters.length / 2) + 1;
  const groups = new Map();
  const problems = [];
  const seen = new Set();
  for (const a of atts?.attestations || []) {
    const v = voters.find((x) => x.node_id === a.validator_id);
    if (!v) { problems.push(a.validator_id + ": not a voter of the set"); continue; }
    if (seen.has(a.validator_id)) continue;
    if (String(a.height) !== String(height) || a.block_hash !== hashHex) {
      problems.push(a.validator_id + ": signed another block"); continue;
    }
    let good = false;
    try {
      good = await ed25519Verify(hexToBytes(v.key), hexToBytes(a.signature), attestationSigningBytes(chainId, a));
    } catch (e) { good = false; }
    if (!good) { problems.push(a.validator_id + ": signature does not verify"); continue; }
    seen.add(a.validator_id);
    const k = a.state_root + "/" + a.results_root;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(a.validator_id);
  }
  let best = [];
  for (const g of groups.values()) if (g.length > best.length) best = g;
  const ok = best.length >= quorum;
  const pending = !ok && problems.length === 0;
  const detail = best.length + "/" + voters.length + " (quorum " + quorum + ")" +
    (best.length ? ": " + best.join(", ") : "") + (problems.length ? "; " + problems.join("; ") : "");
  return { ok: ok ? true : (pending ? null : false), pending, detail, signed_by: best, quorum, voters: voters.length };
}
