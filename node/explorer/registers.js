// Registers: a patent (status, owners, term, valuations, pledges in R18
// order, history as a timeline), the pledge register in the gazette's
// columns (search, CSV), pools with tranches, holdings and each payment
// date's waterfall, an organisation. Fields the node withheld from this
// reader are shown as withheld, never as zero.
import { t } from "./i18n.js";
import { h, card, kv, table, tile, link, short, yuan, bps, date, instant, num, enumWord, withheld } from "./fmt.js";
import * as api from "./api.js";
import { barChart } from "./chain.js";

// A field of a record inside an answer that may be cut: present -> shown;
// absent and named in `redacted` -> withheld; absent otherwise -> the default.
function cell(answer, path, value, render) {
  if (value !== undefined && value !== null && value !== "") return render(value);
  if ((answer?.redacted || []).includes(path)) return withheld();
  return render(undefined);
}
const orgLink = (id) => (id ? link("#/org/" + encodeURIComponent(id), id) : "—");
const orgLinks = (ids) => (ids || []).flatMap((id, i) => (i ? [", ", orgLink(id)] : [orgLink(id)]));
const patentLinks = (nos) => (nos || []).flatMap((no, i) => [i ? ", " : "", link("#/patent/" + encodeURIComponent(no), no)]);
const cutNote = (a) => (a?.view ? h("p", { class: "withheld cut-note" }, t("r.cut")) : null);

// ---- Patent

export async function patentPage(no) {
  const [pv, hist] = await Promise.all([
    api.get("/v1/patents/" + encodeURIComponent(no)),
    api.get("/v1/patents/" + encodeURIComponent(no) + "/history?limit=1000").catch((e) => ({ error: e })),
  ]);
  const p = pv.patent || {};
  const register = card(h("h2", {}, t("p.register")), kv([
    [t("p.no"), p.patent_no],
    [t("p.title"), p.title],
    [t("p.type"), enumWord(p.type)],
    [t("p.ipc"), p.main_ipc],
    [t("p.status"), h("span", { id: "legal-status" }, enumWord(pv.effective_status || p.status))],
    [t("p.statusDate"), date(p.status_date)],
    [t("p.owners"), h("span", {}, (p.owners || []).flatMap((o, i) => [i ? ", " : "", orgLink(o.org_id), " " + bps(o.share_bps)]))],
    [t("p.filed"), date(p.filing_date)],
    [t("p.granted"), date(p.grant_date) || t("p.notGranted")],
    [t("p.term"), date(p.filing_date) + " – " + date(p.expiry_date)],
    [t("p.fees"), date(p.fee_paid_through)],
    [t("p.flags"), [pv.pledged ? t("p.pledged") : null, pv.licensed ? t("p.licensed") : null].filter(Boolean).join(", ") || "—"],
  ]));

  // Every pledge ever registered, in R18 order, each as this reader may see it.
  const pledges = await Promise.all((pv.pledge_ids || []).map((id) => api.get("/v1/pledges/" + id).catch(() => null)));
  const pledgeRows = pledges.map((pl, i) => {
    if (!pl) return [String(i + 1), pv.pledge_ids[i], "", "", "", ""];
    return [String(i + 1), link("#/pledge/" + pl.id, short(pl.id, 12), "mono"), orgLink(pl.pledgee_org_id), enumWord(pl.state),
      date(pl.reg_date), cell(pl, "principal_fen", pl.principal_fen, yuan), cell(pl, "due_date", pl.due_date, date)];
  });
  const pledgeCard = card(h("h2", {}, t("p.pledges")), pledgeRows.length
    ? h("div", { id: "patent-pledges" }, table(["R18", t("pl.id"), t("pl.pledgee"), t("pl.state"), t("pl.regDate"), t("pl.principal"), t("pl.due")], pledgeRows, [0, 5]))
    : h("p", { class: "muted" }, t("p.noPledges")));

  const vals = (pv.redacted || []).includes("valuations[]") ? withheld()
    : (pv.valuations || []).length ? table([t("va.base"), t("va.method"), t("va.value"), t("va.realisable"), t("va.appraiser")],
      pv.valuations.map((v) => [date(v.base_date), enumWord(v.method), yuan(v.value_fen), yuan(v.realisable_value_fen), orgLink(v.appraiser_org_id)]), [2, 3])
      : h("p", { class: "muted" }, "—");

  let timeline;
  if (hist.error) timeline = h("p", { class: "error" }, hist.error.code + ": " + hist.error.message);
  else {
    timeline = h("ol", { class: "timeline", id: "history" }, (hist.entries || []).map((e) => h("li", {},
      h("div", {}, h("strong", {}, e.action ? t("act." + e.action) !== "act." + e.action ? t("act." + e.action) : e.action : t("r.someTx")),
        " ", e.code ? h("span", { class: e.code === "OK" ? "ok" : "bad" }, e.code) : null),
      h("div", { class: "muted" }, instant(e.time_ms), " · ", t("b.block"), " ", link("#/block/" + e.height, String(e.height)),
        " · ", link("#/tx/" + e.tx_id, short(e.tx_id, 12), "mono")))));
  }
  return [h("h1", {}, t("p.title1") + " " + (p.patent_no || no)), cutNote(pv), register, pledgeCard,
    card(h("h2", {}, t("p.valuations")), vals), card(h("h2", {}, t("p.history")), timeline)].filter(Boolean);
}

