// A simulated GVP (outbound IVR): ports instead of agents; each answered call
// starts the voice application named in the request with the record's data,
// runs for a drawn time, and ends with result answer.
#include "outbound/driver/sim.hpp"
#include "outbound/error.hpp"
#include "sim_core.hpp"

namespace outbound::sim {
namespace detail {

/// The platform: the shared call-progress script plus voice applications.
class IvrPlatform final : public SimDriverCore {
 public:
  IvrPlatform(Network& net, const GvpOptions& options) : SimDriverCore(net, "sim-gvp", options.ports), ivr_(options.ivr) {}
  void on_session(std::function<void(const GvpSession&)> observer) { observer_ = std::move(observer); }

 protected:
  void check_request(const DialRequest& rq) const override {
    if (rq.voice_application.empty())
      throw Error(ErrorCode::invalid_argument,
                  "sim-gvp: call " + std::to_string(rq.call_id) + " names no voice application to run on answer");
  }

  void answered(SimCall& call) override {
    const CallId id = call.request.call_id;
    const std::optional<Judgement> j = classify_answer(call);
    if (!j) return;
    if (SimCall* c = find(id)) run_application(*c, *j);
  }

 private:
  // The application starts at once (no agent to wait for, so never abandoned):
  // a person hears it for a drawn time; a machine gets a message of machine_talk_s.
  void run_application(SimCall& call, const Judgement& j) {
    const CallId id = call.request.call_id;
    call.connected = true;
    ++stats_.connected;
    GvpSession session{id, call.request.voice_application, call.request.attributes, now()};
    emit(CallEventKind::connected, id, AnswerClass::unknown, {}, CallResult::unknown,
         "voice application " + session.application + " started");
    if (observer_) observer_(session);
    SimCall* c = find(id);
    if (!c) return;
    const double seconds = j.person ? net().rng().sample(ivr_) : net().model().machine_talk_s;
    after(*c, std::max(1.0, seconds), [this, id, result = j.end_result] { release(id, result); });
  }

  Distribution ivr_;
  std::function<void(const GvpSession&)> observer_;
};

}  // namespace detail

namespace {

const GvpOptions& checked(const GvpOptions& o) {
  if (o.ports < 1) throw Error(ErrorCode::invalid_argument, "a GVP needs at least 1 port, not " + std::to_string(o.ports));
  if (!(o.ivr.mean >= 0.0) || !(o.ivr.sd >= 0.0)) throw Error(ErrorCode::invalid_argument, "the IVR duration needs mean >= 0 and sd >= 0");
  return o;
}

}  // namespace

SimGvp::SimGvp(Network& network, GvpOptions options)
    : options_(checked(options)), impl_(std::make_unique<detail::IvrPlatform>(network, options_)) {}

SimGvp::~SimGvp() = default;

DriverCapabilities SimGvp::capabilities() const {
  DriverCapabilities c;
  c.kind = DriverKind::gvp;
  c.max_concurrent_calls = options_.ports;
  c.detects_machines = true;
  c.runs_voice_applications = true;
  return c;
}

void SimGvp::start(EventSink& sink) { impl_->start(sink); }
void SimGvp::dial(const DialRequest& request) { impl_->dial(request); }
void SimGvp::cancel(CallId call_id) { impl_->cancel(call_id); }
void SimGvp::release_abandoned(CallId call_id) { impl_->release_abandoned(call_id); }
void SimGvp::transfer(CallId call_id, const std::string& destination) { impl_->transfer(call_id, destination); }
void SimGvp::stop() { impl_->stop(); }
void SimGvp::on_session(std::function<void(const GvpSession&)> observer) { impl_->on_session(std::move(observer)); }
std::size_t SimGvp::calls_in_progress() const { return impl_->calls_in_progress(); }
const SimDriverStats& SimGvp::stats() const { return impl_->stats(); }

}  // namespace outbound::sim
