// The web console's pure parts (crmd/console): which server a ClientHello goes to, the login
// sessions and their cookie, request parsing, the actions' pcs commands, and what an ACL-limited
// user is shown of the events and transitions. The parsers are
// fed real ClientHellos (from OpenSSL) and every truncation and many corruptions of them: a
// daemon must answer anything without crashing.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "crmd/cib/cib_acl.h"
#include "crmd/console/acl_view.h"
#include "crmd/console/client_hello.h"
#include "crmd/console/console_actions.h"
#include "crmd/console/http_request.h"
#include "crmd/console/session_store.h"

namespace pulse::crmd::console {
namespace {

using Bytes = std::vector<std::uint8_t>;

// The first flight OpenSSL's client sends when offering `alpn` (wire format; empty: no ALPN).
Bytes clientHello(const std::string& alpn_wire) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_set_tlsext_host_name(ssl, "pulse-crmd");
  if (!alpn_wire.empty()) {
    SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn_wire.data()),
                        static_cast<unsigned>(alpn_wire.size()));
  }
  SSL_connect(ssl);  // wants to read the server's answer; the ClientHello is in `out`
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  Bytes bytes(data, data + n);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return bytes;
}

const std::string kH2("\x02h2", 3);
const std::string kHttp11("\x08http/1.1", 9);

TEST(ClientHello, BrowsersGoToTheConsoleAndGrpcClientsToGrpc) {
  EXPECT_EQ(routeByAlpn(clientHello(kH2 + kHttp11)), HelloRoute::kBrowser);
  EXPECT_EQ(routeByAlpn(clientHello(kHttp11)), HelloRoute::kBrowser);
  EXPECT_EQ(routeByAlpn(clientHello(kH2)), HelloRoute::kGrpc);
  EXPECT_EQ(routeByAlpn(clientHello("")), HelloRoute::kGrpc);
}

TEST(ClientHello, AnIncompleteHelloAsksForMoreAndOtherBytesAreNotTls) {
  const Bytes hello = clientHello(kH2 + kHttp11);
  for (std::size_t n = 0; n < hello.size(); ++n) {
    EXPECT_EQ(routeByAlpn(std::span(hello.data(), n)), HelloRoute::kNeedMore) << n;
  }
  const std::string get = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(routeByAlpn(std::span(reinterpret_cast<const std::uint8_t*>(get.data()), get.size())),
            HelloRoute::kNotTls);
}

TEST(ClientHello, CorruptedHellosNeverCrashAndNeverReadPastTheEnd) {
  const Bytes hello = clientHello(kH2 + kHttp11);
  std::mt19937 random(7);
  for (int round = 0; round < 20000; ++round) {
    Bytes copy = hello;
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i)
      copy[random() % copy.size()] = static_cast<std::uint8_t>(random());
    copy.resize(random() % (copy.size() + 1));
    // Each copy is its own allocation of exactly its size: ASan catches a read past the end.
    auto exact = std::make_unique<std::uint8_t[]>(copy.size());
    std::copy(copy.begin(), copy.end(), exact.get());
    const HelloRoute route = routeByAlpn(std::span<const std::uint8_t>(exact.get(), copy.size()));
    EXPECT_TRUE(route == HelloRoute::kNeedMore || route == HelloRoute::kNotTls ||
                route == HelloRoute::kGrpc || route == HelloRoute::kBrowser);
  }
  // A record that claims more than a ClientHello holds inside it goes to gRPC, as before.
  Bytes lying = hello;
  lying[6] = 0xff;  // the handshake's length, past the record's end
  EXPECT_EQ(routeByAlpn(lying), HelloRoute::kGrpc);
}

TEST(SessionStore, ASessionLivesUntilIdleOrAbsoluteExpiryOrLogout) {
  using namespace std::chrono_literals;
  SessionStore store({.idle = 60s, .absolute = 300s, .max_sessions = 4});
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  auto s = store.create("hacluster", t0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->id.size(), 64u);  // 256 random bits
  EXPECT_EQ(s->csrf.size(), 64u);
  ASSERT_TRUE(store.check(s->id, t0 + 50s));
  EXPECT_EQ(store.check(s->id, t0 + 100s)->csrf, s->csrf);  // used at 50 s: idle clock restarted
  EXPECT_FALSE(store.check(s->id, t0 + 161s));              // 61 s idle
  auto busy = store.create("hacluster", t0);
  for (auto t = t0; t < t0 + 300s; t += 30s) ASSERT_TRUE(store.check(busy->id, t));
  EXPECT_FALSE(store.check(busy->id, t0 + 300s));  // in use all along, but 5 min old
  auto ended = store.create("hacluster", t0);
  store.end(ended->id);
  EXPECT_FALSE(store.check(ended->id, t0));
}

