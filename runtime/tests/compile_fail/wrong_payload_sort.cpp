// A quote is an Int: a string does not convert.
// expect-error: (cannot convert|could not convert|invalid conversion|no matching function)
#include <string>

#include "two_buyer/seller.hpp"

namespace api = lim_generated::two_buyer::seller;

void wrong_payload_sort(api::q1 quoting) {
#ifdef LIM_VIOLATION
  (void)std::move(quoting).send_quote(api::buyer1, std::string("twelve"));
#endif
  (void)std::move(quoting).send_quote(api::buyer1, 12);
}
