// list_bench: retrieve + update throughput of calling lists on SQLite and
// PostgreSQL, beside the raw SOCI row throughput of the same database in the
// same run.
//
// For each backend and list size: the list is created and filled (not timed),
// then `--runs` rounds alternate
//   ours:     retrieve(chunk) -> mark_dialing(chunk) -> update(chunk, final)
//   raw loop: the same work in plain SOCI: SELECT the next ready rows (same
//             index, same columns) into vectors, then UPDATE by id with
//             vector `use` for retrieved, dialing and final
//   raw read: the SELECT alone
// each over `work` fresh records, and the medians are printed.
//
// usage: list_bench [--backends sqlite,pg] [--sizes 100000,1000000] [--runs 5]
//                   [--chunk 100] [--work N] [--pg CONN] [--dir DIR] [--reuse] [--explain] [--scattered]
// CONN defaults to $OB_PG_CONN ("postgresql:key=value ..." as the library takes it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "outbound/calling_list.hpp"

using namespace outbound;
using Clock = std::chrono::steady_clock;

namespace {

constexpr EpochSeconds kNow = 1'000'000'000;

struct Args {
  std::vector<std::string> backends = {"sqlite", "pg"};
  std::vector<long long> sizes = {100000, 1000000};
  int runs = 5;
  std::size_t chunk = 100;
  long long work = 0;  // 0: min(size / (2 runs), 50000)
  std::string pg = std::getenv("OB_PG_CONN") ? std::getenv("OB_PG_CONN") : "";
  std::string dir = "/tmp/ob-list-bench";
  bool reuse = false;
  bool explain = false;
  bool scattered = false;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(k + " needs a value");
      return argv[++i];
    };
    if (k == "--backends") a.backends = split(value());
    else if (k == "--sizes") {
      a.sizes.clear();
      for (auto& s : split(value())) a.sizes.push_back(std::stoll(s));
    } else if (k == "--runs") a.runs = std::stoi(value());
    else if (k == "--chunk") a.chunk = std::stoul(value());
    else if (k == "--work") a.work = std::stoll(value());
    else if (k == "--pg") a.pg = value();
    else if (k == "--dir") a.dir = value();
    else if (k == "--reuse") a.reuse = true;
    else if (k == "--explain") a.explain = true;
    else if (k == "--scattered") a.scattered = true;
    else throw std::runtime_error("unknown argument " + k + " (see the comment at the top of list_bench.cpp)");
  }
  return a;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

// CPU seconds used so far by this process and by the PostgreSQL server
// processes `pids` (read from /proc: the server runs on this machine). On a
// shared, busy machine, records per CPU-second says what the code costs when
// wall-clock rates say mostly how busy the machine was.
double cpu_seconds(const std::vector<long long>& pids) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (long long pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    double utime = 0, stime = 0;
    for (int i = 3; fields >> f; ++i) {  // field 3 is the state; 14 and 15 are utime and stime
      if (i == 14) utime = std::stod(f);
      if (i == 15) {
        stime = std::stod(f);
        break;
      }
    }
    s += (utime + stime) / tick;
  }
  return s;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// One backend's database: where the list is and a raw session on it.
struct Target {
  std::string name;        // "sqlite" or "pg"
  std::string connection;  // for CallingList::open
  std::string table;
  std::unique_ptr<soci::session> sql;
  bool pg() const { return name == "pg"; }
};

Target open_target(const std::string& backend, long long size, const Args& a) {
  Target t;
  t.name = backend;
  t.table = "bench_list_" + std::to_string(size);
  if (backend == "sqlite") {
    std::filesystem::create_directories(a.dir);
    auto path = a.dir + "/list_" + std::to_string(size) + ".db";
    t.connection = "sqlite3://" + path;
    t.sql = std::make_unique<soci::session>(soci::sqlite3, "db=" + path + " timeout=30");
    *t.sql << "PRAGMA synchronous=NORMAL";  // as the list's own connection has it
  } else if (backend == "pg") {
    if (a.pg.empty()) throw std::runtime_error("PostgreSQL: set OB_PG_CONN or pass --pg CONN");
    t.connection = a.pg;
    std::string info = a.pg.rfind("postgresql://", 0) == 0 ? a.pg : a.pg.substr(a.pg.find(':') + 1);
    t.sql = std::make_unique<soci::session>(soci::postgresql, info);
    *t.sql << "SET client_min_messages TO WARNING";
  } else {
    throw std::runtime_error("unknown backend " + backend);
  }
  return t;
}

