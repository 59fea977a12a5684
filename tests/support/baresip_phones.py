"""Phones for tests that place real SIP calls: baresip on 127.0.0.1, started in
a folder of its own and stopped by pid. Shared by the Python binding's SIP test
and serve's; each account auto-answers and plays a voice file.

Facts of Debian's baresip 1.0 this relies on: `net_interface 127.0.0.1` keeps
it on loopback, `answermode=auto` answers at once, and the log line
"baresip is ready." follows the accounts' setup."""
import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterator, Tuple


def _port_free(port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_ports(count: int) -> int:
    """`count` consecutive free ports on 127.0.0.1 (UDP and TCP)."""
    for _ in range(500):
        base = random.randrange(2000, 5990) * 10
        if all(_port_free(p) for p in range(base, base + count)):
            return base
    raise RuntimeError("no free ports")


def tools_env() -> Dict[str, str]:
    """This environment without a sanitizer runtime preloaded for our library (the ASan suite): espeak-ng hangs
    under a preloaded libasan, and baresip is not ours to check."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}


def make_voices(folder: Path) -> None:
    """hello.wav (a callee saying "Hello?" then silence) and talk.wav (an agent's 2 s tone), 8 kHz mono."""
    tool = {"check": True, "capture_output": True, "timeout": 60, "env": tools_env()}
    subprocess.run(["espeak-ng", "-w", str(folder / "raw.wav"), "Hello?"], **tool)
    subprocess.run(["sox", str(folder / "raw.wav"), "-r", "8000", "-c", "1", "-b", "16", str(folder / "hello.wav"),
                    "pad", "0.3", "30"], **tool)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(folder / "talk.wav"), "synth", "2", "sine",
                    "400"], **tool)


@contextlib.contextmanager
def phones(folder: Path, callees=("+12125550112",), agents=("a1",)) -> Iterator[Tuple[int, Path]]:
    """baresip in `folder` with auto-answering callees (saying hello.wav) and agents' phones (playing talk.wav);
    yields (its SIP port, folder). Calls it answers are recorded under folder/heard."""
    make_voices(folder)
    (folder / "heard").mkdir(exist_ok=True)
    port = free_ports(4)
    (folder / "config").write_text(
        f"sip_listen 127.0.0.1:{port}\nnet_interface 127.0.0.1\nmodule_path /usr/lib/baresip/modules\n"
        "module g711.so\nmodule aufile.so\nmodule sndfile.so\nmodule_app account.so\nmodule_app menu.so\n"
        f"audio_source aufile,{folder / 'hello.wav'}\nsnd_path {folder / 'heard'}/\naudio_buffer 20-160\n")
    lines = [f"<sip:{c}@127.0.0.1:{port}>;regint=0;answermode=auto\n" for c in callees]
    lines += [f"<sip:{a}@127.0.0.1:{port}>;regint=0;answermode=auto;audio_source=aufile,{folder / 'talk.wav'}\n"
              for a in agents]
    (folder / "accounts").write_text("".join(lines))
    log = open(folder / "log", "w")
    proc = subprocess.Popen(["baresip", "-f", str(folder)], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=tools_env())
    try:
        deadline = time.monotonic() + 10
        while "baresip is ready." not in (folder / "log").read_text():
            assert proc.poll() is None and time.monotonic() < deadline, (folder / "log").read_text()
            time.sleep(0.01)
        yield port, folder
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
