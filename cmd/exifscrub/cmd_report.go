package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
	"github.com/urfave/cli/v2"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "show what each photo reveals",
		ArgsUsage: "FILE|DIR|- ...",
		Description: `Report lists the metadata in each photo, grouped by what it gives away:
location (with a map link), time (with its time zone), device (make, model,
lens, serial numbers), identity, text and embedded images. Nothing is changed.

A file name that tells when the photo was taken, as phones name them
(IMG_20240601_211403.jpg, PXL_20240601_191403123.mp4, "Screenshot
2024-06-01 at 21.14.03.png"), is listed under time, container "file name":
scrub leaves names alone unless given --rename.

With --keep, report shows what 'scrub --keep' with the same categories (and
--coarse-location) would do: it scrubs the file into nothing with that
policy, and lists what that scrub removes, then what would stay, as the
scrubbed file holds it (a rounded position, a date without what followed
its NUL); a tag not of its type, count and form is listed as removed.

Directories are walked (see --recursive); only files whose content is a
supported image are reported. "-" reads standard input.

EXAMPLES:
   exifscrub report photo.jpg
   exifscrub report --json photos/ > report.json
   exifscrub report --keep identity,time photo.jpg
   exifscrub report --keep location --coarse-location 0.1 photo.jpg
   curl -s https://example.com/p.jpg | exifscrub report -`,
		Flags: append(append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON array: {path, format, findings: [{category, container, tag, value}], error} per file; with --keep, also kept: [...], what would stay"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: text or json (--format json is --json, as for check)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every finding, and say which files were skipped"},
		}, keepFlags()...), walkFlags()...),
		Action: reportAction,
	}
}

// walkFlags are the flags of every command that takes directories.
func walkFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Value: true, Usage: "walk directories recursively (--recursive=false: only the files directly inside)"},
		&cli.BoolFlag{Name: "follow-symlinks", Usage: "follow symbolic links that lead out of a directory being walked"},
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: defaultJobs(), Usage: "process `N` files in parallel", DefaultText: "number of CPUs"},
	}
}

func walkOpts(c *cli.Context) walkOptions {
	return walkOptions{recursive: c.Bool("recursive"), followSymlinks: c.Bool("follow-symlinks")}
}

func reportAction(c *cli.Context) error {
	args, err := fileArgs(c)
	if err != nil {
		return err
	}
	var opts exifscrub.Options
	if err := parseKeep(c, &opts); err != nil {
		return err
	}
	cfg := scanConfig{names: true}
	if opts.Keep != nil || opts.KeepMotion {
		cfg.opts = &opts
	}
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	asJSON, verbose := c.Bool("json"), c.Bool("verbose")
	switch c.String("format") {
	case "json":
		asJSON = true
	case "text":
	default:
		return usagef(c, "--format %q: report writes text or json (check also writes sarif, github and gitlab)", c.String("format"))
	}
	items := expand(args, walkOpts(c))

	failed, first := 0, true
	if asJSON {
		fmt.Fprint(stdout, "[")
	}
	p := newProgress(stderr, len(items), "reading")
	scanAll(items, c.Int("jobs"), c.App.Reader, cfg, p, func(s scanned) {
		if s.err != nil {
			failed++
			p.clear()
		}
		// A file whose reading failed shows what was read before, if
		// anything was; never "No metadata to remove." above the error.
		partial := formatKnown(s.rep) && (s.err == nil || len(s.rep.Findings) > 0)
		if s.err != nil && (asJSON || !partial) {
			fmt.Fprintf(stderr, "exifscrub: %s: %s\n", displayPath(s.it.path), describeErr(s.err, s.it.path))
		}
		if s.skip == errEmptyFile.Error() {
			p.clear()
			var t tally
			t.noteEmpty(stderr, s.it.path, true) // a report covers every file
			return
		}
		if s.skip != "" {
			if verbose {
				p.clear()
				fmt.Fprintf(stderr, "exifscrub: skipped %s: %s\n", displayPath(s.it.path), s.skip)
			}
			return
		}
		if asJSON {
			if !first {
				fmt.Fprint(stdout, ",")
			}
			fmt.Fprint(stdout, "\n")
			writeJSONFile(stdout, newReportJSON(s, cfg.opts))
		} else if partial {
			// A damaged photo shows what was read before the damage,
			// then the error.
			if !first {
				fmt.Fprintln(stdout)
			}
			writeHuman(stdout, s.it.path, s.rep, verbose, cfg.opts)
			if s.err != nil {
				fmt.Fprintf(stderr, "exifscrub: %s: %s (the metadata above was read before it)\n", displayPath(s.it.path), describeErr(s.err, s.it.path))
			}
		}
		first = false
	})
	p.finish()
	if asJSON {
		if !first {
			fmt.Fprint(stdout, "\n")
		}
		fmt.Fprintln(stdout, "]")
	}
	if failed > 0 {
		return cli.Exit("", exitFailed)
	}
	return nil
}