long long scalar(soci::session& sql, const std::string& q) {
  long long v = 0;
  sql << q, soci::into(v);
  return v;
}

// Chains of two; every 20th record is a due reschedule (the due path), the
// rest are fresh. Due times rise with record_id, as reschedules of records
// dialed in chain order do; with `scattered` they cycle every 1000 records, so
// consecutive due records lie far apart in the table (every write touches
// another page).
std::string fill_sql(const Target& t, long long n, bool scattered) {
  std::string cols =
      "record_id, contact_info, contact_info_type, record_type, record_status, call_result, attempt, dial_sched_time, "
      "call_time, daily_from, daily_till, tz_dbid, campaign_id, agent_id, chain_id, chain_n, group_id, app_id, "
      "media_ref, email_template_id, switch_id, treatments, email_subject";
  const std::string values =
      "g, '+1212' || CAST(2000000 + g % 8000000 AS TEXT), 1, CASE WHEN g % 20 = 0 THEN 3 ELSE 2 END, 1, 28, 0, "
      "CASE WHEN g % 20 = 0 THEN " + std::string(scattered ? "1000 + g % 1000" : "1000 + g / 20") + " ELSE NULL END, NULL, 0, 86400, 1, 1, '', (g + 1) / 2, 2 - g % 2, "
      "0, 0, 0, 0, 0, '', ''";
  if (t.pg())
    return "INSERT INTO " + t.table + " (" + cols + ") SELECT " + values + " FROM generate_series(1, " +
           std::to_string(n) + ") AS s(g)";
  return "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < " + std::to_string(n) +
         ") INSERT INTO " + t.table + " (" + cols + ") SELECT " + values + " FROM s";
}

// Creates and fills the list, or (with --reuse) puts a previous run's list
// back to ready. Not timed.
void prepare_list(Target& t, long long size, bool reuse, bool scattered) {
  auto started = Clock::now();
  bool exists = false;
  try {
    exists = scalar(*t.sql, "SELECT COUNT(*) FROM " + t.table) == size;
  } catch (const std::exception&) {
    exists = false;
  }
  if (reuse && exists) {
    *t.sql << "UPDATE " + t.table + " SET record_status = 1, attempt = 0, call_time = NULL, call_result = 28 "
              "WHERE record_status <> 1";
    *t.sql << "DELETE FROM " + t.table + "_lease";
    std::printf("  %s %lld: reused and reset in %.1f s\n", t.name.c_str(), size, seconds_since(started));
  } else {
    *t.sql << "DROP TABLE IF EXISTS " + t.table;
    *t.sql << "DROP TABLE IF EXISTS " + t.table + "_lease";
    CallingList::create_table(t.connection, t.table);
    *t.sql << fill_sql(t, size, scattered);
    std::printf("  %s %lld: created in %.1f s\n", t.name.c_str(), size, seconds_since(started));
  }
  // Statistics, and the bulk load's writes flushed, so run 1 does not pay for them.
  if (t.pg()) {
    *t.sql << "VACUUM ANALYZE " + t.table;
    *t.sql << "CHECKPOINT";
  } else {
    *t.sql << "ANALYZE";
    *t.sql << "PRAGMA wal_checkpoint(TRUNCATE)";
  }
  std::fflush(stdout);
}

// --- ours ---------------------------------------------------------------------

struct Phases {
  double retrieve = 0, dial = 0, update = 0;
  long long chunks = 0;
};

