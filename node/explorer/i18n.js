// Simplified Chinese and English. The reader's choice is kept in
// localStorage ("pledger.lang"); Chinese is the default, as for the
// register's own readers.
const LANG_KEY = "pledger.lang";

const S = {
  // [English, Chinese]
  "nav.chain": ["Chain", "链"], "nav.blocks": ["Blocks", "区块"], "nav.pledges": ["Pledges", "质押登记"],
  "nav.pools": ["Pools", "资产池"], "nav.supervision": ["Supervision", "监管"], "nav.trust": ["Trust", "信任"],
  "nav.signin": ["Sign in", "登录"], "search": ["Height, hash, patent, pledge or organisation", "高度、哈希、专利号、质押编号或机构"],
  "loading": ["Loading…", "加载中…"], "withheld": ["withheld", "不予公开"], "yes": ["yes", "是"], "no": ["no", "否"],
  "foot": ["Pledger explorer · served by this node · proofs and signatures are checked in your browser",
    "Pledger 浏览器 · 由本节点提供 · 证明与签名在您的浏览器中验证"],
  "err.api": ["The node refused the request.", "节点拒绝了请求。"], "err.page": ["This page failed.", "页面出错。"],
  "err.signin": ["Sign in to read this (a token from pledger-wallet login --print-token).", "请登录后查看（使用 pledger-wallet login --print-token 获取令牌）。"],
  "err.forbidden": ["Your account may not read this record.", "您的账户无权查看此记录。"],
  "err.notFound": ["Not found.", "未找到。"], "err.noPage": ["No such page.", "没有此页面。"],
  // chain
  "c.title": ["Chain", "链"], "c.height": ["Height", "区块高度"], "c.leader": ["Leader", "主节点"], "c.term": ["Raft term", "任期"],
  "c.rate": ["Transactions per minute", "每分钟交易数"], "c.nodes": ["Nodes", "节点"], "c.node": ["Node", "节点"],
  "c.org": ["Operator", "运营机构"], "c.raft": ["Role", "角色"], "c.vote": ["Vote", "投票权"], "c.lag": ["Lag (entries)", "落后（条目）"],
  "c.down": ["not connected", "未连接"], "c.thisNode": ["this node", "本节点"],
  "c.lagNote": ["Only the leader measures every node's lag; this node reports its own.", "只有主节点能测量各节点的落后情况；本节点只报告自身。"],
  "c.tpm": ["Committed transactions per minute (recent blocks)", "每分钟提交的交易（近期区块）"],
  "c.recent": ["Recent blocks", "近期区块"], "c.all": ["all blocks", "全部区块"],
  "role.leader": ["leader", "主节点"], "role.follower": ["follower", "从节点"], "role.learner": ["learner", "学习节点"],
  "role.voter": ["voter", "投票"], "role.learnerVote": ["no vote", "无投票权"],
  // blocks
  "b.list": ["Blocks", "区块"], "b.block": ["Block", "区块"], "b.height": ["Height", "高度"], "b.time": ["Time (China)", "时间（北京）"],
  "b.txs": ["Transactions", "交易数"], "b.proposer": ["Proposer", "出块节点"], "b.att": ["Attestation", "见证"],
  "b.attested": ["attested", "已见证"], "b.notYet": ["not yet", "尚未见证"], "b.older": ["Older blocks", "更早的区块"],
  "b.hash": ["Hash", "哈希"], "b.prev": ["Previous", "前一区块"], "b.txRoot": ["Transaction root", "交易根"],
  "b.stateRoot": ["State root", "状态根"], "b.raft": ["Raft entry", "Raft 条目"], "b.txList": ["Transactions", "交易"],
  "b.txid": ["Transaction id", "交易编号"], "b.noTx": ["No transactions in this block.", "本区块没有交易。"],
  "b.attTitle": ["Validators' attestations of this block (checked in your browser)", "验证节点对本区块的见证（在您的浏览器中验证）"],
  "b.attVerified": ["A majority of the validators signed this header", "多数验证节点签署了此区块头"],
  "b.attPending": ["Not yet attested by a majority (attestations travel in later blocks)", "尚未获得多数见证（见证由后续区块携带）"],
  "b.validator": ["Validator", "验证节点"], "b.signed": ["Signature", "签名"], "b.sigOk": ["valid", "有效"],
  "b.sigBad": ["invalid", "无效"], "b.noSig": ["not signed", "未签署"], "b.carried": ["Attestations carried by this block", "本区块携带的见证"],
  // transactions
  "tx.title": ["Transaction", "交易"], "tx.pending": ["This transaction waits in a mempool; it has no block yet.", "该交易仍在交易池中等待，尚未进入区块。"],
  "tx.id": ["Transaction id", "交易编号"], "tx.action": ["Action", "操作"], "tx.block": ["Block", "区块"], "tx.index": ["Position", "位置"],
  "tx.time": ["Block time (China)", "区块时间（北京）"], "tx.result": ["Result", "结果"], "tx.rule": ["Rule", "规则"],
  "tx.message": ["Message", "说明"], "tx.grounds": ["Every ground of refusal", "全部拒绝理由"], "tx.signers": ["Signers", "签署方"],
  "tx.key": ["Key", "公钥"], "tx.sigValid": ["Signature", "签名"], "tx.fields": ["What was signed", "签署内容"],
  "tx.events": ["Events", "事件"], "tx.event": ["Event", "事件"], "tx.attrs": ["Details", "详情"],
  "tx.cut": ["The node withheld parts of this transaction from you:", "节点对您隐去了此交易的部分内容："],
  // verification
  "v.title": ["Verification in your browser", "在您的浏览器中验证"], "v.verified": ["verified", "已验证"],
  "v.notVerified": ["not verified", "未通过验证"], "v.pending": ["proof checked; block not yet attested by a majority", "证明已验证；区块尚未获得多数见证"],
  "v.unverifiable": ["cannot be verified: the transaction's bytes are withheld from you", "无法验证：交易内容未向您公开"],
  "v.header": ["Block header hashes to the block hash", "区块头哈希与区块哈希一致"],
  "v.txid": ["Transaction id is SHA-256 of the signed body", "交易编号为签署内容的 SHA-256"],
  "v.proof": ["RFC 6962 inclusion proof leads to the header's tx_root", "RFC 6962 包含证明通向区块头的交易根"],
  "v.attest": ["Validators' Ed25519 attestations of the header", "验证节点对区块头的 Ed25519 见证"],
  "v.bytes": ["Transaction bytes", "交易字节"], "v.error": ["Error", "错误"],
  "v.fromNode": ["Validators from this node (not independently pinned).", "验证节点来自本节点（未独立固定）。"],
  "v.fromPinned": ["Validators from your pinned genesis file.", "验证节点来自您固定的创世文件。"],
  // trust
  "tr.title": ["Trusted genesis file", "信任的创世文件"],
  "tr.help": ["Attestations are checked against the validators of a genesis file you supply: get it from your consortium, not from this node. It is kept in this browser.",
    "见证将依据您提供的创世文件中的验证节点进行核验：请从联盟处获取，而非从本节点获取。文件保存在本浏览器中。"],
  "tr.pinned": ["A genesis file is pinned.", "已固定创世文件。"], "tr.chain": ["Chain", "链标识"], "tr.hash": ["SHA-256", "SHA-256"],
  "tr.validators": ["Validators", "验证节点"], "tr.nodeSame": ["This node runs the same file", "本节点运行相同文件"],
  "tr.supply": ["Pin a genesis file", "固定创世文件"], "tr.nodeHash": ["This node's genesis file hashes to", "本节点创世文件哈希"],
  "tr.pin": ["Pin", "固定"], "tr.unpin": ["Forget", "取消固定"], "tr.bad": ["Not a genesis file", "不是创世文件"],
  // sign-in
  "si.title": ["Sign in", "登录"], "si.who": ["The node takes you for", "节点识别的身份"],
  "si.help": ["Paste a token from `pledger-wallet login --print-token`. It is sent as Authorization: Bearer to this node only, and kept in this tab for its 15 minutes. Without one you see the public gazette view.",
    "粘贴 `pledger-wallet login --print-token` 输出的令牌。令牌仅以 Authorization: Bearer 发送给本节点，在本标签页中保留 15 分钟。未登录时只能查看公告视图。"],
  "si.use": ["Use this token", "使用此令牌"], "si.signout": ["Sign out", "退出"], "si.expired": ["Token expired", "令牌已过期"],
  "si.via": ["Signed in by", "登录方式"], "si.view": ["View", "视图"], "si.org": ["Organisation", "机构"], "si.roles": ["Roles", "角色"],
  "si.account": ["Account key", "账户公钥"], "si.via.anonymous": ["nobody (anonymous)", "未登录（匿名）"], "si.via.token": ["token", "令牌"],
  "si.via.signature": ["signature", "签名"], "si.view.gazette": ["public gazette", "公告视图"], "si.view.party": ["party", "当事方"],
  "si.view.full": ["full (IP office, auditor, regulator)", "全部（知识产权局、审计、监管）"],
  // registers
  "r.cut": ["Parts of this record are withheld from you (you are not a party); they are marked as such.", "此记录的部分内容不向您公开（您不是当事方），已标注。"],
  "r.someTx": ["a transaction", "一笔交易"],
  "p.title1": ["Patent", "专利"], "p.register": ["Register entry", "登记簿记载"], "p.no": ["Patent number", "专利号"],
  "p.title": ["Title", "名称"], "p.type": ["Type", "类型"], "p.ipc": ["Main IPC", "主分类号"], "p.status": ["Legal status", "法律状态"],
  "p.statusDate": ["Status since", "状态日期"], "p.owners": ["Owners", "专利权人"], "p.filed": ["Filed", "申请日"],
  "p.granted": ["Granted", "授权日"], "p.notGranted": ["not granted", "未授权"], "p.term": ["Term", "保护期"],
  "p.fees": ["Fees paid through", "年费缴至"], "p.flags": ["Register flags", "登记标记"], "p.pledged": ["pledged", "已质押"],
  "p.licensed": ["licensed", "已许可"], "p.pledges": ["Pledges (R18 order)", "质押（按 R18 顺位）"], "p.noPledges": ["Never pledged.", "从未质押。"],
  "p.valuations": ["Valuations", "评估"], "p.history": ["History", "历史"],
  "va.base": ["Base date", "基准日"], "va.method": ["Method", "方法"], "va.value": ["Value", "评估值"],
  "va.realisable": ["Realisable", "可变现价值"], "va.appraiser": ["Appraiser", "评估机构"],
  "pl.title": ["Pledge register", "质押登记簿"], "pl.one": ["Pledge", "质押"], "pl.id": ["Pledge", "质押编号"],
  "pl.patents": ["Patents", "专利"], "pl.pledgors": ["Pledgors", "出质人"], "pl.pledgee": ["Pledgee", "质权人"],
  "pl.regDate": ["Registered", "登记日"], "pl.state": ["State", "状态"], "pl.cancelDate": ["Cancelled", "注销日"],
  "pl.principal": ["Principal", "本金"], "pl.rate": ["Rate", "利率"], "pl.due": ["Due", "到期日"], "pl.debtor": ["Debtor", "债务人"],
  "pl.debtType": ["Debt", "债务类型"], "pl.ltv": ["LTV", "质押率"], "pl.outstanding": ["Outstanding principal", "未偿本金"],
  "pl.risk": ["Risk class", "风险分类"], "pl.valuation": ["Valuation", "评估"],
  "pl.search": ["Search", "搜索"], "pl.searchHint": ["patent number, bank or borrower", "专利号、银行或借款人"],
  "pl.by.all": ["anything", "全部"], "pl.by.patent": ["patent", "专利"], "pl.by.bank": ["bank", "银行"], "pl.by.borrower": ["borrower", "借款人"],
  "pl.csv": ["Export CSV", "导出 CSV"], "pl.count": ["pledges", "笔质押"],
  "pl.next": ["Next 1,000", "下 1,000 笔"], "pl.fromRank": ["from rank", "自排位"],
  "pl.firstPages": ["The first 1,000 pledges of each bank; search by bank for the rest.", "每家银行的前 1,000 笔质押；按银行搜索可查看其余部分。"],
  "pl.gazetteOnly": ["The gazette's columns (R10): what the register announces to everyone.", "公告栏目（R10）：登记簿向公众公告的内容。"],
  "pl.withTerms": ["The gazette's columns, and the terms of the pledges you are party to.", "公告栏目，以及您作为当事方的质押条款。"],
  "po.title": ["Patent pools", "专利资产池"], "po.none": ["No pools on this chain.", "本链上没有资产池。"], "po.one": ["Pool", "资产池"],
  "po.name": ["Name", "名称"], "po.id": ["Id", "编号"], "po.trustee": ["Trustee", "受托人"], "po.state": ["State", "状态"],
  "po.created": ["Created", "设立日"], "po.maturity": ["Legal maturity", "法定到期日"], "po.size": ["Deal size", "规模"],
  "po.model": ["Model", "模式"], "po.issued": ["Issued", "发行日"], "po.guarantor": ["Guarantor", "担保人"],
  "po.collected": ["Collected", "累计回收"], "po.members": ["Members", "入池资产"], "po.ref": ["Asset", "资产"], "po.kind": ["Kind", "类型"],
  "po.admitted": ["Admitted", "入池日"], "po.tranches": ["Tranches", "分层"], "po.rank": ["Rank", "顺位"], "po.class": ["Class", "档次"],
  "po.principal": ["Principal", "本金"], "po.coupon": ["Coupon", "票面利率"], "po.outstanding": ["Outstanding", "未偿余额"],
  "po.holders": ["Holders", "持有人"], "po.holdings": ["Holdings", "持有"], "po.investor": ["Investor", "投资人"], "po.units": ["Units", "份数"],
  "po.interestRecv": ["Interest received", "已收利息"], "po.principalRecv": ["Principal received", "已收本金"],
  "po.waterfall": ["Waterfall of", "现金流分配"], "po.yuan": ["yuan", "元"],
  "po.rating": ["Rating", "评级"], "po.residualRecv": ["Residual received", "已收剩余收益"], "po.dates": ["Payment dates", "兑付日"],
  "po.noDates": ["No payment date yet.", "尚无兑付日。"], "po.period": ["Period", "计息期"], "po.days": ["days", "天"], "po.day": ["day", "天"],
  "po.cashIn": ["Cash in", "可分配现金"], "po.carried": ["Carried", "结转"], "po.fees": ["Fees", "费用"],
  "po.interestPaid": ["Interest paid", "支付利息"], "po.principalPaid": ["Principal paid", "偿还本金"],
  "po.residualPaid": ["Residual paid", "剩余收益"], "po.balanceAfter": ["Outstanding after", "兑付后余额"],
  "po.guarantorDraw": ["Guarantor draw (H5)", "差额支付（H5）"], "po.triggered": ["trigger order (H8)", "触发事件后顺序（H8）"],
  "po.tranche": ["Tranche", "分层"],
  "wf.cash in": ["cash in", "可分配现金"], "wf.carried": ["carried", "结转"], "wf.fee": ["fee", "费用"],
  "wf.interest": ["interest", "利息"], "wf.principal": ["principal", "本金"], "wf.shortfall interest": ["shortfall interest", "差额支付利息"],
  "wf.shortfall principal": ["shortfall principal", "差额支付本金"], "wf.reserve": ["reserve", "储备"],
  "wf.residual": ["residual", "剩余收益"], "wf.rank": ["rank", "顺位"],
  "o.id": ["Id", "编号"], "o.kind": ["Kind", "类型"], "o.address": ["Address", "地址"], "o.policy": ["Lending policy", "贷款政策"],
  "o.ltvCap": ["LTV cap", "质押率上限"], "o.pledges": ["Its pledges", "相关质押"],
  // supervision
  "d.title": ["Supervision", "监管"], "d.unavailable": ["statistics API not available on this node", "本节点不提供统计接口"],
  "d.signin": ["The statistics are for IP offices, auditors, regulators and each bank's own figures: sign in.", "统计数据仅向知识产权局、审计、监管机构及银行本身开放：请登录。"],
  "d.range": ["Range", "期间"], "d.byDay": ["by day", "按日"], "d.byMonth": ["by month", "按月"], "d.asOf": ["as of block", "截至区块"],
  "d.registered": ["Pledge financing registered (principal, yuan)", "登记的质押融资（本金，元）"],
  "d.registrations": ["Registrations", "登记笔数"], "d.outstanding": ["Outstanding principal (yuan)", "未偿本金（元）"],
  "d.active": ["Active pledges", "有效质押"], "d.borrowers": ["SMEs financed and first-time borrowers", "获得融资的中小企业和首贷户"],
  "d.sme": ["SME registrations", "中小企业登记"], "d.firstTime": ["First-time borrowers", "首贷户"],
  "d.withOutstanding": ["Borrowers with outstanding loans", "有未偿贷款的借款人"],
  "d.renewals": ["Renewals without principal repayment, by risk class (§8)", "无还本续贷（按风险分类，§8）"],
  "d.rate": ["Interest rates of registrations (§10)", "登记利率分布（§10）"], "d.ltv": ["LTV of registrations (§10)", "质押率分布（§10）"],
  "d.cautions": ["Partner-bank caution events (§7)", "合作银行警示事件（§7）"], "d.valuations": ["Valuations by appraiser", "各评估机构的评估"],
  "d.byBank": ["By bank", "按银行"], "d.bank": ["Bank", "银行"], "d.pledges": ["Pledges", "笔数"], "d.principal": ["Principal", "本金"],
  "d.none": ["no valuation", "无评估"], "d.appraiser": ["Appraiser", "评估机构"], "d.count": ["Count", "数量"], "d.value": ["Value", "价值"],
  "d.show": ["Show", "查询"],
  // enums and actions
  "enum.PATENT_VALID": ["valid", "有效"], "enum.PATENT_INVENTION": ["invention", "发明"], "enum.PATENT_UTILITY": ["utility model", "实用新型"],
  "enum.PATENT_DESIGN": ["design", "外观设计"], "enum.PATENT_EXPIRED": ["expired", "期满终止"], "enum.PATENT_FEE_GRACE": ["fee grace period", "年费宽限期"],
  "enum.PATENT_TERMINATED_NONPAYMENT": ["terminated (fees unpaid)", "未缴年费终止"], "enum.PATENT_INVALIDATED": ["invalidated", "宣告无效"],
  "enum.PLEDGE_REGISTERED": ["registered", "已登记"], "enum.PLEDGE_CANCELLED": ["cancelled", "已注销"], "enum.PLEDGE_ENFORCED": ["enforced", "已实现"],
  "enum.ORG_BANK": ["bank", "银行"], "enum.ORG_SME": ["SME", "中小企业"], "enum.ORG_IP_OFFICE": ["IP office", "知识产权局"],
  "enum.ORG_APPRAISER": ["appraiser", "评估机构"], "enum.ORG_TRUSTEE": ["trustee", "受托人"], "enum.ORG_AUDITOR": ["auditor", "审计机构"],
  "enum.ORG_REGULATOR": ["regulator", "监管机构"], "enum.ORG_INVESTOR": ["investor", "投资人"],
  "enum.ORG_GUARANTOR": ["guarantor", "担保机构"],
  "enum.POOL_OPEN": ["open", "设立中"], "enum.POOL_ISSUED": ["issued", "已发行"], "enum.POOL_WOUND_DOWN": ["wound down", "已清算"],
  "enum.POOL_LICENSE": ["licence pool (royalties)", "许可模式（许可费）"], "enum.POOL_LOAN": ["loan pool (pledge loans)", "质押贷款模式"],
  "enum.POOL_MEMBER_PATENT": ["patent", "专利"], "enum.POOL_MEMBER_PLEDGE": ["pledge loan", "质押贷款"],
  "enum.POOL_MEMBER_ACTIVE": ["in the pool", "在池"], "enum.POOL_MEMBER_REMOVED": ["removed", "已移出"],
  "enum.POOL_MEMBER_RELEASED": ["released", "已解除"],
  "enum.TRANCHE_SENIOR": ["senior", "优先级"], "enum.TRANCHE_MEZZANINE": ["mezzanine", "中间级"],
  "enum.TRANCHE_SUBORDINATED": ["subordinated", "次级"],
  "act.patent_register": ["Patent registered", "专利登记"], "act.patent_status": ["Register event", "著录事项变更"],
  "act.patent_assign": ["Patent assigned", "专利转让"], "act.licence_file": ["Licence filed", "许可备案"],
  "act.valuation_record": ["Valuation recorded", "评估登记"], "act.pledge_register": ["Pledge registered", "质押登记"],
  "act.pledge_change": ["Pledge changed", "质押变更"], "act.pledge_cancel": ["Pledge cancelled", "质押注销"],
  "act.loan_repay": ["Repayment", "还款"], "act.loan_renew": ["Loan renewed", "续贷"], "act.pool_admit_patents": ["Admitted into a pool", "入池"],
  "f.patent_no": ["Patent", "专利号"], "f.patent_nos": ["Patents", "专利"], "f.pledgee_org_id": ["Pledgee (bank)", "质权人（银行）"],
  "f.pledgor_org_ids": ["Pledgors", "出质人"], "f.debtor_org_id": ["Debtor", "债务人"], "f.principal_fen": ["Principal", "本金"],
  "f.interest_rate_bps": ["Interest", "利率"], "f.due_date": ["Due", "到期日"], "f.debt_type": ["Debt", "债务类型"], "f.scope": ["Scope", "担保范围"],
  "f.valuation_id": ["Valuation", "评估"], "f.contract_hash": ["Contract (sha256)", "合同（sha256）"], "f.value_fen": ["Value", "评估值"],
  "f.realisable_value_fen": ["Realisable value", "可变现价值"], "f.base_date": ["Base date", "基准日"], "f.method": ["Method", "方法"],
  "f.title": ["Title", "名称"], "f.main_ipc": ["Main IPC", "主分类号"], "f.filing_date": ["Filed", "申请日"], "f.grant_date": ["Granted", "授权日"],
  "f.owners": ["Owners", "专利权人"], "f.org_id": ["Organisation", "机构"], "f.share_bps": ["Share", "份额"],
  "f.fee_paid_through": ["Fees paid through", "年费缴至"], "f.pledge_id": ["Pledge", "质押"], "f.amount_fen": ["Amount", "金额"],
};

export function lang() {
  const l = localStorage.getItem(LANG_KEY);
  return l === "en" ? "en" : "zh";
}
export function setLang(l) { localStorage.setItem(LANG_KEY, l === "en" ? "en" : "zh"); }

// The text of `key` in the current language, or the key itself if unknown.
export function t(key) {
  const s = S[key];
  if (!s) return key;
  return s[lang() === "zh" ? 1 : 0];
}

// The page's fixed text (elements with data-i18n), the switch and <html lang>.
export function applyStatic() {
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  const q = document.getElementById("q");
  if (q) q.placeholder = t("search");
  const b = document.getElementById("lang");
  if (b) b.textContent = lang() === "zh" ? "English" : "中文";
  document.title = lang() === "zh" ? "Pledger 浏览器" : "Pledger explorer";
}
