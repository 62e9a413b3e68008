#!/usr/bin/env node
// Scrub a photo or video with a running `exifscrub serve`, using Node's
// fetch (Node 18 or later). The upload is streamed from the file (chunked),
// and the answer streamed to OUT, which appears only once the whole clean
// file has arrived.
//
//   node scrub.mjs http://127.0.0.1:8080 photo.jpg clean.jpg [QUERY]
//
// Exit status: 0 scrubbed, 1 the server refused the file, 2 the transfer failed.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function scrub(server, src, dst, query = '') {
  const url = server.replace(/\/$/, '') + '/v1/scrub' + (query ? '?' + query : '');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: Readable.toWeb(createReadStream(src)),
    duplex: 'half', // required for a stream body
  });
  if (res.status !== 200) {
    const { error } = await res.json();
    const e = new Error(`${res.status} ${error.code}: ${error.message}`);
    e.refused = true;
    throw e;
  }
  const tmp = dst + '.part';
  // An aborted transfer (a streamed video found broken) rejects here.
  await pipeline(Readable.fromWeb(res.body), createWriteStream(tmp));
  await rename(tmp, dst);
  return res.headers.get('x-exifscrub-summary');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [server, src, dst, query] = process.argv.slice(2);
  if (!dst) {
    console.error('usage: node scrub.mjs SERVER IN OUT [QUERY]');
    process.exit(64);
  }
  try {
    const summary = await scrub(server, src, dst, query);
    if (summary) console.error(`${src}: ${summary}`);
  } catch (e) {
    console.error(`${src}: ${e.refused ? '' : 'transfer failed: '}${e.message}`);
    process.exit(e.refused ? 1 : 2);
  }
}
