// What the SIP driver hears on one call (private to lib/sip): RTP packets put
// back in order (a short reorder window absorbs jitter; a packet that never
// comes counts as lost audio, a late one is dropped), decoded from G.711 and
// fed to the call-progress detector (SIT in early media, DTMF at any time,
// RFC 4733 events too) and, after the answer, to the answering-machine
// detector. Runs on the driver's thread; one per call.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "outbound/call.hpp"
#include "outbound/media.hpp"
#include "rtp.hpp"

namespace outbound::sip {

/// What one packet (or the lost audio before it) brought.
struct Heard {
  std::optional<media::SitCode> sit;        ///< a SIT completed
  std::optional<media::AmdDecision> amd;    ///< the AMD decision, on the frame that made it
  std::vector<char> digits;                 ///< DTMF digits, in band or RFC 4733
  bool message_may_start = false;           ///< a machine's beep (and the silence after it) has passed
};

/// Counters of one call's audio.
struct AudioCounts {
  long frames = 0;   ///< frames fed to the detectors
  long lost = 0;     ///< frames that never came (fed as silence)
  long late = 0;     ///< packets that came after their turn (dropped)
};

/// One call's audio analysis.
class CallAudio {
 public:
  /// `amd`: the campaign's settings (validated by the driver's config check).
  CallAudio(AmdMode mode, const media::AmdSettings& amd);

  /// Takes one G.711 packet (payload type 0 or 8).
  Heard on_audio(const RtpPacket& p);
  /// Takes one RFC 4733 telephone-event packet.
  Heard on_event(const RtpPacket& p);
  /// The call was answered: from now on AMD listens (when the mode asks for it).
  void answered();
  /// No decision in time (no audio): decides on what was heard.
  media::AmdDecision finish();
  /// The AMD decision, once made.
  const std::optional<media::AmdDecision>& decision() const;
  /// For a machine: when its message may start (ms of audio after the answer), once known.
  std::optional<int> message_start_ms() const { return amd_ ? amd_->message_start_ms() : std::nullopt; }
  /// Audio heard since the answer, in ms.
  int since_answer_ms() const { return amd_ ? amd_->elapsed_ms() : 0; }
  /// Counters so far.
  const AudioCounts& counts() const noexcept { return counts_; }

 private:
  void feed(const std::vector<std::uint8_t>& g711, int payload_type, Heard& out);
  void lose_one(Heard& out);
  void tones(const std::vector<media::ToneEvent>& events, Heard& out);
  void after_answer(media::Frame frame, Heard& out);

  AmdMode mode_;
  media::CallProgressDetector progress_;
  std::optional<media::AmdDetector> amd_;  // made at the answer
  media::AmdSettings settings_;
  bool answered_ = false;
  bool reported_message_ = false;
  bool have_seq_ = false;
  std::uint16_t next_seq_ = 0;             // the sequence number due next
  std::map<std::uint16_t, std::pair<int, std::vector<std::uint8_t>>> waiting_;  // by distance from next_seq_
  int last_pt_ = 0;
  AudioCounts counts_;
};

}  // namespace outbound::sip
