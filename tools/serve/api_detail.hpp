// Private to the API: the views it serves (status, statistics, metrics, the
// page) and the JSON shapes of records it takes and gives.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api.hpp"

namespace outbound::serve::detail {

/// Every campaign as the status page shows it, with the clock (engine thread).
std::string status_json(Dialer& d);
/// One campaign as the status page shows it (engine thread).
nlohmann::ordered_json campaign_status(Dialer& d, CampaignRuntime& rt);
/// A campaign's counters and rates (engine thread).
nlohmann::ordered_json campaign_statistics(Dialer& d, CampaignRuntime& rt);
/// Every campaign's counters and gauges in Prometheus text format (engine thread).
std::string metrics_text(Dialer& d);
/// The status page: one self-contained HTML document.
const std::string& status_page_html();

/// A record as JSON: the OCS columns and the custom fields.
nlohmann::ordered_json record_json(const Record& r);
/// A desktop's record as JSON: handle, campaign, list, agent and the record.
nlohmann::ordered_json desktop_json(const DesktopRecord& r);

}  // namespace outbound::serve::detail
