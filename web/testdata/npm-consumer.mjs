// Uses the exifscrub npm package as an app would, from node_modules: for
// each file named in cases.json, scan and scrub it and record the outcome
// in results.json, writing each clean file beside it, and whether the
// input is left as it was. node_test.go
// compares everything with the Go library and the command-line tool.
// It then tries the options: each policy of policies.json on the first
// file, and options the package must reject.
// Usage: node npm-consumer.mjs cases.json outdir
import { scan, scrub, scrubBlob, zip, ExifscrubError } from "exifscrub";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [casesPath, outDir] = process.argv.slice(2);
const files = JSON.parse(readFileSync(casesPath, "utf8"));
const failure = (e) => ({ isExifscrubError: e instanceof ExifscrubError, code: e.code, message: e.message });

const results = [];
const clean = [];
for (const [i, file] of files.entries()) {
  // The kinds of input, in turn: a Uint8Array, an ArrayBuffer, and a Node
  // Buffer as readFileSync gives it (a small one is a view into a shared
  // pool). They must come back unchanged (intact): the package sends the
  // worker a copy.
  const buf = readFileSync(file);
  const data = [new Uint8Array(buf), new Uint8Array(buf).buffer, buf][i % 3];
  const r = { file };
  try {
    r.scan = await scan(data, { path: file });
  } catch (e) {
    r.scanError = failure(e);
  }
  try {
    const s = await scrub(data, { path: file });
    r.out = join(outDir, `${i}.out`);
    writeFileSync(r.out, s.bytes);
    r.verified = s.verified;
    r.rescanFindings = s.rescan.findings.length;
    r.intact = Buffer.compare(Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data), readFileSync(file)) === 0;
    clean.push({ name: file.split("/").pop(), bytes: s.bytes });
  } catch (e) {
    r.scrubError = failure(e);
  }
  results.push(r);
}
writeFileSync(join(outDir, "all.zip"), await zip(clean));

// Policies: {name, options} -> the clean file and the report.
const policies = JSON.parse(readFileSync(join(outDir, "policies.json"), "utf8"));
const sample = new Uint8Array(readFileSync(policies.file));
const policyResults = [];
for (const p of policies.policies) {
  try {
    const s = await scrub(sample, p.options);
    const out = join(outDir, `policy-${policyResults.length}.out`);
    writeFileSync(out, s.bytes);
    policyResults.push({ out, report: s.report, verified: s.verified });
  } catch (e) {
    policyResults.push({ error: failure(e), typeError: e instanceof TypeError, message: e.message });
  }
}
// A name that tells the time, and what a Blob gives.
const named = await scan(sample, { path: "IMG_20240601_211403.jpg" });
const blob = await scrubBlob(new Blob([sample]), {});
writeFileSync(join(outDir, "blob.out"), new Uint8Array(await blob.blob.arrayBuffer()));
writeFileSync(join(outDir, "policies-results.json"), JSON.stringify({ policyResults, named, blobType: blob.blob.type, blobVerified: blob.verified }, null, 1));
writeFileSync(join(outDir, "results.json"), JSON.stringify(results, null, 1));
