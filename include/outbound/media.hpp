// outbound — call audio: G.711, WAV files, prompts, call-progress tones and
// answering-machine detection.
//
// Everything here works on 8 kHz, 16-bit linear frames of 20 ms (160 samples),
// the unit an RTP endpoint receives. Nothing reads a clock or does I/O except
// the WAV functions: time is the number of samples fed, so the simulator, the
// `outbound amd` command and a SIP driver get the same answers from the same
// audio. Detectors are not thread-safe: one per call, fed from one thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "outbound/call.hpp"
#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound::media {

/// Samples per second of every frame.
inline constexpr int kSampleRate = 8000;
/// Milliseconds per frame.
inline constexpr int kFrameMs = 20;
/// Samples per frame (20 ms at 8 kHz).
inline constexpr int kFrameSamples = kSampleRate * kFrameMs / 1000;

/// One frame of linear PCM; detectors accept any length but are tuned for kFrameSamples.
using Frame = std::span<const std::int16_t>;

// --- G.711 ------------------------------------------------------------------

/// The two G.711 companding laws (RTP payload types 0 and 8).
enum class G711Law : int { ulaw = 0, alaw = 8 };

/// Encodes linear samples to G.711 bytes; `out` must be as long as `in`.
OB_API void g711_encode(G711Law law, std::span<const std::int16_t> in, std::span<std::uint8_t> out);
/// Decodes G.711 bytes to linear samples; `out` must be as long as `in`.
OB_API void g711_decode(G711Law law, std::span<const std::uint8_t> in, std::span<std::int16_t> out);
/// Encodes linear samples to a new vector of G.711 bytes.
OB_API std::vector<std::uint8_t> g711_encode(G711Law law, std::span<const std::int16_t> in);
/// Decodes G.711 bytes to a new vector of linear samples.
OB_API std::vector<std::int16_t> g711_decode(G711Law law, std::span<const std::uint8_t> in);

// --- WAV files and prompts ----------------------------------------------------

/// Mono 16-bit PCM audio at its own sample rate.
struct Pcm {
  int sample_rate = kSampleRate;       ///< 8000 or 16000
  std::vector<std::int16_t> samples;   ///< mono, linear
};

/// Reads an 8 or 16 kHz mono 16-bit PCM WAV file; throws Error(invalid_argument)
/// saying what is wrong (not RIFF, stereo, 24-bit, 44.1 kHz, truncated, empty…),
/// or Error(not_found) when the file cannot be opened.
OB_API Pcm read_wav(const std::string& path);
/// Parses WAV bytes as read_wav does; `name` prefixes the error messages.
OB_API Pcm parse_wav(std::span<const std::uint8_t> bytes, std::string_view name);
/// Writes mono 16-bit PCM as a WAV file (8 or 16 kHz); throws Error on failure.
OB_API void write_wav(const std::string& path, const Pcm& audio);
/// The audio at 8 kHz: 16 kHz is low-pass filtered and decimated (libsoxr), 8 kHz is copied.
OB_API std::vector<std::int16_t> to_8khz(const Pcm& audio);

/// Plays a prompt (the abandon message, the machine message) as 20 ms frames at 8 kHz.
class OB_API PromptPlayer {
 public:
  /// A prompt from 8 kHz samples.
  explicit PromptPlayer(std::vector<std::int16_t> samples_8khz);
  /// A prompt from an 8 or 16 kHz mono 16-bit WAV file (resampled to 8 kHz); throws as read_wav.
  static PromptPlayer from_wav(const std::string& path);
  /// Writes the next frame into `out` (the last one padded with silence); false once the prompt is over.
  bool next_frame(std::span<std::int16_t, kFrameSamples> out);
  /// True when every frame has been played.
  bool done() const noexcept { return position_ >= samples_.size(); }
  /// Starts again from the beginning.
  void rewind() noexcept { position_ = 0; }
  /// Length of the prompt in ms.
  int duration_ms() const noexcept { return static_cast<int>(samples_.size() * 1000 / kSampleRate); }
  /// Number of frames the whole prompt takes.
  std::size_t frame_count() const noexcept { return (samples_.size() + kFrameSamples - 1) / kFrameSamples; }

 private:
  std::vector<std::int16_t> samples_;
  std::size_t position_ = 0;
};

// --- call-progress tones -------------------------------------------------------

