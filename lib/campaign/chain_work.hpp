// Private: chains the campaign holds between retrieval and their last call.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "outbound/calling_list.hpp"
#include "outbound/model.hpp"

namespace outbound::detail {

/// A retrieved chain: its records in chain_n order and which one to dial next.
struct ChainWork {
  std::vector<Record> records;     ///< the chain, chain_n order
  CallingList* list = nullptr;     ///< where it came from (owned by the campaign)
  std::size_t next = 0;            ///< index of the record to dial next
  std::optional<EpochSeconds> due_at;  ///< retrieved for a record that was due (a retry, a callback): when it was due

  /// True while a record of the chain is still retrieved (not final, not rescheduled).
  bool has_open_record() const {
    for (const auto& r : records)
      if (r.record_status == RecordStatus::retrieved) return true;
    return false;
  }
  /// Index of the record with `chain_n`, if any.
  std::optional<std::size_t> index_of_chain_n(int chain_n) const {
    for (std::size_t i = 0; i < records.size(); ++i)
      if (records[i].chain_n == chain_n) return i;
    return std::nullopt;
  }
  /// Moves `next` to the first open record at or after it (wrapping once); false when none.
  bool seek_open() {
    for (std::size_t k = 0; k < records.size(); ++k) {
      std::size_t i = (next + k) % records.size();
      if (records[i].record_status == RecordStatus::retrieved) {
        next = i;
        return true;
      }
    }
    return false;
  }
};

/// Chains waiting to be dialed, oldest first; redials go to the front.
class RecordBuffer {
 public:
  void push_back(std::unique_ptr<ChainWork> c) {
    records_ += c->records.size();
    chains_.push_back(std::move(c));
  }
  void push_front(std::unique_ptr<ChainWork> c) {
    records_ += c->records.size();
    chains_.push_front(std::move(c));
  }
  /// A chain retrieved for a due record goes before the fresh ones, behind
  /// the due chains buffered already that were due no later (earliest due first).
  void insert_due(std::unique_ptr<ChainWork> c) {
    auto at = chains_.begin();
    while (at != chains_.end() && (*at)->due_at && *(*at)->due_at <= *c->due_at) ++at;
    records_ += c->records.size();
    chains_.insert(at, std::move(c));
  }
  std::unique_ptr<ChainWork> pop_front() {
    auto c = std::move(chains_.front());
    chains_.pop_front();
    records_ -= c->records.size();
    return c;
  }
  bool empty() const { return chains_.empty(); }
  std::size_t chains() const { return chains_.size(); }
  std::size_t records() const { return records_; }
  /// Calls `f(ChainWork&)` on every buffered chain, oldest first.
  template <typename F>
  void for_each(F&& f) {
    for (auto& c : chains_) f(*c);
  }

 private:
  std::deque<std::unique_ptr<ChainWork>> chains_;
  std::size_t records_ = 0;
};

}  // namespace outbound::detail
