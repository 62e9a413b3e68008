#!/usr/bin/env python3
"""Scrub a photo or video with a running `exifscrub serve`, using requests
(Debian: python3-requests). The upload is streamed from the file and the
answer streamed to OUT; OUT appears only once the whole clean file has
arrived.

    python3 scrub_requests.py http://127.0.0.1:8080 photo.jpg clean.jpg [QUERY]

Exit status: 0 scrubbed, 1 the server refused the file, 2 the transfer failed.
"""
import os
import sys

import requests


def scrub(server, src, dst, params=None):
    tmp = dst + ".part"
    with open(src, "rb") as body:
        # A file object as data is streamed, with its size as Content-Length.
        with requests.post(server.rstrip("/") + "/v1/scrub", data=body, params=params,
                           headers={"Content-Type": "application/octet-stream"},
                           stream=True, timeout=60) as res:
            if res.status_code != 200:
                err = res.json()["error"]
                raise RuntimeError(f"{res.status_code} {err['code']}: {err['message']}")
            with open(tmp, "wb") as out:
                # An aborted transfer raises ChunkedEncodingError here.
                for chunk in res.iter_content(1 << 20):
                    out.write(chunk)
            summary = res.headers.get("X-Exifscrub-Summary")
    os.replace(tmp, dst)
    return summary


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    server, src, dst = sys.argv[1:4]
    params = sys.argv[4] if len(sys.argv) == 5 else None  # a query string is passed as it is
    try:
        summary = scrub(server, src, dst, params)
    except RuntimeError as e:
        print(f"{src}: {e}", file=sys.stderr)
        sys.exit(1)
    except requests.RequestException as e:
        print(f"{src}: transfer failed: {e!r}", file=sys.stderr)
        sys.exit(2)
    if summary:
        print(f"{src}: {summary}", file=sys.stderr)


if __name__ == "__main__":
    main()