/// A special information tone by its Bellcore segment code.
enum class SitCode : int {
  intercept = 0,             ///< IC: number changed or disconnected (low-short, low-short)
  no_circuit = 1,            ///< NC: no circuit, intra-LATA (high-long, high-long)
  no_circuit_interlata = 2,  ///< NC': no circuit, inter-LATA carrier (low-long, low-long)
  vacant_code = 3,           ///< VC: vacant code (high-long, low-short)
  reorder = 4,               ///< RO: reorder, intra-LATA (low-short, high-long)
  reorder_interlata = 5,     ///< RO': reorder, inter-LATA carrier (high-short, low-long)
  ineffective_other = 6,     ///< IO: ineffective other, e.g. a misdialed number (low-long, high-short)
  unknown = 7,               ///< a tri-tone with an unassigned pattern (e.g. high-short, high-short)
};

/// Short name of a SIT code ("vacant_code").
OB_API std::string_view to_string(SitCode code) noexcept;
/// The OCS call result for a SIT: no circuit 15, reorder 16, vacant 12, intercept 13, invalid number 11, unknown 14.
OB_API CallResult sit_call_result(SitCode code) noexcept;

/// What a tone detector heard.
enum class ToneKind : int {
  sit = 0,      ///< a special information tone (see SitCode)
  fax_cng = 1,  ///< a calling fax: 1100 Hz bursts
  fax_ced = 2,  ///< an answering fax or modem: 2100 Hz (CED/ANS)
  dtmf = 3,     ///< a DTMF digit
};

/// One tone heard, in band or as an RFC 4733 telephone event.
struct ToneEvent {
  ToneKind kind = ToneKind::sit;     ///< what was heard
  SitCode sit = SitCode::unknown;    ///< for sit
  char digit = 0;                    ///< for dtmf: '0'-'9', '*', '#', 'A'-'D'
  int at_ms = 0;                     ///< time since the detector started, at the end of the frame that completed it
};

/// An RFC 4733 telephone-event payload as the RTP layer received it.
struct TelephoneEvent {
  std::uint8_t event = 0;           ///< 0-9, 10 '*', 11 '#', 12-15 A-D, 32 ANS (CED), 36 CNG…
  bool end = false;                 ///< the E bit
  std::uint16_t duration = 0;       ///< in RTP timestamp units (8 kHz)
  std::uint32_t rtp_timestamp = 0;  ///< the packet's RTP timestamp: the same for every packet of one event
};

/// Which tones a CallProgressDetector listens for.
struct ToneOptions {
  bool sit = true;   ///< special information tones
  bool fax = true;   ///< CNG and CED
  bool dtmf = true;  ///< DTMF digits in band
};

/// Detects SIT, fax CNG/CED and DTMF in 8 kHz audio (spandsp), and turns RFC 4733
/// telephone events into the same ToneEvents. One per call; not thread-safe.
class OB_API CallProgressDetector {
 public:
  /// A detector for the tones in `options`.
  explicit CallProgressDetector(ToneOptions options = {});
  ~CallProgressDetector();
  CallProgressDetector(CallProgressDetector&&) noexcept;
  CallProgressDetector& operator=(CallProgressDetector&&) noexcept;
  /// Analyses the next frame; returns the tones it completed (usually none).
  std::vector<ToneEvent> feed(Frame frame);
  /// Accounts for `ms` of audio that never arrived (lost packets) as silence, so time
  /// stays right; returns the tones that completed meanwhile (a digit that ended just before).
  std::vector<ToneEvent> skip(int ms);
  /// Turns one telephone-event packet into a ToneEvent, once per event (repeats and
  /// end packets of the same event give nullopt, as do events we do not map).
  std::optional<ToneEvent> telephone_event(const TelephoneEvent& packet);
  /// Time fed so far, in ms.
  int elapsed_ms() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// --- answering-machine detection ---------------------------------------------

/// How an answer sounds; values match outbound::AnswerClass.
enum class AmdClass : int { live = 0, machine = 1, fax = 2, silence = 3, unknown = 4 };

/// Name of an AMD class ("live").
OB_API std::string_view to_string(AmdClass c) noexcept;

/// AMD settings, per campaign. Times in ms of audio after the answer.
struct AmdSettings {
  int initial_silence_ms = 2500;         ///< no voice this long after the answer: silence
  int max_greeting_ms = 1800;            ///< a greeting whose voice goes on this long after it began: machine
  int after_greeting_silence_ms = 680;   ///< quiet this long after a shorter greeting: live (the live callee's wait)
  int min_word_ms = 100;                 ///< voice shorter than this does not start a greeting (clicks, pops)
  int between_words_ms = 140;            ///< silence that separates two words
  int max_words = 5;                     ///< more words than this in the greeting: machine
  int max_decision_ms = 5000;            ///< undecided this long: machine if still talking, else unknown
  double voice_threshold_db = 9.0;       ///< voice is this far above the noise floor (dB)
  double min_voice_dbfs = -50.0;         ///< nothing quieter than this is voice (dB full scale)
  bool detect_tones = true;              ///< fax CNG/CED gives fax, a SIT gives machine (see AmdDecision::sit)
  int beep_min_ms = 160;                 ///< a steady tone this long is a beep
  int beep_max_ms = 2500;                ///< a steady tone longer than this is not a beep
  int after_beep_silence_ms = 300;       ///< silence after the beep before the message may play
  int no_beep_silence_ms = 2000;         ///< with no beep, silence after the greeting before the message may play
  int max_message_wait_ms = 30000;       ///< play the message by this time whatever was heard