double run_ours(CallingList& list, long long work, std::size_t chunk, Phases& ph) {
  long long done = 0;
  auto started = Clock::now();
  while (done < work) {
    auto t0 = Clock::now();
    auto got = list.retrieve([&] {
      RetrieveRequest rq;
      rq.now = kNow;
      rq.max_records = chunk;
      return rq;
    }()).records;
    if (got.empty()) throw std::runtime_error("the list ran out of ready records: use a bigger list or less --work");
    auto t1 = Clock::now();
    for (auto& r : got) {
      r.attempt += 1;
      r.call_time = kNow;
    }
    list.mark_dialing(got);
    auto t2 = Clock::now();
    for (auto& r : got) {
      r.record_status = RecordStatus::updated;
      r.call_result = CallResult::answer;
    }
    list.update(got);
    auto t3 = Clock::now();
    ph.retrieve += std::chrono::duration<double>(t1 - t0).count();
    ph.dial += std::chrono::duration<double>(t2 - t1).count();
    ph.update += std::chrono::duration<double>(t3 - t2).count();
    ++ph.chunks;
    done += static_cast<long long>(got.size());
  }
  return static_cast<double>(done) / seconds_since(started);
}

// --- raw SOCI -------------------------------------------------------------------

// The columns of a list row in typed vectors, as plain SOCI reads them.
struct RawChunk {
  std::vector<long long> id, sched, call_time;
  std::vector<std::string> contact, agent, treatments, subject;
  std::vector<int> cit, type, status, result, attempt, from, till, tz, campaign, chain, chain_n, group, app, media,
      tmpl, sw;
  std::vector<soci::indicator> sched_ind, call_ind;
  void resize(std::size_t n) {
    for (auto* v : {&id, &sched, &call_time}) v->assign(n, 0);
    for (auto* v : {&contact, &agent, &treatments, &subject}) v->assign(n, std::string());
    for (auto* v : {&cit, &type, &status, &result, &attempt, &from, &till, &tz, &campaign, &chain, &chain_n, &group,
                    &app, &media, &tmpl, &sw})
      v->assign(n, 0);
    sched_ind.assign(n, soci::i_ok);
    call_ind.assign(n, soci::i_ok);
  }
};

// Reads the next `n` ready records: due ones by time, then fresh ones by
// chain (the two queries and indexes the list uses; no chain completion).
std::size_t raw_select(Target& t, std::size_t n, RawChunk& c) {
  const std::string cols =
      "record_id, contact_info, contact_info_type, record_type, record_status, call_result, attempt, dial_sched_time, "
      "call_time, daily_from, daily_till, tz_dbid, campaign_id, COALESCE(agent_id, ''), chain_id, chain_n, group_id, "
      "app_id, media_ref, email_template_id, switch_id, COALESCE(treatments, ''), COALESCE(email_subject, '')";
  const std::string lock = t.pg() ? " FOR UPDATE SKIP LOCKED" : "";
  std::size_t got = 0;
  const std::vector<std::pair<std::string, std::string>> parts = {
      {"_ob_due", "dial_sched_time IS NOT NULL AND dial_sched_time <= " + std::to_string(kNow) +
                      " ORDER BY dial_sched_time, record_id"},
      {"_ob_fresh", "dial_sched_time IS NULL ORDER BY chain_id, chain_n"}};
  for (const auto& [index, where] : parts) {
    if (got >= n) break;
    RawChunk part;
    part.resize(n - got);
    // On SQLite name the index as the list does, so both read the same way.
    const std::string hint = t.pg() ? "" : " INDEXED BY " + t.table + index;
    soci::statement st = (t.sql->prepare << "SELECT " + cols + " FROM " + t.table + hint + " WHERE record_status = 1 AND " +
                                                where + " LIMIT " + std::to_string(n - got) + lock,
                          soci::into(part.id), soci::into(part.contact), soci::into(part.cit), soci::into(part.type),
                          soci::into(part.status), soci::into(part.result), soci::into(part.attempt),
                          soci::into(part.sched, part.sched_ind), soci::into(part.call_time, part.call_ind),
                          soci::into(part.from), soci::into(part.till), soci::into(part.tz), soci::into(part.campaign),
                          soci::into(part.agent), soci::into(part.chain), soci::into(part.chain_n),
                          soci::into(part.group), soci::into(part.app), soci::into(part.media), soci::into(part.tmpl),
                          soci::into(part.sw), soci::into(part.treatments), soci::into(part.subject));
    st.execute(true);
    std::size_t k = part.id.size();
    c.id.insert(c.id.end(), part.id.begin(), part.id.end());
    c.attempt.insert(c.attempt.end(), part.attempt.begin(), part.attempt.begin() + static_cast<long>(k));
    got += k;
  }
  return got;
}

