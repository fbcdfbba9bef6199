// The explorer's shell: hash routes, navigation, search, language, sign-in
// and the pinned genesis file. Pages live in their own modules; the
// supervision dashboard is loaded only when opened.
import { t, lang, setLang, applyStatic } from "./i18n.js";
import { h, card, kv, short, instant } from "./fmt.js";
import * as api from "./api.js";
import { pinnedGenesis, pinGenesis, unpinGenesis, genesisHash } from "./verify.js";
import { chainPage, blocksPage, blockPage } from "./chain.js";
import { txPage } from "./tx.js";
import { patentPage, pledgesPage, pledgePage, poolsPage, poolPage, orgPage } from "./registers.js";

const app = document.getElementById("app");

// Routes: [pattern, nav entry, page(params) -> Promise<Node|Node[]>].
const routes = [
  [/^\/?$/, "chain", () => chainPage()],
  [/^\/blocks$/, "blocks", (m, q) => blocksPage(q)],
  [/^\/block\/([0-9a-f]+)$/, "blocks", (m) => blockPage(m[1])],
  [/^\/tx\/([0-9a-f]{64})$/, "blocks", (m) => txPage(m[1])],
  [/^\/patent\/([^/]+)$/, "pledges", (m) => patentPage(decodeURIComponent(m[1]))],
  [/^\/pledges$/, "pledges", (m, q) => pledgesPage(q)],
  [/^\/pledge\/([0-9a-f]+)$/, "pledges", (m) => pledgePage(m[1])],
  [/^\/pools$/, "pools", (m, q) => poolsPage(q)],
  [/^\/pool\/([^/]+)$/, "pools", (m) => poolPage(decodeURIComponent(m[1]))],
  [/^\/org\/([^/]+)$/, "pledges", (m) => orgPage(decodeURIComponent(m[1]))],
  [/^\/supervision$/, "supervision", async () => (await import("./dashboard.js")).dashboardPage()],
  [/^\/signin$/, "signin", () => signinPage()],
  [/^\/trust$/, "trust", () => trustPage()],
];

let generation = 0;

async function render() {
  const gen = ++generation;
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  const q = new URLSearchParams(query || "");
  document.getElementById("nav").classList.remove("open");
  for (const [re, nav, page] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === nav);
    app.replaceChildren(h("p", { class: "muted" }, t("loading")));
    let content;
    try {
      content = await page(m, q);
    } catch (e) {
      content = errorCard(e);
    }
    if (gen !== generation) return;  // the reader moved on meanwhile
    app.replaceChildren(...[].concat(content));
    app.dataset.page = nav;
    app.dataset.ready = String(gen);
    return;
  }
  app.replaceChildren(errorCard(new api.ApiError(404, "NOT_FOUND", t("err.noPage"))));
  app.dataset.ready = String(gen);
}

export function errorCard(e) {
  const what = e instanceof api.ApiError
    ? (e.status === 401 ? t("err.signin") : e.status === 403 ? t("err.forbidden") : e.status === 404 ? t("err.notFound") : t("err.api"))
    : t("err.page");
  return card(h("p", { class: "error" }, what), h("p", { class: "mono muted" }, (e.code ? e.code + ": " : "") + (e.message || e)));
}

// ---- Search: a block height, a 64-hex transaction or block hash, a patent
// number, a pledge id, else an organisation.
async function search(ev) {
  ev.preventDefault();
  const s = document.getElementById("q").value.trim();
  if (!s) return;
  if (/^\d+$/.test(s)) location.hash = "#/block/" + s;
  else if (/^[0-9a-f]{64}$/i.test(s)) {
    const tx = await api.getOrNull("/v1/txs/" + s.toLowerCase()).catch(() => null);
    location.hash = tx ? "#/tx/" + s.toLowerCase() : "#/block/" + s.toLowerCase();
  } else if (/^(ZL|CN)?\d{8,13}\.?[\dX]$/i.test(s)) location.hash = "#/patent/" + encodeURIComponent(s.toUpperCase());
  else if (/^[0-9a-f]{16,}$/i.test(s)) location.hash = "#/pledge/" + s.toLowerCase();
  else location.hash = "#/pledges?q=" + encodeURIComponent(s);
}

