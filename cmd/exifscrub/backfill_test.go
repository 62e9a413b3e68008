package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exifscrub/exifscrub"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
)

// The backfill tests run the command against real stores: a directory
// (file://), memory (mem://, through the engine, since each mem:// URL
// opens a new empty bucket), and an S3 API server, gofakes3, on a
// 127.0.0.1 listener, through the s3 driver and the AWS SDK.

// A backfillSample is an object to backfill and what it must become.
type backfillSample struct {
	ext       string
	orig      []byte
	want      []byte // the library's scrub of orig; nil: skipped or failed
	malformed bool   // Scrub fails on it
	notImage  bool
}

// backfillSamples are the test data's photos and videos, and a file of
// the corpus in every tenth when /work/shared/corpus is there, a
// malformed JPEG and a file that is no image.
func backfillSamples(t testing.TB) []backfillSample {
	t.Helper()
	var out []backfillSample
	add := func(path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var w bytes.Buffer
		if _, err := exifscrub.Scrub(&w, bytes.NewReader(b), nil); err != nil {
			return // the corpus has files the library refuses: not these tests' business
		}
		out = append(out, backfillSample{ext: strings.ToLower(filepath.Ext(path)), orig: b, want: w.Bytes()})
	}
	td := filepath.Join("..", "..", "testdata")
	for _, name := range []string{"pillow__exif_gps.jpg", "jpg__Canon_40D.jpg", "pillow__iptc.jpg", "pillow__itxt_chunks.png",
		"pillow__icc_profile.png", "pillow__sugarshack.mpo", "pillow__flower2.webp", "heic__samplefilehub.heif",
		"video__keys_tmcd_rot90.mov", "video__udta_xmp_faststart.mp4", "video__trailer.3gp"} {
		add(filepath.Join(td, name))
	}
	add(gpsJPEG)
	if corpus := "/work/shared/corpus"; dirExists(corpus) {
		entries, _ := os.ReadDir(corpus)
		for i, e := range entries {
			if i%10 == 0 && e.Type().IsRegular() && !strings.HasSuffix(e.Name(), ".md") && !strings.HasSuffix(e.Name(), ".tsv") {
				add(filepath.Join(corpus, e.Name()))
			}
		}
	} else {
		t.Log("no corpus at /work/shared/corpus: backfilling the test data only")
	}
	gps, err := os.ReadFile(gpsJPEG)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, backfillSample{ext: ".jpg", orig: gps[:len(gps)/3], malformed: true})
	out = append(out, backfillSample{ext: ".txt", orig: []byte("not a photo\n"), notImage: true})
	return out
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// fillBucket puts n objects into b, cycling through the samples, and
// returns them by key. The malformed sample and the one that is no image
// are put once each.
func fillBucket(t testing.TB, b *blob.Bucket, samples []backfillSample, n int) map[string]backfillSample {
	t.Helper()
	ctx := context.Background()
	objs := map[string]backfillSample{}
	var images []backfillSample
	for _, s := range samples {
		if s.malformed || s.notImage {
			key := "odd/" + map[bool]string{true: "truncated", false: "notes"}[s.malformed] + s.ext
			objs[key] = s
			continue
		}
		images = append(images, s)
	}
	for i := 0; len(objs) < n; i++ {
		s := images[i%len(images)]
		objs[fmt.Sprintf("u%d/%04d%s", i%7, i, s.ext)] = s
	}
	for k, s := range objs {
		if err := b.WriteAll(ctx, k, s.orig, &blob.WriterOptions{ContentType: "image/x-test"}); err != nil {
			t.Fatal(err)
		}
	}
	return objs
}

