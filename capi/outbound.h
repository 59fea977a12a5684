/*
 * outbound.h — the C API of outbound, the dialing engine of an outbound
 * contact center. Plain C99; one header for everything a host needs.
 *
 * Conventions (docs/c_api.md has the long form):
 *  - Handles are opaque (ob_engine, ob_campaign, ob_list, ob_dnc, ob_call_log,
 *    ob_driver, ob_sim_network, ob_event_sink). A NULL, freed or wrong handle
 *    makes a call return OB_EHANDLE; it never crashes where that can be detected.
 *  - Fallible calls return int: OB_OK (0) or a negative OB_E* code.
 *    ob_last_error() has the message (per thread); ob_strerror() the code's text.
 *  - Out-parameters come first and are named `out`; they are written only on
 *    success. What comes back through `**` is the caller's (OWNED): free it
 *    with the matching _free. BORROWED results belong to their parent and
 *    live as long as it (or as the comment says).
 *  - Create with ob_x_new(&x, &opts) (NULL options = defaults); free with
 *    ob_x_free(x), which accepts NULL.
 *  - Structs that may grow start with `version`; set it with the _INIT macro
 *    (or ob_x_init). New fields only ever go at the end. A caller built against
 *    an older outbound.h passes its older, shorter version: the library then
 *    reads (and ob_x_init writes) only the fields that version has, and the
 *    newer ones take their defaults. Structs the library hands to callbacks
 *    carry the library's version: read a newer field only when it is there.
 *  - Strings are UTF-8 and NUL-terminated.
 *  - Time (docs/c_api.md, "Time"): every time value names its unit. `_ms` is
 *    milliseconds: durations, and instants as UTC milliseconds since the UNIX
 *    epoch. `_s` is seconds (seconds after local midnight, lease lengths, the
 *    simulator's model). The one exception is ob_record, whose times are the
 *    calling list's columns: epoch seconds, as the list stores them.
 *
 * Threads (docs/c_api.md, "Threads"): every function may be called from any
 * thread. Calls on an engine and on what is attached to it (its campaigns,
 * the lists, DNC lists and call logs they use, simulated networks and
 * drivers) are carried out one at a time: on the engine's own thread when it
 * runs one (the caller waits), else on the calling thread under the engine's
 * lock.
 * Callbacks (events, log lines, timers, custom driver methods) run on the
 * engine's loop thread: the thread inside ob_engine_poll/ob_engine_run_until,
 * or the engine's own thread. Callbacks may call back into the API.
 */
#ifndef OUTBOUND_H
#define OUTBOUND_H

#include <stddef.h>
#include <stdint.h>

#include "outbound_version.h"

/* Marks the functions the library exports (it is built with hidden visibility). */
#if defined(__GNUC__)
#define OB_EXTERN __attribute__((visibility("default")))
#else
#define OB_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Status codes, errors, versions, memory                                 */
/* ====================================================================== */

/** Status codes; the values match outbound::ErrorCode. */
typedef enum ob_status {
  OB_OK = 0,            /**< success */
  OB_ERROR = -1,        /**< anything else (see ob_last_error()) */
  OB_EINVALID = -2,     /**< a bad argument: NULL, malformed, out of range, unsafe SQL */
  OB_ENOTFOUND = -3,    /**< an unknown record, campaign, call, agent or file */
  OB_ESTATE = -4,       /**< not allowed now (campaign not loaded, driver stopped…) */
  OB_EBUSY = -5,        /**< a resource is taken (locked database, no free port, other engine) */
  OB_ECOMPLIANCE = -6,  /**< DNC, calling window or abandon cap forbids it */
  OB_EDATABASE = -7,    /**< the database failed or went away */
  OB_EDRIVER = -8,      /**< a dialer driver failed */
  OB_EUNSUPPORTED = -9, /**< the driver or mode cannot do this */
  OB_EHANDLE = -10      /**< a NULL, freed or wrong handle */
} ob_status;

/** The library's version as OB_VERSION_NUMBER computes it (compare with the macro). */
OB_EXTERN int ob_version_number(void);
/** The library's version, "MAJOR.MINOR.PATCH". Static string (borrowed). */
OB_EXTERN const char* ob_version_string(void);

/** The message of the last failing call on this thread; "no error" before any.
 *  Never NULL; owned by the library; valid until the next failing call on this thread. */
OB_EXTERN const char* ob_last_error(void);
/** Static text of a status code ("not found"); "unknown status" for other values. Never NULL. */
OB_EXTERN const char* ob_strerror(int code);
/** Sets this thread's last error. Custom drivers call it before returning a
 *  failure so the engine reports their message. `message` is copied; NULL = "". */
OB_EXTERN void ob_error_set(int code, const char* message);
/** Frees memory the library allocated for the caller (strings from ob_phone_to_e164,
 *  ob_list_export_csv_text…). NULL is fine. */
OB_EXTERN void ob_free(void* p);

/** "No time" in int64 time fields (a NULL column, no scheduled dial, …). */
#define OB_NO_TIME INT64_MIN

/* ====================================================================== */
/* Codes (OCS numeric values, docs/reference.md) and their names         */
/* ====================================================================== */

/** Call results (calling-list column call_result). */
typedef enum ob_call_result {
  OB_CALL_RESULT_OK = 0, OB_CALL_RESULT_TRANSFERRED = 1, OB_CALL_RESULT_CONFERENCED = 2,
  OB_CALL_RESULT_GENERAL_ERROR = 3, OB_CALL_RESULT_SYSTEM_ERROR = 4, OB_CALL_RESULT_REMOTE_RELEASE = 5,
  OB_CALL_RESULT_BUSY = 6, OB_CALL_RESULT_NO_ANSWER = 7, OB_CALL_RESULT_SIT_DETECTED = 8,
  OB_CALL_RESULT_ANSWERING_MACHINE = 9, OB_CALL_RESULT_ALL_TRUNKS_BUSY = 10,
  OB_CALL_RESULT_SIT_INVALID_NUM = 11, OB_CALL_RESULT_SIT_VACANT = 12, OB_CALL_RESULT_SIT_OPER_INTERCEPT = 13,
  OB_CALL_RESULT_SIT_UNKNOWN = 14, OB_CALL_RESULT_SIT_NO_CIRCUIT = 15, OB_CALL_RESULT_SIT_REORDER = 16,
  OB_CALL_RESULT_FAX = 17, OB_CALL_RESULT_QUEUE_FULL = 18, OB_CALL_RESULT_CLEARED = 19,
  OB_CALL_RESULT_OVERFLOWED = 20, OB_CALL_RESULT_ABANDONED = 21, OB_CALL_RESULT_REDIRECTED = 22,
  OB_CALL_RESULT_FORWARDED = 23, OB_CALL_RESULT_CONSULT = 24, OB_CALL_RESULT_PICKED_UP = 25,
  OB_CALL_RESULT_DROPPED = 26, OB_CALL_RESULT_DROPPED_NO_ANSWER = 27, OB_CALL_RESULT_UNKNOWN = 28,
  OB_CALL_RESULT_COVERED = 29, OB_CALL_RESULT_CONVERSE_ON = 30, OB_CALL_RESULT_BRIDGED = 31,
  OB_CALL_RESULT_SILENCE = 32, OB_CALL_RESULT_ANSWER = 33, OB_CALL_RESULT_NU_TONE = 34,
  OB_CALL_RESULT_NO_DIAL_TONE = 35, OB_CALL_RESULT_NO_PROGRESS = 36, OB_CALL_RESULT_NO_RINGBACK = 37,
  OB_CALL_RESULT_NO_ESTABLISHED = 38, OB_CALL_RESULT_PAGER_DETECTED = 39, OB_CALL_RESULT_WRONG_PARTY = 40,
  OB_CALL_RESULT_DIAL_ERROR = 41, OB_CALL_RESULT_CALL_DROP_ERROR = 42, OB_CALL_RESULT_SWITCH_ERROR = 43,
  OB_CALL_RESULT_NO_FREE_PORT = 44, OB_CALL_RESULT_TRANSFER_ERROR = 45, OB_CALL_RESULT_STALE = 46,
  OB_CALL_RESULT_AGENT_CALLBACK_ERROR = 47, OB_CALL_RESULT_GROUP_CALLBACK_ERROR = 48,
  OB_CALL_RESULT_DEAFENED = 49, OB_CALL_RESULT_HELD = 50, OB_CALL_RESULT_DO_NOT_CALL = 51,
  OB_CALL_RESULT_CANCEL_RECORD = 52, OB_CALL_RESULT_WRONG_NUMBER = 53
} ob_call_result;
/** Number of call result codes (0 .. OB_CALL_RESULT_COUNT-1). */
#define OB_CALL_RESULT_COUNT 54

/** Record types (column record_type). */
typedef enum ob_record_type {
  OB_RECORD_TYPE_NONE = 0, OB_RECORD_TYPE_UNKNOWN = 1, OB_RECORD_TYPE_GENERAL = 2,
  OB_RECORD_TYPE_CAMPAIGN_RESCHEDULED = 3, OB_RECORD_TYPE_PERSONAL_RESCHEDULED = 4,
  OB_RECORD_TYPE_PERSONAL_CALLBACK = 5, OB_RECORD_TYPE_CAMPAIGN_CALLBACK = 6, OB_RECORD_TYPE_NO_CALL = 7
} ob_record_type;

/** Record statuses (column record_status). */
typedef enum ob_record_status {
  OB_RECORD_STATUS_NONE = 0, OB_RECORD_STATUS_READY = 1, OB_RECORD_STATUS_RETRIEVED = 2,
  OB_RECORD_STATUS_UPDATED = 3, OB_RECORD_STATUS_STALE = 4, OB_RECORD_STATUS_CANCELLED = 5,
  OB_RECORD_STATUS_AGENT_ERROR = 6, OB_RECORD_STATUS_CHAIN_UPDATED = 7, OB_RECORD_STATUS_MISSED_CALLBACK = 8
} ob_record_status;
/** Number of record status codes. */
#define OB_RECORD_STATUS_COUNT 9

/** Contact info types (column contact_info_type). */
typedef enum ob_contact_info_type {
  OB_CONTACT_NONE = 0, OB_CONTACT_HOME = 1, OB_CONTACT_DIRECT_BUSINESS = 2, OB_CONTACT_BUSINESS_WITH_EXT = 3,
  OB_CONTACT_MOBILE = 4, OB_CONTACT_VACATION = 5, OB_CONTACT_PAGER = 6, OB_CONTACT_MODEM = 7,
  OB_CONTACT_VOICE_MAIL = 8, OB_CONTACT_PIN_PAGER = 9, OB_CONTACT_EMAIL = 10, OB_CONTACT_INSTANT_MESSAGING = 11
} ob_contact_info_type;

/** Dialing modes (OCS SDK order). */
typedef enum ob_dial_mode {
  OB_DIAL_MODE_NONE = 0, OB_DIAL_MODE_PREDICTIVE = 1, OB_DIAL_MODE_PROGRESSIVE = 2, OB_DIAL_MODE_PREVIEW = 3,
  OB_DIAL_MODE_PROGRESSIVE_SEIZE = 4, OB_DIAL_MODE_PREDICTIVE_SEIZE = 5, OB_DIAL_MODE_POWER = 6,
  OB_DIAL_MODE_POWER_SEIZE = 7, OB_DIAL_MODE_PUSH_PREVIEW = 8, OB_DIAL_MODE_PROGRESSIVE_GVP = 9,
  OB_DIAL_MODE_PREDICTIVE_GVP = 10, OB_DIAL_MODE_POWER_GVP = 11
} ob_dial_mode;

/** Predictive optimisation goals (OCS SDK order). */
typedef enum ob_goal {
  OB_GOAL_NONE = 0, OB_GOAL_BUSY_FACTOR = 1, OB_GOAL_OVERDIAL_RATE = 2, OB_GOAL_WAIT_TIME = 3,
  OB_GOAL_DISTRIBUTION_TIME = 4, OB_GOAL_MAX_GAIN = 5
} ob_goal;

/** Campaign group states. */
typedef enum ob_campaign_state {
  OB_CAMPAIGN_NOT_LOADED = 0, OB_CAMPAIGN_WAITING_UNLOAD = 1, OB_CAMPAIGN_UNLOAD_IN_PROGRESS = 2,
  OB_CAMPAIGN_INACTIVE = 3, OB_CAMPAIGN_ACTIVE = 4, OB_CAMPAIGN_RUNNING = 5
} ob_campaign_state;

