// One rule for every limit a command takes (docs/ci.md, "Limits"): a
// positive number, optionally with a unit — sizes K, M, G, T (powers of
// 1024, in any case, optionally followed by B or iB), durations ms, s or
// min (seconds without a unit), counts none. Zero, negative numbers, inf,
// nan, an empty value and anything beyond what the limit can mean are
// refused with a message that says so, never clamped or wrapped around.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "commands.hpp"

namespace lim::cli {
namespace {

// Above this a size means nothing on any machine (and 2^64 would wrap).
constexpr long double kMaxBytes = 9223372036854775808.0L;  // 2^63 = 8 EiB
constexpr long double kMaxSeconds = 1e9;                   // about 31 years
constexpr long double kMaxCount = 18446744073709551615.0L;

struct Number {
  long double value = 0;
  std::string unit;
  bool integral = true;
};

// Digits with an optional fraction, then the unit: no sign, no exponent,
// no inf or nan — what strtod would accept but a limit must not.
std::optional<Number> split(std::string_view text) {
  Number number;
  std::size_t i = 0;
  bool digits = false;
  long double scale = 1;
  bool fraction = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = true;
      if (fraction) {
        scale /= 10;
        number.value += (c - '0') * scale;
      } else {
        number.value = number.value * 10 + (c - '0');
      }
    } else if (c == '.' && !fraction) {
      fraction = true;
      number.integral = false;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  number.unit = std::string(text.substr(i));
  std::transform(number.unit.begin(), number.unit.end(), number.unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return number;
}

}  // namespace

std::variant<std::uint64_t, std::string> parse_count(std::string_view option, std::string_view text) {
  const auto refuse = [&] {
    return fmt::format("{} '{}': expected a whole number ≥ 1, such as 1000000", option, text);
  };
  const auto number = split(text);
  if (!number || !number->unit.empty() || !number->integral || number->value < 1) return refuse();
  if (number->value > kMaxCount) return fmt::format("{} '{}' is larger than 2^64 - 1", option, text);
  return static_cast<std::uint64_t>(number->value);
}

std::variant<std::uint64_t, std::string> parse_bytes(std::string_view option, std::string_view text) {
  const auto refuse = [&] {
    return fmt::format("{} '{}': expected a size > 0 such as 512M, 4G or 1T (units K, M, G, T are powers of 1024; "
                       "a number alone is bytes)",
                       option, text);
  };
  const auto number = split(text);
  if (!number) return refuse();
  std::string unit = number->unit;
  // 4G, 4g, 4GB, 4GiB all mean 4 · 2^30 bytes.
  if (unit.size() > 1 && unit.ends_with("ib")) unit.resize(unit.size() - 2);
  else if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();
  long double scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "k") scale = 1024.0L;
  else if (unit == "m") scale = 1024.0L * 1024;
  else if (unit == "g") scale = 1024.0L * 1024 * 1024;
  else if (unit == "t") scale = 1024.0L * 1024 * 1024 * 1024;
  else return refuse();
  const long double bytes = number->value * scale;
  if (bytes < 1) return refuse();
  if (bytes > kMaxBytes) return fmt::format("{} '{}' is more than 8 EiB, more than any machine has", option, text);
  return static_cast<std::uint64_t>(bytes);
}

std::variant<double, std::string> parse_seconds(std::string_view option, std::string_view text) {
  const auto refuse = [&] {
    return fmt::format("{} '{}': expected a duration > 0 such as 30, 0.5, 500ms or 2min (seconds without a unit)",
                       option, text);
  };
  const auto number = split(text);
  if (!number) return refuse();
  long double scale = 0;
  if (number->unit.empty() || number->unit == "s") scale = 1;
  else if (number->unit == "ms") scale = 0.001L;
  else if (number->unit == "min") scale = 60;
  else return refuse();
  const long double seconds = number->value * scale;
  if (seconds <= 0) return refuse();
  if (seconds > kMaxSeconds) return fmt::format("{} '{}' is more than 10^9 seconds", option, text);
  return static_cast<double>(seconds);
}

std::uint64_t default_memory_limit() {
  // Three quarters of what this process may have: the machine's memory, or
  // its control group's limit when that is smaller (a CI container).
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  std::uint64_t available = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                                                  : std::uint64_t{8} << 30;
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  std::string limit;
  if (cgroup >> limit && !limit.empty() && limit != "max") {
    try {
      available = std::min<std::uint64_t>(available, std::stoull(limit));
    } catch (const std::exception&) {
      // an unreadable limit is no limit
    }
  }
  return available / 4 * 3;
}

}  // namespace lim::cli
