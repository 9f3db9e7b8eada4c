// k8s/endpoint_slice.cpp — decoding a discovery.k8s.io/v1 EndpointSlice.
//
// Kubernetes API reference, EndpointSlice v1: the owning Service is named by the
// label kubernetes.io/service-name; endpoints[].conditions.ready "should be
// interpreted as true" when absent (unknown state), serving follows ready when
// absent, terminating defaults to false; endpoints[].nodeName names the node
// hosting the endpoint.
#include "k8s/meta_decode.hpp"

namespace petrel::k8s {

Decoded<EndpointSlice> decode_endpoint_slice(const boost::json::value& object) {
  detail::FieldReader r;
  EndpointSlice slice;
  const auto* root = detail::read_meta(r, object, slice.meta);
  if (auto it = slice.meta.labels.find("kubernetes.io/service-name"); it != slice.meta.labels.end())
    slice.service_name = it->second;
  slice.address_type = r.string(root, "addressType", "");
  if (const auto* endpoints = r.array(root, "endpoints", "")) {
    for (std::size_t i = 0; i < endpoints->size(); ++i) {
      const std::string path = detail::index_path("endpoints", i);
      const auto* e = r.element_object((*endpoints)[i], path);
      Endpoint ep;
      ep.addresses = r.string_list(e, "addresses", path);
      if (slice.address_type == "IPv4" || slice.address_type == "IPv6") {
        for (std::size_t j = 0; j < ep.addresses.size(); ++j)
          detail::parse_ip(r, ep.addresses[j], detail::index_path(detail::join_path(path, "addresses"), j));
      }
      const std::string cpath = detail::join_path(path, "conditions");
      const auto* c = r.object(e, "conditions", path);
      ep.ready = r.boolean(c, "ready", cpath).value_or(true);
      ep.serving = r.boolean(c, "serving", cpath).value_or(ep.ready);
      ep.terminating = r.boolean(c, "terminating", cpath).value_or(false);
      ep.node_name = r.string(e, "nodeName", path);
      slice.endpoints.push_back(std::move(ep));
    }
  }
  if (r.failed()) return detail::make_error(r, "EndpointSlice", slice.meta);
  return slice;
}

}  // namespace petrel::k8s
