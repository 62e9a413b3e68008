#!/usr/bin/env python3
"""The ExifTool patterns that bench/serve.sh compares `exifscrub serve` with:
a tiny HTTP server whose POST answers the body without its metadata.

    python3 bench/serve_exiftool.py per-request PORT   # pict-rs: exiftool -all= - -out - per request
    python3 bench/serve_exiftool.py stay-open PORT [N] # N exiftool -stay_open processes (default 2)

Threaded (one thread a connection), HTTP/1.1 keep-alive, like the Go server.
"""
import http.server
import os
import queue
import subprocess
import sys
import tempfile
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            out = self.server.scrub(body)
            status = 200
        except Exception as e:  # noqa: BLE001 - a benchmark stand-in
            out, status = str(e).encode(), 422
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def per_request(body):
    """What pict-rs does: one ExifTool process per upload, through pipes."""
    p = subprocess.run(["exiftool", "-all=", "-", "-out", "-"], input=body, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode(errors="replace"))
    return p.stdout


class StayOpen:
    """A pool of `exiftool -stay_open True -@ -` processes. stay_open reads
    its arguments from standard input, so the image goes through files."""

    def __init__(self, n):
        self.pool = queue.Queue()
        self.dir = tempfile.mkdtemp(prefix="exiftool-stay-open-")
        for i in range(n):
            p = subprocess.Popen(["exiftool", "-stay_open", "True", "-@", "-"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            self.pool.put((i, p))

    def __call__(self, body):
        i, p = self.pool.get()
        try:
            src = os.path.join(self.dir, f"in{i}.jpg")
            dst = os.path.join(self.dir, f"out{i}.jpg")
            with open(src, "wb") as f:
                f.write(body)
            if os.path.exists(dst):
                os.remove(dst)
            p.stdin.write(f"-all=\n-o\n{dst}\n{src}\n-execute\n".encode())
            p.stdin.flush()
            while not p.stdout.readline().startswith(b"{ready"):
                pass
            with open(dst, "rb") as f:
                return f.read()
        finally:
            self.pool.put((i, p))


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    # A listen backlog of 64, not 5: 16 clients connecting at once would
    # otherwise be reset.
    http.server.ThreadingHTTPServer.request_queue_size = 64
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.scrub = per_request if mode == "per-request" else StayOpen(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    srv.serve_forever()


if __name__ == "__main__":
    main()
