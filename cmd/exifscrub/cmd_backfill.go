package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/exifscrub/exifscrub"
	"github.com/urfave/cli/v2"
	"gocloud.dev/blob"
)

func backfillCommand() *cli.Command {
	return &cli.Command{
		Name:      "backfill",
		Usage:     "scrub the objects stored in a bucket (S3, GCS, Azure, a directory, memory), one shard of them",
		ArgsUsage: "SRC",
		Description: `Backfill scrubs every object under SRC, a gocloud.dev/blob URL, and writes
each to DST (--to) under the same key with the same content type, or
replaces it (--in-place). It is made to run as one of n shards of a job
engine (a Kubernetes Indexed Job, AWS Batch, a queue worker): no
coordinator, no state but its results. See docs/backfill.md.

URLs:
   s3://BUCKET?region=eu-west-1&prefix=photos/
   s3://BUCKET?endpoint=http://127.0.0.1:9000&use_path_style=true   (MinIO and others)
   gs://BUCKET?prefix=photos/                                     (built with -tags gcs)
   azblob://CONTAINER?storage_account=ACCOUNT&prefix=photos/      (built with -tags azblob)
   file:///srv/media?prefix=uploads/
   mem://                                                         (tests)
   Credentials come from each store's usual places: AWS_* variables or
   the instance or pod role (S3); Application Default Credentials (GCS;
   STORAGE_EMULATOR_HOST for an emulator); AZURE_STORAGE_ACCOUNT with
   AZURE_STORAGE_KEY, a connection string, a SAS token or a managed
   identity (Azure; localemu=true&protocol=http&domain=127.0.0.1:PORT
   for Azurite). prefix= limits SRC to the keys below it; keys are
   written to DST relative to it.

Shards: --shard I/N takes the keys whose FNV-1a hash modulo N is I
(0 <= I < N), so that N processes split the keys with no coordinator;
--shards N takes I from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
--jobs objects are scrubbed at once; --rate and --max-inflight spare the
store.

Results: one JSON line per object, {key, etag, generation (GCS), status
(scrubbed, clean, skipped, failed), format, removed (items by category),
bytes, written, backup, reason, error, changed}, on standard output or
to --results: a file (appended to), or a blob URL where each shard
writes parts shard-I-of-N.RUN.NNNNNN.jsonl. A rerun with the same
--results skips the objects they call done, so a killed or failed shard
is simply run again; failed objects are tried again. A summary line goes
to standard error, and a progress bar when it is a terminal.

Nothing is lost: an output is committed only when it is complete (a blob
is written whole or not at all), a failed object is reported and the
others are still done. --in-place replaces an object only if it is
still the version that was read: on S3 and Azure with If-Match on its
ETag, on GCS with ifGenerationMatch on its generation, which the store
enforces; elsewhere by comparing the ETag just before the write (see
docs/backfill.md). An object with nothing to remove is not rewritten.
--backup-prefix copies each original to PREFIX+KEY first (never over an
existing backup); keys under it are not scrubbed.

Not an image, or empty: skipped, and with --to not copied.

EXAMPLES:
   exifscrub backfill --to 's3://clean?region=eu-west-1' --results results.jsonl 's3://uploads?region=eu-west-1'
   exifscrub backfill --in-place --backup-prefix originals/ --shard 3/16 --results 's3://ops?prefix=backfill/' 's3://media'
   exifscrub backfill --in-place --shards 16 --jobs 4 --rate 200 's3://media?prefix=photos/'`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "write the scrubbed objects to the bucket `URL`, under the same keys"},
			&cli.BoolFlag{Name: "in-place", Usage: "replace each object, only if it did not change meanwhile"},
			&cli.StringFlag{Name: "backup-prefix", Usage: "with --in-place, copy each original to `PREFIX`KEY in the source bucket before replacing it"},
			&cli.StringFlag{Name: "shard", Usage: "take only shard `I/N` of the keys (0 <= I < N)"},
			&cli.IntFlag{Name: "shards", Usage: "`N` shards, this one's index from $JOB_COMPLETION_INDEX"},
			&cli.StringFlag{Name: "results", Usage: "write the results to `FILE` or blob URL, and skip what earlier runs there finished"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: defaultJobs(), Usage: "scrub `N` objects at once", DefaultText: "number of CPUs"},
			&cli.Float64Flag{Name: "rate", Usage: "start at most `R` objects a second (0: no limit)"},
			&cli.IntFlag{Name: "max-inflight", Usage: "at most `N` requests to the stores at once (an object's read and write count 2)", DefaultText: "2 x --jobs"},
			&cli.BoolFlag{Name: "copy-metadata", Usage: "also copy the objects' user metadata and Content-Disposition (they can hold the original file name)"},
			&cli.BoolFlag{Name: "drop-icc", Usage: "also remove colour profiles"},
			&cli.BoolFlag{Name: "drop-orientation", Usage: "also remove the EXIF orientation"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "name each object on standard error as it is done"},
		}, keepFlags()...),
		Action: backfillAction,
	}
}

