#!/usr/bin/env python3
"""A real OpenAI-compatible transcription server for the MiniBotSpeech tests.

POST /v1/audio/transcriptions (multipart: file, model, language, prompt,
response_format=json) runs `minibot transcribe --json` on the uploaded WAV,
that is the same whisper.cpp library and model as the local engine, and
answers {"text": ...}. GET /files/NAME serves files from --files (for the
model-download tests). Python standard library only.

Options: --minibot PATH --model PATH [--api-key KEY] [--fail-first N]
[--files DIR]. Prints "PORT <n>" on its first line once listening.
"""
import argparse, email.parser, email.policy, json, os, signal, subprocess, sys, tempfile, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

args = None
failures_left = 0


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/files/") and args.files:
            path = os.path.join(args.files, os.path.basename(self.path))
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    return self.reply(200, f.read(), "application/octet-stream")
        self.reply(404, {"error": {"message": "not found"}})

    def do_POST(self):
        global failures_left
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/v1/audio/transcriptions":
            return self.reply(404, {"error": {"message": "not found"}})
        if args.api_key and self.headers.get("Authorization") != "Bearer " + args.api_key:
            return self.reply(401, {"error": {"message": "invalid API key"}})
        if failures_left > 0:
            failures_left -= 1
            return self.reply(503, {"error": {"message": "warming up"}})
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        fields, audio = {}, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                audio = part.get_payload(decode=True)
            else:
                fields[name] = part.get_content().strip()
        if audio is None or fields.get("response_format", "json") != "json":
            return self.reply(400, {"error": {"message": "need a file and response_format=json"}})
        with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
            wav.write(audio)
            wav.flush()
            command = [args.minibot, "transcribe", "--json", "--model", args.model,
                       "--language", fields.get("language", "fr"), wav.name]
            if fields.get("prompt"):
                command += ["--prompt", fields["prompt"]]
            run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            return self.reply(500, {"error": {"message": run.stderr[-500:]}})
        self.reply(200, {"text": json.loads(run.stdout.splitlines()[-1])["text"]})


def main():
    global args, failures_left
    parser = argparse.ArgumentParser()
    parser.add_argument("--minibot", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--api-key")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--files")
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
