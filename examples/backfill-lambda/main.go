// Command backfill-lambda is an AWS Lambda function for the provided.al2023
// (or provided.al2) runtime that S3 Batch Operations invokes to scrub the
// objects of a manifest, one task per object (docs/backfill.md).
//
// It uses only the standard library and the exifscrub library: it speaks
// the Lambda runtime API (http://$AWS_LAMBDA_RUNTIME_API) and parses the
// batch event itself, and signs its S3 requests with Signature Version 4
// from the function role's credentials in the environment, so that no AWS
// SDK, and no Lambda SDK, is needed. Build it with
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -o bootstrap ./examples/backfill-lambda
//	zip backfill.zip bootstrap
//
// For each task it reads the object (the version the task names, if any)
// into /tmp, scrubs it into /tmp, and writes it back with If-Match on the
// ETag it read, so that an object uploaded again meanwhile is left alone;
// with DEST_BUCKET set it writes the copy there instead. An object with
// nothing to remove is not rewritten. The result codes: Succeeded
// ("scrubbed ..." or "clean"); PermanentFailure for an object that is not
// an image, malformed, or changed meanwhile; TemporaryFailure for what a
// retry can cure (throttling, a 5xx, a network error), which Batch
// Operations retries. Set the function's ephemeral storage to twice the
// largest object.
//
// Environment: AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN (set by Lambda); DEST_BUCKET (optional);
// AWS_ENDPOINT_URL_S3 (optional: an S3-compatible endpoint, addressed
// path-style, as the tests do).
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/exifscrub/exifscrub"
)

// The S3 Batch Operations event (invocation schema 1.0 and 2.0) and the
// answer it expects.
type batchEvent struct {
	InvocationSchemaVersion string `json:"invocationSchemaVersion"`
	InvocationID            string `json:"invocationId"`
	Tasks                   []struct {
		TaskID      string  `json:"taskId"`
		S3Key       string  `json:"s3Key"` // URL-encoded
		S3VersionID *string `json:"s3VersionId"`
		S3BucketARN string  `json:"s3BucketArn"` // 1.0
		S3Bucket    string  `json:"s3Bucket"`    // 2.0
	} `json:"tasks"`
}

type batchResult struct {
	TaskID       string `json:"taskId"`
	ResultCode   string `json:"resultCode"`
	ResultString string `json:"resultString"`
}

type batchResponse struct {
	InvocationSchemaVersion string        `json:"invocationSchemaVersion"`
	TreatMissingKeysAs      string        `json:"treatMissingKeysAs"`
	InvocationID            string        `json:"invocationId"`
	Results                 []batchResult `json:"results"`
}

const (
	succeeded = "Succeeded"
	temporary = "TemporaryFailure"
	permanent = "PermanentFailure"
)

func main() {
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		fmt.Fprintln(os.Stderr, "backfill-lambda: AWS_LAMBDA_RUNTIME_API is not set: run me in Lambda")
		os.Exit(2)
	}
	base := "http://" + api + "/2018-06-01/runtime/invocation/"
	s3 := newS3Client()
	for {
		resp, err := http.Get(base + "next")
		if err != nil {
			fmt.Fprintln(os.Stderr, "backfill-lambda: runtime API:", err)
			os.Exit(1)
		}
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "backfill-lambda: runtime API:", err)
			os.Exit(1)
		}
		var ev batchEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			post(base+id+"/error", []byte(fmt.Sprintf(`{"errorMessage":%q,"errorType":"InvalidEvent"}`, err.Error())))
			continue
		}
		out := batchResponse{InvocationSchemaVersion: ev.InvocationSchemaVersion, TreatMissingKeysAs: permanent, InvocationID: ev.InvocationID}
		for _, task := range ev.Tasks {
			bucket := task.S3Bucket
			if bucket == "" {
				bucket = task.S3BucketARN[strings.LastIndex(task.S3BucketARN, ":")+1:]
			}
			key, err := url.QueryUnescape(task.S3Key)
			if err != nil {
				key = task.S3Key
			}
			version := ""
			if task.S3VersionID != nil {
				version = *task.S3VersionID
			}
			code, msg := s3.scrub(bucket, key, version)
			fmt.Fprintf(os.Stderr, "backfill-lambda: s3://%s/%s: %s: %s\n", bucket, key, code, msg)
			out.Results = append(out.Results, batchResult{TaskID: task.TaskID, ResultCode: code, ResultString: msg})
		}
		b, _ := json.Marshal(out)
		post(base+id+"/response", b)
	}
}

func post(u string, body []byte) {
	resp, err := http.Post(u, "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill-lambda: runtime API:", err)
		os.Exit(1)
	}
	resp.Body.Close()
}