double run_raw(Target& t, long long work, std::size_t chunk, bool updates) {
  long long done = 0;
  auto started = Clock::now();
  while (done < work) {
    RawChunk c;
    soci::transaction tx(*t.sql);
    std::size_t n = raw_select(t, chunk, c);
    if (n == 0) throw std::runtime_error("the list ran out of ready records (raw)");
    if (updates) {
      std::vector<int> retrieved(n, 2), final_status(n, 3), answer(n, 33), attempt(n);
      std::vector<long long> call_time(n, kNow);
      for (std::size_t i = 0; i < n; ++i) attempt[i] = c.attempt[i] + 1;
      *t.sql << "UPDATE " + t.table + " SET record_status = :s WHERE record_id = :id", soci::use(retrieved),
          soci::use(c.id);
      tx.commit();
      soci::transaction tx2(*t.sql);
      *t.sql << "UPDATE " + t.table + " SET attempt = :a, call_time = :ct WHERE record_id = :id", soci::use(attempt),
          soci::use(call_time), soci::use(c.id);
      tx2.commit();
      soci::transaction tx3(*t.sql);
      *t.sql << "UPDATE " + t.table + " SET record_status = :s, call_result = :r WHERE record_id = :id",
          soci::use(final_status), soci::use(answer), soci::use(c.id);
      tx3.commit();
    } else {
      tx.rollback();
    }
    done += static_cast<long long>(n);
  }
  return static_cast<double>(done) / seconds_since(started);
}

// --- query plans ----------------------------------------------------------------

void explain(Target& t) {
  const std::string head = t.pg() ? "EXPLAIN " : "EXPLAIN QUERY PLAN ";
  const std::string lock = t.pg() ? " FOR UPDATE SKIP LOCKED" : "";
  const std::vector<std::pair<std::string, std::string>> queries = {
      {"due", "SELECT * FROM " + t.table + " WHERE record_status = 1 AND dial_sched_time IS NOT NULL AND "
              "dial_sched_time <= " + std::to_string(kNow) + " ORDER BY dial_sched_time, record_id LIMIT 100" + lock},
      {"fresh", "SELECT * FROM " + t.table +
                    " WHERE record_status = 1 AND dial_sched_time IS NULL ORDER BY chain_id, chain_n LIMIT 100" + lock},
      {"fresh after cursor", "SELECT * FROM " + t.table + (t.pg() ? "" : " INDEXED BY " + t.table + "_ob_fresh") +
                                 " WHERE record_status = 1 AND dial_sched_time IS NULL AND (chain_id, chain_n) > (5000, 1) "
                                 "ORDER BY chain_id, chain_n LIMIT 100" + lock},
      {"siblings", "SELECT * FROM " + t.table + " WHERE record_status = 1 AND chain_id IN (5, 6, 7)" + lock},
      {"by id", "UPDATE " + t.table + " SET record_status = 2 WHERE record_id IN (5, 6, 7)"},
  };
  for (const auto& [name, q] : queries) {
    std::printf("  plan %s %s:\n", t.name.c_str(), name.c_str());
    soci::rowset<soci::row> rows = (t.sql->prepare << head + q);
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i)
        if (row.get_properties(i).get_data_type() == soci::dt_string) line += row.get<std::string>(i) + " ";
      std::printf("    %s\n", line.c_str());
    }
  }
}

struct Result {
  std::string backend;
  long long size = 0;
  double ours = 0, raw = 0, read = 0;
  double ours_cpu = 0, raw_cpu = 0;  // records per CPU-second (client + its server process)
  Phases phases;
  double wall = 0;
};

