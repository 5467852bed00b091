// The route checks HAProxy asks (route_check.h): the verdict of each path on each node for a
// primitive, a group and a promotable clone, the quorum guard, the paths that are not checks,
// and the server under garbage: a malformed request line, oversize headers and a client that
// sends half a request and stops, after which the checks still answer.
#include "crmd/http/route_check.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "crmd/http/http_server.h"

namespace pulse::crmd::http {
namespace {

pe::ResourceView primitive(const std::string& id, std::vector<std::string> nodes,
                           pe::Role role = pe::Role::Started) {
  pe::ResourceView r;
  r.id = id;
  r.cloned = id;
  r.agent = "ocf:heartbeat:Dummy";
  r.nodes = std::move(nodes);
  r.role = r.nodes.empty() ? pe::Role::Stopped : role;
  return r;
}

// n1 holds web (a primitive) and the group site (ip + srv); n2 has the promoted instance of
// db-clone, n3 an unpromoted one; n3 is in standby; failing runs FAILED on n2.
RouteFacts factsOn(const std::string& node) {
  RouteFacts f;
  f.node = node;
  f.running = f.member = f.quorate = f.cib_current = true;
  pe::ClusterView v;
  for (const char* n : {"n1", "n2", "n3"}) {
    pe::NodeView nv;
    nv.name = n;
    nv.online = true;
    nv.standby = std::string(n) == "n3";
    v.nodes.push_back(nv);
  }
  v.resources.push_back(primitive("web", {"n1"}));
  pe::ResourceView site;
  site.id = "site";
  site.is_group = true;
  site.members = {primitive("ip", {"n1"}), primitive("srv", {"n1"})};
  v.resources.push_back(site);
  pe::ResourceView db;
  db.id = "db-clone";
  db.cloned = "db";
  db.is_clone = db.promotable = true;
  db.members = {primitive("db:0", {"n2"}, pe::Role::Promoted),
                primitive("db:1", {"n3"}, pe::Role::Unpromoted), primitive("db:2", {})};
  v.resources.push_back(db);
  pe::ResourceView failing = primitive("failing", {"n2"});
  failing.failed = true;
  v.resources.push_back(failing);
  f.status = v;
  return f;
}

int code(const std::string& node, std::string_view path, std::string_view resource = "web") {
  return routeReply(factsOn(node), path, resource).status;
}

TEST(RouteCheck, LeaderPathsAnswer200OnlyWhereTheResourceRuns) {
  for (std::string_view path : {"/", "/leader", "/primary", "/master", "/read-write"}) {
    EXPECT_EQ(code("n1", path), 200) << path;
    EXPECT_EQ(code("n2", path), 503) << path;
    EXPECT_EQ(code("n3", path), 503) << path;
  }
  const Reply r = routeReply(factsOn("n1"), "/leader", "web");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            "{\"node\":\"n1\",\"resource\":\"web\",\"role\":\"started\",\"quorate\":true,"
            "\"check\":\"leader\",\"verdict\":\"route here\",\"reason\":\"active here\"}\n");
}

TEST(RouteCheck, ResourcePathsNameAnyResource) {
  EXPECT_EQ(code("n1", "/resource/site", ""), 200);  // a group: every member runs on n1
  EXPECT_EQ(code("n2", "/resource/site", ""), 503);
  EXPECT_EQ(code("n1", "/resource/ip/primary", ""), 200);  // a group's member by its id
  // A promotable clone by either name: 200 where promoted, replica where unpromoted.
  for (std::string_view name : {"db", "db-clone"}) {
    const std::string base = "/resource/" + std::string(name);
    EXPECT_EQ(code("n2", base, ""), 200) << base;
    EXPECT_EQ(code("n3", base, ""), 503) << base;
    EXPECT_EQ(code("n1", base, ""), 503) << base;
    EXPECT_EQ(code("n3", base + "/replica", ""), 200) << base;
    EXPECT_EQ(code("n2", base + "/replica", ""), 503) << base;
    EXPECT_EQ(code("n1", base + "/replica", ""), 503) << base;  // no instance on n1
    EXPECT_EQ(code("n2", base + "/read-only", ""), 200) << base;
    EXPECT_EQ(code("n3", base + "/read-only", ""), 200) << base;
    EXPECT_EQ(code("n1", base + "/read-only", ""), 503) << base;
  }
  EXPECT_NE(routeReply(factsOn("n3"), "/resource/db/replica", "").body.find("\"unpromoted\""),
            std::string::npos);
  // The bare paths check --check-resource, whichever resource /resource/ names.
  EXPECT_EQ(code("n2", "/primary", "db"), 200);
  EXPECT_EQ(code("n1", "/primary", "db"), 503);
}

TEST(RouteCheck, ReplicaOfAPrimitiveIsAMemberReadyToTakeOver) {
  EXPECT_EQ(code("n2", "/replica"), 200);  // online, not holding web
  EXPECT_EQ(code("n1", "/replica"), 503);  // holds it
  EXPECT_EQ(code("n3", "/replica"), 503);  // standby: cannot take it over
}

TEST(RouteCheck, AFailedResourceIsNotRoutedTo) {
  const Reply r = routeReply(factsOn("n2"), "/resource/failing", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"role\":\"failed\""), std::string::npos) << r.body;
}

