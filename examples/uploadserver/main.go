// Command uploadserver is an example of embedding exifscrub: an HTTP
// server that stores uploaded photos only after scrubbing them, so that no
// location, time or device information ever reaches its disk.
//
//	go run ./examples/uploadserver -dir /tmp/uploads -addr localhost:8080
//	curl --data-binary @photo.jpg http://localhost:8080/upload
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/exifscrub/exifscrub"
)

// maxUpload bounds the size of one upload.
const maxUpload = 64 << 20

func main() {
	dir := flag.String("dir", "uploads", "directory to store scrubbed photos in")
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	log.Printf("storing scrubbed uploads in %s; listening on %s", *dir, *addr)
	log.Fatal(http.ListenAndServe(*addr, newHandler(*dir)))
}

// response is what the server answers to an upload.
type response struct {
	Name    string              `json:"name,omitempty"`
	Format  exifscrub.Format    `json:"format,omitempty"`
	Removed []exifscrub.Finding `json:"removed,omitempty"`
	Error   string              `json:"error,omitempty"`
}

func newHandler(dir string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		body := &bodyReader{r: http.MaxBytesReader(w, r.Body, maxUpload)}
		name := randomName()
		var rep *exifscrub.Report
		// Scrub straight from the request into a temporary file, which is
		// renamed into place only if the whole photo was scrubbed.
		err := store(filepath.Join(dir, name), func(f *os.File) error {
			var err error
			rep, err = exifscrub.Scrub(f, body, nil)
			return err
		})
		var tooBig *http.MaxBytesError
		var bad *exifscrub.FormatError
		switch {
		case err != nil && errors.Is(err, body.err) && !errors.As(err, &tooBig):
			// The upload itself failed (the client disconnected, a proxy
			// timed out): Scrub returns the body's error as it is, never
			// as a *FormatError. The photo is not at fault and there is
			// nobody left to answer: drop the connection.
			log.Printf("upload aborted: %v", err)
			panic(http.ErrAbortHandler)
		case err == nil:
			reply(w, http.StatusCreated, response{Name: name, Format: rep.Format, Removed: rep.Findings})
		case errors.Is(err, exifscrub.ErrUnsupportedFormat):
			reply(w, http.StatusUnsupportedMediaType, response{Error: "not a JPEG, PNG, HEIC, AVIF or WebP image"})
		case errors.As(err, &tooBig):
			reply(w, http.StatusRequestEntityTooLarge, response{Error: err.Error()})
		case errors.As(err, &bad):
			reply(w, http.StatusUnprocessableEntity, response{Error: err.Error()})
		default:
			log.Printf("upload: %v", err)
			reply(w, http.StatusInternalServerError, response{Error: "could not store the photo"})
		}
	})
	return mux
}

// store writes a new file name through write: into a temporary file in
// the same directory, renamed to name only when write succeeds, so that a
// photo that fails half-way (broken, or too large) never appears.
func store(name string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".upload-*")
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// A bodyReader remembers the error of the request body, so that a failed
// upload can be told apart from a failure to store it.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func reply(w http.ResponseWriter, status int, r response) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(r)
}

func randomName() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
