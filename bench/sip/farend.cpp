// sip_farend: a SIP far end for the SIP driver's tests and benchmarks, on
// sofia-sip (the driver's own stack): it answers, rings, rejects or hangs up
// by the number called, or draws a response from a mix, so that every row
// of the result table and a load of hundreds of calls can be produced on
// 127.0.0.1 without a real trunk.
//
// usage: sip_farend --listen HOST:PORT [--mix CODE:SHARE,...] [--hold-ms N] [--auth USER:PASS@REALM]
//                   [--retry-after S]
//   A user +19CCCPPPPPP (CCC a status, PPPPPP a number of ms) decides its own call:
//     CCC 200: answer, hang up after P ms (0: stay until the caller hangs up)
//     CCC 180 / 183: ring (183: early media) until cancelled
//     other CCC: answer with that final status after P ms.
//   Any other user starting with "+": a status drawn from --mix (default 200:1) by a hash of the
//   number, answered calls hanging up after --hold-ms (default 0: never).
//   Users not starting with "+" (agents' phones) answer at once and stay until hung up.
//   --auth challenges every first INVITE with 407 (Digest, MD5) and refuses wrong answers with 403.
//   --retry-after S adds Retry-After: S to 503 responses.
// It prints "listening on HOST:PORT" when ready, and a JSON line of counters on SIGTERM/SIGINT.
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_md5.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/su_wait.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Options {
  std::string listen;
  std::vector<std::pair<int, double>> mix{{200, 1.0}};
  long hold_ms = 0;
  std::string auth_user, auth_pass, auth_realm;
  long retry_after = -1;
};

/// What the far end does with one call.
struct Plan {
  int status = 200;
  long delay_ms = 0;  // before a final response other than 200
  long hold_ms = 0;   // 200: hang up after this (0: never)
};

struct FarEnd;

/// One incoming dialog.
struct Call {
  FarEnd* far = nullptr;
  nua_handle_t* nh = nullptr;
  Plan plan;
  su_timer_t* timer = nullptr;
  bool answered = false;
};

struct Counters {
  long invites = 0, reinvites = 0, answered = 0, byes_in = 0, byes_out = 0, cancels = 0, challenges = 0,
       auth_ok = 0, auth_bad = 0, options = 0, active = 0, max_active = 0;
  std::map<int, long> finals;
};

struct FarEnd {
  Options opt;
  su_root_t* root = nullptr;
  nua_t* nua = nullptr;
  std::map<nua_handle_t*, std::unique_ptr<Call>> calls;
  Counters n;
  std::string host;
  bool down = false;  // the stack finished shutting down
};

std::string md5(const std::string& s) {
  su_md5_t ctx;
  su_md5_init(&ctx);
  su_md5_update(&ctx, s.data(), s.size());
  char hex[33];
  su_md5_hexdigest(&ctx, hex);
  return std::string(hex, 32);
}

