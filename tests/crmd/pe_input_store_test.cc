// Saved engine inputs: what an operator finds in the pengine directory after the DC ran.
#include "crmd/daemon/pe_input_store.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "temp_dir.h"

namespace pulse::crmd {
namespace {

namespace fs = std::filesystem;

std::string gunzipFile(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return "<cannot open>";
  std::string out;
  char buf[4096];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  return out;
}

std::set<std::string> names(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

void writeRaw(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(EngineInputStore, SavesGzipFilesNumberedFromZero) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/pengine";  // created by open()
  auto store = EngineInputStore::open(dir, 10);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto first = store->save("<cib epoch=\"1\"/>");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, dir + "/pe-input-0.xml.gz");
  auto second = store->save("<cib epoch=\"2\"/>");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, dir + "/pe-input-1.xml.gz");
  EXPECT_EQ(gunzipFile(*first), "<cib epoch=\"1\"/>");
  EXPECT_EQ(gunzipFile(*second), "<cib epoch=\"2\"/>");
  EXPECT_EQ(fileMode(*second), 0600u);
}

TEST(EngineInputStore, AnUnchangedInputIsNotSavedAgain) {
  TempDir tmp;
  auto store = EngineInputStore::open(tmp.path(), 10);
  ASSERT_TRUE(store.ok());
  auto first = store->save("<cib epoch=\"1\"/>");
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 3; ++i) {
    auto again = store->save("<cib epoch=\"1\"/>");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *first) << "the file that already holds it";
  }
  EXPECT_EQ(names(tmp.path()), (std::set<std::string>{"pe-input-0.xml.gz"}));
  auto changed = store->save("<cib epoch=\"2\"/>");
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, tmp.path() + "/pe-input-1.xml.gz");
  // Only the last one counts: going back to an older input saves it again.
  auto back = store->save("<cib epoch=\"1\"/>");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, tmp.path() + "/pe-input-2.xml.gz");
  EXPECT_EQ(gunzipFile(*back), "<cib epoch=\"1\"/>");
}

TEST(EngineInputStore, KeepsOnlyTheNewest) {
  TempDir tmp;
  auto store = EngineInputStore::open(tmp.path(), 3);
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 6; ++i)
    ASSERT_TRUE(store->save("<cib n=\"" + std::to_string(i) + "\"/>").ok());
  EXPECT_EQ(names(tmp.path()),
            (std::set<std::string>{"pe-input-3.xml.gz", "pe-input-4.xml.gz", "pe-input-5.xml.gz"}));
  EXPECT_EQ(gunzipFile(tmp.path() + "/pe-input-5.xml.gz"), "<cib n=\"5\"/>");
}

TEST(EngineInputStore, NumberingContinuesAfterARestartAndIgnoresStrangers) {
  TempDir tmp;
  {
    auto store = EngineInputStore::open(tmp.path(), 100);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(store->save("<cib n=\"" + std::to_string(i) + "\"/>").ok());
  }
  // A damaged input, a temporary left by a crash and unrelated files: not read, not removed,
  // and only properly named inputs count for numbering.
  writeRaw(tmp.path() + "/pe-input-7.xml.gz", "not gzip at all");
  writeRaw(tmp.path() + "/pe-input-99.xml.gz.tmp", "half");
  writeRaw(tmp.path() + "/pe-input-x.xml.gz", "?");
  writeRaw(tmp.path() + "/notes.txt", "mine");
  auto store = EngineInputStore::open(tmp.path(), 100);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(store->nextSequence(), 8u);
  auto path = store->save("<cib epoch=\"9\"/>");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, tmp.path() + "/pe-input-8.xml.gz");
  auto left = names(tmp.path());
  EXPECT_TRUE(left.count("pe-input-99.xml.gz.tmp"));
  EXPECT_TRUE(left.count("pe-input-x.xml.gz"));
  EXPECT_TRUE(left.count("notes.txt"));
}

TEST(EngineInputStore, RotationAfterRestartRemovesTheOldestIncludingDamagedOnes) {
  TempDir tmp;
  writeRaw(tmp.path() + "/pe-input-0.xml.gz", "garbage");
  writeRaw(tmp.path() + "/pe-input-1.xml.gz", "garbage");
  auto store = EngineInputStore::open(tmp.path(), 2);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->save("<cib/>").ok());
  EXPECT_EQ(names(tmp.path()), (std::set<std::string>{"pe-input-1.xml.gz", "pe-input-2.xml.gz"}));
}

TEST(EngineInputStore, KeepZeroSavesNothing) {
  TempDir tmp;
  auto store = EngineInputStore::open(tmp.path(), 0);
  ASSERT_TRUE(store.ok());
  auto path = store->save("<cib/>");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "");
  EXPECT_TRUE(names(tmp.path()).empty());
}

TEST(EngineInputStore, UnusableDirectoryIsAnErrorNamingIt) {
  TempDir tmp;
  writeRaw(tmp.path() + "/file", "x");
  auto store = EngineInputStore::open(tmp.path() + "/file/pengine");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(tmp.path() + "/file/pengine"), std::string::npos)
      << store.error().message;
}

TEST(EngineInputSequence, AcceptsOnlyTheExactName) {
  EXPECT_EQ(engineInputSequence("pe-input-42.xml.gz"), 42);
  EXPECT_EQ(engineInputSequence("pe-input-.xml.gz"), -1);
  EXPECT_EQ(engineInputSequence("pe-input-4a.xml.gz"), -1);
  EXPECT_EQ(engineInputSequence("pe-input-4.xml.gz.tmp"), -1);
  EXPECT_EQ(engineInputSequence("pe-warn-4.xml.gz"), -1);
}

TEST(EngineInputStore, SavedInputsCarryTheDcsQuorumAndIdForCrmSimulate) {
  EXPECT_EQ(asDcEngineInput("<?xml version=\"1.0\"?>\n<!-- x > y -->\n<cib epoch=\"3\">"
                            "<configuration/></cib>",
                            "2"),
            "<?xml version=\"1.0\"?>\n<!-- x > y -->\n<cib epoch=\"3\" have-quorum=\"1\" "
            "dc-uuid=\"2\"><configuration/></cib>");
  // What the CIB already says is kept, and a '>' inside a value does not end the tag.
  EXPECT_EQ(asDcEngineInput("<cib crm_feature_set='a>b' have-quorum = \"0\" dc-uuid=\"1\">"
                            "</cib>",
                            "2"),
            "<cib crm_feature_set='a>b' have-quorum = \"0\" dc-uuid=\"1\"></cib>");
  EXPECT_EQ(asDcEngineInput("<cib/>", "1"), "<cib have-quorum=\"1\" dc-uuid=\"1\"/>");
  // An attribute whose name only ends in have-quorum is another attribute.
  EXPECT_EQ(asDcEngineInput("<cib x-have-quorum=\"0\">", ""),
            "<cib x-have-quorum=\"0\" have-quorum=\"1\">");
  EXPECT_EQ(asDcEngineInput("<status/>", "1"), "<status/>");
  EXPECT_EQ(asDcEngineInput("<cibx/>", "1"), "<cibx/>");
  EXPECT_EQ(asDcEngineInput("", "1"), "");
  EXPECT_EQ(asDcEngineInput("<cib epoch=\"1\"", "1"), "<cib epoch=\"1\"");
}

}  // namespace
}  // namespace pulse::crmd
