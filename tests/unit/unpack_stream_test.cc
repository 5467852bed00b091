// The CIB read a piece at a time (unpackCib over a CibSource, as pe-simulate reads a file)
// must read exactly as the whole text: the same history, warnings and errors at the same line.
#include <gtest/gtest.h>

#include <algorithm>

#include "cib_text.h"
#include "policy-engine/cib_model.h"
#include "policy-engine/cib_source.h"

namespace pulse::pe {
namespace {

// Hands the text out a few bytes at a time, so that every element straddles reads; can be
// told to fail after some bytes or to refuse to start again.
class TrickleSource : public CibSource {
 public:
  explicit TrickleSource(std::string text, std::size_t step = 7)
      : text_(std::move(text)), step_(step) {}
  std::ptrdiff_t read(char* buffer, std::size_t size) override {
    if (pos_ >= fail_at_) return -1;
    const std::size_t n = std::min({size, step_, text_.size() - pos_});
    text_.copy(buffer, n, pos_);
    pos_ += n;
    return static_cast<std::ptrdiff_t>(n);
  }
  bool rewind() override {
    ++rewinds;
    if (!can_rewind) return false;
    pos_ = 0;
    return true;
  }
  std::size_t fail_at_ = std::string::npos;
  bool can_rewind = true;
  int rewinds = 0;

