#!/usr/bin/env python3
"""Scrub a photo or video with a running `exifscrub serve`, using only the
standard library (urllib). The upload is streamed from the file and the
answer streamed to OUT, never held in memory; OUT appears only once the
whole clean file has arrived.

    python3 scrub_urllib.py http://127.0.0.1:8080 photo.jpg clean.jpg [QUERY]

QUERY is the policy, as in the scrub command's flags: "keep=identity",
"keep=location&coarse=0.1", "drop-icc". Exit status: 0 scrubbed, 1 the
server refused the file (its JSON error is printed), 2 the transfer failed.
"""
import json
import os
import shutil
import sys
import urllib.error
import urllib.request


def scrub(server, src, dst, query=""):
    url = server.rstrip("/") + "/v1/scrub" + ("?" + query if query else "")
    tmp = dst + ".part"
    with open(src, "rb") as body:
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/octet-stream",
            # Without it, urllib would read the file to learn its size.
            "Content-Length": str(os.fstat(body.fileno()).st_size),
        })
        with urllib.request.urlopen(req) as res, open(tmp, "wb") as out:
            # A transfer that the server aborts (a streamed video found
            # broken) raises http.client.IncompleteRead here.
            shutil.copyfileobj(res, out, 1 << 20)
            summary = res.headers.get("X-Exifscrub-Summary")
    os.replace(tmp, dst)
    # Buffered answers (photos, most videos) say what was removed in a
    # header; Python's http.client does not show trailers.
    return json.loads(summary) if summary else None


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    server, src, dst = sys.argv[1:4]
    try:
        summary = scrub(server, src, dst, sys.argv[4] if len(sys.argv) == 5 else "")
    except urllib.error.HTTPError as e:
        err = json.load(e)["error"]
        print(f"{src}: {e.code} {err['code']}: {err['message']}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # connection refused, transfer aborted
        print(f"{src}: transfer failed: {e!r}", file=sys.stderr)
        sys.exit(2)
    if summary:
        print(f"{src}: removed {summary['removed']}", file=sys.stderr)


if __name__ == "__main__":
    main()
