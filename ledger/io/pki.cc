#include "ledger/io/pki.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <ctime>
#include <memory>

namespace pledger::io {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

Status OpenSslError(std::string_view what) {
  return Status::Internal("OPENSSL_ERROR", std::string(what) + " failed in OpenSSL");
}

Result<std::string> BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len < 0) return OpenSslError("BIO_get_mem_data");
  return std::string(data, static_cast<size_t>(len));
}

Result<Ptr<EVP_PKEY>> EvpFromSecret(const ledger::SecretKey& key) {
  std::string seed = key.ExportSeed();
  EVP_PKEY* p = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  OPENSSL_cleanse(seed.data(), seed.size());
  if (p == nullptr) return OpenSslError("EVP_PKEY_new_raw_private_key");
  return Ptr<EVP_PKEY>(p);
}

Result<Ptr<EVP_PKEY>> EvpFromPem(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* p = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (p == nullptr) {
    return Status::InvalidArgument("KEY_INVALID", "not a PEM private key (PKCS#8)");
  }
  return Ptr<EVP_PKEY>(p);
}

Result<Ptr<X509>> X509FromPem(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (x == nullptr) return Status::InvalidArgument("CERT_INVALID", "not a PEM X.509 certificate");
  return Ptr<X509>(x);
}

Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return OpenSslError("X509_add_ext");
  return Status::OK();
}

Status SetSerialAndValidity(X509* cert, int validity_days) {
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return OpenSslError("RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  if (sn == nullptr) return OpenSslError("serial");
  X509_set_version(cert, 2);
  // Backdate a little so peers with slightly slow clocks accept it at once.
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(validity_days) * 86400L);
  return Status::OK();
}

Status SetName(X509_NAME* name, const std::string& cn, const std::string& org) {
  if (!org.empty() &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0) != 1) {
    return OpenSslError("X509_NAME O");
  }
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1) {
    return OpenSslError("X509_NAME CN");
  }
  return Status::OK();
}

Result<std::string> CertToPem(X509* cert) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("PEM_write_bio_X509");
  return BioToString(bio.get());
}

}  // namespace

Status ValidateNodeId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 64;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-')) {
      ok = false;
    }
  }
  if (!ok) {
    return Status::InvalidArgument("NODE_ID_INVALID", "node id '" + id +
                                                          "' must be 1-64 characters of "
                                                          "A-Z a-z 0-9 . _ -");
  }
  return Status::OK();
}

Result<std::string> Ed25519KeyToPem(const ledger::SecretKey& key) {
  PLEDGER_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> pkey, EvpFromSecret(key));
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("PEM_write_bio_PrivateKey");
  }
  return BioToString(bio.get());
}

Result<ledger::SecretKey> Ed25519KeyFromPem(const std::string& pem) {
  PLEDGER_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> pkey, EvpFromPem(pem));
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("KEY_NOT_ED25519", "the key is not an Ed25519 key");
  }
  std::string seed(32, '\0');
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                   &len) != 1 ||
      len != 32) {
    return OpenSslError("EVP_PKEY_get_raw_private_key");
  }
  auto key = ledger::SecretKey::FromSeed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return key;
}

Result<CertAndKey> GenerateCa(const std::string& name, int validity_days) {
  ledger::SecretKey ca_key = ledger::SecretKey::Generate();
  PLEDGER_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> pkey, EvpFromSecret(ca_key));
  Ptr<X509> cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  PLEDGER_RETURN_IF_ERROR(SetSerialAndValidity(cert.get(), validity_days));
  PLEDGER_RETURN_IF_ERROR(SetName(X509_get_subject_name(cert.get()), name, name));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), pkey.get());
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), pkey.get(), nullptr) <= 0) return OpenSslError("X509_sign");
  CertAndKey out;
  PLEDGER_ASSIGN_OR_RETURN(out.cert_pem, CertToPem(cert.get()));
  PLEDGER_ASSIGN_OR_RETURN(out.key_pem, Ed25519KeyToPem(ca_key));
  return out;
}

Result<std::string> IssueNodeCertificate(const std::string& ca_cert_pem,
                                         const std::string& ca_key_pem,
                                         const std::string& node_id, const std::string& org,
                                         const ledger::SecretKey& node_key,
                                         const std::vector<std::string>& hosts, int validity_days) {
  PLEDGER_RETURN_IF_ERROR(ValidateNodeId(node_id));
  PLEDGER_ASSIGN_OR_RETURN(Ptr<X509> ca, X509FromPem(ca_cert_pem));
  PLEDGER_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> ca_key, EvpFromPem(ca_key_pem));
  PLEDGER_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> pkey, EvpFromSecret(node_key));
  Ptr<X509> cert(X509_new());
  PLEDGER_RETURN_IF_ERROR(SetSerialAndValidity(cert.get(), validity_days));
  PLEDGER_RETURN_IF_ERROR(SetName(X509_get_subject_name(cert.get()), node_id, org));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get()));
  X509_set_pubkey(cert.get(), pkey.get());
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth,clientAuth"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always"));
  if (!hosts.empty()) {
    std::string san;
    for (const auto& h : hosts) {
      unsigned char buf[16];
      bool is_ip = inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
      if (!san.empty()) san += ",";
      san += (is_ip ? "IP:" : "DNS:") + h;
    }
    PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), ca.get(), NID_subject_alt_name, san));
  }
  if (X509_sign(cert.get(), ca_key.get(), nullptr) <= 0) return OpenSslError("X509_sign");
  return CertToPem(cert.get());
}

