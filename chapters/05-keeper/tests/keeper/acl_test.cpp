// generated from tests/keeper/acl_test.cpp; edit there
// tests/keeper/acl_test.cpp — the ACL check on its own: schemes, permissions, addresses.
#include <catch2/catch.hpp>

#include "keeper/acl.h"

using namespace streamcraft::keeper;

namespace {

const Id kAlice{"digest", "alice:" + std::string("Q7Bg5Yx6g1pyZcxBsJiwQPLvi2A=")};
const Id kBob{"digest", "bob:fake"};

}  // namespace

TEST_CASE("world anyone admits every session for the permissions it grants and no other", "[ch05][keeper][acl][ex:acl-check]") {
  const std::vector<Acl> read_only{{perm::read, Id{"world", "anyone"}}};
  CHECK(acl_allows(read_only, perm::read, {}));
  CHECK(acl_allows(read_only, perm::read, {Id{"ip", "10.0.0.1"}}));
  CHECK_FALSE(acl_allows(read_only, perm::write, {Id{"ip", "10.0.0.1"}}));
  CHECK_FALSE(acl_allows(read_only, perm::admin, {kAlice}));
  // An empty list is ZooKeeper's "no ACL": everything is allowed.
  CHECK(acl_allows({}, perm::admin, {}));
}

TEST_CASE("a digest entry admits only the session holding that exact id", "[ch05][keeper][acl][ex:acl-check]") {
  const std::vector<Acl> acl{{perm::read | perm::write, kAlice}, {perm::all, Id{"ip", "127.0.0.1"}}};
  CHECK(acl_allows(acl, perm::write, {Id{"ip", "10.1.2.3"}, kAlice}));
  CHECK_FALSE(acl_allows(acl, perm::write, {Id{"ip", "10.1.2.3"}, kBob}));
  CHECK_FALSE(acl_allows(acl, perm::write, {Id{"ip", "10.1.2.3"}}));
  // Alice's entry does not grant ADMIN; the address entry would, for 127.0.0.1 only.
  CHECK_FALSE(acl_allows(acl, perm::admin, {Id{"ip", "10.1.2.3"}, kAlice}));
  CHECK(acl_allows(acl, perm::admin, {Id{"ip", "127.0.0.1"}}));
  // A name equal to another scheme's does not count: the scheme must match too.
  CHECK_FALSE(acl_allows(acl, perm::read, {Id{"sasl", kAlice.id}}));
}

TEST_CASE("a request for several permissions needs an entry granting one of them", "[ch05][keeper][acl][ex:acl-check]") {
  // getACL asks for READ or ADMIN (keeper_service.cpp): either is enough.
  const std::vector<Acl> admin_only{{perm::admin, Id{"world", "anyone"}}};
  CHECK(acl_allows(admin_only, perm::read | perm::admin, {}));
  CHECK_FALSE(acl_allows(admin_only, perm::read, {}));
}

TEST_CASE("ip entries match an address or a CIDR range", "[ch05][keeper][acl][ex:acl-check]") {
  const std::vector<Acl> subnet{{perm::read, Id{"ip", "10.1.0.0/16"}}};
  CHECK(acl_allows(subnet, perm::read, {Id{"ip", "10.1.200.7"}}));
  CHECK_FALSE(acl_allows(subnet, perm::read, {Id{"ip", "10.2.0.1"}}));
  const std::vector<Acl> exact{{perm::read, Id{"ip", "192.168.1.5"}}};
  CHECK(acl_allows(exact, perm::read, {Id{"ip", "192.168.1.5"}}));
  CHECK_FALSE(acl_allows(exact, perm::read, {Id{"ip", "192.168.1.6"}}));
  const std::vector<Acl> everyone{{perm::read, Id{"ip", "0.0.0.0/0"}}};
  CHECK(acl_allows(everyone, perm::read, {Id{"ip", "203.0.113.9"}}));
  // A malformed entry or address never matches.
  const std::vector<Acl> broken{{perm::read, Id{"ip", "10.1.0.0/33"}}};
  CHECK_FALSE(acl_allows(broken, perm::read, {Id{"ip", "10.1.0.1"}}));
  CHECK_FALSE(acl_allows(subnet, perm::read, {Id{"ip", "not-an-address"}}));
}