TEST(SessionStore, UnknownMalformedAndOverflowingIdsAreRefused) {
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  SessionStore store({.max_sessions = 2});
  auto a = store.create("hacluster", t0);
  auto b = store.create("hacluster", t0 + std::chrono::seconds(1));
  EXPECT_FALSE(store.check(std::string(64, '0'), t0));
  EXPECT_FALSE(store.check("", t0));
  EXPECT_FALSE(store.check(a->id.substr(1), t0));
  EXPECT_FALSE(store.check(a->csrf, t0));  // the CSRF token is not a session id
  auto c = store.create("hacluster", t0 + std::chrono::seconds(2));  // a, least recently used, goes
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(store.check(a->id, t0 + std::chrono::seconds(3)));
  EXPECT_TRUE(store.check(b->id, t0 + std::chrono::seconds(3)));
  EXPECT_TRUE(store.check(c->id, t0 + std::chrono::seconds(3)));
}

TEST(SessionStore, TheCookieIsSecureHttpOnlyAndSameSiteStrict) {
  const std::string cookie = sessionCookie("abc", std::chrono::seconds(3600));
  EXPECT_EQ(cookie, "pulse_session=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict");
  EXPECT_EQ(cookieValue("a=1; pulse_session=xyz; b=2", "pulse_session"), "xyz");
  EXPECT_EQ(cookieValue("xpulse_session=1", "pulse_session"), "");
  EXPECT_EQ(cookieValue("", "pulse_session"), "");
}

