// keeper/acl.h — who may do what to a znode.
//
// Every znode has an access control list: entries (permissions, id), the permissions a
// bitmask of READ, WRITE (setData), CREATE (children), DELETE (children) and ADMIN
// (setACL). An id is a scheme and a name:
//
//   world:anyone       everyone
//   ip:10.1.0.0/16     clients connecting from those addresses
//   digest:user:hash   a session that authenticated with addauth("digest", "user:password");
//                      hash = base64(SHA-1("user:password")), so the server never stores
//                      the password
//   auth:              in a create or setACL only: "whoever this session authenticated as"
//                      — replaced by the session's digest ids before it is stored
//
// A session's identities are its client's address (ip:...) and the digest ids it added.
// ZooKeeper checks the ACL of the node itself for READ, WRITE and ADMIN, and the ACL of
// the *parent* for CREATE and DELETE: deleting a node is a change to its parent's list.
// There is no inheritance: a child's ACL has nothing to do with its parent's.
#pragma once

#include <array>
#include <span>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "keeper/jute.h"
#include "keeper/protocol.h"

namespace streamcraft::keeper {

// SHA-1 and base64, for digest ids (and nothing that needs them to be secure: ZooKeeper's
// digest scheme is what the clients use, not a recommendation).
std::array<std::uint8_t, 20> sha1(std::string_view data);
std::string base64(std::span<const std::uint8_t> data);
// "user:password" → "user:" + base64(sha1("user:password")), ZooKeeper's
// DigestAuthenticationProvider.generateDigest.
std::string digest_id(std::string_view user_and_password);

// Whether `ids` (a session's identities) hold `perm` under `acl`. An empty ACL allows all.
bool acl_allows(const std::vector<Acl>& acl, std::int32_t perm, const std::vector<Id>& ids);

// The ACL to store for a create or setACL: "auth" entries replaced by the session's
// digest ids, every id checked (world:anyone, digest:user:hash, ip:addr[/bits]), and
// duplicates removed. INVALIDACL for an empty list, an unknown scheme, a malformed id, or
// "auth" from a session without a digest id.
std::variant<std::vector<Acl>, Code> fixup_acl(const std::vector<Acl>& acl, const std::vector<Id>& ids);

// An IPv4 address with an optional prefix length ("10.0.0.0/8"); false if malformed.
bool parse_ip_acl(std::string_view text, std::uint32_t& address, int& prefix_bits);
// Whether a client's address falls in an ip ACL entry's address or range; false if
// either is malformed.
bool ip_matches(std::string_view client, std::string_view acl_id);

}  // namespace streamcraft::keeper