// readRecords reads results lines.
func readRecords(t testing.TB, b []byte) []backfillRecord {
	t.Helper()
	var recs []backfillRecord
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r backfillRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("a results line is not a record: %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs
}

// checkBackfilled checks that every object got exactly one record, with
// the right status, and that dst holds exactly the library's scrub of each
// image (content type kept) and nothing of the others.
func checkBackfilled(t *testing.T, dst *blob.Bucket, objs map[string]backfillSample, recs []backfillRecord) {
	t.Helper()
	ctx := context.Background()
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.Key]++
		s, ok := objs[r.Key]
		switch {
		case !ok:
			t.Errorf("a record for %q, which is no object", r.Key)
		case s.malformed && (r.Status != statusFailed || r.Error == ""):
			t.Errorf("%s (malformed): %+v, want failed with an error", r.Key, r)
		case s.notImage && r.Status != statusSkipped:
			t.Errorf("%s (no image): %+v, want skipped", r.Key, r)
		case s.want != nil && r.Status != statusScrubbed && r.Status != statusClean:
			t.Errorf("%s: %+v, want scrubbed or clean", r.Key, r)
		case s.want != nil && r.Written != int64(len(s.want)):
			t.Errorf("%s: written %d, want %d", r.Key, r.Written, len(s.want))
		}
	}
	for k, s := range objs {
		if seen[k] != 1 {
			t.Errorf("%s: %d records, want exactly 1", k, seen[k])
		}
		got, err := dst.ReadAll(ctx, k)
		if s.want == nil {
			if err == nil {
				t.Errorf("%s: written to the destination, and it is not a scrubbable image", k)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: not in the destination: %v", k, err)
			continue
		}
		if !bytes.Equal(got, s.want) {
			t.Errorf("%s: the destination holds %d bytes that are not the library's scrub (%d bytes)", k, len(got), len(s.want))
		}
		if a, err := dst.Attributes(ctx, k); err != nil || a.ContentType != "image/x-test" {
			t.Errorf("%s: content type not copied: %v %v", k, a, err)
		}
	}
}

// noGPSLeft runs ExifTool on the objects of dst and fails if any reports
// a GPS tag.
func noGPSLeft(t *testing.T, dst *blob.Bucket, objs map[string]backfillSample) {
	t.Helper()
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Log("exiftool not installed: no ExifTool check")
		return
	}
	dir := t.TempDir()
	var files []string
	for k, s := range objs {
		if s.want == nil {
			continue
		}
		b, err := dst.ReadAll(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, strings.ReplaceAll(k, "/", "_"))
		writeFile(t, name, b)
		files = append(files, name)
	}
	out, err := exec.Command("exiftool", append([]string{"-a", "-G1", "-ee", "-q", "-q"}, files...)...).CombinedOutput()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.Contains(line, "GPS") {
			t.Errorf("ExifTool still finds GPS in an output: %s", line)
		}
	}
}