/** Agent states. */
typedef enum ob_agent_state {
  OB_AGENT_LOGGED_OUT = 0, OB_AGENT_NOT_READY = 1, OB_AGENT_READY = 2, OB_AGENT_RESERVED = 3,
  OB_AGENT_BUSY = 4, OB_AGENT_WRAP_UP = 5
} ob_agent_state;

/** Steps of a call, as drivers report them (ob_call_event.kind). */
typedef enum ob_call_event_kind {
  OB_CALL_EVENT_DIALING = 0, OB_CALL_EVENT_RINGING = 1, OB_CALL_EVENT_ANSWERED = 2, OB_CALL_EVENT_CONNECTED = 3,
  OB_CALL_EVENT_ABANDONED = 4, OB_CALL_EVENT_RELEASED = 5,
  OB_CALL_EVENT_CONNECT_FAILED = 6 /**< connect could not reach the agent; the call still waits for one */
} ob_call_event_kind;
/* The 0.2 names of the call event kinds, kept as aliases (OB_CALL_ABANDONED, a call event, read
 * too much like OB_CALL_RESULT_ABANDONED, a call result). */
#define OB_CALL_DIALING OB_CALL_EVENT_DIALING     /**< alias of OB_CALL_EVENT_DIALING */
#define OB_CALL_RINGING OB_CALL_EVENT_RINGING     /**< alias of OB_CALL_EVENT_RINGING */
#define OB_CALL_ANSWERED OB_CALL_EVENT_ANSWERED   /**< alias of OB_CALL_EVENT_ANSWERED */
#define OB_CALL_CONNECTED OB_CALL_EVENT_CONNECTED /**< alias of OB_CALL_EVENT_CONNECTED */
#define OB_CALL_ABANDONED OB_CALL_EVENT_ABANDONED /**< alias of OB_CALL_EVENT_ABANDONED */
#define OB_CALL_RELEASED OB_CALL_EVENT_RELEASED   /**< alias of OB_CALL_EVENT_RELEASED */

/** How an answer was classified. */
typedef enum ob_answer_class {
  OB_ANSWER_LIVE = 0, OB_ANSWER_MACHINE = 1, OB_ANSWER_FAX = 2, OB_ANSWER_SILENCE = 3, OB_ANSWER_UNKNOWN = 4
} ob_answer_class;

/** Answering machine handling. */
typedef enum ob_amd_mode { OB_AMD_NONE = 0, OB_AMD_DETECT_DROP = 1, OB_AMD_DETECT_CONNECT = 2 } ob_amd_mode;

/** Networks a driver reaches. */
typedef enum ob_driver_kind {
  OB_DRIVER_TSERVER = 0, OB_DRIVER_CPD = 1, OB_DRIVER_GVP = 2, OB_DRIVER_CUSTOM = 3
} ob_driver_kind;

/** Treatment "apply to record" actions. */
typedef enum ob_record_action {
  OB_ACTION_NO_TREATMENT = 0, OB_ACTION_REDIAL = 1, OB_ACTION_RETRY_IN = 2, OB_ACTION_RETRY_AT_DATE = 3,
  OB_ACTION_NEXT_IN_CHAIN = 4, OB_ACTION_NEXT_IN_CHAIN_AFTER = 5, OB_ACTION_NEXT_IN_CHAIN_AT_DATE = 6,
  OB_ACTION_ASSIGN_TO_GROUP = 7, OB_ACTION_MARK_AGENT_ERROR = 8, OB_ACTION_UPDATE_ALL_IN_CHAIN = 9,
  OB_ACTION_CANCEL_RECORD = 10
} ob_record_action;

/** Treatment "apply to call" actions. */
typedef enum ob_call_action {
  OB_CALL_ACTION_NONE = 0, OB_CALL_ACTION_CONNECT = 1, OB_CALL_ACTION_TRANSFER = 2, OB_CALL_ACTION_DROP = 3
} ob_call_action;

/** Kinds of campaign events (ob_campaign_event.kind; docs/events.md says when each is sent). */
typedef enum ob_event_kind {
  OB_EVENT_LOADED = 0, OB_EVENT_STARTED = 1, OB_EVENT_STOPPED = 2, OB_EVENT_UNLOADED = 3,
  OB_EVENT_MODE_CHANGED = 4, OB_EVENT_STATE_CHANGED = 5, OB_EVENT_RECORD_ERROR = 6, OB_EVENT_DRIVER_ERROR = 7,
  OB_EVENT_DATABASE_ERROR = 8, OB_EVENT_CALL_FINISHED = 9, OB_EVENT_INFO = 10,
  OB_EVENT_PREVIEW_RECORD = 11, OB_EVENT_PREVIEW_RECORD_EMPTY = 12, OB_EVENT_CHAINED_RECORD = 13,
  OB_EVENT_RECORD_DELIVERED = 14, OB_EVENT_SCHEDULED_CALL = 15, OB_EVENT_COMPLETED = 16, OB_EVENT_ERROR = 17,
  OB_EVENT_DIALING = 18, /**< (0.3; INFO before) a record is about to be dialed */
  OB_EVENT_WRITTEN = 19, /**< (0.3; INFO before) a record's result was written to its list */
  OB_EVENT_IDLE = 20     /**< a started campaign has dialed nothing for 30 s; the message names why */
} ob_event_kind;

/** Log levels. */
typedef enum ob_log_level { OB_LOG_DEBUG = 0, OB_LOG_INFO = 1, OB_LOG_WARNING = 2, OB_LOG_ERROR = 3 } ob_log_level;

/** What a DNC check matched. */
typedef enum ob_dnc_match {
  OB_DNC_MATCH_NONE = 0, OB_DNC_MATCH_PHONE = 1, OB_DNC_MATCH_CUSTOMER_ID = 2,
  OB_DNC_MATCH_CUSTOMER = OB_DNC_MATCH_CUSTOMER_ID /**< the 0.2 name, kept as an alias */
} ob_dnc_match;

/** Whom a rescheduled record is for. */
typedef enum ob_callback_kind { OB_CALLBACK_PERSONAL = 0, OB_CALLBACK_CAMPAIGN = 1 } ob_callback_kind;

/** How far a desktop's do-not-call request reaches. */
typedef enum ob_dnc_scope { OB_DNC_SCOPE_RECORD = 0, OB_DNC_SCOPE_CHAIN = 1 } ob_dnc_scope;

/** How a simulated CPD server hands live answers to agents. */
typedef enum ob_cpd_mode { OB_CPD_TRANSFER = 0, OB_CPD_ASM = 1 } ob_cpd_mode;

/** Shapes of simulated durations. */
typedef enum ob_distribution_kind {
  OB_DIST_CONSTANT = 0, OB_DIST_EXPONENTIAL = 1, OB_DIST_LOGNORMAL = 2, OB_DIST_UNIFORM = 3
} ob_distribution_kind;

/** Which clock an engine runs on. */
typedef enum ob_clock_kind { OB_CLOCK_REAL = 0, OB_CLOCK_MANUAL = 1 } ob_clock_kind;

/** The code tables ob_enum_name() and ob_enum_value() know. */
typedef enum ob_enum {
  OB_ENUM_STATUS = 0, OB_ENUM_CALL_RESULT = 1, OB_ENUM_RECORD_TYPE = 2, OB_ENUM_RECORD_STATUS = 3,
  OB_ENUM_CONTACT_INFO_TYPE = 4, OB_ENUM_DIAL_MODE = 5, OB_ENUM_GOAL = 6, OB_ENUM_CAMPAIGN_STATE = 7,
  OB_ENUM_AGENT_STATE = 8, OB_ENUM_CALL_EVENT_KIND = 9, OB_ENUM_ANSWER_CLASS = 10, OB_ENUM_AMD_MODE = 11,
  OB_ENUM_DRIVER_KIND = 12, OB_ENUM_RECORD_ACTION = 13, OB_ENUM_CALL_ACTION = 14, OB_ENUM_EVENT_KIND = 15,
  OB_ENUM_LOG_LEVEL = 16, OB_ENUM_DNC_MATCH = 17, OB_ENUM_CALLBACK_KIND = 18, OB_ENUM_DNC_SCOPE = 19,
  OB_ENUM_CPD_MODE = 20, OB_ENUM_DISTRIBUTION_KIND = 21, OB_ENUM_CLOCK_KIND = 22
} ob_enum;
/** Number of code tables. */
#define OB_ENUM_COUNT 23

/** Name of a call result ("no_answer"), or NULL for an undefined code. Static (borrowed). */
OB_EXTERN const char* ob_call_result_name(int code);
/** Name of `value` in table `which` (lower case, as in the C++ API: "wrap_up"), or
 *  NULL when the table or value is undefined. Static (borrowed). */
OB_EXTERN const char* ob_enum_name(int which, int value);
/** The value named `name` in table `which`; OB_ENOTFOUND when there is none. */
OB_EXTERN int ob_enum_value(int* out, int which, const char* name);

/* ====================================================================== */
/* Handles                                                                */
/* ====================================================================== */

typedef struct ob_engine ob_engine;           /**< clock, loop and campaign groups */
typedef struct ob_campaign ob_campaign;       /**< one campaign group of an engine */
typedef struct ob_list ob_list;               /**< a calling list (an SQL table) */
typedef struct ob_dnc ob_dnc;                 /**< a do-not-call list */
typedef struct ob_call_log ob_call_log;       /**< a call log (an SQL table, one row per call) */
typedef struct ob_driver ob_driver;           /**< a dialer driver (simulated or custom) */
typedef struct ob_event_sink ob_event_sink;   /**< where a custom driver reports events */
typedef struct ob_sim_network ob_sim_network; /**< a simulated network of callees */

/* ====================================================================== */
/* Engine: clock, loop, log, timers                                       */
/* ====================================================================== */

/** How an engine is made. */
typedef struct ob_engine_options {
  unsigned int version; /**< OB_ENGINE_OPTIONS_VERSION */
  int clock;            /**< an ob_clock_kind */
  int64_t start_ms;     /**< manual clock: where it starts (UTC ms); ignored for real clocks */
} ob_engine_options;
/** Current version of ob_engine_options. */
#define OB_ENGINE_OPTIONS_VERSION 1u
/** Defaults: a real clock. */
#define OB_ENGINE_OPTIONS_INIT {OB_ENGINE_OPTIONS_VERSION, OB_CLOCK_REAL, 0}

/** Receives a log line (loop thread). `message` is borrowed for the call. */
typedef void (*ob_log_cb)(void* user_data, int level, const char* message);
/** Runs on the loop thread (timers, posted work). */
typedef void (*ob_task_cb)(void* user_data);
/** Asked after each callback of ob_engine_run_until (loop thread): nonzero stops the run. */
typedef int (*ob_done_cb)(void* user_data);

/** Fills `out` with the defaults of `version`; OB_EINVALID for an unknown version. */
OB_EXTERN int ob_engine_options_init(ob_engine_options* out, unsigned int version);
/** Makes an engine (OWNED: free with ob_engine_free). */
OB_EXTERN int ob_engine_new(ob_engine** out, const ob_engine_options* opts);
/** Frees an engine: stops its thread, force-unloads and frees its campaigns (their handles
 *  become invalid), drops callbacks. NULL is fine. Not from the engine's own callbacks
 *  (then it does nothing and sets ob_last_error). */
OB_EXTERN void ob_engine_free(ob_engine* engine);
/** The engine clock's time, UTC ms. */
OB_EXTERN int ob_engine_now(int64_t* out, ob_engine* engine);
/** 1 for a manual clock, 0 for a real one. */
OB_EXTERN int ob_engine_is_manual(int* out, ob_engine* engine);
/** Moves a manual clock forward to `to_ms` without running anything (never back); OB_ESTATE on a real clock. */
OB_EXTERN int ob_engine_advance_clock(ob_engine* engine, int64_t to_ms);
/** Runs what is due now; never blocks. `out` (may be NULL) = callbacks run. */
OB_EXTERN int ob_engine_poll(size_t* out, ob_engine* engine);
/** Runs the loop until `deadline_ms`, ob_engine_stop(), or `done` returning nonzero (NULL: no
 *  predicate). A manual clock jumps from timer to timer; a real clock is waited on.
 *  OB_ESTATE while the engine runs its own thread. */