std::string unquote(const char* v) {
  if (!v) return {};
  std::string s = v;
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::uint64_t hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

Plan plan_for(const FarEnd& f, const std::string& user) {
  Plan p;
  if (user.empty() || user[0] != '+') return p;  // an agent's phone: answer, stay
  if (user.size() == 12 && user.compare(0, 3, "+19") == 0) {
    p.status = std::atoi(user.substr(3, 3).c_str());
    const long param = std::atol(user.substr(6).c_str());
    if (p.status == 200) p.hold_ms = param; else p.delay_ms = param;
    return p;
  }
  const double draw = static_cast<double>(hash(user) % 1000000) / 1000000.0;
  double acc = 0;
  p.status = f.opt.mix.back().first;
  for (const auto& [code, share] : f.opt.mix) {
    acc += share;
    if (draw < acc) {
      p.status = code;
      break;
    }
  }
  if (p.status == 200) p.hold_ms = f.opt.hold_ms;
  return p;
}

std::string answer_sdp(const std::string& host) {
  return "v=0\r\no=farend 1 1 IN IP4 " + host + "\r\ns=farend\r\nc=IN IP4 " + host +
         "\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n";
}

void stop_timer(Call& c) {
  if (c.timer) su_timer_destroy(c.timer);
  c.timer = nullptr;
}

void after(Call& c, long ms, su_timer_f fn) {
  stop_timer(c);
  c.timer = su_timer_create(su_root_task(c.far->root), ms);
  su_timer_set(c.timer, fn, reinterpret_cast<su_timer_arg_t*>(&c));
}

void hang_up(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  auto* c = reinterpret_cast<Call*>(arg);
  stop_timer(*c);
  ++c->far->n.byes_out;
  nua_bye(c->nh, TAG_END());
}

void answer(Call& c) {
  const std::string sdp = answer_sdp(c.far->host);
  nua_respond(c.nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  c.answered = true;
  ++c.far->n.answered;
  ++c.far->n.finals[200];
  if (c.plan.hold_ms > 0) after(c, c.plan.hold_ms, hang_up);
}

void respond_final(Call& c) {
  const int s = c.plan.status;
  const std::string retry = "Retry-After: " + std::to_string(c.far->opt.retry_after);
  ++c.far->n.finals[s];
  nua_respond(c.nh, s, sip_status_phrase(s) ? sip_status_phrase(s) : "Far End",
              TAG_IF(s == 503 && c.far->opt.retry_after >= 0, SIPTAG_HEADER_STR(retry.c_str())), TAG_END());
}

void delayed_final(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  auto* c = reinterpret_cast<Call*>(arg);
  stop_timer(*c);
  respond_final(*c);
}

/// Checks a Digest answer (RFC 2617 without qop) to our challenge.
bool authorized(const FarEnd& f, const sip_t* sip) {
  const msg_auth_t* a = sip->sip_proxy_authorization;
  if (!a) return false;
  const std::string user = unquote(msg_params_find(a->au_params, "username="));
  const std::string realm = unquote(msg_params_find(a->au_params, "realm="));
  const std::string nonce = unquote(msg_params_find(a->au_params, "nonce="));
  const std::string uri = unquote(msg_params_find(a->au_params, "uri="));
  const std::string response = unquote(msg_params_find(a->au_params, "response="));
  if (user != f.opt.auth_user || realm != f.opt.auth_realm) return false;
  const std::string ha1 = md5(user + ":" + realm + ":" + f.opt.auth_pass);
  const std::string ha2 = md5("INVITE:" + uri);
  return response == md5(ha1 + ":" + nonce + ":" + ha2);
}

void on_invite(FarEnd& f, nua_handle_t* nh, Call* existing, const sip_t* sip) {
  if (existing) {  // a re-INVITE (the driver bridging media): accept it
    ++f.n.reinvites;
    const std::string sdp = answer_sdp(f.host);
    nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
    return;
  }
  ++f.n.invites;
  auto call = std::make_unique<Call>();
  call->far = &f;
  call->nh = nh;
  Call& c = *call;
  f.calls.emplace(nh, std::move(call));
  nua_handle_bind(nh, reinterpret_cast<nua_hmagic_t*>(&c));
  ++f.n.active;
  if (f.n.active > f.n.max_active) f.n.max_active = f.n.active;
  if (!f.opt.auth_user.empty()) {
    if (!sip->sip_proxy_authorization) {
      ++f.n.challenges;
      const std::string challenge = "Digest realm=\"" + f.opt.auth_realm + "\", nonce=\"" +
                                    md5(std::to_string(f.n.invites) + f.host).substr(0, 16) + "\", algorithm=MD5";
      nua_respond(nh, SIP_407_PROXY_AUTH_REQUIRED, SIPTAG_PROXY_AUTHENTICATE_STR(challenge.c_str()), TAG_END());
      return;
    }
    if (!authorized(f, sip)) {
      ++f.n.auth_bad;
      nua_respond(nh, SIP_403_FORBIDDEN, TAG_END());
      return;
    }
    ++f.n.auth_ok;
  }
  const std::string user = sip->sip_request && sip->sip_request->rq_url->url_user ? sip->sip_request->rq_url->url_user : "";
  c.plan = plan_for(f, user);
  if (c.plan.status == 200) {
    nua_respond(nh, SIP_180_RINGING, TAG_END());
    return answer(c);
  }
  if (c.plan.status == 180) return nua_respond(nh, SIP_180_RINGING, TAG_END());
  if (c.plan.status == 183) {
    const std::string sdp = answer_sdp(f.host);
    return nua_respond(nh, SIP_183_SESSION_PROGRESS, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                       SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  }
  if (c.plan.delay_ms > 0) return after(c, c.plan.delay_ms, delayed_final);
  respond_final(c);
}

void callback(nua_event_t event, int status, const char*, nua_t*, nua_magic_t* magic, nua_handle_t* nh,
              nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
  auto& f = *reinterpret_cast<FarEnd*>(magic);
  Call* c = reinterpret_cast<Call*>(hmagic);
  switch (event) {
    case nua_i_invite:
      if (sip) on_invite(f, nh, c, sip);
      break;
    case nua_i_bye:
      ++f.n.byes_in;
      break;
    case nua_i_cancel:
      ++f.n.cancels;
      break;
    case nua_i_options:
      ++f.n.options;
      break;
    case nua_i_state: {
      int state = -1;
      tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
      if (state == nua_callstate_terminated && c) {
        stop_timer(*c);
        --f.n.active;
        nua_handle_bind(nh, nullptr);
        nua_handle_destroy(nh);
        f.calls.erase(nh);
      }
      break;
    }
    case nua_r_shutdown:
      if (status >= 200) f.down = true;
      break;
    default:
      break;
  }
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!v) return false;
    ++i;
    if (a == "--listen") {
      o.listen = v;
    } else if (a == "--hold-ms") {
      o.hold_ms = std::atol(v);
    } else if (a == "--retry-after") {
      o.retry_after = std::atol(v);
    } else if (a == "--mix") {
      o.mix.clear();
      std::string s = v;
      double total = 0;
      for (std::size_t at = 0; at < s.size();) {
        auto end = s.find(',', at);
        if (end == std::string::npos) end = s.size();
        const std::string item = s.substr(at, end - at);
        const auto colon = item.find(':');
        if (colon == std::string::npos) return false;
        o.mix.emplace_back(std::atoi(item.c_str()), std::atof(item.c_str() + colon + 1));
        total += o.mix.back().second;
        at = end + 1;
      }
      if (o.mix.empty() || total <= 0) return false;
      for (auto& m : o.mix) m.second /= total;
    } else if (a == "--auth") {
      std::string s = v;
      const auto colon = s.find(':'), at = s.rfind('@');
      if (colon == std::string::npos || at == std::string::npos || at < colon) return false;
      o.auth_user = s.substr(0, colon);
      o.auth_pass = s.substr(colon + 1, at - colon - 1);
      o.auth_realm = s.substr(at + 1);
    } else {
      return false;
    }
  }
  return !o.listen.empty();
}

}  // namespace

