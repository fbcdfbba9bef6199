// A transaction's action in words, after tools/wallet/describe.cc (what
// `pledger-wallet inspect` says): a title naming the action, its parties and
// its key figures, then every field of the action, formatted by kind.
import { t, lang } from "./i18n.js";
import { yuan, bps, date, enumWord } from "./fmt.js";

const n = (list) => (list || []).length;
const join = (list) => (list || []).join(", ");
const owners = (list) => (list || []).map((o) => o.org_id + " " + bps(o.share_bps)).join(", ");

// Titles per action: [English, Chinese], from the action's fields.
const TITLES = {
  patent_register: (x) => [`Register ${enumWord(x.type)} patent ${x.patent_no}${x.grant_date ? "" : " (application)"}, owned by ${owners(x.owners)}`,
    `登记${enumWord(x.type)}专利 ${x.patent_no}${x.grant_date ? "" : "（申请）"}，权利人 ${owners(x.owners)}`],
  patent_status: (x) => [`Record register event '${enumWord(x.event)}' for ${x.patent_no}`, `登记 ${x.patent_no} 的著录事项「${enumWord(x.event)}」`],
  patent_assign: (x) => [`Assign ${x.patent_no} to ${owners(x.new_owners)}`, `将 ${x.patent_no} 转让给 ${owners(x.new_owners)}`],
  licence_file: (x) => [`File a licence of ${x.patent_no}${x.licensee_org_id ? " to " + x.licensee_org_id : ""}`,
    `备案 ${x.patent_no} 的实施许可${x.licensee_org_id ? "（被许可人 " + x.licensee_org_id + "）" : ""}`],
  valuation_record: (x) => [`Record a valuation of ${n(x.patent_nos)} patent(s) at ${yuan(x.value_fen)}`,
    `登记 ${n(x.patent_nos)} 件专利的评估，价值 ${yuan(x.value_fen)}`],
  pledge_register: (x) => [`Register a pledge of ${n(x.patent_nos)} patent(s) to bank ${x.pledgee_org_id} securing ${yuan(x.principal_fen)}`,
    `登记 ${n(x.patent_nos)} 件专利质押给银行 ${x.pledgee_org_id}，担保本金 ${yuan(x.principal_fen)}`],
  pledge_change: (x) => [`Change pledge ${x.pledge_id} (R11)`, `变更质押 ${x.pledge_id}（R11）`],
  pledge_cancel: (x) => [`Cancel pledge ${x.pledge_id} (${enumWord(x.ground)})`, `注销质押 ${x.pledge_id}（${enumWord(x.ground)}）`],
  pledge_enforce: (x) => [`Enforce pledge ${x.pledge_id} by ${enumWord(x.method)}`, `以${enumWord(x.method)}方式实现质权 ${x.pledge_id}`],
  loan_accrue: (x) => [`Record interest and costs due on pledge ${x.pledge_id}`, `登记质押 ${x.pledge_id} 的应计利息和费用`],
  loan_repay: (x) => [`Record a repayment of ${yuan(x.amount_fen)} on pledge ${x.pledge_id}`, `登记质押 ${x.pledge_id} 还款 ${yuan(x.amount_fen)}`],
  loan_renew: (x) => [`Renew the loan of pledge ${x.pledge_id} without principal repayment (R34)`, `无还本续贷：质押 ${x.pledge_id}（R34）`],
  loan_classify: (x) => [`Classify the loan of pledge ${x.pledge_id} as ${enumWord(x.risk_class)}`, `将质押 ${x.pledge_id} 的贷款分类为${enumWord(x.risk_class)}`],
  pool_create: (x) => [`Create pool '${x.name}' of ${yuan(x.deal_size_fen)} run by trustee ${x.trustee_org_id}`,
    `设立资产池「${x.name}」，规模 ${yuan(x.deal_size_fen)}，受托人 ${x.trustee_org_id}`],
  pool_admit_patents: (x) => [`Admit ${n(x.patent_nos)} patent(s) into pool ${x.pool_id}`, `将 ${n(x.patent_nos)} 件专利纳入资产池 ${x.pool_id}`],
  pool_admit_pledges: (x) => [`Sell the loans of ${n(x.pledge_ids)} pledge(s) to pool ${x.pool_id}`, `将 ${n(x.pledge_ids)} 笔质押贷款转入资产池 ${x.pool_id}`],
  tranche_issue: (x) => [`Issue ${n(x.tranches)} tranche(s) of pool ${x.pool_id}`, `发行资产池 ${x.pool_id} 的 ${n(x.tranches)} 档证券`],
  holding_transfer: (x) => [`Transfer ${x.units} units of rank ${x.rank} of pool ${x.pool_id}`, `转让资产池 ${x.pool_id} 第 ${x.rank} 档 ${x.units} 份`],
  pool_collect: (x) => [`Record collections for pool ${x.pool_id}`, `登记资产池 ${x.pool_id} 的回收款`],
  pool_pay: (x) => [`Run the payment date ${date(x.payment_date)} of pool ${x.pool_id} (waterfall H1-H6)`,
    `执行资产池 ${x.pool_id} ${date(x.payment_date)} 兑付日分配（H1-H6）`],
  pool_trigger: (x) => [`Declare a trigger event on pool ${x.pool_id} (H8)`, `宣布资产池 ${x.pool_id} 触发事件（H8）`],
  pool_wind_down: (x) => [`Wind down pool ${x.pool_id}`, `资产池 ${x.pool_id} 清算结束`],
  org_add: (x) => [`Add organisation ${x.org?.id || ""}`, `新增机构 ${x.org?.id || ""}`],
  account_add: (x) => [`Add an account for organisation ${x.org_id}`, `为机构 ${x.org_id} 新增账户`],
  bank_policy_set: (x) => [`Set the lending policy of bank ${x.bank_org_id}`, `设置银行 ${x.bank_org_id} 的贷款政策`],
  validator_add: (x) => [`Add node ${x.validator?.node_id || ""} to the validator set`, `新增验证节点 ${x.validator?.node_id || ""}`],
  validator_remove: (x) => [`Remove node ${x.node_id} from the validator set`, `移除验证节点 ${x.node_id}`],
  noop: () => ["No operation", "空操作"],
};