// ---- Sign-in: a token from `pledger-wallet login --print-token`.
async function signinPage() {
  const input = h("textarea", { id: "token", class: "mono", placeholder: "pledger-wallet login --print-token" });
  input.value = api.token();
  const out = h("div", { id: "whoami" });
  const show = async () => {
    try {
      const w = await api.get("/v1/auth/whoami");
      out.replaceChildren(kv([
        [t("si.via"), t("si.via." + w.via)],
        [t("si.view"), t("si.view." + w.view)],
        [t("si.org"), w.org_id || "—"],
        [t("si.roles"), (w.roles || []).join(", ") || "—"],
        [t("si.account"), w.account ? h("span", { class: "mono" }, w.account) : "—"],
      ]));
    } catch (e) {
      out.replaceChildren(errorCard(e));
    }
    updateWho();
  };
  const save = h("button", { class: "act", type: "button", id: "token-save", onclick: async () => {
    api.setToken(input.value.trim()); await show();
  } }, t("si.use"));
  const clear = h("button", { class: "act plain", type: "button", id: "token-clear", onclick: async () => {
    api.setToken(""); input.value = ""; await show();
  } }, t("si.signout"));
  await show();
  return [h("h1", {}, t("si.title")), card(h("p", {}, t("si.help")), input, h("div", { class: "row" }, save, clear)),
    card(h("h2", {}, t("si.who")), out)];
}

async function updateWho() {
  const a = document.getElementById("who");
  if (!api.token()) { a.textContent = t("nav.signin"); return; }
  try {
    const w = await api.get("/v1/auth/whoami");
    a.textContent = w.org_id ? w.org_id : t("nav.signin");
  } catch (e) {
    a.textContent = t("si.expired");
  }
}

// ---- Trust: the genesis file whose validators the checks use.
async function trustPage() {
  const pinned = pinnedGenesis();
  const status = h("div", { id: "pin-status" });
  const nodeText = await api.getText("/v1/genesis").catch(() => "");
  const nodeHash = nodeText ? await genesisHash(nodeText) : "";
  if (pinned) {
    const ph = await genesisHash(pinned.text);
    status.append(h("p", { class: "ok" }, t("tr.pinned")), kv([
      [t("tr.chain"), pinned.doc.chain_id],
      [t("tr.hash"), h("span", { class: "mono" }, ph)],
      [t("tr.validators"), (pinned.doc.validators || []).map((v) => v.node_id).join(", ")],
      [t("tr.nodeSame"), ph === nodeHash ? h("span", { class: "ok" }, t("yes")) : h("span", { class: "bad" }, t("no"))],
    ]));
  } else {
    status.append(h("p", { class: "withheld" }, t("v.fromNode")));
  }
  const area = h("textarea", { id: "genesis-text", class: "mono", placeholder: "genesis.json" });
  const file = h("input", { type: "file", id: "genesis-file", accept: ".json,application/json" });
  file.addEventListener("change", async () => { if (file.files[0]) area.value = await file.files[0].text(); });
  const msg = h("p", { id: "pin-msg" });
  const pin = h("button", { class: "act", type: "button", id: "pin", onclick: () => {
    try { pinGenesis(area.value); render(); } catch (e) { msg.replaceChildren(h("span", { class: "error" }, t("tr.bad") + ": " + e.message)); }
  } }, t("tr.pin"));
  const unpin = h("button", { class: "act plain", type: "button", id: "unpin", onclick: () => { unpinGenesis(); render(); } }, t("tr.unpin"));
  return [h("h1", {}, t("tr.title")), card(h("p", {}, t("tr.help")), status),
    card(h("h2", {}, t("tr.supply")), h("p", { class: "muted" }, t("tr.nodeHash") + " " + short(nodeHash, 16)),
      file, area, h("div", { class: "row" }, pin, unpin), msg)];
}

function footer() {
  const f = document.getElementById("foot");
  f.replaceChildren(t("foot"));
}

function start() {
  document.getElementById("search").addEventListener("submit", (e) => search(e).catch(() => {}));
  document.getElementById("menu").addEventListener("click", () => document.getElementById("nav").classList.toggle("open"));
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    applyStatic(); footer(); updateWho(); render();
  });
  window.addEventListener("hashchange", render);
  applyStatic();
  footer();
  updateWho();
  render();
}

start();