// scrub does one task and returns its result code and string.
func (c *s3Client) scrub(bucket, key, version string) (code, msg string) {
	in, err := os.CreateTemp("", "in-*")
	if err != nil {
		return temporary, err.Error()
	}
	defer os.Remove(in.Name())
	defer in.Close()
	q := url.Values{}
	if version != "" {
		q.Set("versionId", version)
	}
	resp, err := c.do(http.MethodGet, bucket, key, q, nil, 0, nil)
	if err != nil {
		return temporary, err.Error()
	}
	etag, ctype := resp.Header.Get("ETag"), resp.Header.Get("Content-Type")
	_, err = io.Copy(in, resp.Body)
	resp.Body.Close()
	if err != nil {
		return temporary, "reading: " + err.Error()
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return temporary, err.Error()
	}
	out, err := os.CreateTemp("", "out-*")
	if err != nil {
		return temporary, err.Error()
	}
	defer os.Remove(out.Name())
	defer out.Close()
	rep, err := exifscrub.Scrub(out, in, nil)
	switch {
	case errors.Is(err, exifscrub.ErrUnsupportedFormat):
		return permanent, "not a supported image; left alone"
	case err != nil:
		return permanent, "not scrubbed: " + err.Error()
	}
	dest := os.Getenv("DEST_BUCKET")
	if len(rep.Findings) == 0 && dest == "" {
		return succeeded, "clean: nothing to remove; not rewritten"
	}
	size, err := out.Seek(0, io.SeekCurrent)
	if err != nil {
		return temporary, err.Error()
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(out, 0, size)); err != nil {
		return temporary, err.Error()
	}
	hdr := http.Header{}
	if ctype != "" {
		hdr.Set("Content-Type", ctype)
	}
	if dest == "" {
		dest = bucket
		hdr.Set("If-Match", etag) // fails (412) if the object changed since it was read
	}
	resp, err = c.do(http.MethodPut, dest, key, nil, io.NewSectionReader(out, 0, size), size, hdr, hex.EncodeToString(h.Sum(nil)))
	if err != nil {
		var se *statusError
		if errors.As(err, &se) && se.code == http.StatusPreconditionFailed {
			return permanent, "changed while it was scrubbed (uploaded again); left as it is"
		}
		return temporary, "writing: " + err.Error()
	}
	resp.Body.Close()
	return succeeded, fmt.Sprintf("scrubbed: removed %d items, %d -> %d bytes", rep.Total(), fileSize(in), size)
}

// fileSize is the size of f, or 0.
func fileSize(f *os.File) int64 {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

// An s3Client sends S3 requests signed with Signature Version 4.
type s3Client struct {
	region, endpoint     string
	key, secret, session string
	http                 *http.Client
}

func newS3Client() *s3Client {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	return &s3Client{
		region:   region,
		endpoint: strings.TrimSuffix(os.Getenv("AWS_ENDPOINT_URL_S3"), "/"),
		key:      os.Getenv("AWS_ACCESS_KEY_ID"),
		secret:   os.Getenv("AWS_SECRET_ACCESS_KEY"),
		session:  os.Getenv("AWS_SESSION_TOKEN"),
		http:     &http.Client{Timeout: 10 * time.Minute},
	}
}

// A statusError is an S3 answer other than 2xx.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return fmt.Sprintf("S3 answered %d: %s", e.code, e.body) }

// do sends one request. payloadHash is the body's SHA-256 in hex; none
// means no body.
func (c *s3Client) do(method, bucket, key string, q url.Values, body io.Reader, size int64, hdr http.Header, payloadHash ...string) (*http.Response, error) {
	// Virtual-hosted style on AWS, path style on another endpoint.
	var host, path string
	scheme := "https"
	if c.endpoint != "" {
		u, err := url.Parse(c.endpoint)
		if err != nil {
			return nil, err
		}
		scheme, host, path = u.Scheme, u.Host, "/"+bucket+"/"+key
	} else {
		host, path = bucket+".s3."+c.region+".amazonaws.com", "/"+key
	}
	escaped := uriEscape(path, false)
	query := canonicalQuery(q)
	u := scheme + "://" + host + escaped
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	hash := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // of nothing
	if len(payloadHash) > 0 {
		hash = payloadHash[0]
		req.ContentLength = size
	}
	now := time.Now().UTC()
	amzDate, day := now.Format("20060102T150405Z"), now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if c.session != "" {
		req.Header.Set("X-Amz-Security-Token", c.session)
	}
	// Signed: host and the x-amz-* headers; others (Content-Type,
	// If-Match) travel unsigned, which Signature Version 4 allows.
	names := []string{"host", "x-amz-content-sha256", "x-amz-date"}
	if c.session != "" {
		names = append(names, "x-amz-security-token")
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		v := req.Header.Get(n)
		if n == "host" {
			v = host
		}
		canonHeaders.WriteString(n + ":" + strings.TrimSpace(v) + "\n")
	}
	signed := strings.Join(names, ";")
	creq := strings.Join([]string{method, escaped, query, canonHeaders.String(), signed, hash}, "\n")
	scope := day + "/" + c.region + "/s3/aws4_request"
	sum := sha256.Sum256([]byte(creq))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+c.secret), day)
	k = hmacSHA256(k, c.region)
	k = hmacSHA256(k, "s3")
	k = hmacSHA256(k, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(k, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+c.key+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		return nil, &statusError{resp.StatusCode, strings.TrimSpace(string(b))}
	}
	return resp, nil
}

func hmacSHA256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// uriEscape is Signature Version 4's URI encoding: every byte but the
// unreserved characters (and '/' in a path) as %XX.
func uriEscape(s string, slash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !slash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, uriEscape(k, true)+"="+uriEscape(v, true))
		}
	}
	return strings.Join(parts, "&")
}