OB_EXTERN int ob_engine_run_until(ob_engine* engine, int64_t deadline_ms, ob_done_cb done, void* user_data);
/** ob_engine_run_until(now + duration_ms) with no predicate. */
OB_EXTERN int ob_engine_run_for(ob_engine* engine, int64_t duration_ms);
/** Makes a running ob_engine_run_until return soon. Any thread; never blocks. */
OB_EXTERN int ob_engine_stop(ob_engine* engine);
/** Runs the loop on a thread the engine owns (real clock only: OB_ESTATE on a manual clock). */
OB_EXTERN int ob_engine_start_thread(ob_engine* engine);
/** Stops and joins the engine's thread (OB_ESTATE from that thread itself). No thread: OB_OK. */
OB_EXTERN int ob_engine_stop_thread(ob_engine* engine);
/** Sends every campaign's events, as log lines, to `cb` (NULL: none). `user_data` is borrowed. */
OB_EXTERN int ob_engine_set_log_callback(ob_engine* engine, ob_log_cb cb, void* user_data);
/** Runs `cb(user_data)` on the loop thread at its next turn. Never blocks. */
OB_EXTERN int ob_engine_post(ob_engine* engine, ob_task_cb cb, void* user_data);
/** Runs `cb(user_data)` once on the loop thread after `delay_ms` of engine time; `out` (may be
 *  NULL) gets the timer id (never 0). Pending timers are dropped when the engine is freed. A delay
 *  past the end of engine time (INT64_MAX) means never. */
OB_EXTERN int ob_engine_schedule(uint64_t* out, ob_engine* engine, int64_t delay_ms, ob_task_cb cb, void* user_data);
/** Cancels a pending timer; `out` (may be NULL) = 1 if it was pending, 0 if it ran or never existed. */
OB_EXTERN int ob_engine_cancel_timer(int* out, ob_engine* engine, uint64_t timer_id);
/** The engine's campaign named `name` (BORROWED: the same handle ob_campaign_new gave). */
OB_EXTERN int ob_engine_campaign(ob_campaign** out, ob_engine* engine, const char* name);
/** Number of campaign groups on the engine. */
OB_EXTERN int ob_engine_campaign_count(size_t* out, ob_engine* engine);

/* ====================================================================== */
/* Records                                                                */
/* ====================================================================== */

/** One calling-list row. As input (ob_list_insert) the caller owns every pointer;
 *  as output (ob_list_get…) the library owns them, freed with the record. */
typedef struct ob_record {
  unsigned int version;            /**< OB_RECORD_VERSION */
  int64_t record_id;               /**< unique key */
  const char* contact_info;        /**< phone number or address */
  int contact_info_type;           /**< an ob_contact_info_type */
  int record_type;                 /**< an ob_record_type */
  int record_status;               /**< an ob_record_status */
  int call_result;                 /**< an ob_call_result */
  int attempt;                     /**< attempts so far */
  int64_t dial_sched_time;         /**< epoch s, or OB_NO_TIME */
  int64_t call_time;               /**< epoch s, or OB_NO_TIME */
  int daily_from;                  /**< window start, s after local midnight */
  int daily_till;                  /**< window end, s after local midnight */
  int tz_dbid;                     /**< configured zone id */
  int campaign_id;                 /**< owning campaign */
  const char* agent_id;            /**< personal callback agent (NULL = "") */
  int chain_id;                    /**< customer's chain */
  int chain_n;                     /**< order in the chain */
  int group_id;                    /**< agent group */
  int app_id;                      /**< application */
  int media_ref;                   /**< media reference */
  int email_template_id;           /**< e-mail template */
  int switch_id;                   /**< switch */
  const char* treatments;          /**< treatment history (NULL = "") */
  const char* email_subject;       /**< e-mail subject (NULL = "") */
  size_t custom_count;             /**< number of custom fields */
  const char* const* custom_names; /**< custom field names */
  const char* const* custom_values;/**< custom field values */
} ob_record;
/** Current version of ob_record. */
#define OB_RECORD_VERSION 1u
/** A new OCS record: home, general, ready, result unknown, window 0..86400. */
#define OB_RECORD_INIT                                                                                   \
  {OB_RECORD_VERSION, 0, NULL, OB_CONTACT_HOME, OB_RECORD_TYPE_GENERAL, OB_RECORD_STATUS_READY,          \
   OB_CALL_RESULT_UNKNOWN, 0, OB_NO_TIME, OB_NO_TIME, 0, 86400, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, \
   0, NULL, NULL}

/** Fills `out` with the defaults of `version` (as OB_RECORD_INIT). */
OB_EXTERN int ob_record_init(ob_record* out, unsigned int version);
/** Frees one record the library returned. NULL is fine. */
OB_EXTERN void ob_record_free(ob_record* record);
/** Frees an array of `count` records the library returned. NULL is fine. */
OB_EXTERN void ob_records_free(ob_record* records, size_t count);

/* ====================================================================== */
/* Calling lists                                                          */
/* ====================================================================== */

/** A record type's dialing priority among due scheduled records (ob_list_options). */
typedef struct ob_record_type_priority {
  int record_type; /**< an ob_record_type */
  int priority;    /**< lower is dialed first; types not listed come after every listed one */
} ob_record_type_priority;

/** How a calling list is opened. NULL strings take the defaults. */
typedef struct ob_list_options {
  unsigned int version;    /**< OB_LIST_OPTIONS_VERSION */
  const char* table;       /**< table name (default "calling_list") */
  const char* filter;      /**< extra SQL condition, checked for safety (default none) */
  const char* order_by;    /**< order of unscheduled records (default chain_id, chain_n) */
  const char* engine_id;   /**< this engine's name on leases (default "engine-1") */
  int64_t lease_s;         /**< lease length, s (default 600) */
  const char* zone_column; /**< custom column of IANA zone names instead of tz_dbid */
  int create_if_missing;   /**< create the table (OCS shape) when missing */
  int create_indexes;      /**< add the retrieval indexes */
  /** Version 2: number of record_type_priorities (0: due records by time only). */
  size_t record_type_priority_count;
  /** Version 2: priorities of record types among due scheduled records (copied; NULL when count is 0). */
  const ob_record_type_priority* record_type_priorities;
  /** Version 3: ISO 3166 region of national-format numbers (NULL: the DNC list's, else "US"). */
  const char* phone_region;
  /** Version 3: custom column holding each record's ISO 3166 region (NULL: none). */
  const char* region_column;
  /** Version 3: the list's id for DNC entries scoped by list_dbid (0: unknown, every such entry applies). */
  int list_dbid;
} ob_list_options;
/** Current version of ob_list_options (2: record type priorities; 3: phone_region, region_column, list_dbid). */
#define OB_LIST_OPTIONS_VERSION 3u
/** Defaults. */
#define OB_LIST_OPTIONS_INIT {OB_LIST_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 600, NULL, 0, 0, 0, NULL, NULL, NULL, 0}

/** CSV import and export settings. */
typedef struct ob_csv_options {
  unsigned int version;          /**< OB_CSV_OPTIONS_VERSION */
  char delimiter;                /**< field separator (default ',') */
  size_t batch_size;             /**< rows per transaction (default 1000) */
  int default_daily_from;        /**< for rows without daily_from (default 0) */
  int default_daily_till;        /**< for rows without daily_till (default 86400) */
  int default_tz_dbid;           /**< for rows without tz_dbid (default 0) */
  int default_campaign_id;       /**< for rows without campaign_id (default 0) */
  int crlf;                      /**< export: CRLF line ends (default 1) */
  size_t column_count;           /**< export: number of columns to write (0: all) */
  const char* const* columns;    /**< export: the columns, in order */
  /* version 2 */
  size_t zone_count;             /**< import: the campaign's tz_dbid zones, so numbers are read in their zone's country */
  const struct ob_zone* zones;   /**< import: those zones */
} ob_csv_options;
/** Current version of ob_csv_options. */
#define OB_CSV_OPTIONS_VERSION 2u
/** Defaults. */
#define OB_CSV_OPTIONS_INIT {OB_CSV_OPTIONS_VERSION, ',', 1000, 0, 86400, 0, 0, 1, 0, NULL, 0, NULL}

/** A CSV row that was not imported. */
typedef struct ob_csv_row_error {
  size_t line;         /**< 1-based line where the row starts (header = 1) */
  int64_t record_id;   /**< its record_id when readable, else 0 */
  const char* reason;  /**< why */
} ob_csv_row_error;

/** What a CSV import did (OWNED: free with ob_import_report_free). data_rows == imported + error_count. */
typedef struct ob_import_report {
  unsigned int version;            /**< OB_IMPORT_REPORT_VERSION */
  size_t data_rows;                /**< rows after the header */
  size_t imported;                 /**< rows inserted */
  size_t blank_lines;              /**< empty lines skipped */
  size_t error_count;              /**< rows not inserted */
  const ob_csv_row_error* errors;  /**< those rows, in line order */
} ob_import_report;
/** Current version of ob_import_report. */
#define OB_IMPORT_REPORT_VERSION 1u

/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_list_options_init(ob_list_options* out, unsigned int version);
/** Opens `table` on `connection` ("sqlite3://path", "postgresql://…" or "postgresql:key=value…")
 *  and checks its columns (OWNED: free with ob_list_free). */
OB_EXTERN int ob_list_open(ob_list** out, const char* connection, const ob_list_options* opts);
/** (0.3) The options the list was opened with, defaults filled in (`out->version` set by the caller;
 *  only that version's fields are written). Strings and arrays are BORROWED: valid while the handle lives. */
OB_EXTERN int ob_list_options_get(ob_list_options* out, ob_list* list);
/** Frees a list handle (campaigns using the list keep it open). NULL is fine. */
OB_EXTERN void ob_list_free(ob_list* list);
/** Creates `table` in the OCS shape plus `custom_count` custom columns ("name TYPE"). */
OB_EXTERN int ob_list_create_table(const char* connection, const char* table, const char* const* custom_columns,
                                   size_t custom_count);
/** Inserts `count` records (record_id unique); all or none. Records are copied. */
OB_EXTERN int ob_list_insert(ob_list* list, const ob_record* records, size_t count);
/** The record `record_id` (OWNED: free with ob_record_free); OB_ENOTFOUND when absent. */
OB_EXTERN int ob_list_get(ob_record** out, ob_list* list, int64_t record_id);
/** Up to `limit` records with record_id > `after_record_id`, by record_id (OWNED array of
 *  `*out_count`: free with ob_records_free; NULL when empty). */
OB_EXTERN int ob_list_page(ob_record** out, size_t* out_count, ob_list* list, int64_t after_record_id, size_t limit);
/** Counts per record_status: `out[status]` for status < `out_len` (use OB_RECORD_STATUS_COUNT). */
OB_EXTERN int ob_list_count_by_status(int64_t* out, size_t out_len, ob_list* list);
/** Number of custom fields. */
OB_EXTERN int ob_list_custom_field_count(size_t* out, ob_list* list);
/** Name of custom field `index` (BORROWED: valid while the list handle lives). */
OB_EXTERN int ob_list_custom_field(const char** out, ob_list* list, size_t index);
/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_csv_options_init(ob_csv_options* out, unsigned int version);
/** Imports the CSV file at `path` (OWNED report). A bad header fails the whole file (OB_EINVALID);
 *  bad rows are listed in the report and the good rows imported. */
OB_EXTERN int ob_list_import_csv(ob_import_report** out, ob_list* list, const char* path, const ob_csv_options* opts);
/** Imports CSV text of `size` bytes (OWNED report), as ob_list_import_csv. */
OB_EXTERN int ob_list_import_csv_text(ob_import_report** out, ob_list* list, const char* text, size_t size,
                                      const ob_csv_options* opts);
/** Frees an import report. NULL is fine. */
OB_EXTERN void ob_import_report_free(ob_import_report* report);
/** Writes the list as CSV to `path`; `out` (may be NULL) = records written. */
OB_EXTERN int ob_list_export_csv(size_t* out, ob_list* list, const char* path, const ob_csv_options* opts);
/** The list as CSV text (OWNED: free with ob_free). */
OB_EXTERN int ob_list_export_csv_text(char** out, ob_list* list, const ob_csv_options* opts);

/* ====================================================================== */
/* Do-Not-Call                                                            */
/* ====================================================================== */

/** How a DNC list is made. */
typedef struct ob_dnc_options {
  unsigned int version;       /**< OB_DNC_OPTIONS_VERSION */
  const char* connection;     /**< database to back it (NULL: in memory only) */
  const char* table;          /**< DNC table (default "gsw_donotcall_list") */
  const char* default_region; /**< region of numbers without a country code (default "US") */
  int create_if_missing;      /**< create the table when missing (default 1) */
  /* version 2 */
  int tenant_dbid;            /**< rows of other tenants are ignored (0: every row applies) */
  int64_t sync_interval_ms;   /**< read other engines' changes at most this long after they commit (default 500) */
  int64_t reload_interval_ms; /**< also re-read the whole table this often (0: never) */
} ob_dnc_options;
/** Current version of ob_dnc_options. */
#define OB_DNC_OPTIONS_VERSION 2u
/** Defaults: in memory, US numbers. */
#define OB_DNC_OPTIONS_INIT {OB_DNC_OPTIONS_VERSION, NULL, NULL, NULL, 1, 0, 500, 0}

