// tests/tools/fake_apiserver/control.hpp — the commands a test script sends to the
// standalone fake API server, one line each, and their one-line answers.
//
//   apply FILE            upsert every object of a JSON file (one object, or a List)
//                         into its kind's collection; watches see ADDED or MODIFIED
//   delete KIND NAME      delete (NAME is NS/NAME for namespaced kinds); DELETED event
//   list KIND             the keys held, space-separated
//   drop-watches [KIND]   close every watch connection (of KIND) mid-stream
//   end-watches [KIND]    end every watch cleanly (last chunk)
//   gone [KIND]           an ERROR event with a 410 Status on every watch, then the end
//   bookmark [KIND]       a BOOKMARK event at the current resourceVersion
//   compact               forget the watch history (older resourceVersions get 410)
//   watches [KIND]        how many watches are open
//   rv                    the current resourceVersion
//   help                  this list
// KIND is a kind or a kubectl resource name (node, nodes, svc, endpointslices, ...).
// Answers: "ok" or "ok TEXT" on success, "error: MESSAGE" otherwise (bad commands,
// unreadable files, objects that are not valid Kubernetes JSON, unknown objects).
// run_command() runs on the server's thread (inside FakeApiServer::with), reads
// only the named file, and never throws.
#pragma once

#include <string>
#include <string_view>

#include "tests/k8s/support/fake_api_server.hpp"

namespace petrel::k8s::fake {

struct Answer {
  bool ok = false;
  std::string text;      // the whole answer line, "ok ..." or "error: ..."
  bool changed = false;  // objects changed: the state file is to be written again
};

Answer run_command(std::string_view line, test::FakeApiServer::State& state);

// The help text (one line per command).
std::string_view command_help();

}  // namespace petrel::k8s::fake
