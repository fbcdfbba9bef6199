// The consortium's X.509 PKI: a CA and node certificates, all Ed25519.
//
// A node's certificate binds its node id (subject CN) to its Ed25519 node key.
// The same key signs the node's attestations, so the validator set on the
// ledger (node id -> public key) and the TLS identity are one: a peer is
// accepted only if its certificate chains to the consortium CA AND its node id
// and key are in the current validator/learner set (node/transport.h).
//
// PEM strings returned here may hold private keys: write them only with
// WriteFileAtomic(..., 0600) and never log them.
//
// Thread-safe (OpenSSL 3 objects are created per call).
#ifndef PLEDGER_LEDGER_IO_PKI_H_
#define PLEDGER_LEDGER_IO_PKI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/crypto.h"

namespace pledger::io {

struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8, unencrypted: SECRET
};

// A self-signed CA certificate (CN = `name`) and its key.
Result<CertAndKey> GenerateCa(const std::string& name, int validity_days);

// A certificate for `node_id` with the public half of `node_key`, signed by the
// CA, valid for serverAuth and clientAuth, with the given DNS names / IPs as
// subjectAltName (for HTTPS clients that check host names).
Result<std::string> IssueNodeCertificate(const std::string& ca_cert_pem,
                                         const std::string& ca_key_pem,
                                         const std::string& node_id, const std::string& org,
                                         const ledger::SecretKey& node_key,
                                         const std::vector<std::string>& hosts, int validity_days);

// PKCS#8 PEM of an Ed25519 key (SECRET), and the key back from such a PEM.
Result<std::string> Ed25519KeyToPem(const ledger::SecretKey& key);
Result<ledger::SecretKey> Ed25519KeyFromPem(const std::string& pem);

// What a peer certificate says about its holder.
struct CertIdentity {
  std::string node_id;       // subject CN
  ledger::PublicKey key{};   // Ed25519 public key
  std::int64_t not_after_s = 0;  // end of validity, Unix seconds
};

// A certificate's validity period, for expiry warnings.
struct CertValidity {
  std::string subject;       // subject CN ("" if none)
  std::int64_t not_before_s = 0;  // Unix seconds
  std::int64_t not_after_s = 0;
};
// The first certificate of a PEM text. Reason: CERT_INVALID.
Result<CertValidity> CertValidityFromPem(const std::string& pem);
// Parses a PEM certificate. Reasons: CERT_INVALID, CERT_NOT_ED25519.
Result<CertIdentity> IdentityFromCertPem(const std::string& pem);
// From an X509* (as void* to keep OpenSSL out of this header).
Result<CertIdentity> IdentityFromX509(void* x509);

// Whether chain_der[0] (DER; chain_der[1..] are intermediates the peer sent)
// chains to one of roots_der at Unix time now_s. Any listed root is an
// anchor, CA or not, so an organisation may list a node's self-signed
// certificate. Unparsable roots are skipped. Reasons: CERT_UNTRUSTED (says
// OpenSSL's reason), CERT_EXPIRED, CERT_INVALID, CERT_MISSING.
Status VerifyCertChain(const std::vector<std::string>& chain_der, const std::vector<std::string>& roots_der,
                       std::int64_t now_s);
// The DER bytes of the first certificate of a PEM text. Reason: CERT_INVALID.
Result<std::string> CertPemToDer(const std::string& pem);
// Every certificate of a PEM bundle, as DER, in order (at least one). Reason:
// CERT_INVALID.
Result<std::vector<std::string>> CertsPemToDer(const std::string& pem);
// The validity of a DER certificate (as CertValidityFromPem). Reason: CERT_INVALID.
Result<CertValidity> CertValidityFromDer(const std::string& der);

// Node ids: 1..64 of [A-Za-z0-9._-]. Reason: NODE_ID_INVALID.
Status ValidateNodeId(const std::string& id);


// ---- Per-organisation PKI (pledger-admin org init, rotate-key; issue 16) ----

// A self-signed certificate for `node_id` and `node_key`, for an organisation
// without a CA: the certificate is its own issuer and is listed itself in the
// organisation's tls_roots. Same profile as IssueNodeCertificate (CA:FALSE,
// serverAuth and clientAuth, the hosts as subjectAltName).
Result<std::string> IssueSelfSignedNodeCertificate(const std::string& node_id, const std::string& org,
                                                   const ledger::SecretKey& node_key,
                                                   const std::vector<std::string>& hosts, int validity_days);

// Every certificate of a PEM text (one or a bundle), as DER, in order.
// Reason: CERT_INVALID (no certificate, or one that does not parse).
Result<std::vector<std::string>> CertBundlePemToDer(const std::string& pem);

// The PEM text of one DER certificate. Reason: CERT_INVALID.
Result<std::string> CertDerToPem(const std::string& der);

// The subject's organisation (O) of a PEM certificate; "" if it has none.
// Reason: CERT_INVALID.
Result<std::string> CertSubjectOrgFromPem(const std::string& pem);

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_PKI_H_
