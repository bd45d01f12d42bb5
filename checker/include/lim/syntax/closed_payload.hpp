#pragma once
// A session-type payload as a closed type of its own. In
//   p: μ(t) q⊕m(t) . end
// the payload `t` means the whole recursive type that binds it; printed
// alone it would be a name, and read back as an opaque sort (which changed
// the verdicts of exported specs). Here every recursion variable the payload
// uses from outside it is replaced by the recursion that binds it, so the
// text reads back into the same sort wherever it is written.
#include <optional>
#include <string>

#include "lim/syntax/ast.hpp"
#include "lim/syntax/printer.hpp"

namespace lim::syntax {

// The payload in lim syntax, closed; nullopt when closing it would take more
// than `max_nodes` type nodes (sharing can make the closed type blow up).
std::optional<std::string> print_closed_payload(const Context& context, const PayloadSort& payload,
                                                std::size_t max_nodes = std::size_t{1} << 20,
                                                Notation notation = Notation::Unicode);

}  // namespace lim::syntax
