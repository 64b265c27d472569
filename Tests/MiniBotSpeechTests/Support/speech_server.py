#!/usr/bin/env python3
"""A real OpenAI-compatible speech server for the MiniBotSpeech tests.

POST /v1/audio/speech with JSON {model, input, voice, response_format} answers
a WAV file: the input spoken by Pico (py-nanotts, when the interpreter has it
and --pico is given), else a one-second 440 Hz tone. Each request is appended
to --log as one JSON line (path, authorization, body) so a test can check what
was sent. Python standard library (plus py-nanotts with --pico).

Options: [--pico] [--api-key KEY] [--fail-first N] [--status CODE]
[--delay SECONDS] [--rate HZ] [--stereo] [--streaming] [--not-wav] [--log FILE].
--status answers every request with that HTTP status and a JSON error body;
--rate/--stereo resample/duplicate the audio; --streaming writes the RIFF and
data sizes as 0xFFFFFFFF like streaming writers; --not-wav answers 200 with
JSON. Prints "PORT <n>" on its first line once listening.
"""
import argparse, array, json, math, os, signal, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

args = None
failures_left = 0
lock = threading.Lock()


def wav(samples, rate, channels, streaming):
    data = samples.tobytes()
    riff = 0xFFFFFFFF if streaming else 36 + len(data)
    size = 0xFFFFFFFF if streaming else len(data)
    header = b"RIFF" + riff.to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    header += (1).to_bytes(2, "little") + channels.to_bytes(2, "little") + rate.to_bytes(4, "little")
    header += (rate * channels * 2).to_bytes(4, "little") + (channels * 2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    return header + b"data" + size.to_bytes(4, "little") + data


def speech(text):
    """16 kHz mono samples of `text`."""
    if args.pico:
        from py_nanotts import NanoTTS
        return array.array("h", NanoTTS().speak(text, voice="fr-FR")), 16000
    return array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / 16000)) for i in range(16000))), 16000


def convert(samples, rate):
    """Linear-interpolation resampling and, with --stereo, two channels."""
    if args.rate and args.rate != rate:
        n = int(len(samples) * args.rate / rate)
        out = array.array("h")
        for i in range(n):
            x = i * rate / args.rate
            j = int(x)
            a, b = samples[min(j, len(samples) - 1)], samples[min(j + 1, len(samples) - 1)]
            out.append(int(a + (b - a) * (x - j)))
        samples, rate = out, args.rate
    if args.stereo:
        out = array.array("h")
        for s in samples:
            out.append(s)
            out.append(s)
        return out, rate, 2
    return samples, rate, 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        global failures_left
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if args.log:
            with lock, open(args.log, "a") as log:
                log.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                      "body": raw.decode("utf-8", "replace")}) + "\n")
        if args.delay:
            time.sleep(args.delay)
        if self.path != "/v1/audio/speech":
            return self.reply(404, {"error": {"message": "no route " + self.path}})
        if args.api_key and self.headers.get("Authorization") != "Bearer " + args.api_key:
            return self.reply(401, {"error": {"message": "invalid API key"}})
        if args.status:
            return self.reply(args.status, {"error": {"message": "the voice model is not loaded"}})
        with lock:
            failing = failures_left > 0
            failures_left -= 1 if failing else 0
        if failing:
            return self.reply(503, {"error": {"message": "warming up"}})
        try:
            body = json.loads(raw)
        except ValueError:
            return self.reply(400, {"error": {"message": "body is not JSON"}})
        missing = [k for k in ("model", "input", "voice") if not body.get(k)]
        if missing or body.get("response_format") != "wav":
            return self.reply(400, {"error": {"message": "need model, input, voice and response_format=wav", "missing": missing}})
        if args.not_wav:
            return self.reply(200, {"audio": "base64 would be here"})
        samples, rate = speech(body["input"])
        samples, rate, channels = convert(samples, rate)
        self.reply(200, wav(samples, rate, channels, args.streaming), "audio/wav")


def main():
    global args, failures_left
    parser = argparse.ArgumentParser()
    parser.add_argument("--pico", action="store_true")
    parser.add_argument("--api-key")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--status", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--rate", type=int, default=0)
    parser.add_argument("--stereo", action="store_true")
    parser.add_argument("--streaming", action="store_true")
    parser.add_argument("--not-wav", action="store_true")
    parser.add_argument("--log")
    args = parser.parse_args()
    failures_left = args.fail_first
    # The parent may have blocked SIGTERM; exit on it anyway, and when the
    # parent closes our standard input (it ended or died).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
