// core/log.hpp — logging setup for Petrel's programs (spdlog underneath).
//
// init_logging() is called once by a program's main before any thread starts;
// modules then log through spdlog's default logger. Pure modules (codec, FSM,
// best path, reconcile, policy compiler) never log: they return values.
#pragma once

#include <optional>
#include <string_view>

namespace petrel {

enum class LogLevel { trace, debug, info, warn, error, off };

// "trace", "debug", "info", "warn", "error", "off"; nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view text);

// Sets the default logger: to stderr with a timestamp, or (with_timestamps=false,
// for systemd's journal, which stamps lines itself) without one.
void init_logging(LogLevel level, bool with_timestamps = true);

}  // namespace petrel
