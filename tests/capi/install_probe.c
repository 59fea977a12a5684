/* Built against an installed tree with `pkg-config --cflags --libs outbound`
 * by the install test: checks the header and library agree and runs a
 * short simulated campaign. Prints one line the test checks. */
#include <stdio.h>
#include <string.h>

#include <outbound.h>

int main(void) {
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  ob_engine* engine = NULL;
  ob_sim_network* net = NULL;
  ob_driver* driver = NULL;
  int state = -1;
  if (ob_version_number() != OB_VERSION_NUMBER || strcmp(ob_version_string(), OB_VERSION_STRING) != 0) {
    printf("version mismatch: header %s, library %s\n", OB_VERSION_STRING, ob_version_string());
    return 1;
  }
  eo.clock = OB_CLOCK_MANUAL;
  if (ob_engine_new(&engine, &eo) || ob_sim_network_new(&net, engine, NULL) ||
      ob_sim_tserver_new(&driver, net, 3, NULL, NULL)) {
    printf("failed: %s\n", ob_last_error());
    return 1;
  }
  {
    ob_campaign* c = NULL;
    if (ob_campaign_new(&c, engine, NULL, driver, NULL) || ob_campaign_state_get(&state, c)) {
      printf("failed: %s\n", ob_last_error());
      return 1;
    }
  }
  ob_driver_free(driver);
  ob_sim_network_free(net);
  ob_engine_free(engine);
  printf("installed outbound %s works (campaign state %s)\n", ob_version_string(),
         ob_enum_name(OB_ENUM_CAMPAIGN_STATE, state));
  return 0;
}