  /// Throws Error(invalid_argument) naming the first setting out of range.
  OB_API void validate() const;
};

/// Reads AmdSettings from a JSON object whose keys are the field names above (missing
/// keys keep their defaults); throws Error(invalid_argument) on bad JSON, unknown keys
/// or values out of range.
OB_API AmdSettings amd_settings_from_json(std::string_view json);
/// The settings as a JSON object (every field).
OB_API std::string to_json(const AmdSettings& settings);
/// `base` with a campaign's AMD settings laid over it (its zero fields keep base's values).
OB_API AmdSettings amd_settings_for(const CampaignAudio& campaign, AmdSettings base);

/// The verdict on an answer.
struct AmdDecision {
  AmdClass cls = AmdClass::unknown;  ///< live, machine, fax, silence or unknown
  int decision_ms = 0;               ///< audio time when it was made, from the first frame
  std::string_view reason;           ///< static text: "short greeting then silence", "long greeting"…
  std::optional<SitCode> sit;        ///< set when a SIT decided it (class machine)
  int greeting_start_ms = -1;        ///< where voice began (-1: none)
  int greeting_end_ms = -1;          ///< where the greeting's last word ended, if it had (-1: not yet)
};

/// A beep: a steady tone of a single frequency (the voicemail "record after the tone").
struct Beep {
  int start_ms = 0;           ///< when it began
  int end_ms = 0;             ///< when it ended
  double frequency_hz = 0.0;  ///< its pitch
};

/// Classifies the first seconds after an answer as live, machine, fax, silence or
/// unknown, from energy, voice activity and cadence, plus fax and SIT tones; then,
/// for a machine, says when to leave a message (after the beep). One per call.
class OB_API AmdDetector {
 public:
  /// A detector with validated settings (throws Error(invalid_argument) otherwise).
  explicit AmdDetector(const AmdSettings& settings = {});
  ~AmdDetector();
  AmdDetector(AmdDetector&&) noexcept;
  AmdDetector& operator=(AmdDetector&&) noexcept;
  /// Analyses the next frame; returns the decision on the frame that makes it, nullopt on every other.
  std::optional<AmdDecision> feed(Frame frame);
  /// Feeds an RFC 4733 telephone event (fax tones decide at once); returns a decision if it made one.
  std::optional<AmdDecision> telephone_event(const TelephoneEvent& packet);
  /// The audio ended (hang-up, end of file): decides with what was heard, if not decided yet.
  AmdDecision finish();
  /// The decision, once made.
  const std::optional<AmdDecision>& decision() const noexcept;
  /// Beeps heard so far (kept running after the decision).
  const std::vector<Beep>& beeps() const noexcept;
  /// For a machine: the time at which a message may start (after the beep and its silence,
  /// or a long silence, or max_message_wait_ms), once reached; nullopt until then.
  std::optional<int> message_start_ms() const noexcept;
  /// Time fed so far, in ms.
  int elapsed_ms() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Classifies a whole recording, as if it were the audio after an answer (what
/// `outbound amd FILE.wav` prints); the audio is converted to 8 kHz first.
OB_API AmdDecision classify(const Pcm& audio, const AmdSettings& settings = {});

}  // namespace outbound::media
