// G.711 µ-law and A-law, sample by sample with spandsp's table-free codecs.
#include "outbound/error.hpp"
#include "outbound/media.hpp"
#include "spandsp.hpp"

namespace outbound::media {

namespace {
void check_sizes(std::size_t in, std::size_t out) {
  if (out < in)
    throw Error(ErrorCode::invalid_argument,
                "G.711: output holds " + std::to_string(out) + " samples, input has " + std::to_string(in));
}
}  // namespace

void g711_encode(G711Law law, std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  check_sizes(in.size(), out.size());
  for (std::size_t i = 0; i < in.size(); ++i)
    out[i] = law == G711Law::ulaw ? linear_to_ulaw(in[i]) : linear_to_alaw(in[i]);
}

void g711_decode(G711Law law, std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  check_sizes(in.size(), out.size());
  for (std::size_t i = 0; i < in.size(); ++i)
    out[i] = law == G711Law::ulaw ? ulaw_to_linear(in[i]) : alaw_to_linear(in[i]);
}

std::vector<std::uint8_t> g711_encode(G711Law law, std::span<const std::int16_t> in) {
  std::vector<std::uint8_t> out(in.size());
  g711_encode(law, in, out);
  return out;
}

std::vector<std::int16_t> g711_decode(G711Law law, std::span<const std::uint8_t> in) {
  std::vector<std::int16_t> out(in.size());
  g711_decode(law, in, out);
  return out;
}

}  // namespace outbound::media
