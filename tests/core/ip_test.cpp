#include "core/ip.hpp"

#include <doctest/doctest.h>

#include <unordered_set>

using petrel::IpAddress;
using petrel::Prefix;

TEST_CASE("IPv4 and IPv6 addresses parse and format") {
  auto a = IpAddress::parse("10.1.2.3");
  REQUIRE(a);
  CHECK(a->is_v4());
  CHECK(a->v4_value() == 0x0a010203u);
  CHECK(a->to_string() == "10.1.2.3");
  auto b = IpAddress::parse("2001:db8::1");
  REQUIRE(b);
  CHECK(b->is_v6());
  CHECK(b->to_string() == "2001:db8::1");
  CHECK(IpAddress::parse("2001:DB8:0:0::1")->to_string() == "2001:db8::1");
}

TEST_CASE("bad address text is refused, never thrown") {
  for (const char* bad : {"", "10.1.2", "10.1.2.256", "1.2.3.4.5", "::g", "10.0.0.1 ", "abc",
                          "1:2:3:4:5:6:7:8:9", "0123456789012345678901234567890123456789012345678"})
    CHECK_MESSAGE(!IpAddress::parse(bad), bad);
}

TEST_CASE("addresses order by family then bytes, and classify") {
  auto v4 = *IpAddress::parse("255.255.255.255");
  auto v6 = *IpAddress::parse("::");
  CHECK(v4 < v6);
  CHECK(*IpAddress::parse("10.0.0.1") < *IpAddress::parse("10.0.0.2"));
  CHECK(IpAddress::parse("224.0.0.5")->is_multicast());
  CHECK(IpAddress::parse("ff02::1")->is_multicast());
  CHECK(IpAddress::parse("fe80::1")->is_link_local());
  CHECK(IpAddress::parse("169.254.1.1")->is_link_local());
  CHECK(IpAddress::parse("0.0.0.0")->is_unspecified());
  CHECK(IpAddress::parse("::1")->is_loopback());
  CHECK(IpAddress::parse("127.0.0.1")->is_loopback());
  CHECK_FALSE(IpAddress::parse("10.0.0.1")->is_loopback());
}

TEST_CASE("prefixes parse canonically, clear host bits in make, and refuse bad text") {
  auto p = Prefix::parse("10.244.0.0/16");
  REQUIRE(p);
  CHECK(p->length() == 16);
  CHECK(p->to_string() == "10.244.0.0/16");
  CHECK_FALSE(Prefix::parse("10.244.1.0/16"));  // host bits set
  CHECK(Prefix::parse("10.244.1.0/16", /*require_canonical=*/false)->to_string() == "10.244.0.0/16");
  CHECK(Prefix::parse("10.0.0.1")->length() == 32);
  CHECK(Prefix::parse("2001:db8::/32")->to_string() == "2001:db8::/32");
  CHECK_FALSE(Prefix::parse("2001:db8::1/32"));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "::/129", "/8", "10.0.0.0/0008"})
    CHECK_MESSAGE(!Prefix::parse(bad), bad);
  CHECK(Prefix::make(*IpAddress::parse("10.1.2.3"), 20).to_string() == "10.1.0.0/20");
  CHECK(Prefix::make(*IpAddress::parse("2001:db8:ffff::1"), 36).to_string() == "2001:db8:f000::/36");
  CHECK(Prefix::make(*IpAddress::parse("10.1.2.3"), 40).length() == 32);
}

TEST_CASE("canonical form check") {
  auto a = *IpAddress::parse("10.1.0.0");
  CHECK(petrel::is_canonical(a, 16));
  CHECK_FALSE(petrel::is_canonical(a, 15 - 8));
  CHECK(petrel::is_canonical(a, 32));
  CHECK_FALSE(petrel::is_canonical(a, 33));
  CHECK(petrel::is_canonical(*IpAddress::parse("0.0.0.0"), 0));
  CHECK_FALSE(petrel::is_canonical(*IpAddress::parse("128.0.0.0"), 0));
}

TEST_CASE("containment") {
  auto net = *Prefix::parse("10.244.0.0/16");
  CHECK(net.contains(*IpAddress::parse("10.244.3.7")));
  CHECK_FALSE(net.contains(*IpAddress::parse("10.245.0.1")));
  CHECK_FALSE(net.contains(*IpAddress::parse("::ffff:10.244.3.7")));
  CHECK(net.contains(*Prefix::parse("10.244.3.0/24")));
  CHECK(net.contains(net));
  CHECK_FALSE(net.contains(*Prefix::parse("10.0.0.0/8")));
  CHECK(Prefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("1.2.3.4")));
  CHECK(Prefix::parse("2001:db8::/32")->contains(*Prefix::parse("2001:db8:1::/48")));
}

TEST_CASE("prefix hash and equality agree") {
  std::unordered_set<Prefix> set;
  set.insert(*Prefix::parse("10.0.0.0/8"));
  set.insert(Prefix::make(*IpAddress::parse("10.9.9.9"), 8));
  set.insert(*Prefix::parse("10.0.0.0/9"));
  set.insert(*Prefix::parse("::/0"));
  set.insert(*Prefix::parse("0.0.0.0/0"));
  CHECK(set.size() == 4);
  CHECK(*Prefix::parse("10.0.0.0/8") < *Prefix::parse("10.0.0.0/9"));
}