// ---- The pledge register

// The gazette's columns (R10), always; the terms only where the node gave
// them to this reader.
const GAZETTE = ["id", "patent_nos", "pledgor_org_ids", "pledgee_org_id", "reg_date", "state", "cancel_date"];
const TERMS = ["principal_fen", "interest_rate_bps", "due_date", "outstanding_principal_fen"];

export async function pledgesPage(q) {
  const query = (q.get("q") || "").trim();
  const kind = q.get("by") || "all";
  // The node answers a bank's or a borrower's register in pages of 1,000
  // (a large register has 10^5): ?after= continues after a rank.
  const after = /^[0-9]+$/.test(q.get("after") || "") ? q.get("after") : "";
  const form = h("form", { class: "row", id: "pledge-search" },
    h("select", { id: "by" }, ["all", "patent", "bank", "borrower"].map((k) => h("option", { value: k, selected: k === kind }, t("pl.by." + k)))),
    h("input", { type: "text", id: "pq", value: query, placeholder: t("pl.searchHint") }),
    h("button", { class: "act", type: "submit" }, t("pl.search")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = "#/pledges?by=" + form.querySelector("#by").value + "&q=" + encodeURIComponent(form.querySelector("#pq").value.trim());
  });

  // Collect [answer, RankedPledge-like] rows; each answer says what it cut.
  const rows = [];
  let next = "", truncated = false;
  const addList = (ans) => {
    (ans?.pledges || []).forEach((rp) => rows.push({ ans, p: rp.pledge || {}, path: "pledges[].pledge." }));
    if (ans?.next_cursor) truncated = true;
    return ans?.next_cursor || "";
  };
  if (kind === "patent" && query) {
    const pv = await api.getOrNull("/v1/patents/" + encodeURIComponent(query.toUpperCase()));
    for (const id of pv?.pledge_ids || []) {
      const pl = await api.get("/v1/pledges/" + id);
      rows.push({ ans: pl, p: pl, path: "" });
    }
  } else if ((kind === "bank" || kind === "borrower") && query) {
    next = addList(await api.get("/v1/pledges?" + kind + "=" + encodeURIComponent(query) + (after ? "&after=" + after : "")));
  } else {
    // Every bank's pledges (the register has no global list route); a query
    // then filters by any column.
    const banks = await api.get("/v1/orgs?kind=ORG_BANK");
    for (const b of banks.organisations || []) addList(await api.get("/v1/pledges?bank=" + encodeURIComponent(b.id)));
  }
  let shown = rows;
  if (kind === "all" && query) {
    const needle = query.toLowerCase();
    shown = rows.filter(({ p }) => [p.id, ...(p.patent_nos || []), ...(p.pledgor_org_ids || []), p.pledgee_org_id, p.debtor_org_id]
      .some((x) => x && String(x).toLowerCase().includes(needle)));
  }
  shown.sort((a, b) => Number(a.p.reg_height || 0) - Number(b.p.reg_height || 0) || Number(a.p.reg_index || 0) - Number(b.p.reg_index || 0));

  // Terms columns only if this reader was given terms of at least one pledge.
  const seesTerms = shown.some(({ p }) => p.principal_fen !== undefined);
  const headers = [t("pl.id"), t("pl.patents"), t("pl.pledgors"), t("pl.pledgee"), t("pl.regDate"), t("pl.state"), t("pl.cancelDate")];
  if (seesTerms) headers.push(t("pl.principal"), t("pl.rate"), t("pl.due"));
  const tableRows = shown.map(({ ans, p, path }) => {
    const r = [link("#/pledge/" + p.id, short(p.id, 12), "mono"), h("span", {}, patentLinks(p.patent_nos)), h("span", {}, orgLinks(p.pledgor_org_ids)),
      orgLink(p.pledgee_org_id), date(p.reg_date), enumWord(p.state), date(p.cancel_date) || "—"];
    if (seesTerms) {
      r.push(cell(ans, path + "principal_fen", p.principal_fen, yuan), cell(ans, path + "interest_rate_bps", p.interest_rate_bps, bps),
        cell(ans, path + "due_date", p.due_date, date));
    }
    return r;
  });
  const csv = h("button", { class: "act plain", type: "button", id: "csv", onclick: () => downloadCsv(shown, seesTerms) }, t("pl.csv"));
  const paging = [];
  if (after) paging.push(h("span", { class: "muted" }, t("pl.fromRank") + " " + (Number(after) + 1)));
  if (next) paging.push(link("#/pledges?by=" + kind + "&q=" + encodeURIComponent(query) + "&after=" + next, t("pl.next"), "act"));
  else if (truncated) paging.push(h("span", { class: "muted", id: "pledge-first-pages" }, t("pl.firstPages")));
  return [h("h1", {}, t("pl.title")), card(form, h("p", { class: "muted" }, seesTerms ? t("pl.withTerms") : t("pl.gazetteOnly"))),
    card(h("div", { class: "row" }, h("span", { class: "muted" }, shown.length + " " + t("pl.count")), csv, ...paging),
      h("div", { id: "pledge-table", "data-terms": String(seesTerms) }, table(headers, tableRows, seesTerms ? [7] : [])))];
}