/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_dnc_options_init(ob_dnc_options* out, unsigned int version);
/** Makes a DNC list, loaded from its table when backed (OWNED: free with ob_dnc_free). */
OB_EXTERN int ob_dnc_new(ob_dnc** out, const ob_dnc_options* opts);
/** Frees a DNC handle (campaigns using the list keep it). NULL is fine. */
OB_EXTERN void ob_dnc_free(ob_dnc* dnc);
/** Adds a phone number (persisted when backed); OB_EINVALID if it is no phone number. */
OB_EXTERN int ob_dnc_add_phone(ob_dnc* dnc, const char* phone, const char* message);
/** Adds a customer id (persisted when backed); OB_EINVALID if empty. */
OB_EXTERN int ob_dnc_add_customer(ob_dnc* dnc, const char* customer_id, const char* message);
/** 1 when `phone` normalises to a listed number, else 0; OB_EINVALID if it is no phone number. */
OB_EXTERN int ob_dnc_contains_phone(int* out, ob_dnc* dnc, const char* phone);
/** 1 when the customer id is listed, else 0. */
OB_EXTERN int ob_dnc_contains_customer(int* out, ob_dnc* dnc, const char* customer_id);
/** The pre-dial check: phone first, then customer id (either may be NULL): an ob_dnc_match. */
OB_EXTERN int ob_dnc_check(int* out, ob_dnc* dnc, const char* phone, const char* customer_id);
/** Number of listed phone numbers. */
OB_EXTERN int ob_dnc_phone_count(size_t* out, ob_dnc* dnc);
/** Number of listed customer ids. */
OB_EXTERN int ob_dnc_customer_count(size_t* out, ob_dnc* dnc);
/** Re-reads the backing table; `out` (may be NULL) = entries loaded. OB_ESTATE when in memory. */
OB_EXTERN int ob_dnc_reload(size_t* out, ob_dnc* dnc);
/** `phone` in E.164 ("+12125551234") for numbers written in `region`'s format (NULL: "US")
 *  (OWNED: free with ob_free); OB_EINVALID with the reason if it is no phone number. */
OB_EXTERN int ob_phone_to_e164(char** out, const char* phone, const char* region);

/** A do-not-call entry with a scope and an expiry, for ob_dnc_add_entry. */
typedef struct ob_dnc_entry {
  unsigned int version;     /**< OB_DNC_ENTRY_VERSION */
  const char* phone;        /**< a phone number in any format, or NULL */
  const char* customer_id;  /**< a customer id, or NULL (one of the two is needed) */
  const char* message;      /**< why (dnc_message), or NULL */
  int tenant_dbid;          /**< its tenant (0: the list's tenant_dbid) */
  int campaign_dbid;        /**< only campaigns with this campaign_id (0: every campaign) */
  int list_dbid;            /**< only calling lists with this list_dbid (0: every list) */
  int64_t expires_at_ms;    /**< when it stops applying, UTC milliseconds (0: never; kept to the second, rounded up) */
} ob_dnc_entry;
/** Current version of ob_dnc_entry. */
#define OB_DNC_ENTRY_VERSION 1u
/** Defaults: no phone, no customer, everywhere, for good. */
#define OB_DNC_ENTRY_INIT {OB_DNC_ENTRY_VERSION, NULL, NULL, NULL, 0, 0, 0, 0}

/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_dnc_entry_init(ob_dnc_entry* out, unsigned int version);
/** Adds an entry (persisted when backed; other engines learn it at their next sync);
 *  OB_EINVALID for a bad phone, no phone nor customer, or an expiry on a table without expires_at. */
OB_EXTERN int ob_dnc_add_entry(ob_dnc* dnc, const ob_dnc_entry* entry);
/** Removes every entry of `phone` (any format, any scope); `out` (may be NULL) = table rows deleted. */
OB_EXTERN int ob_dnc_remove_phone(size_t* out, ob_dnc* dnc, const char* phone);
/** Removes every entry of `customer_id`; `out` (may be NULL) = table rows deleted. */
OB_EXTERN int ob_dnc_remove_customer(size_t* out, ob_dnc* dnc, const char* customer_id);
/** ob_dnc_check for campaign `campaign_dbid` dialing list `list_dbid`: entries scoped elsewhere do not
 *  match (0: not known, every scoped entry matches). */
OB_EXTERN int ob_dnc_check_scoped(int* out, ob_dnc* dnc, const char* phone, const char* customer_id, int campaign_dbid,
                                  int list_dbid);
/** Brings the list up to date now (system clock): drops expired entries and reads other engines'
 *  changes when sync_interval_ms has passed; `out` (may be NULL) = entries changed. A campaign using
 *  the list does this itself before each dial decision. */
OB_EXTERN int ob_dnc_sync(size_t* out, ob_dnc* dnc);
/** Number of table rows whose phone could not be read at the last load. */
OB_EXTERN int ob_dnc_load_error_count(size_t* out, ob_dnc* dnc);
/** Unreadable row `index`: its row key (SQLite rowid, PostgreSQL ctid), its phone text and the reason
 *  (each OWNED: free with ob_free; any out may be NULL). Such a row still blocks by its digits. */
OB_EXTERN int ob_dnc_load_error(char** out_row, char** out_phone, char** out_reason, ob_dnc* dnc, size_t index);

/* ====================================================================== */
/* Call log (docs/call_log.md)                                            */
/* ====================================================================== */

/** How a call log is opened. NULL strings take the defaults. */
typedef struct ob_call_log_options {
  unsigned int version;   /**< OB_CALL_LOG_OPTIONS_VERSION */
  const char* connection; /**< database of the table ("sqlite3://path", "postgresql://…"); required */
  const char* table;      /**< log table (default "ob_call_log"); a plain SQL identifier */
  int create_if_missing;  /**< create the table when missing (default 1; else OB_ENOTFOUND) */
} ob_call_log_options;
/** Current version of ob_call_log_options. */
#define OB_CALL_LOG_OPTIONS_VERSION 1u
/** Defaults (the connection still has to be set). */
#define OB_CALL_LOG_OPTIONS_INIT {OB_CALL_LOG_OPTIONS_VERSION, NULL, NULL, 1}

/** One logged call (OWNED with its array: the strings are freed by ob_call_log_entries_free). */
typedef struct ob_call_log_entry {
  unsigned int version;    /**< the library's OB_CALL_LOG_ENTRY_VERSION */
  const char* campaign;    /**< campaign group name */
  const char* list;        /**< calling list (table) of the dialed record */
  int64_t record_id;       /**< the dialed record */
  int64_t chain_id;        /**< its chain */
  int chain_n;             /**< its place in the chain */
  const char* phone;       /**< the number dialed */
  const char* agent_id;    /**< the agent connected ("" when none) */
  int64_t dialed_at_ms;    /**< when the dial was asked of the driver */
  int64_t answered_at_ms;  /**< when the far end answered, or OB_NO_TIME */
  int answer;              /**< an ob_answer_class */
  int64_t connected_at_ms; /**< when an agent (or the IVR) was joined, or OB_NO_TIME */
  int abandoned;           /**< 1: answered live and no agent came in time */
  int64_t released_at_ms;  /**< when the call ended */
  int result;              /**< an ob_call_result */
  int message_left;        /**< version 2: 1 when a message was left on the answering machine */
} ob_call_log_entry;
/** Current version of ob_call_log_entry (2: message_left). */
#define OB_CALL_LOG_ENTRY_VERSION 2u

/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_call_log_options_init(ob_call_log_options* out, unsigned int version);
/** Opens (or creates) the call log table (OWNED: free with ob_call_log_free); OB_EINVALID for an unsafe table name. */
OB_EXTERN int ob_call_log_new(ob_call_log** out, const ob_call_log_options* opts);
/** Frees a call log handle (campaigns using the log keep it). NULL and freed handles are fine. */
OB_EXTERN void ob_call_log_free(ob_call_log* log);
/** Rows in the log table. */
OB_EXTERN int ob_call_log_count(long long* out, ob_call_log* log);
/** The last abandon of a call to `phone` this log knows of (written or loaded by its campaigns):
 *  `*found` = 1 and `*out_epoch_ms` set, or `*found` = 0 and `*out_epoch_ms` = OB_NO_TIME. */
OB_EXTERN int ob_call_log_last_abandoned(int64_t* out_epoch_ms, int* found, ob_call_log* log, const char* phone);
/** Calls of `campaign` answered at or after `since_ms`, oldest answer first (OWNED array of
 *  `*out_count`: free with ob_call_log_entries_free; NULL when empty). */
OB_EXTERN int ob_call_log_answered_since(ob_call_log_entry** out, size_t* out_count, ob_call_log* log,
                                         const char* campaign, int64_t since_ms);
/** Frees an array of `count` entries the library returned. NULL is fine. */
OB_EXTERN void ob_call_log_entries_free(ob_call_log_entry* entries, size_t count);

/* ====================================================================== */
/* Treatments                                                             */
/* ====================================================================== */

/** One treatment rule. */
typedef struct ob_treatment {
  unsigned int version;     /**< OB_TREATMENT_VERSION */
  int id;                   /**< DBID written to the treatments history */
  const char* name;         /**< for logs (NULL = "") */
  int call_result;          /**< the ob_call_result it applies to */
  int action;               /**< an ob_record_action */
  int call_action;          /**< an ob_call_action */
  const char* destination;  /**< for connect/transfer (NULL = "") */
  int sequence;             /**< number in sequence (1, 2, …) */
  int cycle_attempts;       /**< repeats before the next in sequence */
  int64_t interval_ms;      /**< wait before the first repeat */
  int64_t increment_ms;     /**< added to the wait at each later repeat */
  int64_t date_time;        /**< 0.2: epoch s for the *_at_date actions, or OB_NO_TIME; use date_time_ms */
  int group_id;             /**< for assign_to_group */
  /** Version 2: for the *_at_date actions, UTC epoch ms (OB_NO_TIME: none). Set this or the older
   *  date_time (epoch s), not both with different instants (OB_EINVALID). Either lies in
   *  0001-01-01..9999-12-31 UTC (else OB_EINVALID). */
  int64_t date_time_ms;
} ob_treatment;
/** Current version of ob_treatment (2: date_time_ms). Every rule of one array has the same version,
 *  and rule 0's version gives the size of every element: sizeof(ob_treatment) of the outbound.h
 *  where that version was current (version 1: up to date_time_ms, 80 bytes on LP64; version 2: 88).
 *  So an array declared with this header holds version-2 rules; version-1 rules need an array of
 *  80-byte elements (or the 0.2 header). */
#define OB_TREATMENT_VERSION 2u
/** Defaults: busy, no treatment, sequence 1, one cycle. */
#define OB_TREATMENT_INIT                                                                                       \
  {OB_TREATMENT_VERSION, 0, NULL, OB_CALL_RESULT_BUSY, OB_ACTION_NO_TREATMENT, OB_CALL_ACTION_NONE, NULL, 1, 1, 0, 0, \
   OB_NO_TIME, 0, OB_NO_TIME}

/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_treatment_init(ob_treatment* out, unsigned int version);
/** Checks `count` rules as a campaign would; OB_EINVALID with the reason for contradictory or
 *  out-of-range rules. */
OB_EXTERN int ob_treatments_validate(const ob_treatment* rules, size_t count);

/* ====================================================================== */
/* Drivers: the custom driver interface and the event sink                */
/* ====================================================================== */

/** What a driver can do. */
typedef struct ob_driver_capabilities {
  unsigned int version;        /**< OB_DRIVER_CAPABILITIES_VERSION */
  int kind;                    /**< an ob_driver_kind */
  int max_concurrent_calls;    /**< channels or ports; 0 = no fixed limit */
  int reports_agent_states;    /**< agent states come from the driver */
  int routes_to_agents;        /**< the network connects answered calls to agents itself */
  int detects_machines;        /**< answering machine detection */
  int supports_engaging;       /**< can engage an agent before dialing */
  int runs_voice_applications; /**< GVP */
  /** Version 2: the engine routes live answers and asks the driver to `connect` each to an agent
   *  (the class's `connect` must be set). Read and written only when `version` >= 2. */
  int connects_on_request;
} ob_driver_capabilities;
/** Current version of ob_driver_capabilities (2: connects_on_request). */
#define OB_DRIVER_CAPABILITIES_VERSION 2u
/** Defaults: a custom driver with no fixed limit and no agents of its own. */
#define OB_DRIVER_CAPABILITIES_INIT {OB_DRIVER_CAPABILITIES_VERSION, OB_DRIVER_CUSTOM, 0, 0, 0, 0, 0, 0, 0}

