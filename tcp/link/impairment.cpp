#include "lim/tcp/link/impairment.hpp"

#include <charconv>
#include <string>

#include <fmt/format.h>

namespace lim::tcp::link {
namespace {

std::optional<double> probability(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) return std::nullopt;
  return value;
}

std::optional<std::chrono::milliseconds> duration(std::string_view text) {
  if (text.ends_with("ms")) text.remove_suffix(2);
  else if (text.ends_with("s")) {
    text.remove_suffix(1);
    unsigned long long seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || seconds > 3600) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  unsigned long long millis = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), millis);
  if (error != std::errc() || end != text.data() + text.size() || millis > 3'600'000) return std::nullopt;
  return std::chrono::milliseconds(millis);
}

}  // namespace

ParsedImpairment parse_impairment(std::string_view text) {
  ImpairmentConfig config;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto equals = item.find('=');
    if (equals == std::string_view::npos)
      return {std::nullopt, fmt::format("'{}' is not key=value (keys: loss, dup, reorder, delay, hold, seed, direction)", item)};
    const std::string_view key = item.substr(0, equals);
    const std::string_view value = item.substr(equals + 1);
    const auto bad = [&](std::string_view what) {
      return ParsedImpairment{std::nullopt, fmt::format("{}={}: {} expected", key, value, what)};
    };
    if (key == "loss" || key == "dup" || key == "duplicate" || key == "reorder") {
      const auto p = probability(value);
      if (!p) return bad("a probability from 0 to 1");
      (key == "loss" ? config.loss : key == "reorder" ? config.reorder : config.duplicate) = *p;
    } else if (key == "delay" || key == "hold") {
      const auto d = duration(value);
      if (!d) return bad("a duration up to an hour (5ms, 1s)");
      (key == "delay" ? config.delay : config.reorder_hold) = *d;
    } else if (key == "seed") {
      std::uint64_t seed = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seed);
      if (error != std::errc() || end != value.data() + value.size()) return bad("an unsigned integer");
      config.seed = seed;
    } else if (key == "direction") {
      if (value != "in" && value != "out" && value != "both") return bad("in, out or both");
      config.inbound = value != "out";
      config.outbound = value != "in";
    } else {
      return {std::nullopt, fmt::format("unknown impairment '{}' (keys: loss, dup, reorder, delay, hold, seed, direction)", key)};
    }
  }
  return {config, {}};
}

Impairment::Impairment(const ImpairmentConfig& config, std::uint64_t stream)
    : config_(config), random_(config.seed * 0x9E3779B97F4A7C15ull + stream) {}

void Impairment::submit(Packet packet, Clock::time_point now, std::vector<Scheduled>& out) {
  if (chance_(random_) < config_.loss) {
    ++counters_.dropped;
    return;
  }
  ++counters_.passed;
  auto release = now + config_.delay;
  if (chance_(random_) < config_.reorder) {
    ++counters_.reordered;
    release += config_.reorder_hold;
  }
  if (chance_(random_) < config_.duplicate) {
    ++counters_.duplicated;
    out.push_back({release, packet});
  }
  out.push_back({release, std::move(packet)});
}

}  // namespace lim::tcp::link
