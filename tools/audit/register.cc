#include "tools/audit/register.h"

#include <tuple>

#include "contracts/dates.h"
#include "ledger/bytes.h"
#include "ledger/tx.h"
#include "tools/common/text.h"

namespace pledger::tools::audit {
namespace {

std::string Attr(const ledger::Event& e, const std::string& key) {
  for (const auto& a : e.attributes()) {
    if (a.key() == key) return a.value();
  }
  return "";
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

RegisterBuilder::RegisterBuilder(const contracts::Genesis& genesis) {
  for (const auto& o : genesis.organisations()) names_[o.id()] = o.name();
}

std::string RegisterBuilder::Name(const std::string& id) const {
  auto it = names_.find(id);
  return it == names_.end() ? id : it->second;
}

std::string RegisterBuilder::Names(const std::string& comma_ids) const {
  std::vector<std::string> names;
  for (const auto& id : Split(comma_ids, ',')) names.push_back(Name(id));
  return Join(names, "; ");
}

Status RegisterBuilder::Visit(const ledger::BlockHeader& header, const ledger::Block& block,
                              const ledger::BlockResults& results) {
  height_ = header.height();
  const std::string block_date = contracts::FormatDate(contracts::DateOfBlockTime(header.time_ms()));
  for (int i = 0; i < results.receipts_size(); ++i) {
    // Quick filter: only receipts that announce or change something we fold.
    const std::string& raw = results.receipts(i);
    if (raw.find("pledge.") == std::string::npos && raw.find("org.added") == std::string::npos) continue;
    ledger::Receipt r;
    if (!r.ParseFromString(raw)) {
      return Status::Corruption("RESULTS_MALFORMED", "receipt " + std::to_string(i) + " of block " +
                                                         std::to_string(header.height()) + " does not parse");
    }
    if (r.code() != "OK") continue;
    const std::string tx_id = ledger::HexEncode(r.tx_id());
    std::string cancel_ground;
    for (const auto& e : r.events()) {
      const std::string& t = e.type();
      if (t == "org.added") {
        ledger::Transaction tx;
        if (tx.ParseFromString(block.txs(i))) {
          auto body = ledger::DecodeTxBody(tx.body());
          if (body.ok() && body->action().has_org_add()) {
            names_[body->action().org_add().org().id()] = body->action().org_add().org().name();
          }
        }
      } else if (t == "gazette.pledge_registered") {
        RegisterRow row;
        row.set_pledge_id(Attr(e, "pledge_id"));
        row.set_status("REGISTERED");
        row.set_pledgor_ids(Join(Split(Attr(e, "pledgors"), ','), ";"));
        row.set_pledgor(Names(Attr(e, "pledgors")));
        row.set_pledgee_id(Attr(e, "pledgee"));
        row.set_pledgee(Name(row.pledgee_id()));
        row.set_main_ipc(Attr(e, "main_ipc"));
        row.set_patent_no(Attr(e, "patent_no"));
        row.set_grant_date(Attr(e, "grant_date"));
        row.set_registration_date(Attr(e, "reg_date"));
        row.set_registration_height(header.height());
        row.set_registration_tx(tx_id);
        auto key = std::make_tuple(header.height(), static_cast<std::uint32_t>(i), row.pledge_id(), row.patent_no());
        by_pledge_[row.pledge_id()].push_back(key);
        Announcement a;
        a.set_kind("REGISTRATION");
        a.set_date(row.registration_date());
        a.set_height(header.height());
        a.set_tx_id(tx_id);
        a.set_pledge_id(row.pledge_id());
        a.set_patent_nos(row.patent_no());
        a.set_pledgor(row.pledgor());
        a.set_pledgee(row.pledgee());
        a.set_main_ipc(row.main_ipc());
        a.set_grant_date(row.grant_date());
        a.set_registration_date(row.registration_date());
        announcements_.push_back(std::move(a));
        rows_[key] = std::move(row);
      } else if (t == "gazette.pledge_changed") {
        const std::string id = Attr(e, "pledge_id");
        for (const auto& key : by_pledge_[id]) {
          RegisterRow& row = rows_[key];
          row.set_changes(row.changes() + 1);
          row.set_last_change_date(Attr(e, "date"));
        }
        Announcement a;
        a.set_kind("CHANGE");
        a.set_date(Attr(e, "date"));
        a.set_height(header.height());
        a.set_tx_id(tx_id);
        a.set_pledge_id(id);
        a.set_patent_nos(Join(Split(Attr(e, "patents"), ','), ";"));
        if (!by_pledge_[id].empty()) {
          const RegisterRow& first = rows_[by_pledge_[id].front()];
          a.set_pledgor(first.pledgor());
          a.set_pledgee(first.pledgee());
          a.set_registration_date(first.registration_date());
        }
        announcements_.push_back(std::move(a));
      } else if (t == "pledge.cancelled") {
        cancel_ground = Attr(e, "ground");
        for (const auto& key : by_pledge_[Attr(e, "pledge_id")]) {
          RegisterRow& row = rows_[key];
          row.set_status("CANCELLED");
          row.set_cancellation_date(Attr(e, "cancel_date"));
          row.set_cancellation_ground(cancel_ground);
        }
      } else if (t == "gazette.pledge_cancelled") {
        const std::string id = Attr(e, "pledge_id");
        Announcement a;
        a.set_kind("CANCELLATION");
        a.set_date(Attr(e, "cancel_date"));
        a.set_height(header.height());
        a.set_tx_id(tx_id);
        a.set_pledge_id(id);
        a.set_patent_nos(Join(Split(Attr(e, "patents"), ','), ";"));
        a.set_pledgee(Name(Attr(e, "pledgee")));
        a.set_ground(cancel_ground);
        if (!by_pledge_[id].empty()) {
          const RegisterRow& first = rows_[by_pledge_[id].front()];
          a.set_pledgor(first.pledgor());
          a.set_registration_date(first.registration_date());
        }
        announcements_.push_back(std::move(a));
      } else if (t == "pledge.enforced") {
        for (const auto& key : by_pledge_[Attr(e, "pledge_id")]) {
          RegisterRow& row = rows_[key];
          row.set_status("ENFORCED");
          row.set_enforcement_date(block_date);
        }
      }
    }
  }
  return Status::OK();
}

RegisterExport RegisterBuilder::Finish(bool active_only) const {
  RegisterExport out;
  out.set_height(height_);
  for (const auto& [key, row] : rows_) {
    if (active_only && row.status() != "REGISTERED") continue;
    *out.add_rows() = row;
  }
  for (const auto& a : announcements_) {
    if (active_only) {
      auto it = by_pledge_.find(a.pledge_id());
      if (it == by_pledge_.end() || it->second.empty() || rows_.at(it->second.front()).status() != "REGISTERED") continue;
    }
    *out.add_announcements() = a;
  }
  return out;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string RegisterCsv(const RegisterExport& e) {
  std::string out =
      "pledge_id,status,pledgor,pledgee,main_ipc,patent_no,grant_date,registration_date,changes,last_change_date,"
      "cancellation_date,cancellation_ground,enforcement_date,pledgor_ids,pledgee_id,registration_height,"
      "registration_tx\r\n";
  for (const auto& r : e.rows()) {
    for (const std::string& f :
         {r.pledge_id(), r.status(), r.pledgor(), r.pledgee(), r.main_ipc(), r.patent_no(), r.grant_date(),
          r.registration_date(), std::to_string(r.changes()), r.last_change_date(), r.cancellation_date(),
          r.cancellation_ground(), r.enforcement_date(), r.pledgor_ids(), r.pledgee_id(),
          std::to_string(r.registration_height()), r.registration_tx()}) {
      out += CsvField(f);
      out += ',';
    }
    out.back() = '\r';
    out += '\n';
  }
  return out;
}

std::string AnnouncementsCsv(const RegisterExport& e) {
  std::string out =
      "kind,date,pledge_id,pledgor,pledgee,main_ipc,patent_nos,grant_date,registration_date,ground,height,tx_id\r\n";
  for (const auto& a : e.announcements()) {
    for (const std::string& f : {a.kind(), a.date(), a.pledge_id(), a.pledgor(), a.pledgee(), a.main_ipc(),
                                 a.patent_nos(), a.grant_date(), a.registration_date(), a.ground(),
                                 std::to_string(a.height()), a.tx_id()}) {
      out += CsvField(f);
      out += ',';
    }
    out.back() = '\r';
    out += '\n';
  }
  return out;
}

}  // namespace pledger::tools::audit