/** A request to place one call (BORROWED by the driver for the duration of `dial`: copy what you keep). */
typedef struct ob_dial_request {
  unsigned int version;              /**< the library's OB_DIAL_REQUEST_VERSION */
  uint64_t call_id;                  /**< the engine's id for the call (never 0) */
  const char* phone;                 /**< number to dial, E.164 where known */
  int64_t record_id;                 /**< calling-list record */
  int campaign_id;                   /**< campaign id of the record */
  const char* campaign;              /**< campaign group name */
  int amd;                           /**< an ob_amd_mode */
  int64_t ring_timeout_ms;           /**< give up on no answer after this */
  const char* agent_id;              /**< engaged or personal-callback agent ("" = none) */
  const char* voice_application;     /**< GVP application ("" = none) */
  size_t attribute_count;            /**< record fields for the desktop/IVR */
  const char* const* attribute_names;  /**< their names */
  const char* const* attribute_values; /**< their values */
  /** Version 2: the number to present to the called party (the campaign's caller_id, E.164),
   *  "" for the network's default. The same on every dial of a campaign. A driver that may run
   *  with an older library reads it only when `version` >= 2. */
  const char* caller_id;
  /* Version 3: the campaign's call audio (ob_campaign_options version 4), the same on every dial of
   * a campaign; 0 or "" = the driver's own. Read these only when `version` >= 3. */
  int64_t amd_initial_silence_ms;        /**< version 3: no voice this long after the answer: silence */
  int64_t amd_max_greeting_ms;           /**< version 3: a greeting going on this long: machine */
  int64_t amd_after_greeting_silence_ms; /**< version 3: quiet this long after a shorter greeting: live */
  int amd_max_words;                     /**< version 3: more words than this in the greeting: machine */
  int64_t amd_max_decision_ms;           /**< version 3: undecided this long: decided on what was heard */
  int64_t amd_max_message_wait_ms;       /**< version 3: a machine's message starts by then, beep or not */
  const char* abandon_message;           /**< version 3: WAV for an abandoned live callee ("" = the driver's) */
  const char* machine_message;           /**< version 3: WAV left on a machine after its beep ("" = the driver's) */
  int opt_out_digit;                     /**< version 3: the opt-out digit's character (0 = the driver's) */
} ob_dial_request;
/** Current version of ob_dial_request (2: caller_id; 3: the campaign's call audio). */
#define OB_DIAL_REQUEST_VERSION 3u

/** Something that happened to a call (input: the driver owns the strings). */
typedef struct ob_call_event {
  unsigned int version;  /**< OB_CALL_EVENT_VERSION */
  int kind;              /**< an ob_call_event_kind */
  uint64_t call_id;      /**< which call */
  int64_t at_ms;         /**< when (UTC ms); 0 = the engine clock's now */
  int answer;            /**< an ob_answer_class, for answered */
  const char* agent_id;  /**< for connected and connect_failed (NULL = "") */
  int result;            /**< an ob_call_result, for released */
  const char* detail;    /**< free text for logs (NULL = "") */
  int message_left;      /**< version 2, for released: 1 when the campaign's machine_message was left (read only from version 2) */
} ob_call_event;
/** Current version of ob_call_event (2: message_left). */
#define OB_CALL_EVENT_VERSION 2u
/** Defaults: dialing, no call. */
#define OB_CALL_EVENT_INIT {OB_CALL_EVENT_VERSION, OB_CALL_EVENT_DIALING, 0, 0, OB_ANSWER_UNKNOWN, NULL, OB_CALL_RESULT_UNKNOWN, NULL, 0}

/** An agent state change seen by the network (input: the driver owns the strings). */
typedef struct ob_agent_event {
  unsigned int version;  /**< OB_AGENT_EVENT_VERSION */
  const char* agent_id;  /**< which agent */
  int state;             /**< an ob_agent_state */
  int64_t at_ms;         /**< when (UTC ms); 0 = the engine clock's now */
} ob_agent_event;
/** Current version of ob_agent_event. */
#define OB_AGENT_EVENT_VERSION 1u
/** Defaults. */
#define OB_AGENT_EVENT_INIT {OB_AGENT_EVENT_VERSION, NULL, OB_AGENT_LOGGED_OUT, 0}

/**
 * A custom driver's methods. Every method gets the `user_data` given to
 * ob_driver_new first and runs on the engine's loop thread, one at a time.
 * Methods return OB_OK or a negative OB_E* code; call ob_error_set() first
 * to say why. `dial` failing makes the call a dial error for the record.
 * The library copies the struct: it need not outlive ob_driver_new.
 */
typedef struct ob_driver_class {
  unsigned int version; /**< OB_DRIVER_CLASS_VERSION */
  /** Called exactly once, when the last user of the driver lets go (ob_driver_free, the
   *  campaign's or engine's free), on that caller's thread; also when ob_driver_new fails. May be NULL. */
  void (*destroy)(void* user_data);
  const char* name; /**< short name for logs (copied; NULL = "custom") */
  /** Fills `out` (version set by the library). May be NULL: OB_DRIVER_CAPABILITIES_INIT. */
  int (*capabilities)(void* user_data, ob_driver_capabilities* out);
  /** Starts: report events to `sink` (any thread) until `stop` returns. Required. */
  int (*start)(void* user_data, ob_event_sink* sink);
  /** Places a call; events for request->call_id follow through the sink. Required. */
  int (*dial)(void* user_data, const ob_dial_request* request);
  /** Cancels a call not yet connected; a released event follows. Unknown ids are ignored. Required. */
  int (*cancel)(void* user_data, uint64_t call_id);
  /** Plays the abandonment message to a live call no agent took, then releases it
   *  (released with OB_CALL_RESULT_ABANDONED). May be NULL: `cancel` is used. */
  int (*release_abandoned)(void* user_data, uint64_t call_id);
  /** Stops: calls in flight are released; the sink refuses events once it returns. Required. */
  int (*stop)(void* user_data);
  /** Version 2: joins answered call `call_id`, waiting for an agent, to agent `agent_id`'s line
   *  (BORROWED string); report OB_CALL_EVENT_CONNECTED or OB_CALL_EVENT_CONNECT_FAILED through the sink. Return
   *  OB_ESTATE for a call not waiting, OB_ENOTFOUND for an agent you cannot reach. May be NULL
   *  (and is not read from a version-1 class): connect is then OB_EUNSUPPORTED. */
  int (*connect)(void* user_data, uint64_t call_id, const char* agent_id);
  /** Version 3: sends answered call `call_id` (a machine, fax or silence whose treatment rule says
   *  connect or transfer) to `destination` (BORROWED); report released when it ends. May be NULL
   *  (and is not read from an older class): the engine then reports OB_EUNSUPPORTED as a driver
   *  error and leaves the call to the driver. */
  int (*transfer)(void* user_data, uint64_t call_id, const char* destination);
} ob_driver_class;
/** Current version of ob_driver_class (2: connect; 3: transfer). An older class (a program built
 *  against an older outbound.h) is read only as far as its version reaches. */
#define OB_DRIVER_CLASS_VERSION 3u

/** Makes a driver from `cls` and `user_data` (OWNED: free with ob_driver_free). `user_data` passes to
 *  the driver at once: `cls->destroy(user_data)` is called exactly once, even if this fails. */
OB_EXTERN int ob_driver_new(ob_driver** out, const ob_driver_class* cls, void* user_data);
/** Lets go of a driver (campaigns using it keep it until they are freed). NULL is fine. */
OB_EXTERN void ob_driver_free(ob_driver* driver);
/** The driver's name (BORROWED: valid while the handle lives). */
OB_EXTERN int ob_driver_name(const char** out, ob_driver* driver);
/** What the driver can do (`out->version` set by the caller, e.g. OB_DRIVER_CAPABILITIES_INIT). */
OB_EXTERN int ob_driver_capabilities_get(ob_driver_capabilities* out, ob_driver* driver);
/** Asks `driver` to join answered call `call_id` to agent `agent_id`'s line (drivers whose capabilities
 *  say connects_on_request; a campaign does this itself for each live answer it routes). Runs on the loop
 *  thread of the engine whose campaign holds the driver, else on the caller's. OB_EUNSUPPORTED when the
 *  driver cannot; its own codes otherwise. */
OB_EXTERN int ob_driver_connect(ob_driver* driver, uint64_t call_id, const char* agent_id);
/** Reports a call event. Any thread, between the driver's start and the return of its stop;
 *  OB_ESTATE otherwise. The event is copied and handled on the loop thread. */
OB_EXTERN int ob_event_sink_call_event(ob_event_sink* sink, const ob_call_event* event);
/** Reports an agent state change; as ob_event_sink_call_event. */
OB_EXTERN int ob_event_sink_agent_event(ob_event_sink* sink, const ob_agent_event* event);

/* ====================================================================== */
/* Simulated network and drivers (samples, tests, rehearsals)             */
/* ====================================================================== */

/** A distribution of durations in seconds. */
typedef struct ob_distribution {
  int kind;    /**< an ob_distribution_kind */
  double mean; /**< mean (uniform: midpoint) */
  double sd;   /**< standard deviation (lognormal), half-width (uniform) */
} ob_distribution;

/** How simulated callees answer. The seven shares sum to 1. */
typedef struct ob_sim_network_options {
  unsigned int version;          /**< OB_SIM_NETWORK_OPTIONS_VERSION */
  uint64_t seed;                 /**< every draw follows from it */
  double live_answer;            /**< share a person answers (0.30) */
  double busy;                   /**< share busy (0.10) */
  double no_answer;              /**< share ringing out (0.45) */
  double machine;                /**< share an answering machine takes (0.10) */
  double sit;                    /**< share with SIT tones (0.05) */
  double fax;                    /**< share a fax answers (0) */
  double silence;                /**< share answered by silence (0) */
  double sit_weights[6];         /**< weights of SIT results 11..16 (0.40 0.25 0.10 0.05 0.10 0.10) */
  ob_distribution ring;          /**< time until answer (lognormal 8 s, sd 4) */
  double no_answer_timeout_s;    /**< ring timeout when the request has none (25) */
  double patience_s;             /**< how long an answered callee waits for an agent (2) */
  double busy_signal_s;          /**< time until a busy result (3) */
  double sit_s;                  /**< time until a SIT result (2) */
  double amd_s;                  /**< time to classify a machine, fax or silence (2.5) */
  double amd_false_positive;     /**< share of live answers taken for machines (0) */
  double machine_talk_s;         /**< time on a machine connected undetected (20) */
} ob_sim_network_options;
/** Current version of ob_sim_network_options. */
#define OB_SIM_NETWORK_OPTIONS_VERSION 1u
/** Defaults (seed 1). */
#define OB_SIM_NETWORK_OPTIONS_INIT                                                                     \
  {OB_SIM_NETWORK_OPTIONS_VERSION, 1, 0.30, 0.10, 0.45, 0.10, 0.05, 0.0, 0.0, {0.40, 0.25, 0.10, 0.05, 0.10, 0.10}, \
   {OB_DIST_LOGNORMAL, 8.0, 4.0}, 25.0, 2.0, 3.0, 2.0, 2.5, 0.0, 20.0}

/** How simulated agents work. */
typedef struct ob_sim_agent_options {
  unsigned int version;  /**< OB_SIM_AGENT_OPTIONS_VERSION */
  ob_distribution talk;  /**< talk time (lognormal 180 s, sd 120) */
  ob_distribution wrap;  /**< wrap-up time (exponential 15 s) */
} ob_sim_agent_options;
/** Current version of ob_sim_agent_options. */
#define OB_SIM_AGENT_OPTIONS_VERSION 1u
/** Defaults. */
#define OB_SIM_AGENT_OPTIONS_INIT \
  {OB_SIM_AGENT_OPTIONS_VERSION, {OB_DIST_LOGNORMAL, 180.0, 120.0}, {OB_DIST_EXPONENTIAL, 15.0, 0.0}}

