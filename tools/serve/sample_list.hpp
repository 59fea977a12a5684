// Sample records for demos and first runs: a list table created on the spot
// when the config asks for `sample_records` and the table does not exist.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "outbound/calling_list.hpp"

namespace outbound::serve {

/// Creates `table` on `connection` with `n` generated records: US numbers
/// written as people write them, zones drawn from `tz_ids` (none: tz_dbid 0),
/// the customer's own window 09:00-20:00, and, when `customer_id_field` is
/// set, a text column of that name holding "C<record_id>". Seeded: same seed,
/// same list. Does nothing when the table exists; returns true when it created it.
/// Inserts records make(1) … make(n) into `list`, in batches (one transaction each).
void insert_generated(CallingList& list, long n, const std::function<Record(long)>& make);

bool create_sample_list(const std::string& connection, const std::string& table, long n, std::uint64_t seed,
                        const std::vector<int>& tz_ids, const std::string& customer_id_field);

}  // namespace outbound::serve