TEST(RouteCheck, AStartOrStopInFlightIsNotRoutedTo) {
  // The cluster records a start before it runs (pcs status: "Starting"): no service yet.
  const std::pair<const char*, const char*> cases[] = {{"Starting", "\"role\":\"starting\""},
                                                       {"Stopping", "\"role\":\"stopping\""}};
  for (const auto& [pending, role] : cases) {
    RouteFacts f = factsOn("n1");
    f.status->resources[0].pending = pending;
    const Reply r = routeReply(f, "/leader", "web");
    EXPECT_EQ(r.status, 503) << pending;
    EXPECT_NE(r.body.find(role), std::string::npos) << r.body;
    f.status->resources[0].pending.clear();
    EXPECT_EQ(routeReply(f, "/leader", "web").status, 200);
  }
}

TEST(RouteCheck, WithoutQuorumEveryCheckSays503) {
  RouteFacts f = factsOn("n1");
  f.quorate = false;  // a partitioned former holder whose CIB still shows web here
  for (std::string_view path : {"/", "/leader", "/primary", "/replica", "/read-only", "/health",
                                "/resource/web", "/resource/site/primary"}) {
    const Reply r = routeReply(f, path, "web");
    EXPECT_EQ(r.status, 503) << path;
    EXPECT_NE(r.body.find("not in a quorate partition"), std::string::npos) << r.body;
  }
  f = factsOn("n1");
  f.member = false;
  EXPECT_EQ(routeReply(f, "/leader", "web").status, 503);
  f = factsOn("n1");
  f.running = false;
  EXPECT_NE(routeReply(f, "/leader", "web").body.find("not running"), std::string::npos);
  // A rejoining former holder: quorate again, but its old copy still shows web here.
  f = factsOn("n1");
  f.cib_current = false;
  EXPECT_EQ(routeReply(f, "/leader", "web").status, 503);
  EXPECT_NE(routeReply(f, "/leader", "web").body.find("not yet the cluster's"), std::string::npos);
  EXPECT_EQ(routeReply(f, "/health", "").status, 503);
  f = factsOn("n1");
  f.status.reset();
  EXPECT_EQ(routeReply(f, "/leader", "web").status, 503);
  EXPECT_EQ(routeReply(f, "/health", "").status, 503);
}

TEST(RouteCheck, HealthNeedsNoResource) {
  EXPECT_EQ(code("n3", "/health", ""), 200);
  EXPECT_EQ(routeReply(factsOn("n3"), "/health", "").body,
            "{\"node\":\"n3\",\"quorate\":true,\"check\":\"health\",\"verdict\":\"route here\","
            "\"reason\":\"member of a quorate partition\"}\n");
}

