"""Answers of the statistics API in the shapes docs/api.md "Statistics"
documents, with known figures, for a node that does not serve the API yet
(tests/browser/proxy.py uses it only where the node answers 404). The
dashboard is checked against these totals to the fen.

Two banks over three days: qtbank registers 5,000,000.00 yuan on day 1 and
1,000,000.00 on day 3, xhbank 1,200,000.00 on day 2.
"""

DAYS = ["2026-12-05", "2026-12-06", "2026-12-07"]
REG = {"qtbank": [500000000, 0, 100000000], "xhbank": [0, 120000000, 0]}
TOTAL_FEN = sum(sum(v) for v in REG.values())  # 720000000: "¥7,200,000.00"


def _head(bank=""):
    return {"from_date": DAYS[0], "to_date": DAYS[-1], "by": "day", "bank_org_id": bank, "height": "30",
            "last_block_date": DAYS[-1]}


def answer(name, q):
    bank = q.get("bank", "")
    banks = [bank] if bank else sorted(REG)
    per_day = [sum(REG[b][i] for b in banks) for i in range(3)]
    count = [sum(1 for b in banks if REG[b][i]) for i in range(3)]
    if name == "pledges":
        doc = _head(bank)
        doc["points"] = [{"date": d, "bank_org_id": bank, "registrations": count[i], "principal_fen": str(per_day[i]),
                          "repayments": 0, "repaid_fen": "0", "repaid_principal_fen": "0", "closures": 0,
                          "enforcements": 0} for i, d in enumerate(DAYS)]
        if not bank:
            doc["banks"] = [{"bank_org_id": b, "registrations": sum(1 for x in REG[b] if x),
                             "principal_fen": str(sum(REG[b]))} for b in sorted(REG)]
        return doc
    if name == "outstanding":
        doc = _head(bank)
        run = 0
        doc["points"] = []
        for i, d in enumerate(DAYS):
            run += per_day[i]
            doc["points"].append({"date": d, "bank_org_id": bank, "outstanding_principal_fen": str(run),
                                  "active_pledges": sum(count[:i + 1])})
        return doc
    if name == "borrowers":
        doc = _head(bank)
        doc["points"] = [{"date": d, "bank_org_id": bank, "registrations": count[i], "sme_registrations": count[i],
                          "sme_principal_fen": str(per_day[i]), "first_time_borrowers": 1 if i == 0 else 0,
                          "first_time_sme_borrowers": 1 if i == 0 else 0, "borrowers_with_outstanding": 1}
                         for i, d in enumerate(DAYS)]
        return doc
    if name == "renewals":
        doc = _head(bank)
        doc["rows"] = [{"date": DAYS[2], "bank_org_id": bank, "risk_class": "RISK_SUBSTANDARD",
                        "renewals_without_principal_repaid": 1, "renewals_after_principal_repaid": 0,
                        "renewed_principal_fen": "100000000"}]
        return doc
    if name == "distributions":
        doc = _head(bank)
        del doc["by"]
        edges = [0, 300, 350, 400, 450, 500, 600, 800, 0]
        doc["rate"] = [{"low_bps": edges[i], "high_bps": edges[i + 1], "pledges": 2 if edges[i] == 350 else 0,
                        "principal_fen": "0"} for i in range(8)]
        ltv = [0, 1, 1000, 2000, 3000, 4000, 5000, 6000]
        doc["ltv"] = [{"low_bps": 0, "high_bps": 0, "pledges": 0, "principal_fen": "0"}] + [
            {"low_bps": ltv[i], "high_bps": ltv[i + 1] if i + 1 < len(ltv) else 0,
             "pledges": 2 if ltv[i] == 4000 else 0, "principal_fen": "0"} for i in range(1, len(ltv))]
        return doc
    if name == "cautions":
        doc = _head(bank)
        doc["points"] = [{"date": d, "bank_org_id": bank, "cautions": 0, "cautioned_principal_fen": "0"} for d in DAYS]
        return doc
    if name == "valuations":
        doc = _head()
        doc["appraiser_org_id"] = ""
        doc["points"] = [{"date": d, "appraiser_org_id": "", "valuations": 1, "value_fen": "2000000000",
                          "realisable_value_fen": "1200000000"} for d in DAYS]
        doc["appraisers"] = [{"appraiser_org_id": "zjappraisal", "valuations": 3, "value_fen": "6000000000",
                              "realisable_value_fen": "3600000000"}]
        return doc
    return None
