#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace petrel {

std::optional<LogLevel> parse_log_level(std::string_view text) {
  if (text == "trace") return LogLevel::trace;
  if (text == "debug") return LogLevel::debug;
  if (text == "info") return LogLevel::info;
  if (text == "warn" || text == "warning") return LogLevel::warn;
  if (text == "error") return LogLevel::error;
  if (text == "off") return LogLevel::off;
  return std::nullopt;
}

void init_logging(LogLevel level, bool with_timestamps) {
  auto logger = spdlog::stderr_logger_mt("petrel");
  logger->set_pattern(with_timestamps ? "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v" : "%^%l%$ %v");
  static constexpr spdlog::level::level_enum map[] = {
      spdlog::level::trace, spdlog::level::debug, spdlog::level::info,
      spdlog::level::warn,  spdlog::level::err,   spdlog::level::off};
  logger->set_level(map[static_cast<int>(level)]);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace petrel
