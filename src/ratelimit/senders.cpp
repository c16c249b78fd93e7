// Senders for the limiter reader: routed through the cluster client, or pipelined on the
// connection of a scan page's node.

#include "ratelimit/reader.hpp"

#include <chrono>
#include <memory>

namespace rctl::ratelimit {

Sender routed_sender(cluster::Client& target) {
  return [&target](std::vector<client::Command> commands, std::function<void(Replies)> done) {
    auto replies = target.exec_all(std::move(commands));
    Replies out;
    if (replies) out.values = std::move(*replies);
    else out.error = replies.error();
    done(std::move(out));
  };
}

Sender page_sender(cluster::Page page) {
  return [page](std::vector<client::Command> commands, std::function<void(Replies)> done) mutable {
    struct Batch {
      Replies replies;
      std::size_t left = 0;
      std::function<void(Replies)> done;
    };
    auto batch = std::make_shared<Batch>();
    batch->replies.values.resize(commands.size());
    batch->left = commands.size();
    batch->done = std::move(done);
    if (commands.empty()) return batch->done(std::move(batch->replies));
    // A lost connection fails the node in the scan engine; this batch is then dropped.
    for (std::size_t i = 0; i < commands.size(); ++i)
      page.send(std::move(commands[i]), [batch, i](resp::Value r) {
        batch->replies.values[i] = std::move(r);
        if (--batch->left == 0) batch->done(std::move(batch->replies));
      });
  };
}

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace rctl::ratelimit