// jsonFile is one element of the JSON output of report and check.
type jsonFile struct {
	Path string `json:"path"`
	// PathBytes is the path's bytes, base64-encoded, when it is not valid
	// UTF-8: JSON strings are Unicode, so Path then shows U+FFFD for the
	// bytes that are not, and a program could not find the file by it.
	PathBytes []byte `json:"path_bytes,omitempty"`
	// Output is where scrub --json wrote the file (absent in report and
	// check).
	Output   string              `json:"output,omitempty"`
	Format   exifscrub.Format    `json:"format"`
	Findings []exifscrub.Finding `json:"findings"`
	// Kept lists what would stay under report's --keep policy (absent
	// without --keep); Findings then lists what it would remove.
	Kept *[]exifscrub.Finding `json:"kept,omitempty"`
	// Damaged says the image data is damaged (see Report.Damaged).
	Damaged bool `json:"damaged,omitempty"`
	// Location is the GPS position, when the file has one.
	Location *jsonLocation `json:"location,omitempty"`
	// Private lists the categories found that --fail-on names (check only).
	Private []exifscrub.Category `json:"private,omitempty"`
	Error   string               `json:"error"`
}

type jsonLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Map       string  `json:"map"`
}

func newJSONFile(s scanned, private []exifscrub.Category) jsonFile {
	j := jsonFile{Path: s.it.path, Findings: []exifscrub.Finding{}, Private: private}
	if !utf8.ValidString(s.it.path) {
		j.PathBytes = []byte(s.it.path)
	}
	if s.err != nil {
		j.Error = describeErr(s.err, s.it.path)
	}
	if formatKnown(s.rep) {
		j.Format, j.Damaged = s.rep.Format, s.rep.Damaged
		if s.rep.Findings != nil {
			j.Findings = s.rep.Findings
		}
		if lat, lon, ok := s.rep.Location(); ok {
			j.Location = &jsonLocation{lat, lon, osmLink(lat, lon)}
		}
	}
	return j
}

// newReportJSON is the element of report --json for one file; policy is
// report's --keep policy, or nil.
func newReportJSON(s scanned, policy *exifscrub.Options) jsonFile {
	j := newJSONFile(s, nil)
	if policy != nil {
		kept := []exifscrub.Finding{}
		if formatKnown(s.rep) && s.rep.Kept != nil {
			kept = s.rep.Kept
		}
		j.Kept = &kept
	}
	return j
}

// writeJSONFile writes j as an element of a JSON array.
func writeJSONFile(w io.Writer, j jsonFile) {
	fmt.Fprintf(w, "  %s", marshalJSONFile(j, "  "))
}

// marshalJSONFile encodes j, indented, each line after the first starting
// with prefix.
func marshalJSONFile(j jsonFile, prefix string) []byte {
	b, err := json.MarshalIndent(j, prefix, "  ")
	if err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	return jsonSafe(b)
}

// jsonSafe escapes, in JSON that encoding/json wrote, the characters it
// leaves raw that can still deceive a terminal showing the JSON: C1
// controls and invisible formatting characters such as bidirectional
// overrides. They can occur only inside strings, where \uXXXX means the
// same character, so the value is unchanged.
func jsonSafe(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if (r >= 0x80 && r < 0xa0) || (r >= 0x80 && unicode.Is(unicode.Cf, r)) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			out = fmt.Appendf(out, "\\u%04x", r)
		} else if out != nil {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	if out == nil {
		return b
	}
	return out
}

// describeErr says what went wrong with the file at path, without
// repeating its name.
func describeErr(err error, path string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		err = pe.Err
	}
	if errors.Is(err, exifscrub.ErrUnsupportedFormat) {
		err = unsupportedErr(err) // "not a supported format: GIF"
	}
	return strings.TrimPrefix(err.Error(), "exifscrub: ")
}