namespace {

// An ASN1_TIME as Unix seconds (UTC). Reason: CERT_INVALID.
Result<std::int64_t> UnixSeconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return Status::InvalidArgument("CERT_INVALID", "certificate has an unreadable validity date");
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string SubjectCn(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)), static_cast<size_t>(ASN1_STRING_length(cn)));
}

}  // namespace

Result<CertValidity> CertValidityFromPem(const std::string& pem) {
  PLEDGER_ASSIGN_OR_RETURN(Ptr<X509> cert, X509FromPem(pem));
  CertValidity v;
  v.subject = SubjectCn(cert.get());
  PLEDGER_ASSIGN_OR_RETURN(v.not_before_s, UnixSeconds(X509_get0_notBefore(cert.get())));
  PLEDGER_ASSIGN_OR_RETURN(v.not_after_s, UnixSeconds(X509_get0_notAfter(cert.get())));
  return v;
}

Result<CertIdentity> IdentityFromX509(void* x509) {
  X509* cert = static_cast<X509*>(x509);
  if (cert == nullptr) return Status::Unauthenticated("CERT_MISSING", "peer sent no certificate");
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return Status::Unauthenticated("CERT_INVALID", "certificate has no common name");
  ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  CertIdentity id;
  id.node_id.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                    static_cast<size_t>(ASN1_STRING_length(cn)));
  EVP_PKEY* pkey = X509_get0_pubkey(cert);
  if (pkey == nullptr || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
    return Status::Unauthenticated("CERT_NOT_ED25519", "certificate key is not Ed25519");
  }
  size_t len = id.key.size();
  if (EVP_PKEY_get_raw_public_key(pkey, id.key.data(), &len) != 1 || len != id.key.size()) {
    return Status::Unauthenticated("CERT_INVALID", "cannot read the certificate's public key");
  }
  auto not_after = UnixSeconds(X509_get0_notAfter(cert));
  if (!not_after.ok()) return Status::Unauthenticated("CERT_INVALID", not_after.status().message());
  id.not_after_s = *not_after;
  return id;
}

Result<CertIdentity> IdentityFromCertPem(const std::string& pem) {
  PLEDGER_ASSIGN_OR_RETURN(Ptr<X509> cert, X509FromPem(pem));
  return IdentityFromX509(cert.get());
}

namespace {
struct StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(STACK_OF(X509)* p) const { sk_X509_pop_free(p, X509_free); }
};
template <typename T>
using StorePtr = std::unique_ptr<T, StoreFree>;

X509* X509FromDer(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x != nullptr && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    X509_free(x);  // trailing bytes: not one certificate
    return nullptr;
  }
  return x;
}
}  // namespace