// startS3 starts gofakes3 on a 127.0.0.1 listener with the buckets
// named, and returns the query that points the s3 driver at it
// ("?endpoint=...&..."). It skips the test if the server cannot start.
func startS3(t testing.TB, buckets ...string) (query string, backend gofakes3.Backend) {
	t.Helper()
	be := s3mem.New()
	faker := gofakes3.New(be)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no S3 server: cannot listen on 127.0.0.1: %v", err)
	}
	srv := &http.Server{Handler: faker.Server()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	for _, b := range buckets {
		if err := be.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	// Credentials the server does not check; no instance metadata.
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	q := url.Values{}
	q.Set("endpoint", "http://"+ln.Addr().String())
	q.Set("use_path_style", "true")
	q.Set("disable_https", "true")
	q.Set("region", "us-east-1")
	return q.Encode(), be
}

// openURL opens a bucket for the test.
func openURL(t testing.TB, u string) *blob.Bucket {
	t.Helper()
	b, err := blob.OpenBucket(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestBackfillShards: 4 shards over a few hundred objects, in a
// directory, in memory and on S3 (and a few dozen on GCS and Azure),
// clean every object exactly once; the malformed object fails its shard
// (exit 2), and the rest continue; the outputs are the library's scrub,
// with no GPS tag left (ExifTool).
func TestBackfillShards(t *testing.T) {
	samples := backfillSamples(t)
	const n = 240
	check := func(t *testing.T, src, dst *blob.Bucket, objs map[string]backfillSample, shard func(i int) (recs []byte, code int)) {
		var all []backfillRecord
		failed := 0
		for i := range 4 {
			recs, code := shard(i)
			rs := readRecords(t, recs)
			want := exitOK
			for _, r := range rs {
				if r.Status == statusFailed {
					want = exitFailed
					failed++
				}
				if !(shardSpec{i, 4}).has(r.Key) {
					t.Errorf("shard %d did %s, of another shard", i, r.Key)
				}
			}
			if code != want {
				t.Errorf("shard %d: exit %d, want %d", i, code, want)
			}
			all = append(all, rs...)
		}
		if failed != 1 {
			t.Errorf("%d failed, want 1 (the malformed object)", failed)
		}
		checkBackfilled(t, dst, objs, all)
		noGPSLeft(t, dst, objs)
	}

	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		srcURL, dstURL := "file://"+filepath.Join(dir, "src")+"?create_dir=1", "file://"+filepath.Join(dir, "dst")+"?create_dir=1"
		src, dst := openURL(t, srcURL), openURL(t, dstURL)
		objs := fillBucket(t, src, samples, n)
		check(t, src, dst, objs, func(i int) ([]byte, int) {
			r := runCLI(t, nil, "backfill", "--to", dstURL, "--shard", fmt.Sprintf("%d/4", i), "--jobs", "2", srcURL)
			if !strings.Contains(r.stderr, fmt.Sprintf("shard %d/4", i)) {
				t.Errorf("no summary: %q", r.stderr)
			}
			return []byte(r.stdout), r.code
		})
	})

	t.Run("mem", func(t *testing.T) {
		src, dst := memblob.OpenBucket(nil), memblob.OpenBucket(nil)
		defer src.Close()
		defer dst.Close()
		objs := fillBucket(t, src, samples, n)
		check(t, src, dst, objs, func(i int) ([]byte, int) {
			b := &backfiller{src: src, dst: dst, shard: shardSpec{i, 4}, jobs: 2, sem: newWeightedSem(4)}
			var out, errb bytes.Buffer
			tally, stopped, err := b.execute(context.Background(), "", &out, &errb, false)
			if err != nil || stopped != 0 {
				t.Fatalf("shard %d: %v, stopped before %d", i, err, stopped)
			}
			if tally.failed > 0 {
				return out.Bytes(), exitFailed
			}
			return out.Bytes(), exitOK
		})
	})

	t.Run("s3", func(t *testing.T) {
		q, _ := startS3(t, "src", "dst")
		srcURL, dstURL := "s3://src?"+q, "s3://dst?"+q
		src, dst := openURL(t, srcURL), openURL(t, dstURL)
		objs := fillBucket(t, src, samples, n)
		check(t, src, dst, objs, func(i int) ([]byte, int) {
			// JOB_COMPLETION_INDEX, as in a Kubernetes Indexed Job.
			t.Setenv("JOB_COMPLETION_INDEX", fmt.Sprint(i))
			r := runCLI(t, nil, "backfill", "--to", dstURL, "--shards", "4", "--jobs", "2", "--max-inflight", "3", srcURL)
			return []byte(r.stdout), r.code
		})
	})

	// GCS and Azure: a few dozen objects (their servers are slower, and
	// the other subtests show the split).
	clouds := map[string]func(t *testing.T) (srcURL, dstURL string){
		"gcs": func(t *testing.T) (string, string) {
			startGCS(t, "src", "dst")
			return "gs://src", "gs://dst?prefix=clean/"
		},
		"azblob": func(t *testing.T) (string, string) {
			q := startAzurite(t, "src", "dst")
			return "azblob://src?" + q, "azblob://dst?prefix=clean/&" + q
		},
	}
	for _, store := range []string{"gcs", "azblob"} {
		t.Run(store, func(t *testing.T) {
			srcURL, dstURL := clouds[store](t)
			src, dst := openURL(t, srcURL), openURL(t, dstURL)
			objs := fillBucket(t, src, samples, 48)
			check(t, src, dst, objs, func(i int) ([]byte, int) {
				r := runCLI(t, nil, "backfill", "--to", dstURL, "--shard", fmt.Sprintf("%d/4", i), "--jobs", "2", srcURL)
				for _, rec := range readRecords(t, []byte(r.stdout)) {
					if (rec.Generation != 0) != (store == "gcs") || rec.ETag == "" {
						t.Errorf("%s: etag %q, generation %d: want an ETag, and a generation on GCS only", rec.Key, rec.ETag, rec.Generation)
					}
				}
				return []byte(r.stdout), r.code
			})
		})
	}
}

// TestBackfillResume kills the built command (SIGKILL) part-way through
// an S3 backfill with its results in a file, and again with its results
// in the bucket (parts), and checks that the rerun with the same results
// does only what the killed run did not finish, and finishes it.
//
// On GCS and Azure (a few dozen objects, results in a file), the same.
func TestBackfillResume(t *testing.T) {
	samples := backfillSamples(t)
	s3q, _ := startS3(t, "src", "dst", "ops") // one server and source for both S3 cases
	s3objs := fillBucket(t, openURL(t, "s3://src?"+s3q), samples, 160)
	for _, c := range []struct{ name, where string }{{"file", "file"}, {"bucket", "bucket"}, {"gcs", "file"}, {"azblob", "file"}} {
		t.Run(c.name, func(t *testing.T) {
			where := c.where
			var srcURL, dstURL string
			var objs map[string]backfillSample
			rate, killAt := "80", 40
			switch c.name {
			case "gcs":
				startGCS(t, "src", "dst")
				srcURL, dstURL = "gs://src", "gs://dst"
			case "azblob":
				q := startAzurite(t, "src", "dst")
				srcURL, dstURL = "azblob://src?"+q, "azblob://dst?"+q
			default:
				srcURL, dstURL = "s3://src?"+s3q, "s3://dst?prefix="+where+"/&"+s3q
				objs = s3objs
			}
			if objs == nil {
				objs = fillBucket(t, openURL(t, srcURL), samples, 48)
				rate, killAt = "20", 12
			}
			dst := openURL(t, dstURL)
			results := filepath.Join(t.TempDir(), "results.jsonl")
			count := func() int { b, _ := os.ReadFile(results); return bytes.Count(b, []byte("\n")) }
			if where == "bucket" {
				results = "s3://ops?prefix=" + where + "/&" + s3q
				ops := openURL(t, results)
				count = func() int {
					n := 0
					it := ops.List(nil)
					for {
						o, err := it.Next(context.Background())
						if err != nil {
							return n
						}
						b, _ := ops.ReadAll(context.Background(), o.Key)
						n += bytes.Count(b, []byte("\n"))
					}
				}
			}
			args := []string{"backfill", "--to", dstURL, "--results", results, "--jobs", "2", "--rate", rate, srcURL}
			cmd := exec.Command(binary, args...)
			cmd.Env = os.Environ()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			// In the bucket, parts of 1000 lines or 30 s would never be
			// written in this short run: SIGTERM, as a pod is stopped,
			// writes what is held, where SIGKILL would lose it (and the
			// rerun would redo it, which the file case shows is safe).
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			sig := syscall.SIGKILL
			if where == "bucket" {
				sig = syscall.SIGTERM
				time.Sleep(700 * time.Millisecond)
			} else {
				for count() < killAt && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
			}
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			first := count()
			if first == 0 || first >= len(objs) {
				t.Fatalf("the killed run did %d of %d objects (%v, %s); want part of them", first, len(objs), err, stderr.String())
			}
			t.Logf("the %v run did %d of %d objects", sig, first, len(objs))
			if sig == syscall.SIGTERM && !strings.Contains(stderr.String(), "stopped before") {
				t.Errorf("a stopped run does not say so: %s", stderr.String())
			}
			var firstRecs []backfillRecord
			if where == "file" {
				b, _ := os.ReadFile(results)
				firstRecs = readRecords(t, b)
			}

			r := runCLI(t, nil, "backfill", "--to", dstURL, "--results", results, "--jobs", "2", srcURL)
			if r.code != exitFailed { // the malformed object
				t.Errorf("rerun: exit %d, want %d: %s", r.code, exitFailed, r.stderr)
			}
			if !strings.Contains(r.stderr, "done by an earlier run") {
				t.Errorf("the rerun does not say it resumed: %s", r.stderr)
			}
			var all []backfillRecord
			if where == "file" {
				b, _ := os.ReadFile(results)
				all = readRecords(t, b)
				done := map[string]bool{}
				for _, rec := range firstRecs {
					if rec.done() {
						done[rec.Key] = true
					}
				}
				for _, rec := range all[len(firstRecs):] {
					if done[rec.Key] {
						t.Errorf("the rerun did %s again", rec.Key)
					}
				}
			} else {
				ops := openURL(t, results)
				it := ops.List(nil)
				for {
					o, err := it.Next(context.Background())
					if err != nil {
						break
					}
					b, _ := ops.ReadAll(context.Background(), o.Key)
					all = append(all, readRecords(t, b)...)
				}
			}
			// Every object has exactly one record (the malformed one, tried
			// by both runs, at most two), and the destination is complete.
			var once []backfillRecord
			seen := map[string]bool{}
			for _, rec := range all {
				if objs[rec.Key].malformed {
					if seen[rec.Key] {
						continue
					}
					seen[rec.Key] = true
				}
				once = append(once, rec)
			}
			checkBackfilled(t, dst, objs, once)
		})
	}
}

// TestBackfillInPlaceChanged: with --in-place, an object that another
// client rewrites between its read and its replacement is left as the
// other client wrote it, and reported (changed); the others are
// replaced, with --backup-prefix their originals kept, and ExifTool finds
// no GPS in them. On S3 (If-Match), GCS (ifGenerationMatch) and Azure
// (If-Match) the store refuses the write, which the error shows; in a
// directory the ETag check does.
func TestBackfillInPlaceChanged(t *testing.T) {
	samples := backfillSamples(t)
	other := readFile(t, canonJPEG) // what the other client writes: with metadata
	// What the store answers a write whose condition fails: the refusal
	// must be the store's, not the ETag check before the commit, which
	// these stores skip.
	refusal := map[string]string{
		"s3":     "PreconditionFailed",
		"gcs":    "Error 412",
		"azblob": "ConditionNotMet",
	}
	for _, store := range []string{"file", "s3", "gcs", "azblob"} {
		t.Run(store, func(t *testing.T) {
			var srcURL string
			switch store {
			case "file":
				srcURL = "file://" + t.TempDir()
			case "s3":
				q, _ := startS3(t, "media")
				srcURL = "s3://media?" + q
			case "gcs":
				startGCS(t, "media")
				srcURL = "gs://media"
			case "azblob":
				srcURL = "azblob://media?" + startAzurite(t, "media")
			}
			src, client2 := openURL(t, srcURL), openURL(t, srcURL)
			objs := fillBucket(t, src, samples, 40)
			const victim = "u0/0000.jpg"
			if objs[victim].want == nil {
				t.Fatalf("%s is no image", victim)
			}
			testHookBackfillBeforeCommit = func(key string) {
				if key == victim {
					if err := client2.WriteAll(context.Background(), key, other, nil); err != nil {
						t.Error(err)
					}
				}
			}
			defer func() { testHookBackfillBeforeCommit = nil }()
			r := runCLI(t, nil, "backfill", "--in-place", "--backup-prefix", "originals/", "--jobs", "2", srcURL)
			if r.code != exitFailed {
				t.Errorf("exit %d, want %d: %s", r.code, exitFailed, r.stderr)
			}
			recs := readRecords(t, []byte(r.stdout))
			ctx := context.Background()
			for _, rec := range recs {
				s := objs[rec.Key]
				got, err := src.ReadAll(ctx, rec.Key)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case rec.Key == victim:
					if rec.Status != statusFailed || !rec.Changed || !strings.Contains(rec.Error, "changed") {
						t.Errorf("changed object: %+v, want failed, changed", rec)
					}
					if want := refusal[store]; want != "" && (!strings.Contains(rec.Error, errChangedObject.Error()+" (") || !strings.Contains(rec.Error, want)) {
						t.Errorf("changed object: error %q, want the store's refusal of the write (%s)", rec.Error, want)
					}
					if !bytes.Equal(got, other) {
						t.Errorf("the changed object was not left as the other client wrote it")
					}
					t.Logf("changed object: %s", rec.Error)
				case rec.Status == statusClean:
					// Nothing to remove: not rewritten.
					if !bytes.Equal(got, s.orig) {
						t.Errorf("%s: clean, and rewritten", rec.Key)
					}
				case s.want != nil:
					if !bytes.Equal(got, s.want) {
						t.Errorf("%s: not replaced by its scrub (%+v)", rec.Key, rec)
					}
					if rec.Status == statusScrubbed {
						b, err := src.ReadAll(ctx, "originals/"+rec.Key)
						if err != nil || !bytes.Equal(b, s.orig) || rec.Backup != "originals/"+rec.Key {
							t.Errorf("%s: no backup of the original: %v", rec.Key, err)
						}
					}
				default:
					if !bytes.Equal(got, s.orig) {
						t.Errorf("%s (%+v): changed, and it was not scrubbed", rec.Key, rec)
					}
				}
			}
			if len(recs) != len(objs) {
				t.Errorf("%d records for %d objects (backups must not be scrubbed)", len(recs), len(objs))
			}
			replaced := map[string]backfillSample{}
			for k, s := range objs {
				if k != victim {
					replaced[k] = s
				}
			}
			noGPSLeft(t, src, replaced)
		})
	}
}

