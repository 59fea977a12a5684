// The DNC list: phone and customer-id sets, optionally backed by a table in
// the gsw_donotcall_list shape. Additions are written to the table before they
// are added in memory, so an addition that cannot be persisted is reported and
// not half-done.
#include <ctime>

#include "../storage/database.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/dnc.hpp"
#include "outbound/error.hpp"

namespace outbound {

struct DncList::Impl {
  explicit Impl(std::string region) : normalizer(std::move(region)) {}
  PhoneNormalizer normalizer;
  KeySet phones;
  KeySet customers;
  std::optional<detail::Database> db;
  std::string table;
  std::vector<std::string> load_errors;
  std::size_t customers_count = 0;

  void persist(const std::string& phone, const std::string& customer, const std::string& message) {
    if (!db) return;
    long long now = static_cast<long long>(std::time(nullptr));
    soci::indicator phone_ind = phone.empty() ? soci::i_null : soci::i_ok;
    soci::indicator cust_ind = customer.empty() ? soci::i_null : soci::i_ok;
    detail::guarded("persist a do-not-call entry in " + table, [&] {
      *db->sql << "INSERT INTO " + table + " (phone, customer_id, dnc_message, is_internal, time_stamp) VALUES (:p, :c, :m, 1, :t)",
          soci::use(phone, phone_ind), soci::use(customer, cust_ind), soci::use(message), soci::use(now);
    });
  }
};

DncList::DncList(std::string default_region) : impl_(std::make_unique<Impl>(std::move(default_region))) {}
DncList::~DncList() = default;
DncList::DncList(DncList&&) noexcept = default;
DncList& DncList::operator=(DncList&&) noexcept = default;

std::unique_ptr<DncList> DncList::open(const std::string& connection, const DncOptions& options) {
  if (!is_safe_identifier(options.table))
    throw Error(ErrorCode::invalid_argument, "DNC table name \"" + options.table + "\" is not a plain SQL identifier");
  auto list = std::make_unique<DncList>(options.default_region);
  auto db = detail::connect_database(connection);
  if (!detail::table_exists(db, options.table)) {
    if (!options.create_if_missing) throw Error(ErrorCode::not_found, "DNC table \"" + options.table + "\" does not exist");
    detail::guarded("create DNC table " + options.table, [&] {
      *db.sql << "CREATE TABLE " + options.table +
                     " (phone VARCHAR(64), customer_id VARCHAR(64), dnc_message VARCHAR(255), tenant_dbid INTEGER, "
                     "campaign_dbid INTEGER, list_dbid INTEGER, is_internal INTEGER, time_stamp BIGINT)";
    });
  }
  list->impl_->db = std::move(db);
  list->impl_->table = options.table;
  list->reload();
  return list;
}

std::size_t DncList::reload() {
  auto& im = *impl_;
  if (!im.db) return 0;
  return detail::guarded("load DNC table " + im.table, [&] {
    long long count = 0;
    *im.db->sql << "SELECT COUNT(*) FROM " + im.table, soci::into(count);
    KeySet phones, customers;
    phones.reserve(static_cast<std::size_t>(count));
    std::vector<std::string> errors;
    std::size_t loaded = 0, customer_count = 0;
    constexpr std::size_t kBatch = 10000;
    std::vector<std::string> phone(kBatch), cust(kBatch);
    std::vector<soci::indicator> phone_ind(kBatch), cust_ind(kBatch);
    soci::statement st = (im.db->sql->prepare << "SELECT phone, customer_id FROM " + im.table, soci::into(phone, phone_ind),
                          soci::into(cust, cust_ind));
    bool more = st.execute(true);
    while (!phone.empty()) {
      for (std::size_t i = 0; i < phone.size(); ++i) {
        if (phone_ind[i] == soci::i_ok && !phone[i].empty()) {
          std::string why;
          if (auto key = im.normalizer.key(phone[i], &why)) {
            phones.insert(*key);
            ++loaded;
          } else {
            errors.push_back(why);
          }
        }
        if (cust_ind[i] == soci::i_ok && !cust[i].empty()) {
          if (customers.insert(customer_key(cust[i]))) ++customer_count;
          ++loaded;
        }
      }
      if (!more) break;
      phone.resize(kBatch);
      cust.resize(kBatch);
      phone_ind.resize(kBatch);
      cust_ind.resize(kBatch);
      more = st.fetch();
      if (!more && phone.empty()) break;
    }
    im.phones = std::move(phones);
    im.customers = std::move(customers);
    im.customers_count = customer_count;
    im.load_errors = std::move(errors);
    return loaded;
  });
}

void DncList::add_phone(const std::string& raw, const std::string& message) {
  std::string e164 = impl_->normalizer.to_e164(raw);
  auto key = impl_->normalizer.key(e164);
  // Blocked in memory before the write: a failed write must not leave the number dialable.
  impl_->phones.insert(*key);
  impl_->persist(e164, {}, message);
}

void DncList::add_customer(const std::string& customer_id, const std::string& message) {
  if (customer_id.empty()) throw Error(ErrorCode::invalid_argument, "a do-not-call customer id must not be empty");
  if (impl_->customers.insert(customer_key(customer_id))) ++impl_->customers_count;
  impl_->persist({}, customer_id, message);
}

DncMatch DncList::check(std::optional<std::uint64_t> phone_key, const std::string& customer_id) const noexcept {
  if (phone_key && impl_->phones.contains(*phone_key)) return DncMatch::phone;
  if (!customer_id.empty() && impl_->customers.contains(customer_key(customer_id))) return DncMatch::customer_id;
  return DncMatch::none;
}

bool DncList::contains_phone(const std::string& raw) const {
  auto key = impl_->normalizer.key(raw);
  return key && impl_->phones.contains(*key);
}

bool DncList::contains_customer(const std::string& customer_id) const noexcept {
  return !customer_id.empty() && impl_->customers.contains(customer_key(customer_id));
}

const PhoneNormalizer& DncList::normalizer() const { return impl_->normalizer; }
std::size_t DncList::phone_count() const noexcept { return impl_->phones.size(); }
std::size_t DncList::customer_count() const noexcept { return impl_->customers_count; }
std::size_t DncList::memory_bytes() const noexcept {
  return impl_->phones.memory_bytes() + impl_->customers.memory_bytes();
}
const std::vector<std::string>& DncList::load_errors() const noexcept { return impl_->load_errors; }

}  // namespace outbound