/** A simulated CPD server's settings. */
typedef struct ob_sim_cpd_options {
  unsigned int version;   /**< OB_SIM_CPD_OPTIONS_VERSION */
  int mode;               /**< an ob_cpd_mode (transfer) */
  int channels;           /**< board channels (60) */
  double engage_s;        /**< ASM: time to engage the agent (1.5) */
  double engage_failure;  /**< ASM: share of engaging calls not taken (0) */
  double opt_out;         /**< ASM: share of callees finding no agent who opt out (0.10) */
} ob_sim_cpd_options;
/** Current version of ob_sim_cpd_options. */
#define OB_SIM_CPD_OPTIONS_VERSION 1u
/** Defaults. */
#define OB_SIM_CPD_OPTIONS_INIT {OB_SIM_CPD_OPTIONS_VERSION, OB_CPD_TRANSFER, 60, 1.5, 0.0, 0.10}

/** A simulated GVP's settings. */
typedef struct ob_sim_gvp_options {
  unsigned int version;  /**< OB_SIM_GVP_OPTIONS_VERSION */
  int ports;             /**< calls held at once (30) */
  ob_distribution ivr;   /**< how long an application runs with a person (lognormal 45 s, sd 20) */
} ob_sim_gvp_options;
/** Current version of ob_sim_gvp_options. */
#define OB_SIM_GVP_OPTIONS_VERSION 1u
/** Defaults. */
#define OB_SIM_GVP_OPTIONS_INIT {OB_SIM_GVP_OPTIONS_VERSION, 30, {OB_DIST_LOGNORMAL, 45.0, 20.0}}

/** Counters of a simulated driver. */
typedef struct ob_sim_driver_stats {
  unsigned int version;      /**< OB_SIM_DRIVER_STATS_VERSION (set by the caller) */
  long dials;                /**< calls placed */
  long live_answers;         /**< answered by a person */
  long connected;            /**< joined to an agent or an application */
  long abandoned;            /**< live answers released without an agent */
  long machines;             /**< answered by a machine */
  double wait_to_connect_s;  /**< sum of answer-to-agent waits */
  long engaged;              /**< CPD ASM engaging calls */
  long engage_failures;      /**< CPD ASM agents not reached */
  long opt_outs;             /**< CPD ASM opt-outs */
  long connect_failures;     /**< version 2: engine routing, connects to an agent who was not ready */
  long transfers;            /**< version 2: answers sent to a treatment's destination (transfer/connect actions) */
  long machine_messages;     /**< version 2: detect_connect machines left the campaign's machine_message */
} ob_sim_driver_stats;
/** Current version of ob_sim_driver_stats (2: connect_failures, transfers, machine_messages). */
#define OB_SIM_DRIVER_STATS_VERSION 2u
/** Zeroed, with the version set. */
#define OB_SIM_DRIVER_STATS_INIT {OB_SIM_DRIVER_STATS_VERSION, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, 0}

/** A voice application session as it starts on a simulated GVP (BORROWED for the callback). */
typedef struct ob_gvp_session {
  unsigned int version;                /**< the library's OB_GVP_SESSION_VERSION */
  uint64_t call_id;                    /**< the call */
  const char* application;             /**< the voice application */
  int64_t started_ms;                  /**< when (UTC ms) */
  size_t attribute_count;              /**< the record's data it runs with */
  const char* const* attribute_names;  /**< names */
  const char* const* attribute_values; /**< values */
} ob_gvp_session;
/** Current version of ob_gvp_session. */
#define OB_GVP_SESSION_VERSION 1u
/** Receives GVP sessions (loop thread). */
typedef void (*ob_gvp_session_cb)(void* user_data, const ob_gvp_session* session);

/** Fills `out` with the defaults of `version` (as OB_SIM_NETWORK_OPTIONS_INIT). */
OB_EXTERN int ob_sim_network_options_init(ob_sim_network_options* out, unsigned int version);
/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_sim_agent_options_init(ob_sim_agent_options* out, unsigned int version);
/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_sim_cpd_options_init(ob_sim_cpd_options* out, unsigned int version);
/** Fills `out` with the defaults of `version`. */
OB_EXTERN int ob_sim_gvp_options_init(ob_sim_gvp_options* out, unsigned int version);
/** A simulated network on `engine`'s loop (OWNED: free with ob_sim_network_free). */
OB_EXTERN int ob_sim_network_new(ob_sim_network** out, ob_engine* engine, const ob_sim_network_options* opts);
/** Frees a network handle (drivers on it keep it). NULL is fine. */
OB_EXTERN void ob_sim_network_free(ob_sim_network* network);
/** Replaces the callee model from now on (the seed is ignored). */
OB_EXTERN int ob_sim_network_set_model(ob_sim_network* network, const ob_sim_network_options* opts);
/** A simulated T-Server with `agents` agents named prefix1..prefixN (NULL prefix: "agent"); NULL
 *  `agent_opts` = defaults (OWNED driver). */
OB_EXTERN int ob_sim_tserver_new(ob_driver** out, ob_sim_network* network, int agents, const char* prefix,
                                 const ob_sim_agent_options* agent_opts);
/** A simulated CPD server (OWNED driver); NULL options = defaults. */
OB_EXTERN int ob_sim_cpd_new(ob_driver** out, ob_sim_network* network, int agents, const char* prefix,
                             const ob_sim_agent_options* agent_opts, const ob_sim_cpd_options* cpd_opts);
/** A simulated GVP (OWNED driver); NULL options = defaults. */
OB_EXTERN int ob_sim_gvp_new(ob_driver** out, ob_sim_network* network, const ob_sim_gvp_options* opts);
/** Logs simulated agents in or out so that `count` are logged in (T-Server and CPD; else OB_EUNSUPPORTED). */
OB_EXTERN int ob_sim_driver_set_agent_count(ob_driver* driver, int count);
/** Replaces the simulated agents' model from now on (T-Server and CPD). */
OB_EXTERN int ob_sim_driver_set_agent_model(ob_driver* driver, const ob_sim_agent_options* opts);
/** Counters of a simulated driver (`out->version` set by the caller); OB_EUNSUPPORTED for custom drivers. */
OB_EXTERN int ob_sim_driver_stats_get(ob_sim_driver_stats* out, ob_driver* driver);
/** Calls a simulated driver holds now. */
OB_EXTERN int ob_sim_driver_calls_in_progress(size_t* out, ob_driver* driver);
/** Calls `cb` (loop thread) each time a voice application starts on a simulated GVP (NULL: none). */
OB_EXTERN int ob_sim_gvp_set_session_callback(ob_driver* driver, ob_gvp_session_cb cb, void* user_data);

/* ====================================================================== */
/* The SIP driver (docs/sip.md)                                           */
/* ====================================================================== */

/** An agent's phone: the agent id the campaign knows and the SIP URI the driver INVITEs. */
typedef struct ob_sip_agent {
  const char* agent_id; /**< the agent id ("a1") */
  const char* uri;      /**< the phone's SIP URI ("sip:201@pbx.example.net") */
} ob_sip_agent;

/** How the SIP driver reaches the trunk and the agents' phones. Strings and arrays are copied.
 *  NULL strings take the default; every `*_ms` field is in milliseconds. */
typedef struct ob_sip_options {
  unsigned int version;            /**< OB_SIP_OPTIONS_VERSION */
  const char* listen;              /**< host:port for SIP, UDP and TCP (NULL: "127.0.0.1:5070") */
  const char* customer_uri;        /**< Request-URI template with {number} (NULL: "sip:{number}@127.0.0.1:5071") */
  const char* outbound_proxy;      /**< SIP URI every request goes through (NULL: none) */
  const char* username;            /**< digest username toward the trunk (NULL: no credentials) */
  const char* password;            /**< digest password */
  const char* realm;               /**< answer only this realm's challenges (NULL: any) */
  const char* caller_id;           /**< E.164 number in From and P-Asserted-Identity (NULL: anonymous) */
  size_t agent_count;              /**< number of agents' phones */
  const ob_sip_agent* agents;      /**< the phones (NULL when agent_count is 0) */
  int max_concurrent_calls;        /**< calls at once (0: no limit) */
  double calls_per_second;         /**< INVITEs a second toward the trunk (0: no limit) */
  int64_t agent_answer_timeout_ms; /**< an agent's phone answering later is given up (1000) */
  int64_t default_ring_timeout_ms; /**< ring timeout of requests that give none, >= 15000 (25000) */
  int64_t max_call_duration_ms;    /**< an answered call is hung up after this (4 h) */
  int64_t leg_check_interval_ms;   /**< connected legs are probed with OPTIONS this often (30000; 0: never) */
  int64_t transaction_timeout_ms;  /**< SIP timer B/F: no final response by then fails the request (32000) */
  int64_t backoff_initial_ms;      /**< the first pause after a 503, timeout or transport failure (1000) */
  int64_t backoff_max_ms;          /**< the longest pause (60000) */
  const char* rtp_address;         /**< address RTP binds to and offers (NULL: the listen host) */
  int rtp_port_min;                /**< lowest RTP port (16384) */
  int rtp_port_max;                /**< highest RTP port (32766) */
  const char* abandon_message;     /**< WAV played by release_abandoned before hanging up (NULL: none) */
  const char* machine_message;     /**< WAV left on a machine after its beep under detect_connect (NULL: none) */
  int opt_out_digit;               /**< '0'-'9', '*', '#' pressed during the abandon message: DNC (0: none) */
} ob_sip_options;
/** Current version of ob_sip_options. */
#define OB_SIP_OPTIONS_VERSION 1u
/** The defaults (as ob_sip_options_init). */
#define OB_SIP_OPTIONS_INIT                                                                                  \
  {OB_SIP_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, 0.0, 1000, 25000, 14400000, \
   30000, 32000, 1000, 60000, NULL, 16384, 32766, NULL, NULL, 0}

/** Counters of a SIP driver since it was made. */
typedef struct ob_sip_driver_stats {
  unsigned int version;      /**< OB_SIP_DRIVER_STATS_VERSION (set by the caller) */
  long invites;              /**< customer INVITEs sent */
  long timeouts;             /**< customer INVITEs with no final response in time */
  long transport_failures;   /**< customer INVITEs the transport could not deliver */
  long backoffs;             /**< pauses taken after 503s, timeouts or transport failures */
  long connects;             /**< agent legs bridged */
  long connect_failures;     /**< agent legs that failed (connect_failed events) */
  long legs_lost;            /**< connected legs found gone by the leg check */
  long open_dialogs;         /**< SIP dialogs the driver holds now */
  /* Version 2 (written only when `version` >= 2): */
  long transfers;            /**< calls joined to a treatment's transfer destination */
  long transfer_failures;    /**< transfers whose destination refused, never answered or could not be joined */
} ob_sip_driver_stats;
/** Current version of ob_sip_driver_stats (2: transfers, transfer_failures). */
#define OB_SIP_DRIVER_STATS_VERSION 2u
/** Zeroed, with the version set. */
#define OB_SIP_DRIVER_STATS_INIT {OB_SIP_DRIVER_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** Fills `out` with the defaults of `version` (as OB_SIP_OPTIONS_INIT). */
OB_EXTERN int ob_sip_options_init(ob_sip_options* out, unsigned int version);
/** A SIP driver (OWNED: free with ob_driver_free) with `opts` (NULL: defaults); its events are
 *  stamped by `engine`'s clock (NULL: the system clock). Nothing is bound until a campaign loads.
 *  OB_EINVALID naming the field for malformed options (listen address, URIs, the {number}
 *  template, agents, a caller id that is not E.164, limits, timeouts, ports, unreadable WAVs);
 *  OB_EUNSUPPORTED when the library was built without the SIP driver. */
OB_EXTERN int ob_sip_driver_new(ob_driver** out, ob_engine* engine, const ob_sip_options* opts);
/** Counters of a SIP driver (`out->version` set by the caller); OB_EUNSUPPORTED for other drivers. */
OB_EXTERN int ob_sip_driver_stats_get(ob_sip_driver_stats* out, ob_driver* driver);
/** Engine routing for a simulated T-Server or CPD server in transfer mode (before its campaign loads):
 *  live answers wait for the engine's connect, as over SIP (`on` 0 or 1). OB_EUNSUPPORTED for other drivers. */
OB_EXTERN int ob_sim_driver_set_engine_routing(ob_driver* driver, int on);

/* ====================================================================== */
/* Campaign groups                                                        */
/* ====================================================================== */

/** A calling-window zone: records whose zone key (tz_dbid as decimal text, or the list's
 *  zone column) is `key` are in IANA zone `iana`. */