func backfillAction(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) != 1 {
		return usagef(c, "takes one source URL (and its flags before it), got %d arguments", len(args))
	}
	srcURL, dstURL := args[0], c.String("to")
	inPlace := c.Bool("in-place")
	switch {
	case inPlace == (dstURL != ""):
		return usagef(c, "say where the scrubbed objects go: --to URL or --in-place")
	case dstURL == srcURL:
		return usagef(c, "--to names the source itself; use --in-place to replace the objects")
	case c.IsSet("backup-prefix") && !inPlace:
		return usagef(c, "--backup-prefix needs --in-place")
	case c.IsSet("backup-prefix") && c.String("backup-prefix") == "":
		return usagef(c, "--backup-prefix takes a prefix, such as originals/")
	}
	shard := shardSpec{0, 1}
	switch {
	case c.IsSet("shard") && c.IsSet("shards"):
		return usagef(c, "--shard and --shards exclude each other")
	case c.IsSet("shard"):
		s, err := parseShard(c.String("shard"))
		if err != nil {
			return usagef(c, "%v", err)
		}
		shard = s
	case c.IsSet("shards"):
		env := os.Getenv("JOB_COMPLETION_INDEX")
		i, err := strconv.Atoi(env)
		n := c.Int("shards")
		if err != nil || n < 1 || i < 0 || i >= n {
			return usagef(c, "--shards %d takes this shard's index from JOB_COMPLETION_INDEX, which is %q; use --shard I/N elsewhere", n, env)
		}
		shard = shardSpec{i, n}
	}
	jobs := max(1, c.Int("jobs"))
	inflight := 2 * jobs
	if c.IsSet("max-inflight") {
		inflight = c.Int("max-inflight")
		if inflight < 2 {
			return usagef(c, "--max-inflight is at least 2: an object's read and write go on together")
		}
	}
	if c.Float64("rate") < 0 {
		return usagef(c, "--rate takes a number of objects a second, or 0 for no limit")
	}
	b := &backfiller{
		inPlace:      inPlace,
		backupPrefix: c.String("backup-prefix"),
		copyMetadata: c.Bool("copy-metadata"),
		opts: exifscrub.Options{
			DropColorProfile: c.Bool("drop-icc"),
			DropOrientation:  c.Bool("drop-orientation"),
		},
		shard: shard,
		jobs:  jobs,
		rate:  newRateLimiter(c.Float64("rate")),
		sem:   newWeightedSem(inflight),
	}
	if err := parseKeep(c, &b.opts); err != nil {
		return err
	}

	// SIGTERM (a pod being stopped) and SIGINT end the run cleanly: the
	// objects being written are abandoned uncommitted, the results
	// written so far are kept, and the next run does the rest.
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	stderr := c.App.ErrWriter
	failedf := func(format string, a ...any) error {
		return cli.Exit(fmt.Sprintf("exifscrub backfill: "+format, a...), exitFailed)
	}
	for _, u := range []string{srcURL, dstURL} {
		if err := storeLinked(u); err != nil {
			return cli.Exit("exifscrub backfill: "+err.Error(), exitUsage)
		}
	}
	var err error
	if b.src, err = blob.OpenBucket(ctx, srcURL); err != nil {
		return failedf("%v", err)
	}
	defer b.src.Close()
	b.dst = b.src
	if !inPlace {
		if b.dst, err = blob.OpenBucket(ctx, dstURL); err != nil {
			return failedf("--to: %v", err)
		}
		defer b.dst.Close()
	}
	t, stopped, err := b.execute(ctx, c.String("results"), c.App.Writer, stderr, c.Bool("verbose"))
	switch {
	case err != nil:
		return failedf("%v", err)
	case t.failed > 0 || stopped > 0:
		return cli.Exit("", exitFailed)
	}
	return nil
}

// execute runs the backfill of b's shard, with its results to (or from)
// resultsSpec: lists, scrubs, and prints the summary. It returns the
// tally, how many objects it was stopped before, and an error that
// stopped it altogether.
func (b *backfiller) execute(ctx context.Context, resultsSpec string, stdout, stderr io.Writer, verbose bool) (backfillTally, int, error) {
	name := fmt.Sprintf("shard-%d-of-%d", b.shard.i, b.shard.n)
	results, done, err := openResults(ctx, resultsSpec, name, stdout, b.shard.has)
	if err != nil {
		return backfillTally{}, 0, fmt.Errorf("--results: %w", err)
	}
	b.results, b.done = results, done

	start := time.Now()
	keys, resumed, err := b.list(ctx)
	if err != nil {
		results.close()
		return backfillTally{}, 0, err
	}
	t := backfillTally{resumed: resumed}
	p := newProgress(stderr, len(keys), "backfill "+b.shard.String())
	stopped := b.run(ctx, keys, func(r *backfillRecord) {
		t.add(r)
		switch {
		case r.Status == statusFailed:
			p.clear()
			fmt.Fprintf(stderr, "exifscrub backfill: %s: %s\n", displayPath(r.Key), r.Error)
		case verbose:
			p.clear()
			fmt.Fprintf(stderr, "exifscrub backfill: %s: %s\n", displayPath(r.Key), r.Status)
		}
	}, p)
	p.finish()
	rerr := results.close()
	fmt.Fprintln(stderr, b.summary(t, stopped, time.Since(start)))
	return t, stopped, rerr
}
