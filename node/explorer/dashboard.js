// The supervision dashboard (loaded only when opened): the statistics API of
// docs/api.md "Statistics" (/v1/stats/...), for IP offices, auditors,
// regulators, and a bank's own figures. Every figure is the node's; the
// charts draw them, and totals shown in yuan are exact (BigInt fen).
import { t } from "./i18n.js";
import { h, card, table, tile, yuan, yuanNumber, bps, date, enumWord } from "./fmt.js";
import * as api from "./api.js";
import { barChart } from "./chain.js";

const COLORS = ["#1d4e89", "#c0392b", "#17753b", "#8a5a00", "#6c3483", "#117a8b", "#7f8c8d", "#d35400"];

function bucketLabel(b) {
  if (!Number(b.low_bps) && !Number(b.high_bps)) return t("d.none");
  return bps(b.low_bps) + (Number(b.high_bps) ? "–" + bps(b.high_bps) : "+");
}

function chart(type, labels, datasets, opts = {}) {
  const canvas = h("canvas", {});
  const box = h("div", { class: "chart" }, canvas);
  queueMicrotask(() => {
    if (type === "bar") barChart(canvas, labels, datasets, opts);
    else if (window.Chart) {
      new window.Chart(canvas, { type, data: { labels, datasets },
        options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, opts) });
    }
  });
  return box;
}