typedef struct ob_zone {
  const char* key;   /**< "1" for tz_dbid 1, or a zone column value */
  const char* iana;  /**< "America/New_York" */
} ob_zone;

/** A contact limit: at most `max_calls` dials of one number within any `window_ms` (e.g. 3 in 24 h). */
typedef struct ob_contact_limit {
  int max_calls;     /**< dials allowed in the window (>= 1) */
  int64_t window_ms; /**< the rolling window, in [1, OB_MAX_DURATION_MS] */
} ob_contact_limit;

/** What ob_campaign_load does with records whose zone key (tz_dbid or zone column value) the
 *  campaign's zones lack (records with no zone key are zoned by their number). */
typedef enum ob_unknown_zones {
  OB_UNKNOWN_ZONES_REFUSE = 0,       /**< the load fails, naming each missing key and its record count */
  OB_UNKNOWN_ZONES_FROM_NUMBERS = 1, /**< such records are zoned by their phone number */
  OB_UNKNOWN_ZONES_ERRORS = 2        /**< such records become final dial errors at load */
} ob_unknown_zones;

/** The longest a duration option (any `*_ms` field of ob_campaign_options) may be: 36,500 days,
 *  which also serves as "forever". Larger values are refused with OB_EINVALID. */
#define OB_MAX_DURATION_MS INT64_C(3153600000000)

/** How a campaign group dials. Strings and arrays are copied. Every `*_ms` field lies in
 *  [0, OB_MAX_DURATION_MS] (tick_ms and flush_interval_ms at least 1); chunk_size in [1, 100000]. */
typedef struct ob_campaign_options {
  unsigned int version;          /**< OB_CAMPAIGN_OPTIONS_VERSION */
  const char* name;              /**< unique name on the engine (default "campaign") */
  int campaign_id;               /**< campaign_id of records it adds (1) */
  int mode;                      /**< an ob_dial_mode (progressive) */
  int goal;                      /**< an ob_goal (overdial rate) */
  double target;                 /**< the goal's target (0.03) */
  const char* pacer;             /**< pacer name (NULL: "outbound") */
  double ratio;                  /**< lines per ready agent, progressive (1.0) */
  int ports;                     /**< GVP ports / channel limit (0: the driver's) */
  size_t chunk_size;             /**< records per retrieval (100) */
  size_t low_water;              /**< refill below this (0: chunk_size / 2) */
  int64_t tick_ms;               /**< pacing period (1000) */
  int64_t flush_interval_ms;     /**< write-back period (1000) */
  int64_t empty_list_backoff_ms; /**< wait before asking an empty list again (30000) */
  int64_t abandon_after_ms;      /**< live answer without agent by then is abandoned (2000) */
  double abandon_cap_rate;       /**< regulatory abandon cap (0.03) */
  int64_t abandon_cap_window_ms; /**< over this window (30 days) */
  int amd;                       /**< an ob_amd_mode (detect and drop) */
  int64_t ring_timeout_ms;       /**< ring this long, >= 15000 (25000) */
  const char* customer_id_field; /**< custom field holding the DNC customer id (NULL: none) */
  const char* voice_application; /**< GVP application (NULL: none) */
  size_t treatment_count;        /**< number of treatment rules */
  const ob_treatment* treatments;/**< the rules (NULL when count is 0) */
  size_t zone_count;             /**< calling-window zones (0: no windows enforced) */
  const ob_zone* zones;          /**< the zones */
  int window_from_s;             /**< campaign-wide window start, s after local midnight (-1: none) */
  int window_till_s;             /**< campaign-wide window end (-1: none) */
  const char* zone_column;       /**< list column of zone keys (NULL: tz_dbid) */
  int wait_for_desktop;          /**< a connected record waits for the desktop's record processed (0) */
  int64_t desktop_timeout_ms;    /**< then it is finished with the network's result (600000) */
  int64_t callback_wait_ms;      /**< how long a due personal callback waits for its agent (300000) */
  int64_t abandoned_redial_lockout_ms; /**< no redial of an abandoned number sooner (0: off; UK 72 h) */
  int auto_complete;             /**< stop and unload once nothing is left to dial (0) */
  /** Version 2: the number presented to the called party (US TSR and Ofcom require one), as typed
   *  ("(212) 555-0199"); NULL or "" = the network's default. ob_campaign_load normalises it to
   *  E.164 (with the DNC list's region when the campaign has one, else US) and fails with
   *  OB_EINVALID, naming caller_id, when it is no phone number. Drivers get it in
   *  ob_dial_request.caller_id. A version-1 struct (an older outbound.h) ends before this field:
   *  the library does not read it and uses the default. */
  const char* caller_id;
  int64_t pace_interval_ms;     /**< version 3: at most one pacing decision per this; events in between wait (250) */
  int max_attempts;             /**< version 3: never dial a record more often than this (0: no cap) */
  /** Version 3: the estimated share of machine detections that were in fact people (UK Ofcom
   *  counts them as abandoned calls), 0..1 (0). */
  double abandon_cap_amd_false_positive;
  /** Version 4: engine routing (drivers with connects_on_request): an agent whose connect the
   *  driver neither completes nor fails by then is put not ready and the call abandoned (3000; 0: wait for the driver). */
  int64_t agent_answer_timeout_ms;
  /* Version 4: the campaign's call audio (docs/campaigns.md, "Call audio"), sent to the driver with
   * every dial (ob_dial_request version 3). 0 or NULL = the driver's own. ob_campaign_new fails with
   * OB_EINVALID, naming the field, for a value out of its range, a message that is not a readable
   * 8 or 16 kHz mono 16-bit WAV, or an opt-out digit other than 0-9, * and #. */
  int64_t amd_initial_silence_ms;        /**< version 4: no voice this long after the answer: silence (500..30000) */
  int64_t amd_max_greeting_ms;           /**< version 4: a greeting going on this long: machine (200..30000) */
  int64_t amd_after_greeting_silence_ms; /**< version 4: quiet this long after a shorter greeting: live (100..10000) */
  int amd_max_words;                     /**< version 4: more words than this in the greeting: machine (1..100) */
  int64_t amd_max_decision_ms;           /**< version 4: undecided this long: decided on what was heard (500..60000) */
  int64_t amd_max_message_wait_ms;       /**< version 4: a machine's message starts by then, beep or not (1000..120000) */
  const char* abandon_message;           /**< version 4: WAV played to an abandoned live callee (NULL: the driver's) */
  const char* machine_message;           /**< version 4: WAV left on a machine after its beep, detect_connect (NULL: the driver's) */
  int opt_out_digit;                     /**< version 4: the character ('9', '*', '#'…) that opts out during the abandon message (0: the driver's) */
  /* Version 5: contact limits (docs/compliance.md, "Contact limits"): at most max_calls dials of one
   * number within any window_ms, over every campaign and list sharing the call log (which the
   * campaign then needs: ob_campaign_load fails with OB_EINVALID without one). A number at a limit
   * is deferred until its oldest dial leaves the window. ob_campaign_new fails with OB_EINVALID,
   * naming the limit, for max_calls < 1 or a window outside [1, OB_MAX_DURATION_MS]. */
  size_t contact_limit_count;                 /**< version 5: number of contact limits (0: none) */
  const struct ob_contact_limit* contact_limits; /**< version 5: the limits (NULL when the count is 0) */
  /* Version 6: load checks and no-call days (issue 17; docs/compliance.md, "No-call days").
   * ob_campaign_load refuses a list whose zone keys the zones lack, naming each key and its record
   * count, unless unknown_zones says otherwise. A no-call day entry is a local date "YYYY-MM-DD" or
   * a weekday "sun".."sat", in every zone, or in one tz database zone when "Zone/Name:" comes first
   * ("America/New_York:2026-07-04"). A record is dialed only on a local day that is a no-call day in
   * none of its zones, and is deferred to the next such day otherwise, never closed. ob_campaign_new
   * fails with OB_EINVALID, naming the entry, for one that reads as neither, for all seven weekdays
   * in a zone, or for no-call days without zones. */
  int unknown_zones;                     /**< version 6: an ob_unknown_zones (OB_UNKNOWN_ZONES_REFUSE) */
  size_t no_call_day_count;              /**< version 6: number of no-call day entries (0: none) */
  const char* const* no_call_days;       /**< version 6: the entries, copied (NULL when the count is 0) */
} ob_campaign_options;
/** Current version of ob_campaign_options (2: caller_id; 3: pace_interval_ms, max_attempts,
 *  abandon_cap_amd_false_positive; 4: agent_answer_timeout_ms and the call audio, amd_initial_silence_ms .. opt_out_digit;
 *  5: contact_limit_count, contact_limits; 6: unknown_zones, no_call_day_count, no_call_days). */
#define OB_CAMPAIGN_OPTIONS_VERSION 6u
/** Defaults: "campaign", progressive, no treatments, no windows. */
#define OB_CAMPAIGN_OPTIONS_INIT                                                                             \
  {OB_CAMPAIGN_OPTIONS_VERSION, NULL, 1, OB_DIAL_MODE_PROGRESSIVE, OB_GOAL_OVERDIAL_RATE, 0.03, NULL, 1.0, 0, 100, 0, \
   1000, 1000, 30000, 2000, 0.03, 2592000000LL, OB_AMD_DETECT_DROP, 25000, NULL, NULL, 0, NULL, 0, NULL, -1, -1,   \
   NULL, 0, 600000, 300000, 0, 0, NULL, 250, 0, 0.0, 3000, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, NULL,              \
   OB_UNKNOWN_ZONES_REFUSE, 0, NULL}

/** Counters and averages of a campaign group. */
typedef struct ob_campaign_stats {
  unsigned int version;         /**< OB_CAMPAIGN_STATS_VERSION (set by the caller) */
  long dials;                   /**< calls placed */
  long live_answers;            /**< answered by a person */
  long connected;               /**< live answers joined to an agent */
  long abandoned;               /**< live answers with no agent in time */
  long machines;                /**< answering machines */
  long busy;                    /**< busy results */
  long no_answer;               /**< rang out */
  long sit;                     /**< SIT results */
  long other_results;           /**< any other result */
  long dnc_blocked;             /**< records not dialed because of DNC */
  long window_deferred;         /**< chains returned because their window was closed */
  long record_errors;           /**< records marked as errors */
  long driver_errors;           /**< dials the driver refused */
  long records_finalized;       /**< records made final */
  long records_rescheduled;     /**< records given a later dial time */
  double abandon_rate;          /**< abandoned / live answers over the run */
  double window_abandon_rate;   /**< abandoned / live answers over the cap window */
  long window_live_answers;     /**< live answers inside the cap window */
  double agent_occupancy;       /**< busy factor over the run */
  double agent_wait_mean_s;     /**< mean agent wait between calls */
  double distribution_time_mean_s; /**< mean answer-to-agent time */
  int agents_logged_in;         /**< agents logged in now */
  int calls_in_flight;          /**< calls the driver holds now */
  size_t records_buffered;      /**< records in the buffer now */
  long lockout_deferred;        /**< (version 2) chains rescheduled: their number's call was abandoned within the lockout */
  long answered_live;           /**< (version 3) answers the driver classified live */
  long answered_machine;        /**< (version 3) answers classified as answering machines */
  long answered_fax;            /**< (version 3) answers classified as fax */
  long answered_silence;        /**< (version 3) answers classified as silence */
  long answered_unknown;        /**< (version 3) answers not classified (treated as live) */
  long messages_left;           /**< (version 3) machine messages left */
  /* Version 4: contact limits and the pre-dial check. */
  long contact_deferred;        /**< (version 4) chains rescheduled: their number reached a contact limit */
  long predial_vetoed;          /**< (version 4) records the pre-dial callback vetoed (closed undialed) */
  long chains_held;             /**< (version 5) chains held until a record of theirs scheduled later (a callback) was due */
} ob_campaign_stats;
/** Current version of ob_campaign_stats (2: lockout_deferred; 3: answers by class, messages_left;
 *  4: contact_deferred, predial_vetoed; 5: chains_held). */
