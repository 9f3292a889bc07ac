// generated from final/keeper/config.h; edit there
// keeper/config.h — ZooKeeper's configuration file (zoo.cfg), read into keeper's settings.
//
// `streamcraft keeper --config zoo.cfg` takes the file ZooKeeper takes: Java properties,
// with ZooKeeper's key names and defaults. Keys keeper does not use are reported as
// warnings, not errors, so that a real ZooKeeper's file starts keeper unchanged (the
// ensemble's keys — server.N, initLimit, syncLimit — are chapter 6's). ZooKeeper's system
// properties that keeper honours are read from the file too: zookeeper.extendedTypesEnabled
// (TTL nodes) and znode.container.checkIntervalMs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "keeper/keeper_service.h"
#include "keeper/store.h"

namespace streamcraft::keeper {

struct KeeperSettings {
  KeeperConfig keeper;
  StoreConfig store;
  std::string client_port_address = "0.0.0.0";  // clientPortAddress (ZooKeeper: every interface)
  std::uint16_t client_port = 2181;              // clientPort (0: any free port)
  std::vector<std::string> warnings;             // keys read but not used
};

// INVALID_CONFIG for a value that does not parse or makes no sense (a negative tickTime,
// minSessionTimeout above maxSessionTimeout), or a missing dataDir.
Result<KeeperSettings> keeper_settings(const std::vector<std::pair<std::string, std::string>>& properties);

}  // namespace streamcraft::keeper