int main(int argc, char** argv) {
  FarEnd f;
  if (!parse(argc, argv, f.opt)) {
    std::fprintf(stderr,
                 "usage: sip_farend --listen HOST:PORT [--mix CODE:SHARE,...] [--hold-ms N] [--auth USER:PASS@REALM] "
                 "[--retry-after S]\n");
    return 2;
  }
  f.host = f.opt.listen.substr(0, f.opt.listen.rfind(':'));
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  su_init();
  f.root = su_root_create(nullptr);
  su_root_threading(f.root, 0);
  const std::string url = "sip:" + f.opt.listen;
  f.nua = nua_create(f.root, callback, reinterpret_cast<nua_magic_t*>(&f), NUTAG_URL(url.c_str()), NUTAG_MEDIA_ENABLE(0),
                     NUTAG_AUTOANSWER(0), NUTAG_AUTOALERT(0), NUTAG_SESSION_TIMER(0),
                     NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS"), TAG_END());
  if (!f.nua) {
    std::fprintf(stderr, "sip_farend: cannot listen on %s\n", f.opt.listen.c_str());
    return 1;
  }
  std::printf("listening on %s\n", f.opt.listen.c_str());
  std::fflush(stdout);
  while (!g_stop) su_root_step(f.root, 100);
  std::printf("{\"invites\": %ld, \"reinvites\": %ld, \"answered\": %ld, \"byes_in\": %ld, \"byes_out\": %ld, "
              "\"cancels\": %ld, \"options\": %ld, \"challenges\": %ld, \"auth_ok\": %ld, \"auth_bad\": %ld, "
              "\"max_active\": %ld, \"finals\": {",
              f.n.invites, f.n.reinvites, f.n.answered, f.n.byes_in, f.n.byes_out, f.n.cancels, f.n.options,
              f.n.challenges, f.n.auth_ok, f.n.auth_bad, f.n.max_active);
  const char* sep = "";
  for (const auto& [code, count] : f.n.finals) {
    std::printf("%s\"%d\": %ld", sep, code, count);
    sep = ", ";
  }
  std::printf("}}\n");
  std::fflush(stdout);
  for (auto& [nh, c] : f.calls) stop_timer(*c);
  nua_shutdown(f.nua);
  for (int i = 0; i < 50 && !f.down; ++i) su_root_step(f.root, 100);
  if (!f.down) return 0;  // the stack would not let go in 5 s: the process ends anyway
  nua_destroy(f.nua);
  su_root_destroy(f.root);
  su_deinit();
  return 0;
}