Result bench_one(const std::string& backend, long long size, const Args& a) {
  auto wall = Clock::now();
  Target t = open_target(backend, size, a);
  prepare_list(t, size, a.reuse, a.scattered);
  if (a.explain) explain(t);
  long long work = a.work ? a.work : std::min<long long>(size / (2 * a.runs + 2), 50000);
  ListOptions o;
  o.table = t.table;
  std::vector<long long> raw_pid, list_pid;
  auto backends = [&] {
    std::vector<long long> pids(64);
    *t.sql << "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
              "ORDER BY pid LIMIT 64", soci::into(pids);
    return pids;
  };
  std::vector<long long> before;
  if (t.pg()) {
    raw_pid = {scalar(*t.sql, "SELECT pg_backend_pid()")};
    before = backends();
  }
  auto list = CallingList::open(t.connection, o);
  if (t.pg())
    for (long long pid : backends())
      if (std::find(before.begin(), before.end(), pid) == before.end()) list_pid.push_back(pid);
  list->recover(kNow);
  std::vector<double> ours, raw, read, ours_cpu, raw_cpu;
  Result res;
  res.backend = backend;
  res.size = size;
  for (int run = 0; run < a.runs; ++run) {
    Phases ph;
    double cpu0 = cpu_seconds(list_pid);
    ours.push_back(run_ours(*list, work, a.chunk, ph));
    ours_cpu.push_back(static_cast<double>(work) / (cpu_seconds(list_pid) - cpu0));
    res.phases.retrieve += ph.retrieve;
    res.phases.dial += ph.dial;
    res.phases.update += ph.update;
    res.phases.chunks += ph.chunks;
    // The raw loop on PostgreSQL costs ~80 µs a row per vector UPDATE: a smaller share keeps the run short.
    const long long raw_work = t.pg() ? std::min<long long>(work, 5000) : work;
    cpu0 = cpu_seconds(raw_pid);
    raw.push_back(run_raw(t, raw_work, a.chunk, true));
    raw_cpu.push_back(static_cast<double>(raw_work) / (cpu_seconds(raw_pid) - cpu0));
    read.push_back(run_raw(t, work, a.chunk, false));
    std::printf("  %s %lld run %d: ours %.0f rec/s (%.0f rec/CPU-s), raw loop %.0f rec/s (%.0f rec/CPU-s), "
                "raw read %.0f rec/s (load %s)\n",
                backend.c_str(), size, run + 1, ours.back(), ours_cpu.back(), raw.back(), raw_cpu.back(), read.back(),
                load_average().c_str());
    std::fflush(stdout);
  }
  res.ours = median(ours);
  res.raw = median(raw);
  res.read = median(read);
  res.ours_cpu = median(ours_cpu);
  res.raw_cpu = median(raw_cpu);
  res.wall = seconds_since(wall);
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args a = parse(argc, argv);
    std::vector<Result> results;
    for (const auto& backend : a.backends)
      for (long long size : a.sizes) {
        std::printf("%s, %lld records, chunk %zu, %d runs\n", backend.c_str(), size, a.chunk, a.runs);
        results.push_back(bench_one(backend, size, a));
      }
    std::printf("\n| backend | records | ours rec/s | raw SOCI loop rec/s | ours / raw | ours rec/CPU-s | raw rec/CPU-s | "
                "raw read rec/s | ms per chunk: retrieve / mark_dialing / update | wall s |\n"
                "|---|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& r : results) {
      double n = static_cast<double>(std::max<long long>(1, r.phases.chunks));
      std::printf("| %s | %lld | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.2f / %.2f / %.2f | %.0f |\n",
                  r.backend.c_str(), r.size, r.ours, r.raw, r.ours / r.raw, r.ours_cpu, r.raw_cpu, r.read,
                  1000 * r.phases.retrieve / n, 1000 * r.phases.dial / n, 1000 * r.phases.update / n, r.wall);
    }
    std::printf("(medians of %d runs; rec/CPU-s counts this process and its PostgreSQL server process; load %s)\n",
                a.runs, load_average().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "list_bench: %s\n", e.what());
    return 1;
  }
}
