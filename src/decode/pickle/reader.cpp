#include "decode/pickle/reader.hpp"

#include "decode/pickle/interpreter.hpp"
#include "decode/pickle/render.hpp"

#include <new>
#include <utility>

#include <fmt/format.h>

namespace rctl::decode {

Expected<PickleResult> read_pickle(std::string_view bytes, const PickleLimits& limits) {
  if (bytes.size() > limits.max_input_bytes) {
    return fail(ErrorKind::protocol, fmt::format("pickle: input larger than {} bytes", limits.max_input_bytes));
  }
  try {
    pickle::Interpreter interpreter(bytes, limits);
    pickle::Ref root = 0;
    if (!interpreter.run(root)) return fail(ErrorKind::protocol, interpreter.error());
    PickleResult result;
    std::string error;
    if (!pickle::render(interpreter.graph(), root, limits, result.value, error)) {
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

}  // namespace rctl::decode
