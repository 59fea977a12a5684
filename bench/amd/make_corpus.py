#!/usr/bin/python3
"""Generates the labelled AMD corpus: live answers, answering-machine greetings
(with and without a beep), fax tones, silence, and SITs followed by an
announcement, as 8 kHz mono 16-bit WAV files, with espeak-ng and sox.

    bench/amd/make_corpus.py OUT_DIR [--count-scale S] [--jobs N]

Writes OUT_DIR/clips/*.wav and OUT_DIR/manifest.json (one entry a clip: its
label, its dev/test split, where the greeting ends, where the beep is...).
Deterministic: fixed espeak-ng parameters, a seeded random plan, sox in
repeatable mode (-R) without dither (-D), so every run writes the same bytes.
The split is by a hash of the clip's id, so adding clips never moves others.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import subprocess
import sys
import wave

RATE = 8000
SOX = ["sox", "-D", "-R", "-V1"]

VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbcwmd", "en-gb-x-gbclan"]
VARIANTS = ["", "+m1", "+m3", "+m7", "+f1", "+f2", "+f3", "+f4", "+klatt", "+m2", "+f5"]
NAMES = ["Mary", "John", "Sarah", "David", "Karen", "Michael", "Linda", "James", "Patricia", "Robert",
         "Jennifer Lopez", "Tom Baker", "Angela", "Chris", "Priya", "Mohammed", "Elena", "Steve"]
COMPANIES = ["Acme Plumbing", "Northside Dental", "the Law Office of Miller and Grant", "Sunrise Realty",
             "City Auto Repair", "Green Valley Insurance"]

LIVE_PHRASES = ["Hello?", "Hello.", "Yes?", "Hi.", "Yeah, hello?", "Hello, this is {name}.", "Hi, this is {name}.",
                "Good morning.", "Speaking.", "Hello, who's calling?", "Yes, hello?", "Hi there.",
                "{name} speaking.", "Hello, {name} here.", "Good afternoon.", "Hey.", "Hello, yes?", "Yep?"]
MACHINE_OPENERS = ["Hi, you've reached {name}.", "Hello, you have reached the voicemail of {name}.",
                   "You have reached the {name} residence.", "Thank you for calling {company}.",
                   "The person you are trying to reach is not available.", "Hey, it's {name}.",
                   "Hi, this is {name}.", "Welcome to the voice mailbox of {name}."]
HELLO_OPENERS = ["Hello. You've reached {name}.", "Hello, this is {name}.", "Hello! Sorry I missed you.",
                 "Hello, you have reached {company}."]
MACHINE_MIDDLES = ["I can't come to the phone right now.", "We are not available to take your call at the moment.",
                   "Sorry I missed your call.", "I'm either on the other line or away from my desk.",
                   "Our office is currently closed. Our business hours are Monday through Friday, nine to five.",
                   "If this is an emergency, please hang up and dial nine one one.",
                   "I am out of the office until Monday and will have limited access to email.",
                   "For sales, press one. For support, press two. Otherwise, stay on the line."]
MACHINE_CLOSERS = ["Please leave a message after the tone.", "Leave your name and number and I'll call you back.",
                   "At the tone, please record your message. When you have finished recording, you may hang up.",
                   "Please leave your name, number and a brief message, and we will return your call as soon as possible.",
                   "Thanks, bye!", "Leave a message."]
ANNOUNCEMENTS = ["We're sorry, the number you have dialed is not in service. Please check the number and dial again.",
                 "Your call cannot be completed as dialed. Please check the number and try again.",
                 "All circuits are busy now. Please try your call again later.",
                 "The number you have reached has been disconnected.",
                 "We're sorry, your call did not go through. Will you please try your call again."]

# Bellcore SIT segments: (first high?, first long?, second high?, second long?) -> code
SIT_CODES = {"intercept": (0, 0, 0, 0), "no_circuit": (1, 1, 1, 1), "no_circuit_interlata": (0, 1, 0, 1),
             "vacant_code": (1, 1, 0, 0), "reorder": (0, 0, 1, 1), "reorder_interlata": (1, 0, 0, 1),
             "ineffective_other": (0, 1, 1, 0), "unknown": (1, 0, 1, 0)}
SIT_RESULTS = {"intercept": 13, "no_circuit": 15, "no_circuit_interlata": 15, "vacant_code": 12, "reorder": 16,
               "reorder_interlata": 16, "ineffective_other": 11, "unknown": 14}

SNRS = [None, None, 30, 20, 15, 10]   # a callee's room: down to 10 dB
LINE_SNRS = [None, 40, 30, 25, 20]     # tones from network equipment or a fax: line noise only
NOISES = ["whitenoise", "pinknoise", "brownnoise"]
CODECS = [None, "u-law", "a-law"]


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def samples(path):
    with wave.open(path) as w:
        return w.getnframes()


def ms(n):
    return int(round(n * 1000 / RATE))


def split_of(clip_id):
    """Stable split: half the clips by a hash of their id go to test."""
    return "test" if int(hashlib.sha1(clip_id.encode()).hexdigest()[:8], 16) % 2 else "dev"


class Builder:
    def __init__(self, out):
        self.out = out
        self.tmp = os.path.join(out, "tmp")
        self.clips = os.path.join(out, "clips")
        os.makedirs(self.tmp, exist_ok=True)
        os.makedirs(self.clips, exist_ok=True)

    def noise_master(self, color):
        """120 s of one colour of noise, the same every run (sox -R)."""
        path = os.path.join(self.tmp, f"master-{color}.wav")
        if not os.path.exists(path):
            run(SOX + ["-n", "-r", str(RATE), "-c", "1", "-b", "16", path, "synth", "120", color, "vol", "0.3"])
        return path

    def speech(self, key, text, voice, speed, pitch):
        """espeak-ng speech at 8 kHz, trimmed of its leading and trailing silence."""
        raw = os.path.join(self.tmp, f"{key}-raw.wav")
        path = os.path.join(self.tmp, f"{key}.wav")
        run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", raw, text])
        run(SOX + [raw, "-r", str(RATE), "-c", "1", "-b", "16", path,
                   "silence", "1", "0.01", "0.2%", "reverse", "silence", "1", "0.01", "0.2%", "reverse"])
        os.remove(raw)
        return path

    def silence(self, key, seconds):
        path = os.path.join(self.tmp, f"{key}.wav")
        run(SOX + ["-n", "-r", str(RATE), "-c", "1", "-b", "16", path, "trim", "0", f"{seconds:.3f}"])
        return path

    def tone(self, key, spec):
        """spec: list of (seconds, frequency or 0 for silence, amplitude)."""
        parts = []
        for i, (sec, hz, amp) in enumerate(spec):
            p = os.path.join(self.tmp, f"{key}-t{i}.wav")
            if hz:
                run(SOX + ["-n", "-r", str(RATE), "-c", "1", "-b", "16", p, "synth", f"{sec:.4f}", "sine", f"{hz:.2f}",
                           "vol", f"{amp:.4f}"])
            else:
                run(SOX + ["-n", "-r", str(RATE), "-c", "1", "-b", "16", p, "trim", "0", f"{sec:.4f}"])
            parts.append(p)
        path = os.path.join(self.tmp, f"{key}.wav")
        run(SOX + parts + [path])
        for p in parts:
            os.remove(p)
        return path

    def finish(self, clip, parts, gain_db, snr, noise, codec):
        """Concatenates the parts, sets the level, adds noise at an SNR (against the
        speech or tone level) and passes the result through G.711 if asked."""
        key = clip["id"]
        clean = os.path.join(self.tmp, f"{key}-clean.wav")
        run(SOX + parts + [clean, "gain", f"{gain_db:.1f}"])
        cur = clean
        n = samples(clean)
        if snr is not None:
            level = rms_db(clip["_level_ref"], gain_db)
            master = self.noise_master(noise)
            offset = (int(hashlib.sha1(key.encode()).hexdigest()[:6], 16) % 100000) / 1000.0
            noisy = os.path.join(self.tmp, f"{key}-noisy.wav")
            noise_gain = level - snr - rms_db(master, 0.0)
            seg = os.path.join(self.tmp, f"{key}-noise.wav")
            run(SOX + [master, seg, "trim", f"{offset:.3f}", f"{n / RATE:.4f}", "gain", f"{noise_gain:.2f}"])
            run(SOX + ["-m", "-v", "1", cur, "-v", "1", seg, noisy])
            os.remove(seg)
            cur = noisy
        final = os.path.join(self.clips, f"{key}.wav")
        if codec:
            coded = os.path.join(self.tmp, f"{key}-coded.wav")
            run(SOX + [cur, "-e", codec, "-t", "wav", coded])
            run(SOX + [coded, "-e", "signed-integer", "-b", "16", final])
            os.remove(coded)
        else:
            run(SOX + [cur, final])
        for p in set([clean, cur]):
            if p != final and os.path.exists(p):
                os.remove(p)
        clip.update(file=f"clips/{key}.wav", gain_db=gain_db, snr_db=snr, noise=noise if snr is not None else None,
                    codec=codec, duration_ms=ms(samples(final)))


def rms_db(path, gain_db):
    out = subprocess.run(SOX + [path, "-n", "stats"], check=True, capture_output=True, text=True).stderr
    for line in out.splitlines():
        if line.startswith("RMS lev dB"):
            return float(line.split()[3]) + gain_db
    raise RuntimeError("no RMS level from sox stats for " + path)


def voice_of(rng):
    return rng.choice(VOICES) + rng.choice(VARIANTS), rng.randint(130, 190), rng.randint(35, 70)


def fill(rng, text):
    return text.format(name=rng.choice(NAMES), company=rng.choice(COMPANIES))


def make_live(b, i, rng):
    clip = {"id": f"live-{i:03d}", "label": "live", "expect": "live"}
    voice, speed, pitch = voice_of(rng)
    text = fill(rng, rng.choice(LIVE_PHRASES))
    sp = b.speech(clip["id"] + "-s", text, voice, speed, pitch)
    lead = rng.choice([0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.3, 1.6, 2.0])
    parts = [b.silence(clip["id"] + "-lead", lead), sp]
    start = int(lead * 1000)
    end = start + ms(samples(sp))
    # Some people say "Hello?" again when nobody answers them.
    again = rng.random() < 0.3
    if again:
        parts += [b.silence(clip["id"] + "-gap", rng.uniform(2.0, 3.0)),
                  b.speech(clip["id"] + "-s2", "Hello?", voice, speed, pitch)]
    parts.append(b.silence(clip["id"] + "-tail", 4.5))
    clip.update(text=text, voice=voice, speed=speed, pitch=pitch, greeting_start_ms=start, greeting_end_ms=end,
                beep=None, said_again=again, _level_ref=sp)
    return clip, parts


def machine_text(rng, hello):
    opener = fill(rng, rng.choice(HELLO_OPENERS if hello else MACHINE_OPENERS))
    middles = rng.sample(MACHINE_MIDDLES, rng.randint(0, 3))
    return " ".join([opener] + middles + [rng.choice(MACHINE_CLOSERS)])


def make_machine(b, i, rng):
    clip = {"id": f"machine-{i:03d}", "label": "machine", "expect": "machine"}
    voice, speed, pitch = voice_of(rng)
    hello = rng.random() < 0.3
    # A few greetings open with "Hello?" and a real pause, as a person would: the hardest case.
    fake_live = hello and rng.random() < 0.25
    for _ in range(20):  # greetings of 4 to 25 s
        text = machine_text(rng, hello)
        sp = b.speech(clip["id"] + "-s", text, voice, speed, pitch)
        dur = samples(sp) / RATE
        if 4.0 <= dur <= 25.0:
            break
    lead = rng.choice([0.1, 0.2, 0.4, 0.7, 1.0, 1.2])
    parts = [b.silence(clip["id"] + "-lead", lead)]
    start = int(lead * 1000)
    hello_pause = None
    if fake_live:
        hello_pause = rng.uniform(0.6, 1.2)
        parts += [b.speech(clip["id"] + "-h", "Hello?", voice, speed, pitch),
                  b.silence(clip["id"] + "-hp", hello_pause)]
        text = "Hello? ... " + text
    parts.append(sp)
    end = start + sum(ms(samples(p)) for p in parts[1:])
    beep = None
    if rng.random() < 0.6:
        gap = rng.uniform(0.3, 0.8)
        hz = rng.choice([1000, 850, 1400, 440, 950, 1200, 2000, 700])
        length = rng.choice([0.2, 0.3, 0.45, 0.6, 1.0])
        parts += [b.silence(clip["id"] + "-bg", gap), b.tone(clip["id"] + "-beep", [(length, hz, 0.25)])]
        bs = end + int(gap * 1000)
        beep = {"start_ms": bs, "end_ms": bs + int(length * 1000), "hz": hz}
    parts.append(b.silence(clip["id"] + "-tail", 3.0))
    clip.update(text=text, voice=voice, speed=speed, pitch=pitch, greeting_start_ms=start, greeting_end_ms=end,
                beep=beep, hello_opener=hello, pause_after_hello=fake_live,
                hello_pause_ms=int(hello_pause * 1000) if fake_live else None, _level_ref=sp)
    return clip, parts


def make_fax(b, i, rng):
    clip = {"id": f"fax-{i:03d}", "label": "fax", "expect": "fax"}
    lead = rng.choice([0.1, 0.3, 0.6, 1.0, 1.5])
    amp = rng.choice([0.08, 0.15, 0.3])
    if i % 3 == 2:  # an answering fax: CED, 2100 Hz for 2.6 to 4 s
        spec = [(lead, 0, 0), (rng.uniform(2.6, 4.0), 2100, amp), (3.0, 0, 0)]
        clip["tone"] = "ced"
    else:  # a calling fax: CNG, 1100 Hz for 0.5 s every 3.5 s
        spec = [(lead, 0, 0)] + [(0.5, 1100, amp), (3.0, 0, 0)] * 3
        clip["tone"] = "cng"
    tone = b.tone(clip["id"] + "-tone", spec)
    clip.update(greeting_start_ms=int(lead * 1000), beep=None, _level_ref=tone)
    return clip, [tone]


def make_sit(b, i, rng):
    code = list(SIT_CODES)[i % len(SIT_CODES)]
    clip = {"id": f"sit-{i:03d}", "label": "sit", "expect": "machine", "sit": code, "sit_result": SIT_RESULTS[code]}
    h1, l1, h2, l2 = SIT_CODES[code]
    jitter = lambda: rng.uniform(0.97, 1.03)
    amp = rng.choice([0.06, 0.1, 0.18])
    lead = rng.choice([0.1, 0.3, 0.5, 0.9])
    spec = [(lead, 0, 0),
            ((0.380 if l1 else 0.276) * jitter(), (985.2 if h1 else 913.8) * rng.uniform(0.999, 1.001), amp),
            ((0.380 if l2 else 0.276) * jitter(), (1428.5 if h2 else 1370.6) * rng.uniform(0.999, 1.001), amp),
            (0.380 * jitter(), 1776.7 * rng.uniform(0.999, 1.001), amp),
            (rng.uniform(0.05, 0.3), 0, 0)]
    tone = b.tone(clip["id"] + "-tone", spec)
    voice, speed, pitch = voice_of(rng)
    ann = b.speech(clip["id"] + "-ann", rng.choice(ANNOUNCEMENTS), voice, speed, pitch)
    clip.update(greeting_start_ms=int(lead * 1000), beep=None, _level_ref=ann)
    return clip, [tone, ann, b.silence(clip["id"] + "-tail", 1.0)]


def make_silence(b, i, rng):
    clip = {"id": f"silence-{i:03d}", "label": "silence", "expect": "silence"}
    kind = ["digital", "line_noise", "hum", "clicks"][i % 4]
    if kind == "digital":
        parts = [b.silence(clip["id"] + "-z", 6.0)]
    elif kind == "line_noise":
        p = os.path.join(b.tmp, clip["id"] + "-n.wav")
        seg = os.path.join(b.tmp, clip["id"] + "-ns.wav")
        run(SOX + [b.noise_master(rng.choice(NOISES)), seg, "trim", f"{rng.uniform(0, 100):.3f}", "6"])
        run(SOX + [seg, p, "gain", f"{rng.uniform(-40, -25):.1f}"])
        os.remove(seg)
        parts = [p]
    elif kind == "hum":
        parts = [b.tone(clip["id"] + "-hum", [(6.0, rng.choice([50, 60]), rng.choice([0.003, 0.01]))])]
    else:  # a few clicks and breaths of 10-40 ms in silence
        spec = []
        for _ in range(4):
            spec += [(rng.uniform(0.8, 1.4), 0, 0), (rng.uniform(0.01, 0.04), rng.choice([300, 800, 2500]), 0.05)]
        spec.append((1.0, 0, 0))
        parts = [b.tone(clip["id"] + "-clicks", spec)]
    clip.update(kind=kind, beep=None, _level_ref=None)
    return clip, parts


def build_one(b, maker, i, seed):
    rng = random.Random(f"{seed}-{maker.__name__}-{i}")
    clip, parts = maker(b, i, rng)
    clip["split"] = split_of(clip["id"])
    snr = noise = None
    codec = CODECS[i % len(CODECS)]
    gain = rng.choice([-12.0, -6.0, -3.0, 0.0, 3.0])
    if clip["label"] in ("live", "machine"):
        snr = rng.choice(SNRS)
        noise = rng.choice(NOISES)
    elif clip["label"] in ("sit", "fax"):
        snr = rng.choice(LINE_SNRS)
        noise = rng.choice(NOISES)
    if clip["label"] == "silence":
        gain = 0.0
    b.finish(clip, parts, gain, snr, noise, codec)
    for p in parts:
        if os.path.exists(p):
            os.remove(p)
    clip.pop("_level_ref", None)
    return clip


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--count-scale", type=float, default=1.0, help="scale every class's count (tests use less)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", default="outbound-amd-1")
    args = ap.parse_args()
    counts = {make_live: 160, make_machine: 140, make_fax: 36, make_sit: 40, make_silence: 32}
    b = Builder(args.out)
    for color in NOISES:
        b.noise_master(color)
    jobs = [(maker, i) for maker, n in counts.items() for i in range(max(1, int(round(n * args.count_scale))))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        clips = list(pool.map(lambda j: build_one(b, j[0], j[1], args.seed), jobs))
    clips.sort(key=lambda c: c["id"])
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"seed": args.seed, "rate": RATE, "clips": clips}, f, indent=1, sort_keys=True)
    by = {}
    for c in clips:
        by.setdefault((c["label"], c["split"]), 0)
        by[(c["label"], c["split"])] += 1
    print(f"{len(clips)} clips in {args.out}/clips: " +
          ", ".join(f"{k[0]}/{k[1]} {v}" for k, v in sorted(by.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