// The action's name and fields: body.action is {"<name>": {...}}.
export function actionOf(body) {
  const a = body?.action || {};
  const name = Object.keys(a)[0] || "";
  return { name, x: a[name] || {} };
}

export function describe(body) {
  const { name, x } = actionOf(body);
  const f = TITLES[name];
  let title = name.replace(/_/g, " ");
  if (f) {
    try { title = f(x)[lang() === "zh" ? 1 : 0]; } catch (e) { /* a field missing: keep the name */ }
  }
  return { name, title, fields: flatten(x, "") };
}

// Every field as [label, text], formatted by its name's suffix.
function flatten(x, prefix) {
  const out = [];
  for (const [k, v] of Object.entries(x || {})) {
    if (v === "" || (Array.isArray(v) && !v.length)) continue;  // proto3 defaults: not part of what was said
    const label = prefix + fieldLabel(k);
    if (v && typeof v === "object" && !Array.isArray(v)) out.push(...flatten(v, label + " · "));
    else if (Array.isArray(v) && v.length && typeof v[0] === "object") {
      v.forEach((item, i) => out.push(...flatten(item, label + " " + (i + 1) + " · ")));
    } else out.push([label, fieldValue(k, v)]);
  }
  return out;
}

export function fieldLabel(k) {
  const key = "f." + k;
  const got = t(key);
  return got !== key ? got : k.replace(/_(fen|bps|hex)$/, "").replace(/_/g, " ");
}

export function fieldValue(k, v) {
  if (Array.isArray(v)) return v.map((x) => fieldValue(k.replace(/s$/, ""), x)).join(", ");
  if (/_fen$/.test(k)) return yuan(v);
  if (/_bps$/.test(k)) return bps(v);
  if (typeof v === "boolean") return v ? t("yes") : t("no");
  if (/^[A-Z][A-Z0-9_]+$/.test(String(v))) return enumWord(v);
  return String(v);
}