export async function dashboardPage() {
  const head = h("h1", {}, t("d.title"));
  // Is the statistics API served here (the node's route table, not a probe
  // whose 404 would be a console error), and to this reader?
  const routes = await api.get("/explorer/routes.json");
  if (!(routes.routes || []).some((r) => r.id === "stats.pledges")) {
    return [head, card(h("p", { class: "withheld", id: "stats-unavailable" }, t("d.unavailable")))];
  }
  const who = await api.get("/v1/auth/whoami");
  const full = who.view === "full";
  if (!full && !(who.roles || []).includes("ROLE_BANK")) {
    return [head, card(h("p", { class: "withheld", id: "stats-refused" }, t("d.signin")))];
  }
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  const by = q.get("by") === "month" ? "month" : "day";
  const to = q.get("to") || "";
  const from = q.get("from") || "";
  const bank = q.get("bank") || "";
  const range = "by=" + by + (from ? "&from=" + from : "") + (to ? "&to=" + to : "") + (bank ? "&bank=" + encodeURIComponent(bank) : "");
  const [pl, out, bor, ren, dist, cau, val] = await Promise.all([
    api.get("/v1/stats/pledges?" + range), api.get("/v1/stats/outstanding?" + range), api.get("/v1/stats/borrowers?" + range),
    api.get("/v1/stats/renewals?" + range),
    api.get("/v1/stats/distributions?" + (from ? "from=" + from + "&" : "") + (to ? "to=" + to + "&" : "") + (bank ? "bank=" + encodeURIComponent(bank) : "")),
    api.get("/v1/stats/cautions?" + range), full ? api.get("/v1/stats/valuations?by=" + by + (from ? "&from=" + from : "") + (to ? "&to=" + to : "")) : null,
  ]);

  const form = h("form", { class: "row", id: "stats-form" },
    h("label", {}, t("d.range"), " ", h("input", { type: "text", id: "sf", value: from || pl.from_date, size: 10 })),
    h("input", { type: "text", id: "st", value: to || pl.to_date, size: 10 }),
    h("select", { id: "sb" }, h("option", { value: "day", selected: by === "day" }, t("d.byDay")), h("option", { value: "month", selected: by === "month" }, t("d.byMonth"))),
    h("input", { type: "text", id: "sk", value: bank, placeholder: t("d.bank"), size: 10 }),
    h("button", { class: "act", type: "submit" }, t("d.show")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = "#/supervision?by=" + form.querySelector("#sb").value + "&from=" + form.querySelector("#sf").value +
      "&to=" + form.querySelector("#st").value + "&bank=" + encodeURIComponent(form.querySelector("#sk").value.trim());
  });

  const labels = (pl.points || []).map((p) => (by === "month" ? date(p.date).slice(0, 7) : date(p.date).slice(5)));
  const sum = (rows, f) => (rows || []).reduce((s, r) => s + BigInt(r[f] || 0), 0n);
  const count = (rows, f) => (rows || []).reduce((s, r) => s + Number(r[f] || 0), 0);
  const lastOut = (out.points || []).at(-1) || {};

  const tiles = h("div", { class: "tiles", id: "stats-tiles" },
    tile(t("d.registrations"), String(count(pl.points, "registrations"))),
    tile(t("d.registered").replace(/\s*\(.*\)$/, "").replace(/（.*）$/, ""), yuan(sum(pl.points, "principal_fen").toString())),
    tile(t("d.outstanding").replace(/\s*\(.*\)$/, "").replace(/（.*）$/, ""), yuan(lastOut.outstanding_principal_fen || "0")),
    tile(t("d.firstTime"), String(count(bor.points, "first_time_borrowers"))));

  // Registered principal per period, one series per bank (full readers
  // without a bank filter: one request per bank that registered any).
  let regSets = [{ label: pl.bank_org_id || t("d.registered"), data: (pl.points || []).map((p) => yuanNumber(p.principal_fen)), backgroundColor: COLORS[0] }];
  if (!bank && (pl.banks || []).length) {
    const per = await Promise.all(pl.banks.map((b) => api.get("/v1/stats/pledges?" + range + "&bank=" + encodeURIComponent(b.bank_org_id)).catch(() => null)));
    regSets = per.filter(Boolean).map((s, i) => ({ label: pl.banks[i].bank_org_id, data: (s.points || []).map((p) => yuanNumber(p.principal_fen)), backgroundColor: COLORS[i % COLORS.length] }));
  }
  const stacked = { scales: { x: { stacked: true }, y: { stacked: true } }, plugins: { legend: { display: true } } };

  const classes = [...new Set((ren.rows || []).map((r) => r.risk_class))];
  const renSets = classes.map((c, i) => ({ label: enumWord(c), backgroundColor: COLORS[i % COLORS.length],
    data: (pl.points || []).map((p) => (ren.rows || []).filter((r) => r.date === p.date && r.risk_class === c)
      .reduce((s, r) => s + Number(r.renewals_without_principal_repaid || 0), 0)) }));

  const byBank = (pl.banks || []).length ? card(h("h2", {}, t("d.byBank")), table([t("d.bank"), t("d.registrations"), t("d.principal")],
    pl.banks.map((b) => [b.bank_org_id, String(b.registrations || 0), yuan(b.principal_fen)]), [1, 2])) : null;

  return [head, card(form, h("p", { class: "muted" }, date(pl.from_date) + " – " + date(pl.to_date) + " · " + t("d.asOf") + " " + pl.height +
    (pl.bank_org_id ? " · " + pl.bank_org_id : ""))), tiles,
    card(h("h2", {}, t("d.registered")), chart("bar", labels, regSets, stacked)),
    byBank,
    card(h("h2", {}, t("d.outstanding")), chart("line", labels, [
      { label: t("d.outstanding"), data: (out.points || []).map((p) => yuanNumber(p.outstanding_principal_fen)), borderColor: COLORS[0], yAxisID: "y" },
      { label: t("d.active"), data: (out.points || []).map((p) => Number(p.active_pledges || 0)), borderColor: COLORS[1], yAxisID: "y1" }],
      { scales: { y1: { position: "right", grid: { drawOnChartArea: false } } } })),
    card(h("h2", {}, t("d.borrowers")), chart("bar", labels, [
      { label: t("d.sme"), data: (bor.points || []).map((p) => Number(p.sme_registrations || 0)), backgroundColor: COLORS[0] },
      { label: t("d.firstTime"), data: (bor.points || []).map((p) => Number(p.first_time_borrowers || 0)), backgroundColor: COLORS[2] },
      { label: t("d.withOutstanding"), data: (bor.points || []).map((p) => Number(p.borrowers_with_outstanding || 0)), backgroundColor: COLORS[3] }],
    { plugins: { legend: { display: true } } })),
    card(h("h2", {}, t("d.renewals")), renSets.length ? chart("bar", labels, renSets, stacked) : h("p", { class: "muted" }, "0")),
    h("div", { class: "cols" },
      card(h("h2", {}, t("d.rate")), chart("bar", (dist.rate || []).map(bucketLabel), [{ label: t("d.pledges"), data: (dist.rate || []).map((b) => Number(b.pledges || 0)), backgroundColor: COLORS[0] }])),
      card(h("h2", {}, t("d.ltv")), chart("bar", (dist.ltv || []).map(bucketLabel), [{ label: t("d.pledges"), data: (dist.ltv || []).map((b) => Number(b.pledges || 0)), backgroundColor: COLORS[2] }]))),
    card(h("h2", {}, t("d.cautions")), chart("bar", labels, [{ label: t("d.cautions"), data: (cau.points || []).map((p) => Number(p.cautions || 0)), backgroundColor: COLORS[1] }])),
    val ? card(h("h2", {}, t("d.valuations")), table([t("d.appraiser"), t("d.count"), t("d.value"), t("va.realisable")],
      (val.appraisers || []).map((a) => [a.appraiser_org_id, String(a.valuations || 0), yuan(a.value_fen), yuan(a.realisable_value_fen)]), [1, 2, 3])) : null,
  ].filter(Boolean);
}
