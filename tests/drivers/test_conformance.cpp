// The driver conformance suite: one set of cases every driver must pass
// (conformance_cases.hpp), run against each simulated driver and the sample
// custom driver (conformance.hpp holds the harness and one context per driver).
#define OB_CONFORMANCE_CONTEXTS OB_DRIVER_CONTEXTS
#include "conformance_cases.hpp"
