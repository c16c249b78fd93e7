#include "decode/pickle/reader.hpp"

#include "decode/pickle/interpreter.hpp"
#include "decode/pickle/render.hpp"

#include <memory>
#include <new>
#include <utility>

#include <fmt/format.h>

namespace rctl::decode {

namespace {

// The thread's pickle::Workspace while an interpreter uses it (a fresh one when it is in use
// already), bounded again by release() when the value is done.
class WorkspaceLease {
 public:
  WorkspaceLease() {
    thread_local pickle::Workspace shared;
    if (shared.busy) {
      m_own = std::make_unique<pickle::Workspace>();
      m_workspace = m_own.get();
    } else {
      m_workspace = &shared;
    }
    m_workspace->busy = true;
  }
  ~WorkspaceLease() {
    m_workspace->release();
    m_workspace->busy = false;
  }
  WorkspaceLease(const WorkspaceLease&) = delete;
  WorkspaceLease& operator=(const WorkspaceLease&) = delete;
  pickle::Workspace& get() { return *m_workspace; }

 private:
  std::unique_ptr<pickle::Workspace> m_own;
  pickle::Workspace* m_workspace = nullptr;
};

// Interprets `bytes`, then renders the result with `render` (all of it, or some members).
template <class Render>
Expected<PickleResult> interpret_and_render(std::string_view bytes, const PickleLimits& limits, Render&& render) {
  if (bytes.size() > limits.max_input_bytes) {
    return fail(ErrorKind::protocol, fmt::format("pickle: input larger than {} bytes", limits.max_input_bytes));
  }
  try {
    WorkspaceLease workspace;
    pickle::Interpreter interpreter(bytes, limits, workspace.get());
    pickle::Ref root = 0;
    if (!interpreter.run(root)) return fail(ErrorKind::protocol, interpreter.error());
    PickleResult result;
    std::string error;
    if (!render(interpreter, root, result.value, error)) {
      return fail(ErrorKind::protocol, std::move(error));
    }
    result.consumed = interpreter.consumed();
    result.protocol = interpreter.protocol();
    return result;
  } catch (const std::bad_alloc&) {
    return fail(ErrorKind::protocol, "pickle: out of memory");
  } catch (const std::exception& e) {
    return fail(ErrorKind::internal, fmt::format("pickle: {}", e.what()));
  }
}

}  // namespace

Expected<PickleResult> read_pickle(std::string_view bytes, const PickleLimits& limits) {
  return interpret_and_render(
      bytes, limits,
      [&](const pickle::Interpreter& interpreter, pickle::Ref root, nlohmann::ordered_json& out, std::string& error) {
        return pickle::render(interpreter.graph(), root, limits, out, error);
      });
}

Expected<PickleResult> read_pickle_members(std::string_view bytes, const std::vector<std::string>& names,
                                           const PickleLimits& limits) {
  return interpret_and_render(
      bytes, limits,
      [&](const pickle::Interpreter& interpreter, pickle::Ref root, nlohmann::ordered_json& out, std::string& error) {
        return pickle::render_members(interpreter.graph(), root, names, limits, out, error, !interpreter.shared());
      });
}

}  // namespace rctl::decode