export function pledgeCsv(rows, seesTerms) {
  const q = (s) => '"' + String(s ?? "").replace(/"/g, '""') + '"';
  const head = [...GAZETTE, ...(seesTerms ? ["principal_yuan", "interest_rate_percent", "due_date"] : [])];
  const lines = [head.join(",")];
  for (const { ans, p, path } of rows) {
    const w = (f, v, render) => (v !== undefined ? render(v) : (ans?.redacted || []).includes(path + f) ? "withheld" : "");
    const vals = [p.id, (p.patent_nos || []).join(" "), (p.pledgor_org_ids || []).join(" "), p.pledgee_org_id, p.reg_date, p.state, p.cancel_date || ""];
    if (seesTerms) {
      vals.push(w("principal_fen", p.principal_fen, (v) => yuan(v).replace(/[¥,]/g, "")),
        w("interest_rate_bps", p.interest_rate_bps, (v) => String(Number(v) / 100)), w("due_date", p.due_date, (v) => v));
    }
    lines.push(vals.map(q).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function downloadCsv(rows, seesTerms) {
  const blob = new Blob(["\ufeff" + pledgeCsv(rows, seesTerms)], { type: "text/csv;charset=utf-8" });
  const a = h("a", { href: URL.createObjectURL(blob), download: "pledges.csv" });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

export async function pledgePage(id) {
  const pl = await api.get("/v1/pledges/" + id);
  const c = (f, render) => cell(pl, f, pl[f], render);
  return [h("h1", {}, t("pl.one") + " " + short(pl.id, 16)), cutNote(pl), card(kv([
    [t("pl.id"), h("span", { class: "mono" }, pl.id)],
    [t("pl.state"), enumWord(pl.state)],
    [t("pl.patents"), h("span", {}, patentLinks(pl.patent_nos))],
    [t("pl.pledgee"), orgLink(pl.pledgee_org_id)],
    [t("pl.pledgors"), h("span", {}, orgLinks(pl.pledgor_org_ids))],
    [t("pl.debtor"), c("debtor_org_id", (v) => (v ? orgLink(v) : "—"))],
    [t("pl.regDate"), date(pl.reg_date) + " (" + t("b.block") + " " + (pl.reg_height || "") + ")"],
    [t("pl.debtType"), c("debt_type", (v) => v || "—")],
    [t("pl.principal"), h("span", { id: "principal" }, c("principal_fen", yuan))],
    [t("pl.rate"), c("interest_rate_bps", bps)],
    [t("pl.due"), c("due_date", (v) => date(v) || "—")],
    [t("pl.ltv"), c("ltv_bps", bps)],
    [t("pl.outstanding"), c("outstanding_principal_fen", yuan)],
    [t("pl.risk"), c("risk_class", (v) => enumWord(v) || "—")],
    [t("pl.valuation"), c("valuation_id", (v) => v || "—")],
    [t("pl.cancelDate"), date(pl.cancel_date) || "—"],
  ]))].filter(Boolean);
}

// ---- Pools

export async function poolsPage() {
  const trustees = await api.get("/v1/orgs?kind=ORG_TRUSTEE");
  const rows = [];
  for (const o of trustees.organisations || []) {
    const list = await api.get("/v1/pools?trustee=" + encodeURIComponent(o.id));
    for (const p of list.pools || []) rows.push([link("#/pool/" + encodeURIComponent(p.id), p.name || p.id), orgLink(p.trustee_org_id),
      enumWord(p.state), date(p.created_date), date(p.legal_maturity_date) || "—", cell(list, "pools[].deal_size_fen", p.deal_size_fen, yuan)]);
  }
  return [h("h1", {}, t("po.title")), card(rows.length
    ? h("div", { id: "pool-list" }, table([t("po.name"), t("po.trustee"), t("po.state"), t("po.created"), t("po.maturity"), t("po.size")], rows, [5]))
    : h("p", { class: "muted", id: "no-pools" }, t("po.none")))];
}

export async function poolPage(id) {
  const pv = await api.get("/v1/pools/" + encodeURIComponent(id));
  const p = pv.pool || {};
  const c = (f, render) => cell(pv, "pool." + f, p[f], render);
  const cut = (prefix) => (pv.redacted || []).some((r) => r.startsWith(prefix));
  const out = [h("h1", {}, t("po.one") + " " + (p.name || p.id)), cutNote(pv), card(kv([
    [t("po.id"), h("span", { class: "mono" }, p.id)], [t("po.trustee"), orgLink(p.trustee_org_id)], [t("po.state"), enumWord(p.state)],
    [t("po.model"), enumWord(p.model)], [t("po.created"), date(p.created_date)], [t("po.issued"), date(p.issue_date) || "—"],
    [t("po.maturity"), date(p.legal_maturity_date) || "—"], [t("po.size"), h("span", { id: "pool-size" }, c("deal_size_fen", yuan))],
    [t("po.guarantor"), c("guarantor_org_id", (v) => (v ? orgLink(v) : "—"))], [t("po.collected"), c("collected_total_fen", yuan)],
  ]))];
  out.push(card(h("h2", {}, t("po.members")), h("div", { id: "pool-members" }, table([t("po.ref"), t("po.kind"), t("po.state"), t("po.admitted")],
    (pv.members || []).map((m) => [m.kind === "POOL_MEMBER_PATENT" || /^(ZL|CN)/.test(m.ref) ? link("#/patent/" + encodeURIComponent(m.ref), m.ref)
      : link("#/pledge/" + m.ref, short(m.ref, 12), "mono"), enumWord(m.kind), enumWord(m.state), date(m.admitted_date)])))));
  const classOf = new Map((pv.tranches || []).map((x) => [Number(x.rank), x.tranche_class]));
  const trancheName = (rank) => String(rank) + " · " + (classOf.has(Number(rank)) ? enumWord(classOf.get(Number(rank))) : "");
  // Tranches by rank: the subordinated tranche has no coupon and no rating.
  if (cut("tranches")) out.push(card(h("h2", {}, t("po.tranches")), h("div", { id: "pool-tranches" }, withheld())));
  else {
    out.push(card(h("h2", {}, t("po.tranches")), h("div", { id: "pool-tranches" },
      table([t("po.rank"), t("po.class"), t("po.rating"), t("po.principal"), t("po.coupon"), t("po.outstanding"), t("po.holders")],
        (pv.tranches || []).map((x) => [String(x.rank), enumWord(x.tranche_class), x.rating || "—", yuan(x.principal_fen),
          Number(x.coupon_bps || 0) ? bps(x.coupon_bps) : "—", yuan(x.outstanding_fen), String(x.holders || 0)]), [3, 4, 5, 6]))));
  }
  out.push(card(h("h2", {}, t("po.holdings")), h("div", { id: "pool-holdings" }, (pv.holdings || []).length
    ? table([t("po.tranche"), t("po.investor"), t("po.units"), t("po.interestRecv"), t("po.principalRecv"), t("po.residualRecv")],
      pv.holdings.map((x) => [trancheName(x.rank), orgLink(x.investor_org_id), num(x.units), yuan(x.interest_received_fen),
        yuan(x.principal_received_fen), yuan(x.residual_received_fen)]), [2, 3, 4, 5])
    : (cut("holdings") ? withheld() : h("p", { class: "muted" }, "—")))));

  // Each payment date's waterfall (H1-H6): the steps as a floating bar chart
  // from the cash in to what is carried, then every tranche's figures
  // exactly (the chart's numbers are floats; the table's are not).
  if (cut("statement_dates")) out.push(card(h("h2", {}, t("po.dates")), h("div", { id: "pool-dates" }, withheld())));
  else if (!(pv.statement_dates || []).length) out.push(card(h("h2", {}, t("po.dates")), h("p", { class: "muted", id: "pool-dates" }, t("po.noDates"))));
  for (const d of pv.statement_dates || []) {
    const canvas = h("canvas", { class: "waterfall", "aria-label": t("po.waterfall") + " " + date(d) });
    const box = h("div", { class: "card waterfall-card", "data-date": date(d) },
      h("h2", {}, t("po.waterfall") + " " + date(d)), h("div", { class: "chart" }, canvas));
    out.push(box);
    api.get("/v1/pools/" + encodeURIComponent(id) + "/statements/" + date(d)).then((st) => {
      const wf = waterfallData(st, trancheName);
      const chart = barChart(canvas, wf.labels, [{ label: t("po.yuan"), data: wf.data, backgroundColor: wf.colors }],
        { plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => yuan(wf.fen[ctx.dataIndex]) } } } });
      box.append(h("p", { class: "muted" }, t("po.period") + " " + date(st.period_start_date) + " – " + date(st.payment_date) + " (" +
        (st.days || 0) + " " + t(Number(st.days) === 1 ? "po.day" : "po.days") + ")" + (st.triggered ? " · " + t("po.triggered") : "")),
      h("div", { class: "waterfall-table" }, table([t("po.tranche"), t("po.interestPaid"), t("po.principalPaid"), t("po.residualPaid"), t("po.balanceAfter")],
        (st.tranches || []).map((x) => [trancheName(x.rank), yuan(x.interest_paid_fen), yuan(x.principal_paid_fen), yuan(x.residual_paid_fen),
          yuan(x.balance_after_fen)]), [1, 2, 3, 4])),
      kv([[t("po.cashIn"), yuan(st.cash_in_fen)], [t("po.fees"), yuan(st.fees_paid_fen)], [t("po.guarantorDraw"), yuan(st.guarantor_draw_fen)],
        [t("po.carried"), yuan(st.carried_out_fen)]]));
      box.dataset.points = String(wf.data.length);
      box.dataset.ready = chart ? "chart" : "no-chart";
    }).catch((e) => {
      box.append(h("p", { class: "withheld" }, e.status === 403 || e.status === 401 ? t("withheld") : e.code + ": " + e.message));
      box.dataset.ready = "error";
    });
  }
  return out.filter(Boolean);  // cutNote is null for a reader given everything
}

// A statement's steps as floating bars: the cash in, each step that moved
// money (a step of zero draws nothing and is left out), what is carried.
// Bar ends are computed in fen (BigInt) and only then made yuan numbers, so
// no float error builds up along the way; `fen` keeps each bar's exact amount.
export function waterfallData(st, trancheName = (r) => String(r)) {
  const stepLabel = (s) => {
    const what = String(s.what || "");
    const word = what.startsWith("fee ") ? t("wf.fee") + " " + what.slice(4) : t("wf." + what) !== "wf." + what ? t("wf." + what) : what;
    return s.step + " " + word + (Number(s.rank) ? " · " + trancheName(s.rank) : "");
  };
  const y = (f) => Number(f) / 100;
  let left = BigInt(st.cash_in_fen || 0);
  const labels = [t("wf.cash in")], data = [[0, y(left)]], fen = [left], colors = ["#1d4e89"];
  for (const s of st.steps || []) {
    const a = BigInt(s.amount_fen || 0);
    if (a === 0n) continue;
    labels.push(stepLabel(s));
    data.push([y(left - a), y(left)]);
    fen.push(a);
    colors.push(s.what === "residual" ? "#17753b" : String(s.what).startsWith("shortfall") ? "#8a5a00" : "#5b87c5");
    left -= a;
  }
  const carried = BigInt(st.carried_out_fen || 0);
  labels.push(t("wf.carried"));
  data.push([0, y(carried)]);
  fen.push(carried);
  colors.push("#5b6674");
  return { labels, data, fen, colors };
}

// ---- An organisation

export async function orgPage(id) {
  const o = await api.get("/v1/orgs/" + encodeURIComponent(id));
  const out = [h("h1", {}, o.name || o.id), card(kv([
    [t("o.id"), o.id], [t("o.kind"), enumWord(o.kind)], [t("o.address"), o.address || "—"],
    [t("o.policy"), o.lending_policy ? t("o.ltvCap") + " " + bps(o.lending_policy.ltv_cap_bps) : null],
  ]))];
  const by = o.kind === "ORG_BANK" ? "bank" : (o.kind === "ORG_SME" || o.kind === "ORG_OWNER" ? "borrower" : null);
  if (by) out.push(card(h("p", {}, link("#/pledges?by=" + by + "&q=" + encodeURIComponent(o.id), t("o.pledges")))));
  return out;
}
