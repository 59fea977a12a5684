// The spandsp headers we use, in the order they need: they are C headers that
// rely on size_t, complexf_t and top_bit() being declared before them, and
// telephony.h redefines lrint() & co. as macros unless <cmath> came first.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/complex.h>
#include <spandsp/g711.h>
#include <spandsp/logging.h>
#include <spandsp/tone_detect.h>
#include <spandsp/super_tone_rx.h>
#include <spandsp/dtmf.h>
#include <spandsp/modem_connect_tones.h>