// TestBackfillUsage: the command line's mistakes are exit 64.
func TestBackfillUsage(t *testing.T) {
	for _, args := range [][]string{
		{"backfill", "mem://"},
		{"backfill", "--to", "mem://", "--in-place", "mem://x"},
		{"backfill", "--to", "mem://", "--shard", "4/4", "file:///tmp"},
		{"backfill", "--to", "mem://", "--shard", "1/4", "--shards", "4", "file:///tmp"},
		{"backfill", "--to", "mem://", "--backup-prefix", "o/", "file:///tmp"},
		{"backfill", "--in-place", "--max-inflight", "1", "file:///tmp"},
	} {
		if r := runCLI(t, nil, args...); r.code != exitUsage {
			t.Errorf("%q: exit %d, want %d: %s", args, r.code, exitUsage, r.stderr)
		}
	}
	t.Setenv("JOB_COMPLETION_INDEX", "")
	if r := runCLI(t, nil, "backfill", "--to", "mem://", "--shards", "4", "file:///tmp"); r.code != exitUsage {
		t.Errorf("--shards without JOB_COMPLETION_INDEX: exit %d", r.code)
	}
}

// TestBackfillVideoReadAhead: a video whose index follows its media data
// (and whose timecode track's samples must be zeroed) is scrubbed from a
// blob into a plain stream, which cannot be gone back over: the samples
// to zero are found by reading ahead with range reads, so nothing of the
// video is held in memory or on disk.
func TestBackfillVideoReadAhead(t *testing.T) {
	b := memblob.OpenBucket(nil)
	defer b.Close()
	ctx := context.Background()
	orig := readFile(t, movie)
	if err := b.WriteAll(ctx, "v.mov", orig, nil); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if _, err := exifscrub.Scrub(&want, bytes.NewReader(orig), nil); err != nil {
		t.Fatal(err)
	}
	a, err := b.Attributes(ctx, "v.mov")
	if err != nil {
		t.Fatal(err)
	}
	src := newBlobSource(ctx, b, "v.mov", versionOf(a), a.Size)
	defer src.Close()
	var got bytes.Buffer // an io.Writer only
	if _, err := exifscrub.Scrub(struct{ io.Writer }{&got}, src, nil); err != nil {
		t.Fatalf("scrubbing from range reads: %v", err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("%d bytes, not the library's scrub of the file (%d)", got.Len(), want.Len())
	}
	if src.ranges == 0 {
		t.Errorf("no range read: the index-last video was not read ahead")
	}
}

// BenchmarkBackfillS3 backfills 120 objects (the test data's photos and
// videos, and corpus files when present) from one bucket to another of
// the loopback S3 server, with 1 and 2 workers, and reports objects and
// megabytes (read) per second. Server and client share the machine.
func BenchmarkBackfillS3(b *testing.B) {
	samples := backfillSamples(b)
	q, _ := startS3(b, "src", "dst")
	src := openURL(b, "s3://src?"+q)
	objs := fillBucket(b, src, samples, 120)
	var size int64
	for _, s := range objs {
		size += int64(len(s.orig))
	}
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				dst := openURL(b, fmt.Sprintf("s3://dst?prefix=run%d-%d/&%s", jobs, i, q))
				bf := &backfiller{src: src, dst: dst, shard: shardSpec{0, 1}, jobs: jobs, sem: newWeightedSem(2 * jobs)}
				if _, _, err := bf.execute(context.Background(), "", io.Discard, io.Discard, false); err != nil {
					b.Fatal(err)
				}
			}
			s := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(len(objs))/s, "objects/s")
			b.ReportMetric(float64(size)/1e6/s, "MB/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestBackfillStoreNotLinked: a gs:// or azblob:// URL given to a command
// built without its store's tag is a usage error that says how to build
// one with it, before anything is read.
func TestBackfillStoreNotLinked(t *testing.T) {
	if len(linkedStores) == 2 {
		t.Skip("built with -tags gcs,azblob: every store is linked")
	}
	for _, c := range []struct{ tag, url string }{{"gcs", "gs://media"}, {"azblob", "azblob://media"}} {
		if slices.ContainsFunc(linkedStores, func(h storeHooks) bool { return h.name == c.tag }) {
			continue
		}
		r := runCLI(t, nil, "backfill", "--to", "mem://", c.url)
		if r.code != exitUsage || !strings.Contains(r.stderr, "-tags "+c.tag) {
			t.Errorf("%s: exit %d, %q; want %d and how to build with -tags %s", c.url, r.code, r.stderr, exitUsage, c.tag)
		}
	}
}
