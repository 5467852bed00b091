// crmIsTrue: Pacemaker's crm_is_true, used for every boolean in the CIB and the cluster config.
#include "common/crm_bool.h"

#include <gtest/gtest.h>

namespace pulse {
namespace {

TEST(CrmIsTrue, AcceptsPacemakersWordsInAnyCase) {
  for (const char* yes :
       {"true", "TRUE", "True", "tRuE", "on", "ON", "yes", "Yes", "y", "Y", "1"}) {
    EXPECT_TRUE(crmIsTrue(yes)) << yes;
  }
  for (const char* no : {"", "false", "off", "no", "0", "2", "yess", " true", "t", "enabled"}) {
    EXPECT_FALSE(crmIsTrue(no)) << no;
  }
}

}  // namespace
}  // namespace pulse