#define OB_CAMPAIGN_STATS_VERSION 5u
/** Zeroed, with the version set. */
#define OB_CAMPAIGN_STATS_INIT \
  {OB_CAMPAIGN_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** What a campaign tells its subscriber (BORROWED for the callback). */
typedef struct ob_campaign_event {
  unsigned int version;    /**< the library's OB_CAMPAIGN_EVENT_VERSION */
  int kind;                /**< an ob_event_kind */
  const char* campaign;    /**< campaign group name */
  int64_t record_id;       /**< the record concerned, or 0 */
  int result;              /**< an ob_call_result, for call_finished */
  const char* message;     /**< human-readable detail */
  const char* agent_id;    /**< desktop events: the agent it is for ("" otherwise) */
  int64_t handle;          /**< desktop events: the record handle (0 otherwise) */
  const ob_record* record; /**< desktop events: the record's fields (NULL otherwise) */
} ob_campaign_event;
/** Current version of ob_campaign_event. */
#define OB_CAMPAIGN_EVENT_VERSION 1u
/** Receives campaign events (loop thread). */
typedef void (*ob_campaign_event_cb)(void* user_data, const ob_campaign_event* event);

/** Fills `out` with the defaults of `version` (as OB_CAMPAIGN_OPTIONS_INIT). Writes only the fields
 *  that version has: an older version's shorter struct is not written past its end. */
OB_EXTERN int ob_campaign_options_init(ob_campaign_options* out, unsigned int version);
/** Adds a campaign group to `engine` dialing through `driver`, checking DNC list `dnc` (may be NULL)
 *  (OWNED by the caller and the engine: ob_campaign_free removes it; ob_engine_free frees it too). */
OB_EXTERN int ob_campaign_new(ob_campaign** out, ob_engine* engine, const ob_campaign_options* opts,
                              ob_driver* driver, ob_dnc* dnc);
/** Force-unloads the campaign and removes it from its engine. NULL and already-freed handles are fine. */
OB_EXTERN void ob_campaign_free(ob_campaign* campaign);
/** (0.3) The options the campaign runs with (`out->version` set by the caller; only that version's
 *  fields are written): defaults filled in, the current mode, goal, target and treatments, caller_id
 *  in E.164 once loaded. The strings and arrays `out` points to are OWNED by the caller, whatever
 *  happens to the campaign: free them with ob_campaign_options_free. Any thread may call it at any
 *  time. The treatments come at the ob_treatment version of that options version (1 and 2: rules
 *  of version 1; 3: version 2), so a caller steps through them at its own sizeof(ob_treatment);
 *  their instant is in date_time_ms from rule version 2 on (date_time is then OB_NO_TIME). */
OB_EXTERN int ob_campaign_options_get(ob_campaign_options* out, ob_campaign* campaign);
/** (0.3) Frees the strings and arrays ob_campaign_options_get put in `options` and sets those
 *  pointers to NULL (their counts to 0); the struct itself is the caller's. It finds them through
 *  any of those pointers left as they were: pointers the caller set are not touched. NULL, structs
 *  that did not come from ob_campaign_options_get and structs freed already are fine. */
OB_EXTERN void ob_campaign_options_free(ob_campaign_options* options);
/** The campaign's name (BORROWED: valid while the handle lives). */
OB_EXTERN int ob_campaign_name(const char** out, ob_campaign* campaign);
/** Adds a list to dial with relative `share` (> 0), before load or while loaded. */
OB_EXTERN int ob_campaign_add_list(ob_campaign* campaign, ob_list* list, double share);
/** Logs every call to `log`, before load (else OB_ESTATE). The campaign shares the log: freeing the
 *  handle afterwards is fine. A log serves the campaigns of one engine (another: OB_EBUSY). */
OB_EXTERN int ob_campaign_set_call_log(ob_campaign* campaign, ob_call_log* log);
/** Loads: recovers records a crashed run left retrieved, starts the driver. */
OB_EXTERN int ob_campaign_load(ob_campaign* campaign);
/** Starts dialing. */
OB_EXTERN int ob_campaign_start(ob_campaign* campaign);
/** Stops dialing; calls in flight finish and are written back. */
OB_EXTERN int ob_campaign_stop(ob_campaign* campaign);
/** Unloads once calls in flight have finished (waiting_unload until then). */
OB_EXTERN int ob_campaign_unload(ob_campaign* campaign);
/** Unloads now: calls in flight are cancelled and their records updated. */
OB_EXTERN int ob_campaign_force_unload(ob_campaign* campaign);
/** (0.3) Ends the campaign in one call: stops dialing, lets the calls in flight end (at most
 *  `timeout_ms` of engine time, in [0, 3153600000000]: 36,500 days), unloads, and returns once the
 *  campaign is not loaded. Calls still up at the timeout are cancelled (as ob_campaign_force_unload);
 *  `out` (may be NULL) = how many. Runs the engine's loop on this thread (calls from other threads
 *  are carried out between its turns), or sleeps until the engine's own thread has ended the last
 *  call; if that thread is stopped meanwhile, it runs the loop itself. A campaign that is not loaded
 *  is left as it is (OB_OK, 0). OB_ESTATE from a callback (the loop cannot run there); OB_EHANDLE
 *  when another thread frees the campaign or its engine meanwhile. */
OB_EXTERN int ob_campaign_finish(size_t* out, ob_campaign* campaign, int64_t timeout_ms);
/** Switches mode, goal and target; preview <-> autonomous modes need a stop first (OB_ESTATE). */
OB_EXTERN int ob_campaign_set_mode(ob_campaign* campaign, int mode, int goal, double target);
/** Replaces the treatments (copied); calls under way keep the rules they started with. */
OB_EXTERN int ob_campaign_set_treatments(ob_campaign* campaign, const ob_treatment* rules, size_t count);
/** Sets an agent's state (hosts whose driver does not report agents). */
OB_EXTERN int ob_campaign_set_agent_state(ob_campaign* campaign, const char* agent_id, int state);
/** An agent's state (an ob_agent_state); OB_ENOTFOUND for an agent never seen. */
OB_EXTERN int ob_campaign_agent_state(int* out, ob_campaign* campaign, const char* agent_id);
/** The campaign's state (an ob_campaign_state). */
OB_EXTERN int ob_campaign_state_get(int* out, ob_campaign* campaign);
/** The campaign's dial mode (an ob_dial_mode). */
OB_EXTERN int ob_campaign_mode(int* out, ob_campaign* campaign);
/** Counters so far (`out->version` set by the caller, e.g. OB_CAMPAIGN_STATS_INIT). */
OB_EXTERN int ob_campaign_stats_get(ob_campaign_stats* out, ob_campaign* campaign);
/** Calls the driver holds now. */
OB_EXTERN int ob_campaign_calls_in_flight(size_t* out, ob_campaign* campaign);
/** Writes pending results back now. */
OB_EXTERN int ob_campaign_flush(ob_campaign* campaign);
/** Sends the campaign's events to `cb` (NULL: none); replaces the previous callback. */
OB_EXTERN int ob_campaign_set_event_callback(ob_campaign* campaign, ob_campaign_event_cb cb, void* user_data);

/** What the pre-dial callback is asked about (BORROWED for the callback): a record the
 *  compliance gate let through, about to be dialed. */
typedef struct ob_pre_dial {
  unsigned int version;    /**< the library's OB_PRE_DIAL_VERSION */
  const char* campaign;    /**< campaign group name */
  const char* list;        /**< calling list (table) of the record */
  const char* phone;       /**< the number to dial (E.164 when it reads as one) */
  const ob_record* record; /**< the record's fields */
} ob_pre_dial;
/** Current version of ob_pre_dial. */
#define OB_PRE_DIAL_VERSION 1u
/** The host's pre-dial check (OCS pre-dial validation), on the loop thread before each dial the engine
 *  places: 0 lets the dial go; an ob_call_result code (OB_CALL_RESULT_DO_NOT_CALL, OB_CALL_RESULT_WRONG_PARTY…)
 *  vetoes it, and the record is closed with that result through the treatments, undialed. Any other
 *  value fails closed: no dial, the record is closed as dial_error and an error event names the value. */
typedef int (*ob_pre_dial_cb)(void* user_data, const ob_pre_dial* request);
/** Asks `cb` before each dial the campaign places (NULL: no check); replaces the previous one. */
OB_EXTERN int ob_campaign_set_pre_dial_callback(ob_campaign* campaign, ob_pre_dial_cb cb, void* user_data);

/* ====================================================================== */
/* Agent desktop requests (docs/reference.md), on a campaign group        */
/* ====================================================================== */

/** A record handed to an agent's desktop (OWNED: free with ob_desktop_record_free). */
typedef struct ob_desktop_record {
  unsigned int version;  /**< the library's OB_DESKTOP_RECORD_VERSION */
  int64_t handle;        /**< names the record in requests */
  const char* campaign;  /**< campaign group name */
  const char* list;      /**< calling list (table) name */
  const char* agent_id;  /**< the agent who holds it */
  ob_record record;      /**< the record's fields */
} ob_desktop_record;
/** Current version of ob_desktop_record. */
#define OB_DESKTOP_RECORD_VERSION 1u

/** Frees a desktop record. NULL is fine. */
OB_EXTERN void ob_desktop_record_free(ob_desktop_record* record);
/** Frees an array of `count` desktop records. NULL is fine. */
OB_EXTERN void ob_desktop_records_free(ob_desktop_record* records, size_t count);
/** Preview modes: the next record for `agent_id` (OWNED), or *out = NULL when there is none now. */
OB_EXTERN int ob_desktop_preview_record(ob_desktop_record** out, ob_campaign* campaign, const char* agent_id);
/** The next record of `handle`'s chain for the same agent (OWNED), or *out = NULL at the chain's end. */
OB_EXTERN int ob_desktop_chained_record(ob_desktop_record** out, ob_campaign* campaign, const char* agent_id,
                                        int64_t handle);
/** Adds a record to the campaign's first list; `out` (may be NULL) = its record_id. */
OB_EXTERN int ob_desktop_add_record(int64_t* out, ob_campaign* campaign, const char* agent_id, const ob_record* record);
/** Interim: sets the call result the record will carry. */
OB_EXTERN int ob_desktop_update_call_result(ob_campaign* campaign, const char* agent_id, int64_t handle, int result);
/** Final: the record is done with `result` (-1: the network's result); treatments apply. */
OB_EXTERN int ob_desktop_record_processed(ob_campaign* campaign, const char* agent_id, int64_t handle, int result);
/** Preview: the agent will not dial this record; it returns to ready. */
OB_EXTERN int ob_desktop_record_reject(ob_campaign* campaign, const char* agent_id, int64_t handle);
/** The record is cancelled and not dialed again. */
OB_EXTERN int ob_desktop_record_cancel(ob_campaign* campaign, const char* agent_id, int64_t handle);
/** (0.3) Calls the record back at `at_ms` (UTC epoch ms, ahead and inside its window; the list stores
 *  whole seconds, rounded down); `kind` an ob_callback_kind. */
OB_EXTERN int ob_desktop_record_reschedule_ms(ob_campaign* campaign, const char* agent_id, int64_t handle,
                                              int64_t at_ms, int kind);
/** (0.3) Moves an already scheduled record (by record_id) to `at_ms` (UTC epoch ms). */
OB_EXTERN int ob_desktop_scheduled_record_reschedule_ms(ob_campaign* campaign, const char* agent_id,
                                                        int64_t record_id, int64_t at_ms, int kind);
/** 0.2: ob_desktop_record_reschedule_ms with `at_s` in epoch seconds. */
OB_EXTERN int ob_desktop_record_reschedule(ob_campaign* campaign, const char* agent_id, int64_t handle, int64_t at_s,
                                           int kind);
/** 0.2: ob_desktop_scheduled_record_reschedule_ms with `at_s` in epoch seconds. */
OB_EXTERN int ob_desktop_scheduled_record_reschedule(ob_campaign* campaign, const char* agent_id, int64_t record_id,
                                                     int64_t at_s, int kind);
/** Puts the record's number (scope record) or its chain and customer id (scope chain) on the DNC list. */
OB_EXTERN int ob_desktop_do_not_call(ob_campaign* campaign, const char* agent_id, int64_t handle, int scope,
                                     const char* message);
/** Puts a bare phone number on the campaign's DNC list. */
OB_EXTERN int ob_desktop_do_not_call_number(ob_campaign* campaign, const char* phone, const char* message);
/** The agent expects to be ready in `in_ms` (a pacing hint). */
OB_EXTERN int ob_desktop_ready_time(ob_campaign* campaign, const char* agent_id, int64_t in_ms);
/** The agent logs out: records it holds return to ready. */
OB_EXTERN int ob_desktop_logout(ob_campaign* campaign, const char* agent_id);
/** Records the agent holds (OWNED array of *out_count: free with ob_desktop_records_free; NULL when none). */
OB_EXTERN int ob_desktop_records(ob_desktop_record** out, size_t* out_count, ob_campaign* campaign,
                                 const char* agent_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OUTBOUND_H */
