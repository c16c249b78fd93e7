#include "server/primary_fanout.hpp"

#include "net/event_loop.hpp"
#include "util/interrupt.hpp"

#include <map>

namespace rctl::server {

std::vector<std::optional<Error>> run_on_primaries(cluster::Client& target, const PrimaryTask& start,
                                                   const FanoutHooks& hooks) {
  auto primaries = target.primaries();
  std::map<const cluster::Node*, std::size_t> index;
  for (std::size_t i = 0; i < primaries.size(); ++i) index[primaries[i]] = i;

  bool stopped = false;
  net::Timer timer(target.loop());
  std::function<void()> on_tick = [&] {
    if (util::interrupted() && !stopped) {
      stopped = true;
      if (hooks.interrupted) hooks.interrupted();
    }
    if (hooks.tick) hooks.tick();
    timer.start(std::chrono::milliseconds(100), on_tick);
  };
  timer.start(std::chrono::milliseconds(100), on_tick);
  auto results = target.run_on_nodes(
      cluster::NodeSelection::primaries,
      [&](const cluster::Node& node, client::Connection& conn, std::function<void(Expected<void>)> done) {
        start(index.at(&node), node, conn, std::move(done));
      });
  timer.cancel();

  std::vector<std::optional<Error>> errors(primaries.size());
  for (auto& [node, result] : results)
    if (!result) errors[index.at(node)] = result.error();
  return errors;
}

}  // namespace rctl::server
