#pragma once
// Payload subtyping as mpstk implements it (REFERENCE §1): coinductive,
// unfolding μ on either side, ground sorts related only to themselves.
#include "lim/syntax/ast.hpp"

namespace lim::automata {

bool is_payload_subtype(const syntax::Context& context, const syntax::PayloadSort& sub,
                        const syntax::PayloadSort& super);

}  // namespace lim::automata