Status VerifyCertChain(const std::vector<std::string>& chain_der, const std::vector<std::string>& roots_der,
                       std::int64_t now_s) {
  if (chain_der.empty()) return Status::Unauthenticated("CERT_MISSING", "no certificate to verify");
  if (roots_der.empty()) {
    return Status::Unauthenticated("CERT_UNTRUSTED", "no trust root is in force for this certificate's organisation");
  }
  Ptr<X509> leaf(X509FromDer(chain_der[0]));
  if (!leaf) return Status::Unauthenticated("CERT_INVALID", "the certificate does not parse");
  StorePtr<X509_STORE> store(X509_STORE_new());
  StorePtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  if (!store || !untrusted) return OpenSslError("X509_STORE_new");
  size_t usable = 0;
  for (const auto& der : roots_der) {
    Ptr<X509> root(X509FromDer(der));
    if (!root) continue;  // the ledger checks structure only; an unparsable root never matches
    if (X509_STORE_add_cert(store.get(), root.get()) == 1) ++usable;
  }
  if (usable == 0) {
    return Status::Unauthenticated("CERT_UNTRUSTED", "none of the organisation's trust roots is a usable certificate");
  }
  for (size_t i = 1; i < chain_der.size(); ++i) {
    X509* c = X509FromDer(chain_der[i]);
    if (c != nullptr && sk_X509_push(untrusted.get(), c) == 0) X509_free(c);
  }
  StorePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return OpenSslError("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now_s));
  // A root may be an organisation's intermediate CA or a node's own
  // self-signed certificate: any listed certificate is an anchor.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  if (X509_verify_cert(ctx.get()) == 1) return Status::OK();
  const int err = X509_STORE_CTX_get_error(ctx.get());
  std::string why = X509_verify_cert_error_string(err);
  if (err == X509_V_ERR_CERT_HAS_EXPIRED) {
    return Status::Unauthenticated("CERT_EXPIRED", "the certificate chain has expired (" + why + ")");
  }
  return Status::Unauthenticated("CERT_UNTRUSTED", "the certificate does not chain to a trust root of its organisation (" +
                                                        why + ")");
}

Result<std::string> CertPemToDer(const std::string& pem) {
  PLEDGER_ASSIGN_OR_RETURN(Ptr<X509> cert, X509FromPem(pem));
  unsigned char* buf = nullptr;
  int n = i2d_X509(cert.get(), &buf);
  if (n <= 0) return OpenSslError("i2d_X509");
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}


// ---- Per-organisation PKI (pledger-admin; issue 16) ----

Result<std::string> IssueSelfSignedNodeCertificate(const std::string& node_id, const std::string& org,
                                                   const ledger::SecretKey& node_key,
                                                   const std::vector<std::string>& hosts, int validity_days) {
  PLEDGER_RETURN_IF_ERROR(ValidateNodeId(node_id));
  PLEDGER_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> pkey, EvpFromSecret(node_key));
  Ptr<X509> cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  PLEDGER_RETURN_IF_ERROR(SetSerialAndValidity(cert.get(), validity_days));
  PLEDGER_RETURN_IF_ERROR(SetName(X509_get_subject_name(cert.get()), node_id, org));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), pkey.get());
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_key_usage, "critical,digitalSignature"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_ext_key_usage, "serverAuth,clientAuth"));
  PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (!hosts.empty()) {
    std::string san;
    for (const auto& h : hosts) {
      unsigned char buf[16];
      bool is_ip = inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
      if (!san.empty()) san += ",";
      san += (is_ip ? "IP:" : "DNS:") + h;
    }
    PLEDGER_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_subject_alt_name, san));
  }
  if (X509_sign(cert.get(), pkey.get(), nullptr) <= 0) return OpenSslError("X509_sign");
  return CertToPem(cert.get());
}

Result<std::vector<std::string>> CertBundlePemToDer(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<std::string> out;
  // Count the PEM blocks first so a broken one is an error, not the end.
  size_t blocks = 0;
  for (size_t at = pem.find("-----BEGIN CERTIFICATE-----"); at != std::string::npos;
       at = pem.find("-----BEGIN CERTIFICATE-----", at + 1)) {
    ++blocks;
  }
  for (size_t i = 0; i < blocks; ++i) {
    Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return Status::InvalidArgument("CERT_INVALID", "certificate " + std::to_string(i + 1) + " does not parse");
    unsigned char* buf = nullptr;
    int n = i2d_X509(cert.get(), &buf);
    if (n <= 0) return OpenSslError("i2d_X509");
    out.emplace_back(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
    OPENSSL_free(buf);
  }
  if (out.empty()) return Status::InvalidArgument("CERT_INVALID", "no PEM certificate found");
  return out;
}

Result<std::string> CertDerToPem(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  Ptr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return Status::InvalidArgument("CERT_INVALID", "not one DER X.509 certificate");
  }
  return CertToPem(cert.get());
}

Result<std::string> CertSubjectOrgFromPem(const std::string& pem) {
  PLEDGER_ASSIGN_OR_RETURN(Ptr<X509> cert, X509FromPem(pem));
  X509_NAME* name = X509_get_subject_name(cert.get());
  int idx = X509_NAME_get_index_by_NID(name, NID_organizationName, -1);
  if (idx < 0) return std::string();
  ASN1_STRING* o = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(o)), static_cast<size_t>(ASN1_STRING_length(o)));
}

Result<std::vector<std::string>> CertsPemToDer(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<std::string> out;
  while (true) {
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (x == nullptr) break;
    Ptr<X509> cert(x);
    unsigned char* buf = nullptr;
    int n = i2d_X509(cert.get(), &buf);
    if (n <= 0) return OpenSslError("i2d_X509");
    out.emplace_back(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
    OPENSSL_free(buf);
    if (out.size() > 64) return Status::InvalidArgument("CERT_INVALID", "more than 64 certificates in one bundle");
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (out.empty()) return Status::InvalidArgument("CERT_INVALID", "no PEM X.509 certificate in the text");
  return out;
}

Result<CertValidity> CertValidityFromDer(const std::string& der) {
  Ptr<X509> cert(X509FromDer(der));
  if (!cert) return Status::InvalidArgument("CERT_INVALID", "not a DER X.509 certificate");
  // Through PEM, so the validity reading stays in one place.
  Ptr<BIO> mem(BIO_new(BIO_s_mem()));
  if (!mem || PEM_write_bio_X509(mem.get(), cert.get()) != 1) return OpenSslError("PEM_write_bio_X509");
  PLEDGER_ASSIGN_OR_RETURN(std::string pem, BioToString(mem.get()));
  return CertValidityFromPem(pem);
}

}  // namespace pledger::io
