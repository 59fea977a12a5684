// Call-progress tones with spandsp: SITs through the supervisory tone
// detector (one pattern per segment combination), fax CNG and CED through the
// modem connect-tone detectors, DTMF through the DTMF receiver; and RFC 4733
// telephone events mapped onto the same ToneEvents.
#include <algorithm>

#include "frame_analysis.hpp"
#include "outbound/error.hpp"
#include "outbound/media.hpp"
#include "sit.hpp"
#include "spandsp.hpp"

namespace outbound::media {

namespace {

// Segment lengths accepted as short or long: the nominal 276 / 380 ms +-5 %,
// widened by the detector's 16 ms blocks and a block either side at each edge.
constexpr int kShortMinMs = 200, kShortMaxMs = 328, kLongMinMs = 329, kLongMaxMs = 480;
constexpr int kThirdMinMs = 300;  // reported once the third segment has lasted this long

// RFC 4733 events for fax and modem tones (RFC 4734 section 2).
// 32 ANS (CED), 33 /ANS, 34 ANSam, 35 /ANSam: an answering fax or modem; 36 CNG: a calling fax.
constexpr int kEventAns = 32, kEventAnsamReversed = 35, kEventCng = 36;

}  // namespace

struct CallProgressDetector::State {
  ToneOptions options;
  long samples = 0;
  std::vector<ToneEvent> pending;  // filled by the spandsp callbacks during one feed
  super_tone_rx_descriptor_t* sit_desc = nullptr;
  super_tone_rx_state_t* sit_rx = nullptr;
  std::array<SitCode, 16> sit_codes{};  // spandsp tone id -> SIT code
  modem_connect_tones_rx_state_t* cng_rx = nullptr;
  modem_connect_tones_rx_state_t* ced_rx = nullptr;
  dtmf_rx_state_t* dtmf = nullptr;
  std::optional<std::pair<std::uint32_t, std::uint8_t>> last_event;  // RFC 4733 (timestamp, event) last reported
  // Every tone we listen for is above 650 Hz; hum and rumble below the voice
  // band would otherwise swamp spandsp's tone-to-total energy tests.
  std::array<detail::Biquad, 2> high_pass{detail::Biquad::high_pass(250.0, 0.5412),
                                          detail::Biquad::high_pass(250.0, 1.3066)};
  std::vector<std::int16_t> filtered;

  int now_ms() const { return static_cast<int>(samples * 1000 / kSampleRate); }

  explicit State(ToneOptions o) : options(o) {
    if (options.sit) build_sit();
    if (options.fax) {
      cng_rx = modem_connect_tones_rx_init(nullptr, MODEM_CONNECT_TONES_FAX_CNG, &State::on_fax, this);
      ced_rx = modem_connect_tones_rx_init(nullptr, MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE, &State::on_fax, this);
      if (!cng_rx || !ced_rx) throw Error(ErrorCode::generic, "spandsp: cannot start the fax tone detectors");
    }
    if (options.dtmf) {
      dtmf = dtmf_rx_init(nullptr, &State::on_digits, this);
      if (!dtmf) throw Error(ErrorCode::generic, "spandsp: cannot start the DTMF receiver");
    }
  }

  ~State() {
    if (sit_rx) super_tone_rx_free(sit_rx);
    if (sit_desc) super_tone_rx_free_descriptor(sit_desc);
    if (cng_rx) modem_connect_tones_rx_free(cng_rx);
    if (ced_rx) modem_connect_tones_rx_free(ced_rx);
    if (dtmf) dtmf_rx_free(dtmf);
  }

  // One supervisory-tone pattern for each of the 16 combinations of the first
  // two segments, so an unassigned combination is still heard (as unknown).
  void build_sit() {
    sit_desc = super_tone_rx_make_descriptor(nullptr);
    if (!sit_desc) throw Error(ErrorCode::generic, "spandsp: cannot build the SIT descriptor");
    for (const auto& p : sit::all_patterns()) {
      int id = super_tone_rx_add_tone(sit_desc);
      add_segment(id, p[0].high ? sit::kFirstHighHz : sit::kFirstLowHz, p[0].longer);
      add_segment(id, p[1].high ? sit::kSecondHighHz : sit::kSecondLowHz, p[1].longer);
      super_tone_rx_add_element(sit_desc, id, sit::kThirdHz, 0, kThirdMinMs, kLongMaxMs);
      sit_codes.at(static_cast<std::size_t>(id)) = sit::code_of(p[0], p[1]);
    }
    sit_rx = super_tone_rx_init(nullptr, sit_desc, &State::on_sit, this);
    if (!sit_rx) throw Error(ErrorCode::generic, "spandsp: cannot start the SIT detector");
  }
  void add_segment(int id, int hz, bool longer) {
    super_tone_rx_add_element(sit_desc, id, hz, 0, longer ? kLongMinMs : kShortMinMs,
                              longer ? kLongMaxMs : kShortMaxMs);
  }