 private:
  std::string text_;
  std::size_t step_;
  std::size_t pos_ = 0;
};

std::string twoNodeCib(const std::string& between = "\n<!-- a comment -->\n") {
  return testing::cib(
      {"n1", "n2"}, testing::primitive("a") + testing::primitive("b"), "",
      testing::nodeState("1", "n1",
                         testing::history("a", {{"start", 0, 2}, {"monitor", 0, 3, 10000}}) +
                             testing::history("b", {{"monitor", 7, 4}})) +
          between + testing::nodeState("2", "n2", testing::history("a", {{"monitor", 7, 5}})));
}

void expectSameHistory(const Cib& whole, const Cib& streamed) {
  ASSERT_EQ(whole.node_states.size(), streamed.node_states.size());
  for (std::size_t n = 0; n < whole.node_states.size(); ++n) {
    const NodeStateRecord& w = whole.node_states[n];
    const NodeStateRecord& s = streamed.node_states[n];
    EXPECT_EQ(w.id, s.id);
    EXPECT_EQ(w.uname, s.uname);
    EXPECT_EQ(w.in_ccm, s.in_ccm);
    ASSERT_EQ(w.resources.size(), s.resources.size());
    for (std::size_t r = 0; r < w.resources.size(); ++r) {
      EXPECT_EQ(w.resources[r].id, s.resources[r].id);
      ASSERT_EQ(w.resources[r].ops.size(), s.resources[r].ops.size());
      for (std::size_t o = 0; o < w.resources[r].ops.size(); ++o) {
        const OperationRecord& wo = w.resources[r].ops[o];
        const OperationRecord& so = s.resources[r].ops[o];
        EXPECT_EQ(wo.task, so.task);
        EXPECT_EQ(wo.interval_ms, so.interval_ms);
        EXPECT_EQ(wo.call_id, so.call_id);
        EXPECT_EQ(wo.rc, so.rc);
        EXPECT_EQ(wo.op_digest, so.op_digest);
      }
    }
  }
  EXPECT_EQ(whole.warnings, streamed.warnings);
  EXPECT_EQ(whole.resources.size(), streamed.resources.size());
}

TEST(UnpackStream, PieceByPieceReadsTheSameAsTheWholeText) {
  const std::string xml = twoNodeCib();
  auto whole = unpackCib(xml);
  TrickleSource source(xml);
  auto streamed = unpackCib(source, 0);  // split from the first byte of status
  ASSERT_TRUE(whole.ok() && streamed.ok());
  EXPECT_EQ(source.rewinds, 0);  // read in one pass, without starting again
  expectSameHistory(*whole, *streamed);
  ASSERT_EQ(streamed->node_states.size(), 2u);
  EXPECT_EQ(streamed->node_states[0].resources[0].ops[1].interval_ms, 10000);
}

TEST(UnpackStream, SmallInputReadsWholeAsBefore) {
  const std::string xml = twoNodeCib();
  TrickleSource source(xml);
  auto streamed = unpackCib(source);  // the status is far below the split size
  auto whole = unpackCib(xml);
  ASSERT_TRUE(whole.ok() && streamed.ok());
  EXPECT_EQ(source.rewinds, 0);
  expectSameHistory(*whole, *streamed);
}

TEST(UnpackStream, TicketStatesStayWithTheConfiguration) {
  const std::string xml =
      twoNodeCib("\n<tickets><ticket_state id=\"t1\" granted=\"true\"/></tickets>\n");
  auto whole = unpackCib(xml);
  TrickleSource source(xml);
  auto streamed = unpackCib(source, 0);
  ASSERT_TRUE(whole.ok() && streamed.ok());
  expectSameHistory(*whole, *streamed);
  ASSERT_EQ(streamed->ticket_states.count("t1"), 1u);
  EXPECT_TRUE(streamed->ticket_states.at("t1").granted);
}

TEST(UnpackStream, ErrorsNameTheSameLineAsTheWholeText) {
  // A node_state that converts badly (an lrm_resource without id), on line 5.
  const std::string bad =
      "<cib>\n<configuration><crm_config/><nodes/><resources/><constraints/>"
      "</configuration>\n<status>\n<node_state id=\"1\" uname=\"n1\">\n"
      "<lrm><lrm_resources><lrm_resource>\n</lrm_resource></lrm_resources></lrm>"
      "</node_state>\n</status>\n</cib>\n";
  // A node_state that is not well-formed: the whole text is read again, for the parser's line.
  const std::string malformed =
      "<cib>\n<configuration><crm_config/><nodes/><resources/><constraints/>"
      "</configuration>\n<status>\n<node_state id=\"1\" uname=\"n1\">\n"
      "<lrm><lrm_resources><lrm_resource id=\"a\">\n</lrm_resources></lrm>"
      "</node_state>\n</status>\n</cib>\n";
  for (const std::string& xml : {bad, malformed}) {
    auto whole = unpackCib(xml);
    TrickleSource source(xml);
    auto streamed = unpackCib(source, 0);
    ASSERT_FALSE(whole.ok());
    ASSERT_FALSE(streamed.ok());
    EXPECT_EQ(whole.error().message, streamed.error().message);
  }
}

TEST(UnpackStream, UnexpectedStatusContentIsReadAsOneDocument) {
  // Something the piece reader does not expect between node states: it starts again and
  // reads the whole text, which ignores the stray element as the whole-text reader does.
  const std::string xml = twoNodeCib("\n<stray_element/>\n");
  auto whole = unpackCib(xml);
  TrickleSource source(xml);
  auto streamed = unpackCib(source, 0);
  ASSERT_TRUE(whole.ok() && streamed.ok());
  EXPECT_EQ(source.rewinds, 1);
  expectSameHistory(*whole, *streamed);

  TrickleSource once(xml);
  once.can_rewind = false;
  auto refused = unpackCib(once, 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("cannot read the CIB again"), std::string::npos);
}

TEST(UnpackStream, AReadFailureIsAnError) {
  const std::string xml = twoNodeCib();
  for (std::size_t at : {std::size_t{10}, xml.find("<node_state") + 20, xml.size() - 5}) {
    TrickleSource source(xml);
    source.fail_at_ = at;
    auto streamed = unpackCib(source, 0);
    ASSERT_FALSE(streamed.ok()) << at;
    EXPECT_EQ(streamed.error().message, "cannot read the CIB") << at;
  }
}

}  // namespace
}  // namespace pulse::pe
