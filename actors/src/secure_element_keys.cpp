#include "secure_element_keys.hpp"

#include <cstring>
#include <mutex>

#include <sodium.h>

namespace twelvefold::actors::auth_keys {
namespace {

// Appends fixed-width little-endian integers and length-prefixed strings to a BLAKE2b state:
// the transcript encoding is unambiguous whatever the field contents.
class hasher {
 public:
  hasher(std::string_view label, const unsigned char* key = nullptr, std::size_t key_len = 0) {
    crypto_generichash_init(&state_, key, key_len, 32);
    text(label);
  }
  hasher& u64(std::uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    crypto_generichash_update(&state_, b, sizeof b);
    return *this;
  }
  hasher& text(std::string_view s) {
    u64(s.size());
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(s.data()), s.size());
    return *this;
  }
  key32 final() {
    key32 out{};
    crypto_generichash_final(&state_, out.data(), out.size());
    return out;
  }

 private:
  crypto_generichash_state state_{};
};

// Secrets of the simulated factory and cloud HSM, derived from the scenario seed (a run with
// another seed is another world with other keys).
key32 secret_of(std::uint64_t scenario_seed, std::string_view purpose) {
  return hasher("twelvefold/secret/v1").u64(scenario_seed).text(purpose).final();
}

ed25519_pair pair_from_seed(const key32& seed) {
  ed25519_pair p;
  crypto_sign_seed_keypair(p.public_key.data(), p.secret_key.data(), seed.data());
  return p;
}

std::string_view view(const key32& k) {
  return {reinterpret_cast<const char*>(k.data()), k.size()};
}

}  // namespace

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable crypto: nothing in the run could be trusted
  });
}

ed25519_pair device_key(std::uint64_t scenario_seed, std::string_view serial,
                        std::uint32_t generation) {
  init();
  const key32 factory = secret_of(scenario_seed, "factory");
  return pair_from_seed(hasher("twelvefold/device-key/v1", factory.data(), factory.size())
                            .text(serial)
                            .u64(generation)
                            .final());
}

ed25519_pair root_key(std::uint64_t scenario_seed) {
  init();
  return pair_from_seed(secret_of(scenario_seed, "root"));
}

ed25519_pair server_key(std::uint64_t scenario_seed, std::uint32_t cert_serial) {
  init();
  const key32 hsm = secret_of(scenario_seed, "server");
  return pair_from_seed(
      hasher("twelvefold/server-key/v1", hsm.data(), hsm.size()).u64(cert_serial).final());
}

ed25519_pair stray_key(std::uint64_t scenario_seed, std::uint64_t n) {
  init();
  return pair_from_seed(hasher("twelvefold/stray-key/v1").u64(scenario_seed).u64(n).final());
}

std::uint64_t key_id(const key32& public_key) {
  const key32 h = hasher("twelvefold/key-id/v1").text(view(public_key)).final();
  std::uint64_t id = 0;
  for (int i = 7; i >= 0; --i) id = (id << 8) | h[static_cast<std::size_t>(i)];
  return id;
}

key32 cert_digest(std::uint32_t cert_serial, const key32& public_key) {
  return hasher("twelvefold/server-cert/v1").u64(cert_serial).text(view(public_key)).final();
}

key32 ticket_key(std::uint64_t scenario_seed, std::string_view serial, std::uint32_t generation,
                 std::string_view rat, std::uint64_t ticket_id, std::uint32_t expires_s) {
  init();
  const key32 master = secret_of(scenario_seed, "tickets");
  return hasher("twelvefold/ticket-key/v1", master.data(), master.size())
      .text(serial)
      .u64(generation)
      .text(rat)
      .u64(ticket_id)
      .u64(expires_s)
      .final();
}

bool compact_scheme(std::string_view rat) { return rat == "lorawan" || rat == "ntn"; }

key32 compact_root_key(std::uint64_t scenario_seed, std::string_view serial,
                       std::uint32_t generation) {
  init();
  const key32 factory = secret_of(scenario_seed, "factory");
  return hasher("twelvefold/compact-root-key/v1", factory.data(), factory.size())
      .text(serial)
      .u64(generation)
      .final();
}

key32 stray_compact_key(std::uint64_t scenario_seed, std::uint64_t n) {
  init();
  return hasher("twelvefold/stray-compact-key/v1").u64(scenario_seed).u64(n).final();
}

std::uint32_t join_nonce(std::uint64_t scenario_seed, std::string_view serial,
                         std::uint32_t generation, std::uint64_t dev_nonce) {
  init();
  const key32 secret = secret_of(scenario_seed, "joins");
  const key32 h = hasher("twelvefold/join-nonce/v1", secret.data(), secret.size())
                      .text(serial)
                      .u64(generation)
                      .u64(dev_nonce)
                      .final();
  return static_cast<std::uint32_t>(h[0]) | (static_cast<std::uint32_t>(h[1]) << 8) |
         (static_cast<std::uint32_t>(h[2]) << 16) | (static_cast<std::uint32_t>(h[3]) << 24);
}

key32 compact_session_key(const key32& root, std::uint64_t dev_nonce, std::uint32_t join_nonce,
                          std::string_view rat) {
  init();
  return hasher("twelvefold/compact-session-key/v1", root.data(), root.size())
      .u64(dev_nonce)
      .u64(join_nonce)
      .text(rat)
      .final();
}