TEST(RouteCheck, UnknownPathsAndResourcesAre404) {
  for (std::string_view path :
       {"/metrics", "/leaderx", "//leader", "/resource/", "/resource/web/x", "/resource/web/health",
        "/resource/a b", "leader", "/resource/w%20"}) {
    EXPECT_EQ(code("n1", path), 404) << path;
  }
  EXPECT_EQ(code("n1", "/resource/nosuch", ""), 404);
  EXPECT_NE(routeReply(factsOn("n1"), "/leader", "").body.find("--check-resource"),
            std::string::npos);
  EXPECT_EQ(code("n1", "/leader", ""), 404);  // no --check-resource
  // A quote in a node name cannot break the JSON.
  RouteFacts f = factsOn("n1");
  f.node = "n\"1";
  EXPECT_NE(routeReply(f, "/health", "").body.find("\"node\":\"n\\\"1\""), std::string::npos);
}

TEST(RouteCheck, AddressErrorsNameTheOption) {
  auto bad = parseListenAddress("9201", "--check-address");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "--check-address '9201': expected HOST:PORT, *:PORT, [IPV6]:PORT or off");
  EXPECT_EQ(parseListenAddress("*:9201", "--check-address")->port, kCheckPort);
  EXPECT_TRUE(parseListenAddress("off", "--check-address")->off);
  EXPECT_TRUE(plausibleResourceName("db-clone:0"));
  EXPECT_FALSE(plausibleResourceName("a b"));
  EXPECT_FALSE(plausibleResourceName(std::string(201, 'a')));
}

// --- The server under the checks, with hostile clients.

std::string roundTrip(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  boost::asio::write(socket, boost::asio::buffer(request), ec);
  std::string answer;
  boost::asio::read(socket, boost::asio::dynamic_buffer(answer), ec);
  return answer;
}

std::unique_ptr<HttpServer> checkServer() {
  auto server = HttpServer::start(
      *parseListenAddress("127.0.0.1:0", "--check-address"), "route checks",
      [](const Request& r) { return routeReply(factsOn("n1"), r.path, "web"); },
      /*answer_options=*/true);
  EXPECT_TRUE(server.ok());
  return server.ok() ? std::move(server).value() : nullptr;
}

TEST(RouteCheckServer, AnswersGetHeadAndHaproxysOptions) {
  auto server = checkServer();
  ASSERT_TRUE(server);
  const std::uint16_t port = server->port();
  const std::string get = roundTrip(port, "GET /leader HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(get.starts_with("HTTP/1.1 200 OK\r\n")) << get;
  EXPECT_TRUE(get.ends_with("\"reason\":\"active here\"}\n")) << get;
  const std::string head = roundTrip(port, "HEAD /leader HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;  // no body
  EXPECT_TRUE(roundTrip(port, "HEAD /replica HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 503"));
  // HAProxy's bare `option httpchk`: OPTIONS / HTTP/1.0.
  EXPECT_TRUE(roundTrip(port, "OPTIONS / HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(roundTrip(port, "GET /leader?x=1 HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(roundTrip(port, "POST /leader HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
  EXPECT_TRUE(roundTrip(port, "GET /nope HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
}

TEST(RouteCheckServer, GarbageAndSlowClientsDoNotStopTheChecks) {
  auto server = checkServer();
  ASSERT_TRUE(server);
  const std::uint16_t port = server->port();
  EXPECT_TRUE(roundTrip(port, "\x16\x03\x01\x02garbage\r\n\r\n").starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(roundTrip(port, "GET /leader\r\n\r\n").starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(roundTrip(port, "GET /leader HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n")
                  .starts_with("HTTP/1.1 431"));
  // Slow clients: each sends half a request head and then nothing. They hold connections
  // (up to the limit) but the server thread is not blocked: a check still answers at once.
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> slow;
  for (int i = 0; i < static_cast<int>(kMaxConnections) / 2; ++i) {
    slow.emplace_back(io);
    slow.back().connect({boost::asio::ip::make_address("127.0.0.1"), port});
    boost::asio::write(slow.back(), boost::asio::buffer(std::string("GET /leader HTTP/1.1\r\nX")));
  }
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(roundTrip(port, "GET /leader HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
  // The slow ones are cut off at the request deadline, with no answer.
  for (auto& s : slow) {
    std::string got;
    boost::system::error_code ec;
    boost::asio::read(s, boost::asio::dynamic_buffer(got), ec);
    EXPECT_EQ(got, "");
  }
  EXPECT_TRUE(roundTrip(port, "GET /health HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
  server->shutdown();
}

}  // namespace
}  // namespace pulse::crmd::http
