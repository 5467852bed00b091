#include "tests/controller/controller_harness.h"