TEST(HttpRequest, AWholeRequestIsParsedAndPipelinedBytesAreLeft) {
  const std::string text =
      "POST /api/action?x=1 HTTP/1.1\r\nHost: n1\r\nContent-Length: 4\r\nX-CSRF-Token: "
      "t\r\n\r\nbodyGET";
  ParsedRequest parsed = parseRequest(text);
  ASSERT_EQ(parsed.state, ParsedRequest::State::kComplete);
  EXPECT_EQ(parsed.request.method, "POST");
  EXPECT_EQ(parsed.request.path, "/api/action");
  EXPECT_EQ(parsed.request.query, "x=1");
  EXPECT_EQ(parsed.request.header("x-csrf-token"), "t");
  EXPECT_EQ(parsed.request.body, "body");
  EXPECT_EQ(parsed.consumed, text.size() - 3);
  EXPECT_EQ(parseRequest(text.substr(0, text.size() - 5)).state, ParsedRequest::State::kNeedMore);
  EXPECT_FALSE(parseRequest("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
}

TEST(HttpRequest, BadRequestsAreRefusedWithTheRightStatus) {
  auto status = [](const std::string& text) { return parseRequest(text).status; };
  EXPECT_EQ(status("GET /\r\n\r\n"), 400);
  EXPECT_EQ(status("DELETE / HTTP/1.1\r\n\r\n"), 405);
  EXPECT_EQ(status("GET / HTTP/2\r\n\r\n"), 400);
  EXPECT_EQ(status("GET http://x/ HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status("GET / HTTP/1.1\r\nNo colon\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\n\r\n"), 411);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"), 413);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
  EXPECT_EQ(status("GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n"), 431);
  EXPECT_EQ(status(std::string(9000, 'a')), 431);  // no end of head in sight
}

TEST(HttpRequest, RandomBytesNeverCrashTheParser) {
  std::mt19937 random(11);
  const std::string seed =
      "POST /api/login HTTP/1.1\r\nContent-Length: 10\r\nCookie: a=b\r\n\r\n0123456789";
  for (int round = 0; round < 20000; ++round) {
    std::string text = seed;
    for (int i = 0; i < 4; ++i) text[random() % text.size()] = static_cast<char>(random());
    text.resize(random() % (text.size() + 1));
    const ParsedRequest parsed = parseRequest(text);
    if (parsed.state == ParsedRequest::State::kComplete) {
      EXPECT_LE(parsed.consumed, text.size());
    }
    queryParam(text, "a");
  }
  EXPECT_EQ(queryParam("name=ocf%3Aheartbeat%3AIPaddr2&x=1", "name"), "ocf:heartbeat:IPaddr2");
  EXPECT_EQ(queryParam("name=a+b", "name"), "a b");
  EXPECT_EQ(queryParam("name=%4", "name"), "");
  EXPECT_EQ(queryParam("other=1", "name"), "");
}

TEST(ConsoleActions, EachActionIsThePcsCommandAnOperatorWouldType) {
  auto words = [](const std::string& json) {
    auto r = actionCommand(json);
    return r.ok() ? commandLine(*r) : "error: " + r.error().message;
  };
  EXPECT_EQ(words(R"({"action":"node-standby","node":"n1"})"), "pcs node standby n1");
  EXPECT_EQ(words(R"({"action":"node-maintenance","node":"n2"})"),
            "pcs node attribute n2 maintenance=on");
  EXPECT_EQ(words(R"({"action":"constraint-location","rsc":"vip","node":"n1","score":"50"})"),
            "pcs constraint location vip prefers n1=50");
  EXPECT_EQ(words(R"({"action":"constraint-location","rsc":"vip","node":"n1","avoids":true})"),
            "pcs constraint location vip avoids n1");
  EXPECT_EQ(
      words(R"({"action":"constraint-colocation","rsc":"vip","with":"web","score":"-INFINITY"})"),
      "pcs constraint colocation add vip with web -INFINITY");
  EXPECT_EQ(words(R"({"action":"constraint-order","first":"db","then":"web"})"),
            "pcs constraint order db then web");
  EXPECT_EQ(words(R"({"action":"constraint-location","rsc":"vip","node":"n1","score":"--force"})"),
            "error: field 'score': '--force' is not a score (INFINITY, -INFINITY or a number)");
  EXPECT_EQ(words(R"({"action":"node-stop","node":"n3"})"), "pcs cluster stop n3");
  EXPECT_EQ(words(R"({"action":"node-start","node":"n3"})"), "pcs cluster start n3");
  EXPECT_EQ(words(R"({"action":"resource-move","id":"vip","node":"n2"})"),
            "pcs resource move vip n2");
  EXPECT_EQ(words(R"({"action":"resource-ban","id":"vip"})"), "pcs resource ban vip");
  EXPECT_EQ(words(R"({"action":"resource-clear","id":"vip"})"), "pcs resource clear vip");
  EXPECT_EQ(words(R"({"action":"resource-why","id":"vip"})"), "pcs resource why vip");
  EXPECT_EQ(words(R"({"action":"resource-why","id":"vip","node":"n2"})"),
            "pcs resource why vip n2");
  EXPECT_EQ(words(R"({"action":"resource-why","id":"vip","node":"--help"})"),
            "error: field 'node': '--help' is not an id (letters, digits, _ . : -)");
  EXPECT_EQ(words(R"({"action":"resource-cleanup"})"), "pcs resource cleanup");
  EXPECT_EQ(words(R"({"action":"constraint-delete","id":"cli-prefer-vip"})"),
            "pcs constraint delete cli-prefer-vip");
  EXPECT_EQ(words(R"({"action":"property-set","name":"stonith-enabled","value":"false"})"),
            "pcs property set stonith-enabled=false");
  EXPECT_EQ(words(R"({"action":"resource-create","id":"vip","agent":"ocf:heartbeat:IPaddr2",)"
                  R"("params":{"ip":"192.0.2.10","cidr_netmask":"24","nic":""}})"),
            "pcs resource create vip ocf:heartbeat:IPaddr2 cidr_netmask=24 ip=192.0.2.10");
  EXPECT_EQ(words(R"({"action":"resource-create","id":"web","agent":"ocf:heartbeat:Dummy",)"
                  R"("params":{"state":"/tmp/it's here"}})"),
            "pcs resource create web ocf:heartbeat:Dummy 'state=/tmp/it'\\''s here'");
}

TEST(ConsoleActions, NoFieldCanBecomeAFlagOrAnotherCommand) {
  auto error = [](const std::string& json) {
    auto r = actionCommand(json);
    return r.ok() ? std::string("accepted: ") + commandLine(*r) : r.error().message;
  };
  EXPECT_EQ(error(R"({"action":"resource-delete","id":"--force"})"),
            "field 'id': '--force' is not an id (letters, digits, _ . : -)");
  EXPECT_EQ(error(R"({"action":"node-standby","node":"n1 n2"})"),
            "field 'node': 'n1 n2' is not an id (letters, digits, _ . : -)");
  EXPECT_EQ(error(R"({"action":"cluster-destroy"})"), "unknown action 'cluster-destroy'");
  EXPECT_EQ(
      error(
          R"({"action":"resource-create","id":"x","agent":"ocf:heartbeat:Dummy","params":{"--all":"1"}})"),
      "parameter name '--all' is not an id");
  EXPECT_EQ(error(R"({"action":"property-set","name":"x","value":"a\nb"})"),
            "field 'value': 'a\nb' is not a plain value");
  EXPECT_EQ(error(R"({"action":"resource-enable"})"), "missing field 'id'");
  EXPECT_EQ(error("[1,2]"), "the request is not a JSON object");
  EXPECT_EQ(error("{"), "the request is not a JSON object");
}

// A CIB whose ACLs let viewer read everything but the resource secret (pcs acl role create
// viewer read xpath /cib deny id secret), with secret's status beside web's.
constexpr char kAclCib[] = R"(<cib epoch="3" num_updates="0" admin_epoch="0"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o-a" name="enable-acl" value="true"/>
</cluster_property_set></crm_config><nodes/>
<resources><primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
<primitive id="secret" class="ocf" provider="heartbeat" type="Dummy"/>
<clone id="web-clone"><primitive id="web-2" class="ocf" provider="heartbeat" type="Dummy"/></clone>
</resources><constraints/><acls>
<acl_role id="viewer"><acl_permission id="viewer-read" kind="read" xpath="/cib"/>
<acl_permission id="viewer-deny" kind="deny" reference="secret"/></acl_role>
<acl_target id="viewer"><role id="viewer"/></acl_target></acls></configuration>
<status><node_state id="1" uname="n1"><lrm id="1"><lrm_resources>
<lrm_resource id="web" type="Dummy" class="ocf" provider="heartbeat"/>
<lrm_resource id="secret" type="Dummy" class="ocf" provider="heartbeat"/>
</lrm_resources></lrm></node_state></status></cib>)";

TEST(AclView, TheResourcesAUsersAclsHideAreTheOnesItCannotRead) {
  auto filtered = aclFilteredRead(kAclCib, AclUser{"viewer"});
  ASSERT_TRUE(filtered.ok()) << filtered.error().message;
  EXPECT_EQ(hiddenResources(kAclCib, *filtered), std::vector<std::string>{"secret"});
  EXPECT_EQ(hiddenResources(kAclCib, kAclCib), std::vector<std::string>{});
  // Nothing readable (a user without ACL entry): every resource, nested ones too.
  EXPECT_EQ(hiddenResources(kAclCib, ""),
            (std::vector<std::string>{"secret", "web", "web-2", "web-clone"}));
  EXPECT_EQ(hiddenResources("not xml", ""), std::vector<std::string>{});
}

TEST(AclView, AnIdIsNamedAsAWordNotInsideALongerId) {
  const std::vector<std::string> hidden = {"secret"};
  EXPECT_TRUE(namesAny("secret: start on n2 ok", hidden));
  EXPECT_TRUE(namesAny("console: hacluster ran `pcs resource create secret ...`", hidden));
  EXPECT_TRUE(namesAny("secret:0 promoted on n1", hidden));
  EXPECT_TRUE(namesAny("moved secret.", hidden));
  EXPECT_FALSE(namesAny("secret-2 started", hidden));
  EXPECT_FALSE(namesAny("topsecret started", hidden));
  EXPECT_FALSE(namesAny("secret_data started", hidden));
  EXPECT_FALSE(namesAny("web started", hidden));
  EXPECT_FALSE(namesAny("anything", {}));
}

TEST(AclView, TransitionsLoseTheHiddenResourcesActionsOrderingsAndSummaryLines) {
  const std::string all = R"json({"transitions":[{"input":"pe-input-3.xml.gz","summary":
    ["Start secret (n2)","Start web (n1)"],"actions":[
    {"id":1,"key":"secret_start_0","task":"start","resource":"secret","node":"n2","pseudo":false},
    {"id":2,"key":"web_start_0","task":"start","resource":"web","node":"n1","pseudo":false},
    {"id":3,"key":"web_monitor_5000","task":"monitor","resource":"web","node":"n1","pseudo":false}],
    "orderings":[[1,2],[2,3]]},{"input":"pe-input-2.xml.gz","error":"bad primitive secret"}]})json";
  const auto shown = nlohmann::json::parse(withoutHidden(all, {"secret"}));
  const auto& t = shown["transitions"][0];
  EXPECT_EQ(t["summary"], nlohmann::json::parse(R"js(["Start web (n1)"])js"));
  ASSERT_EQ(t["actions"].size(), 2u);
  EXPECT_EQ(t["actions"][0]["resource"], "web");
  EXPECT_EQ(t["orderings"], nlohmann::json::parse("[[2,3]]"));
  EXPECT_EQ(shown["transitions"][1]["error"], "(names a resource hidden from you)");
  EXPECT_EQ(withoutHidden(all, {}), all);
  EXPECT_EQ(withoutHidden("{", {"secret"}), R"({"transitions": []})");
}

}  // namespace
}  // namespace pulse::crmd::console