std::uint32_t mic(const compact_transcript& t, const key32& key) {
  init();
  const key32 h = hasher("twelvefold/compact-mic/v1", key.data(), key.size())
                      .u64(static_cast<std::uint64_t>(t.kind))
                      .text(t.serial)
                      .text(t.device_id)
                      .u64(t.session_seq)
                      .u64(t.at_s)
                      .u64(t.join_nonce)
                      .text(t.rat)
                      .text(t.body)
                      .final();
  return static_cast<std::uint32_t>(h[0]) | (static_cast<std::uint32_t>(h[1]) << 8) |
         (static_cast<std::uint32_t>(h[2]) << 16) | (static_cast<std::uint32_t>(h[3]) << 24);
}

key32 hash(const uplink_transcript& t) {
  init();
  return hasher("twelvefold/uplink/v1")
      .text(t.serial)
      .text(t.device_id)
      .u64(t.session_seq)
      .u64(static_cast<std::uint64_t>(t.at_us))
      .u64(t.generation)
      .u64(t.server_cert)
      .u64(t.ticket_id)
      .u64(t.expires_s)
      .text(t.rat)
      .text(t.body)
      .final();
}

key32 hash(const downlink_transcript& t) {
  init();
  return hasher("twelvefold/downlink/v1")
      .text(t.serial)
      .u64(t.session_seq)
      .u64(t.signer_cert)
      .u64(t.new_cert)
      .u64(t.ticket_id)
      .u64(t.expires_s)
      .text(t.sealed_ticket_key)
      .text(t.body)
      .final();
}

std::string sign(const key32& digest, const ed25519_pair& key) {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, digest.data(),
                       digest.size(), key.secret_key.data());
  return sig;
}

bool verify(const key32& digest, std::string_view signature, const key32& public_key) {
  return signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     digest.data(), digest.size(), public_key.data()) == 0;
}

std::string mac(const key32& digest, const key32& key) {
  static_assert(crypto_auth_KEYBYTES == 32);
  std::string tag(crypto_auth_BYTES, '\0');
  crypto_auth(reinterpret_cast<unsigned char*>(tag.data()), digest.data(), digest.size(),
              key.data());
  return tag;
}

bool verify_mac(const key32& digest, std::string_view tag, const key32& key) {
  return tag.size() == crypto_auth_BYTES &&
         crypto_auth_verify(reinterpret_cast<const unsigned char*>(tag.data()), digest.data(),
                            digest.size(), key.data()) == 0;
}

// A sealed box (libsodium's construction: ephemeral X25519 key, nonce = BLAKE2b(ephemeral pk ||
// recipient pk)), except that the ephemeral key is derived from the secret and the recipient
// instead of drawn from the OS: the run must not read entropy (DESIGN.md, Time), and every
// ticket key is sealed once, so the ephemeral key is still never reused.
namespace {
bool seal_nonce(const unsigned char* ephemeral_public, const unsigned char* x_public,
                unsigned char* nonce) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, crypto_box_NONCEBYTES);
  crypto_generichash_update(&st, ephemeral_public, crypto_box_PUBLICKEYBYTES);
  crypto_generichash_update(&st, x_public, crypto_box_PUBLICKEYBYTES);
  return crypto_generichash_final(&st, nonce, crypto_box_NONCEBYTES) == 0;
}
}  // namespace

std::string seal(const key32& secret, const key32& ed25519_public) {
  init();
  unsigned char x_public[crypto_box_PUBLICKEYBYTES];
  if (crypto_sign_ed25519_pk_to_curve25519(x_public, ed25519_public.data()) != 0) return {};
  const key32 seed = hasher("twelvefold/seal-ephemeral/v1", secret.data(), secret.size())
                         .text(view(ed25519_public))
                         .final();
  unsigned char eph_public[crypto_box_PUBLICKEYBYTES];
  unsigned char eph_secret[crypto_box_SECRETKEYBYTES];
  crypto_box_seed_keypair(eph_public, eph_secret, seed.data());
  unsigned char nonce[crypto_box_NONCEBYTES];
  seal_nonce(eph_public, x_public, nonce);
  std::string sealed(crypto_box_PUBLICKEYBYTES + crypto_box_MACBYTES + secret.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  std::memcpy(out, eph_public, sizeof eph_public);
  if (crypto_box_easy(out + crypto_box_PUBLICKEYBYTES, secret.data(), secret.size(), nonce,
                      x_public, eph_secret) != 0) {
    sealed.clear();  // unreachable with valid keys; the caller's peer then fails to open it
  }
  sodium_memzero(eph_secret, sizeof eph_secret);
  return sealed;
}

bool open(std::string_view sealed, const ed25519_pair& key, key32& secret) {
  if (sealed.size() != crypto_box_PUBLICKEYBYTES + crypto_box_MACBYTES + secret.size()) {
    return false;
  }
  unsigned char x_public[crypto_box_PUBLICKEYBYTES];
  unsigned char x_secret[crypto_box_SECRETKEYBYTES];
  if (crypto_sign_ed25519_pk_to_curve25519(x_public, key.public_key.data()) != 0) return false;
  crypto_sign_ed25519_sk_to_curve25519(x_secret, key.secret_key.data());
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  unsigned char nonce[crypto_box_NONCEBYTES];
  seal_nonce(in, x_public, nonce);
  const bool ok =
      crypto_box_open_easy(secret.data(), in + crypto_box_PUBLICKEYBYTES,
                           sealed.size() - crypto_box_PUBLICKEYBYTES, nonce, in, x_secret) == 0;
  sodium_memzero(x_secret, sizeof x_secret);
  return ok;
}

bool split_body(std::string_view bytes, std::string_view record, std::string_view& body) {
  if (record.empty() || bytes.size() < record.size() || !bytes.ends_with(record)) return false;
  body = bytes.substr(0, bytes.size() - record.size());
  return true;
}

}  // namespace twelvefold::actors::auth_keys
