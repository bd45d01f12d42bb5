#pragma once
// SHA-256, in lower-case hex: the identity of a spec's text in the verdict
// cache and of a protocol's automata in generated code.
#include <string>
#include <string_view>

namespace lim::runtime {

std::string sha256_hex(std::string_view data);

}  // namespace lim::runtime
