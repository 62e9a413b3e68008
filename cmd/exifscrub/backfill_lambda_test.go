package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exifscrub/exifscrub"
	"gocloud.dev/blob"
)

// TestBackfillLambda builds examples/backfill-lambda and runs it as Lambda
// would, against a runtime API served by the test on 127.0.0.1 that hands
// it one S3 Batch Operations event, and gofakes3 as S3 (path style, through
// AWS_ENDPOINT_URL_S3): the photo with GPS is replaced by its scrub, the
// clean one is left alone, the text file and the malformed photo fail
// permanently and stay as they were.
func TestBackfillLambda(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if out, err := exec.Command("go", "build", "-o", bin, "../../examples/backfill-lambda").CombinedOutput(); err != nil {
		t.Fatalf("building the example: %v\n%s", err, out)
	}
	q, _ := startS3(t, "media")
	v, _ := url.ParseQuery(q)
	// No checksums: the function's PUT sends none, and gofakes3 would
	// answer its reads with the checksum of the object it replaced.
	bucket := openURL(t, "s3://media?"+q+"&request_checksum_calculation=when_required&response_checksum_validation=when_required")
	ctx := context.Background()
	gps, clean := readFile(t, gpsJPEG), readFile(t, cleanPNG)
	objs := map[string][]byte{
		"trip 2024/IMG 0001.jpg": gps, // a space and a slash: URL-encoded in the event
		"clean.png":              clean,
		"notes.txt":              []byte("not a photo\n"),
		"broken.jpg":             gps[:len(gps)/3],
	}
	for k, b := range objs {
		if err := bucket.WriteAll(ctx, k, b, &blob.WriterOptions{ContentType: "image/jpeg"}); err != nil {
			t.Fatal(err)
		}
	}
	var want bytes.Buffer
	if _, err := exifscrub.Scrub(&want, bytes.NewReader(gps), nil); err != nil {
		t.Fatal(err)
	}

	type task struct {
		TaskID      string  `json:"taskId"`
		S3Key       string  `json:"s3Key"`
		S3VersionID *string `json:"s3VersionId"`
		S3BucketARN string  `json:"s3BucketArn"`
	}
	ev := map[string]any{"invocationSchemaVersion": "1.0", "invocationId": "inv-1", "job": map[string]string{"id": "job-1"}}
	var tasks []task
	for k := range objs {
		tasks = append(tasks, task{TaskID: "t-" + k, S3Key: url.QueryEscape(k), S3BucketARN: "arn:aws:s3:::media"})
	}
	ev["tasks"] = tasks
	event, _ := json.Marshal(ev)

	answer := make(chan []byte, 1)
	served := false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/2018-06-01/runtime/invocation/next":
			if served {
				<-r.Context().Done() // no more events: wait to be killed
				return
			}
			served = true
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
			w.Write(event)
		case r.Method == http.MethodPost && r.URL.Path == "/2018-06-01/runtime/invocation/req-1/response":
			b, _ := io.ReadAll(r.Body)
			answer <- b
		default:
			t.Errorf("unexpected runtime API call %s %s", r.Method, r.URL)
			http.Error(w, "no", http.StatusNotFound)
		}
	}))
	defer api.Close()

	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.URL, "http://"),
		"AWS_ENDPOINT_URL_S3="+v.Get("endpoint"), "AWS_REGION=us-east-1", "AWS_SESSION_TOKEN=token")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var got []byte
	select {
	case got = <-answer:
	case <-time.After(20 * time.Second):
		t.Fatalf("no answer from the function: %s", stderr.String())
	}
	var resp struct {
		InvocationID string `json:"invocationId"`
		Results      []struct {
			TaskID, ResultCode, ResultString string
		} `json:"results"`
	}
	if err := json.Unmarshal(got, &resp); err != nil || resp.InvocationID != "inv-1" || len(resp.Results) != len(objs) {
		t.Fatalf("answer %s: %v", got, err)
	}
	wantCode := map[string]string{"trip 2024/IMG 0001.jpg": "Succeeded", "clean.png": "Succeeded", "notes.txt": "PermanentFailure", "broken.jpg": "PermanentFailure"}
	for _, r := range resp.Results {
		k := strings.TrimPrefix(r.TaskID, "t-")
		if r.ResultCode != wantCode[k] {
			t.Errorf("%s: %s (%s), want %s", k, r.ResultCode, r.ResultString, wantCode[k])
		}
		b, err := bucket.ReadAll(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		w := objs[k]
		if k == "trip 2024/IMG 0001.jpg" {
			w = want.Bytes()
		}
		if !bytes.Equal(b, w) {
			t.Errorf("%s: %d bytes in the bucket, want %d (%s)", k, len(b), len(w), r.ResultString)
		}
	}
	if t.Failed() {
		t.Log(stderr.String())
	}
}
