#include "crmd/cib/cib_validate.h"

#include <gtest/gtest.h>

#include "tests/cib/cib_samples.h"

namespace pulse::cib {
namespace {

using testing::kCib;

std::string edited(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The error of validating `cib`, which must fail.
std::string errorOf(const std::string& cib) {
  Status s = validateCib(cib);
  EXPECT_FALSE(s.ok());
  return s.ok() ? "" : s.error().message;
}

TEST(CibValidate, AcceptsAGoodCib) {
  Status s = validateCib(kCib);
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(CibValidate, MalformedXmlNamesTheLine) {
  std::string e = errorOf(edited(kCib, "<nodes>", "<nodes"));
  EXPECT_NE(e.find("malformed XML at line"), std::string::npos) << e;
}

TEST(CibValidate, RootMustBeCib) {
  EXPECT_NE(errorOf("<configuration/>").find("not <cib>"), std::string::npos);
}

TEST(CibValidate, MissingSectionIsNamed) {
  std::string e = errorOf(
      edited(edited(kCib, "<constraints>", "<constraintz>"), "</constraints>", "</constraintz>"));
  EXPECT_NE(e.find("no <constraints> section"), std::string::npos) << e;
  e = errorOf("<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\"><status/></cib>");
  EXPECT_NE(e.find("no <configuration>"), std::string::npos) << e;
}

TEST(CibValidate, BadVersionCounterIsNamed) {
  std::string e = errorOf(edited(kCib, "epoch=\"5\"", "epoch=\"five\""));
  EXPECT_NE(e.find("'epoch' is not a counter"), std::string::npos) << e;
}

TEST(CibValidate, DuplicateIdNamesBothElements) {
  std::string e = errorOf(edited(kCib, "id=\"vip-params-state\"", "id=\"loc-vip\""));
  // The first element in document order with the id is the nvpair; the constraint repeats it.
  EXPECT_NE(e.find("<rsc_location id=\"loc-vip\">"), std::string::npos) << e;
  EXPECT_NE(e.find("duplicate id 'loc-vip'"), std::string::npos) << e;
  EXPECT_NE(e.find("<nvpair id=\"loc-vip\"> (line 15)"), std::string::npos) << e;
}

TEST(CibValidate, DanglingConstraintReferenceIsNamed) {
  std::string e = errorOf(edited(kCib, "with-rsc=\"vip\"", "with-rsc=\"vipp\""));
  EXPECT_NE(e.find("<rsc_colocation id=\"col-db-vip\"> (line 25)"), std::string::npos) << e;
  EXPECT_NE(e.find("with-rsc 'vipp' names no resource"), std::string::npos) << e;
}

TEST(CibValidate, UnknownResourceClassIsNamed) {
  std::string e = errorOf(
      edited(kCib, "<primitive id=\"db\" class=\"ocf\"", "<primitive id=\"db\" class=\"ocff\""));
  EXPECT_NE(e.find("<primitive id=\"db\">"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown resource class 'ocff'"), std::string::npos) << e;
}

TEST(CibValidate, WhatThePolicyEngineRefusesIsRefused) {
  // An ocf resource without a provider passes the structural checks; the engine's reader
  // refuses it and names the element.
  std::string e = errorOf(edited(kCib, "<primitive id=\"db\" class=\"ocf\" provider=\"pacemaker\"",
                                 "<primitive id=\"db\" class=\"ocf\""));
  EXPECT_NE(e.find("policy engine"), std::string::npos) << e;
  EXPECT_NE(e.find("<primitive id=\"db\">"), std::string::npos) << e;
  EXPECT_NE(e.find("provider"), std::string::npos) << e;
  e = errorOf(edited(kCib, "score=\"100\"", "score=\"lots\""));
  EXPECT_NE(e.find("<rsc_location id=\"loc-vip\">"), std::string::npos) << e;
}

TEST(CibValidate, ResourceRefsAreReferencesNotDuplicateIds) {
  // The ids of <resource_ref> name resources: a set of existing ones is a valid constraint.
  Status sets =
      validateCib(edited(kCib, "</constraints>",
                         "<rsc_order id=\"o\"><resource_set id=\"o-set\"><resource_ref id=\"vip\"/>"
                         "<resource_ref id=\"db\"/></resource_set></rsc_order></constraints>"));
  EXPECT_TRUE(sets.ok()) << sets.error().message;
  std::string e =
      errorOf(edited(kCib, "</constraints>",
                     "<rsc_order id=\"o\"><resource_set id=\"o-set\"><resource_ref id=\"nope\"/>"
                     "</resource_set></rsc_order></constraints>"));
  EXPECT_NE(e.find("resource_ref 'nope' names no resource"), std::string::npos) << e;
}

}  // namespace
}  // namespace pulse::cib