  static void on_sit(void* user, int code, int, int) {
    auto* s = static_cast<State*>(user);
    if (code < 0 || code >= static_cast<int>(s->sit_codes.size())) return;  // -1: the tone ended
    s->pending.push_back(ToneEvent{ToneKind::sit, s->sit_codes[static_cast<std::size_t>(code)], 0, s->now_ms()});
  }
  static void on_fax(void* user, int code, int, int) {
    auto* s = static_cast<State*>(user);
    if (code == MODEM_CONNECT_TONES_FAX_CNG)
      s->pending.push_back(ToneEvent{ToneKind::fax_cng, SitCode::unknown, 0, s->now_ms()});
    else if (code == MODEM_CONNECT_TONES_FAX_CED || code == MODEM_CONNECT_TONES_FAX_PREAMBLE)
      s->pending.push_back(ToneEvent{ToneKind::fax_ced, SitCode::unknown, 0, s->now_ms()});
  }
  static void on_digits(void* user, const char* digits, int len) {
    auto* s = static_cast<State*>(user);
    for (int i = 0; i < len; ++i) s->pending.push_back(ToneEvent{ToneKind::dtmf, SitCode::unknown, digits[i], s->now_ms()});
  }

  void run(const std::int16_t* in, int n) {
    samples += n;  // events are stamped at the end of the block that completed them
    filtered.resize(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < filtered.size(); ++i)
      filtered[i] = static_cast<std::int16_t>(std::clamp(high_pass[1].step(high_pass[0].step(in[i])), -32768.0, 32767.0));
    const std::int16_t* amp = filtered.data();
    if (sit_rx) super_tone_rx(sit_rx, amp, n);
    if (cng_rx) modem_connect_tones_rx(cng_rx, amp, n);
    if (ced_rx) modem_connect_tones_rx(ced_rx, amp, n);
    if (dtmf) dtmf_rx(dtmf, amp, n);
  }
};

CallProgressDetector::CallProgressDetector(ToneOptions options) : state_(std::make_unique<State>(options)) {}
CallProgressDetector::~CallProgressDetector() = default;
CallProgressDetector::CallProgressDetector(CallProgressDetector&&) noexcept = default;
CallProgressDetector& CallProgressDetector::operator=(CallProgressDetector&&) noexcept = default;

std::vector<ToneEvent> CallProgressDetector::feed(Frame frame) {
  state_->pending.clear();
  if (!frame.empty()) state_->run(frame.data(), static_cast<int>(frame.size()));
  return std::move(state_->pending);
}

std::vector<ToneEvent> CallProgressDetector::skip(int ms) {
  state_->pending.clear();
  // Lost audio is heard as silence: a tone cut by a gap must not be taken for a whole one.
  std::array<std::int16_t, kFrameSamples> zeros{};
  for (long left = static_cast<long>(std::max(ms, 0)) * kSampleRate / 1000; left > 0; left -= kFrameSamples)
    state_->run(zeros.data(), static_cast<int>(std::min<long>(left, kFrameSamples)));
  return std::move(state_->pending);
}

std::optional<ToneEvent> CallProgressDetector::telephone_event(const TelephoneEvent& packet) {
  // Every packet of one event carries the same timestamp (RFC 4733 2.5.1.2):
  // report the first that arrives, whether or not it is an end packet.
  auto key = std::make_pair(packet.rtp_timestamp, packet.event);
  if (state_->last_event == key) return std::nullopt;
  ToneEvent e{ToneKind::dtmf, SitCode::unknown, 0, state_->now_ms()};
  static constexpr char kDigits[] = "0123456789*#ABCD";
  if (packet.event < 16) {
    if (!state_->options.dtmf) return std::nullopt;
    e.digit = kDigits[packet.event];
  } else if (packet.event == kEventCng) {
    if (!state_->options.fax) return std::nullopt;
    e.kind = ToneKind::fax_cng;
  } else if (packet.event >= kEventAns && packet.event <= kEventAnsamReversed) {
    if (!state_->options.fax) return std::nullopt;
    e.kind = ToneKind::fax_ced;
  } else {
    return std::nullopt;
  }
  state_->last_event = key;
  return e;
}

int CallProgressDetector::elapsed_ms() const noexcept { return state_->now_ms(); }

}  // namespace outbound::media
