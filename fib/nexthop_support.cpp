#include "fib/nexthop_support.hpp"

#include <cerrno>
#include <cstring>

namespace petrel::fib {

NexthopSupport::Verdict NexthopSupport::missing(const std::string& why) {
  api_ = Api::missing;
  Verdict v;
  v.api_missing = true;
  v.log = !logged_missing_;
  logged_missing_ = true;
  v.reason = "the kernel has no nexthop API (" + why + "): plain routes from now on";
  return v;
}

NexthopSupport::Verdict NexthopSupport::on_dump(int error) {
  if (error == 0) {
    if (api_ == Api::unknown) api_ = Api::available;
    return {};
  }
  if (error == EOPNOTSUPP || error == EINVAL) {
    return missing(std::string("dump of nexthop objects: ") + std::strerror(error));
  }
  return {};
}

void NexthopSupport::on_object_accepted() {
  if (api_ == Api::unknown) api_ = Api::available;
}

NexthopSupport::Verdict NexthopSupport::on_object_refused(int error) {
  ++objects_refused_;
  // EINVAL is also what a kernel with the API answers for a bad object (no device
  // for a gateway): it means "no API" only while nothing has shown that the API exists.
  if (error == EOPNOTSUPP || (error == EINVAL && api_ == Api::unknown)) {
    return missing(std::string("nexthop object refused: ") + std::strerror(error));
  }
  Verdict v;
  v.log = logged_errors_.insert(error).second;
  v.reason = std::string("the kernel refused a nexthop object (") + std::strerror(error) +
             "): its routes go in as plain routes; further refusals for this reason are only counted";
  return v;
}

}  // namespace petrel::fib
