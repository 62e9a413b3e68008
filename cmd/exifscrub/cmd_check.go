package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
	"github.com/urfave/cli/v2"
)

// defaultFailOn is what check fails on unless --fail-on says otherwise:
// everything but "other" (camera settings, image layout).
var defaultFailOn = []exifscrub.Category{
	exifscrub.Location, exifscrub.Time, exifscrub.Device,
	exifscrub.Identity, exifscrub.Text, exifscrub.Embedded,
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "fail (exit 1) when a photo still reveals private metadata: for CI and pre-commit",
		ArgsUsage: "FILE|DIR|- ...",
		Description: `Check reads each photo and exits 1 when any carries metadata in the
categories --fail-on names (default: location, time, device, identity, text,
embedded), 0 when all are clean, and 2 when a file could not be read (which
wins over 1: an unreadable photo cannot be vouched for).

A file name that tells when the photo was taken (IMG_20240601_211403.jpg,
"Screenshot 2024-06-01 at 21.14.03.png") is a finding of category time,
container "file name", as in report: a scrubbed copy under that name still
tells the time. 'scrub --in-place --rename' renames such files;
--ignore-names leaves names out of the check.

Directories are walked (see --recursive). Files that are not a supported
image are skipped, a named one with a note on standard error: a pre-commit
hook can pass any file.
Files allowed by --allow or by the .exifscrubignore file in the current
directory (.gitignore syntax) are skipped too.

Formats: text (the flagged files and what they reveal), json (one array of
{path, format, findings, private, error}), sarif (SARIF 2.1.0, one result
per finding, one rule per category, for code-scanning dashboards), github
(::error annotations for GitHub Actions), gitlab (GitLab Code Quality JSON,
one issue per finding, for artifacts:reports:codequality).

EXAMPLES:
   exifscrub check photos/
   exifscrub check --fail-on location,device --format github .
   exifscrub check --format sarif . > exifscrub.sarif
   exifscrub check --format gitlab . > gl-code-quality-report.json
   exifscrub check --allow 'docs/samples/**' .`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: text, json, sarif, github or gitlab"},
			&cli.BoolFlag{Name: "json", Usage: "same as --format json"},
			&cli.StringSliceFlag{Name: "fail-on", Usage: "fail on these `CATEGORIES` (comma-separated: location, time, device, identity, text, embedded, other, or all)", DefaultText: "all but other"},
			&cli.StringSliceFlag{Name: "allow", Usage: "let files matching `GLOB` keep their metadata (.gitignore syntax, relative to the current directory; repeatable)"},
			&cli.StringFlag{Name: "ignore-file", Usage: "read allowed files from `FILE` instead of ./" + ignoreFileName},
			&cli.BoolFlag{Name: "ignore-names", Usage: "do not flag file names that tell when a photo was taken (IMG_20240601_211403.jpg)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "also list clean and skipped files"},
		}, walkFlags()...),
		Action: checkAction,
	}
}

// parseCategories parses --fail-on.
func parseCategories(values []string) ([]exifscrub.Category, error) {
	if len(values) == 0 {
		return defaultFailOn, nil
	}
	var cats []exifscrub.Category
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			switch {
			case name == "all":
				cats = append(cats, exifscrub.Categories()...)
			case slices.Contains(exifscrub.Categories(), exifscrub.Category(name)):
				cats = append(cats, exifscrub.Category(name))
			default:
				return nil, fmt.Errorf("unknown category %q in --fail-on (want location, time, device, identity, text, embedded, other or all)", name)
			}
		}
	}
	return cats, nil
}

// privateIn returns the categories of cats that rep has, in report order.
func privateIn(rep *exifscrub.Report, cats []exifscrub.Category) []exifscrub.Category {
	var found []exifscrub.Category
	for _, c := range exifscrub.Categories() {
		if slices.Contains(cats, c) && rep.Has(c) {
			found = append(found, c)
		}
	}
	return found
}

func checkAction(c *cli.Context) error {
	format := c.String("format")
	if c.Bool("json") {
		format = "json"
	}
	switch format {
	case "text", "json", "sarif", "github", "gitlab":
	default:
		return usagef(c, "unknown --format %q (want text, json, sarif, github or gitlab)", format)
	}
	failOn, err := parseCategories(c.StringSlice("fail-on"))
	if err != nil {
		return usagef(c, "%v", err)
	}
	allow, err := loadAllowList(c.String("ignore-file"), c.StringSlice("allow"))
	if err != nil {
		return usagef(c, "%v", err)
	}
	args, err := fileArgs(c)
	if err != nil {
		return err
	}
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	verbose := c.Bool("verbose")

	o := walkOpts(c)
	o.skipDir = func(p string) bool { return allow.allowed(p, true) != "" }
	items := expand(args, o)
	for i := range items {
		it := &items[i]
		if it.err == nil && it.skip == "" && !it.stdin {
			if src := allow.allowed(it.path, false); src != "" {
				it.skip = "allowed by " + src
			}
		}
	}

	var out checkOutput
	switch format {
	case "text":
		out = &textCheck{w: stdout, verbose: verbose}
	case "json":
		out = &jsonCheck{w: stdout}
	case "sarif":
		out = newSARIFCheck(stdout, failOn)
	case "github":
		out = &githubCheck{w: stdout}
	case "gitlab":
		out = &gitlabCheck{w: stdout}
	}

	var t tally
	found, named, scrubbable := 0, 0, 0 // flagged; by their name; by their content
	var backups []string                // flagged backups that scrub --backup made, which scrub leaves alone
	p := newProgress(stderr, len(items), "checking")
	scanAll(items, c.Int("jobs"), c.App.Reader, scanConfig{skipNotImage: true, names: !c.Bool("ignore-names")}, p, func(s scanned) {
		var private []exifscrub.Category
		switch {
		case s.err != nil:
			t.failed++
			p.clear()
			fmt.Fprintf(stderr, "exifscrub: %s: %s\n", displayPath(s.it.path), describeErr(s.err, s.it.path))
		case s.skip != "":
			t.skipped++
			if s.skip == errEmptyFile.Error() {
				p.clear()
				t.noteEmpty(stderr, s.it.path, verbose || s.it.explicit)
			} else if s.it.explicit && isNotImage(s.skip) {
				// Named, perhaps by a pre-commit hook: say it was not
				// checked, without failing (it may be a GIF or an SVG).
				p.clear()
				fmt.Fprintf(stderr, "exifscrub: note: not checked %s: %s\n", displayPath(s.it.path), s.skip)
			} else if verbose {
				p.clear()
				fmt.Fprintf(stderr, "exifscrub: skipped %s: %s\n", displayPath(s.it.path), s.skip)
			}
			return
		default:
			t.done++
			private = privateIn(s.rep, failOn)
			if len(private) > 0 {
				found++
			}
			if nameFlagged(s.rep, private) {
				named++
			}
			if slices.ContainsFunc(s.rep.Findings, func(f exifscrub.Finding) bool {
				return slices.Contains(private, f.Category) && !isNameFinding(f)
			}) {
				if orig := backupOf(s.it.path, regularFileExists); orig != "" && !s.it.stdin {
					backups = append(backups, displayPath(s.it.path))
				} else {
					scrubbable++
				}
			}
		}
		p.clear()
		out.file(s, private, failOn)
	})
	p.finish()
	out.end(t, found)

	if format == "text" && (found > 0 || verbose) {
		verb := "reveal"
		if found == 1 {
			verb = "reveals" // "1 of 3 images reveals"
		}
		msg := fmt.Sprintf("exifscrub: %d of %s %s %s", found, plural(t.done, "file", "files"), verb, categoryList(failOn))
		if t.skipped > 0 {
			msg += "; " + t.skippedText()
		}
		if t.failed > 0 {
			msg += fmt.Sprintf("; %d could not be read", t.failed)
		}
		fmt.Fprintln(stderr, msg)
		if scrubbable > 0 {
			fmt.Fprintln(stderr, "exifscrub: remove it with 'exifscrub scrub --in-place --backup .orig FILE...' (keeps each original as FILE.orig), or allow a file in "+ignoreFileName)
		}
		if len(backups) > 0 {
			// scrub skips a backup, so that the original stays as it was:
			// the way to remove what it holds is to delete it.
			names, them := strings.Join(backups[:min(len(backups), 3)], ", "), "them"
			if len(backups) > 3 {
				names += ", …"
			}
			if len(backups) == 1 {
				them = "it"
			}
			fmt.Fprintf(stderr, "exifscrub: %s of an earlier 'scrub --backup' (%s): delete %s once the scrubbed copies are right\n",
				plural(len(backups), "file is the backup", "files are backups"), names, them)
		}
		if named > 0 {
			fmt.Fprintf(stderr, "exifscrub: %s the time in the file name: 'exifscrub scrub --in-place --rename FILE...' renames them (photo-0001.jpg); --ignore-names leaves names out\n",
				plural(named, "file tells", "files tell"))
		}
	}
	switch {
	case t.failed > 0:
		return cli.Exit("", exitFailed)
	case found > 0:
		return cli.Exit("", exitFound)
	}
	return nil
}

// nameFlagged reports whether the file name of rep is among the findings
// that flag it: whether only a new name can make the file pass.
func nameFlagged(rep *exifscrub.Report, private []exifscrub.Category) bool {
	return slices.Contains(private, exifscrub.Time) && slices.ContainsFunc(rep.Findings, isNameFinding)
}

// categoryList joins category names: "location, time or device".
func categoryList(cats []exifscrub.Category) string {
	names := make([]string, len(cats))
	for i, c := range cats {
		names[i] = string(c)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// A checkOutput prints check's results in one format.
type checkOutput interface {
	// file is called for each file checked or failed, in input order;
	// private lists the categories of failOn that it reveals.
	file(s scanned, private, failOn []exifscrub.Category)
	end(t tally, found int)
}

// textCheck lists the flagged files and the findings that flag them.
type textCheck struct {
	w       io.Writer
	verbose bool
}

func (o *textCheck) file(s scanned, private, failOn []exifscrub.Category) {
	if s.err != nil {
		return // on stderr already
	}
	if len(private) == 0 {
		if o.verbose {
			fmt.Fprintf(o.w, "%s: clean\n", displayPath(s.it.path))
		}
		return
	}
	fmt.Fprintf(o.w, "%s: reveals %s\n", displayPath(s.it.path), strings.Join(catStrings(private), ", "))
	n := 0
	for _, f := range s.rep.Findings {
		if !slices.Contains(private, f.Category) {
			continue
		}
		if n++; n > textCheckMax && !o.verbose {
			continue
		}
		fmt.Fprintf(o.w, "  %-9s %s %s = %s%s\n", f.Category, f.Container, f.Tag, f.Value, moreLike(f))
	}
	if n > textCheckMax && !o.verbose {
		fmt.Fprintf(o.w, "  … and %d more (--verbose lists them)\n", n-textCheckMax)
	}
}

// textCheckMax is how many findings per file the text output shows, so
// that a CI log stays readable; --verbose shows them all.
const textCheckMax = 8

func (o *textCheck) end(tally, int) {}

func catStrings(cats []exifscrub.Category) []string {
	s := make([]string, len(cats))
	for i, c := range cats {
		s[i] = string(c)
	}
	return s
}

// jsonCheck prints one JSON array with an element per file checked.
type jsonCheck struct {
	w io.Writer
	n int
}

func (o *jsonCheck) file(s scanned, private, failOn []exifscrub.Category) {
	o.element(newCheckJSON(s, private))
}

// newCheckJSON is the element of check --json for one file, which reveals
// the categories private of those --fail-on names.
func newCheckJSON(s scanned, private []exifscrub.Category) jsonFile {
	j := newJSONFile(s, private)
	if j.Private == nil && s.err == nil {
		j.Private = []exifscrub.Category{}
	}
	return j
}

// element writes j as the next element of the array.
func (o *jsonCheck) element(j jsonFile) {
	if o.n == 0 {
		fmt.Fprint(o.w, "[\n")
	} else {
		fmt.Fprint(o.w, ",\n")
	}
	o.n++
	writeJSONFile(o.w, j)
}

func (o *jsonCheck) end(tally, int) {
	if o.n == 0 {
		fmt.Fprintln(o.w, "[]")
		return
	}
	fmt.Fprint(o.w, "\n]\n")
}

// githubCheck prints a GitHub Actions workflow command per flagged or
// unreadable file, which GitHub shows as an annotation on the file.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
type githubCheck struct {
	w io.Writer
}

func (o *githubCheck) file(s scanned, private, failOn []exifscrub.Category) {
	if s.err != nil {
		fmt.Fprintf(o.w, "::error file=%s,title=%s::%s\n", ghProperty(ghPath(s.it.path)),
			ghProperty("exifscrub: cannot read image"), ghData(escapeControls(describeErr(s.err, s.it.path))))
		return
	}
	if len(private) == 0 {
		return
	}
	var details []string
	for _, f := range s.rep.Findings {
		if slices.Contains(private, f.Category) {
			details = append(details, fmt.Sprintf("%s %s = %s%s", f.Container, f.Tag, f.Value, moreLike(f)))
		}
	}
	fix := "exifscrub scrub --in-place "
	if nameFlagged(s.rep, private) {
		fix += "--rename "
	}
	msg := fmt.Sprintf("Private metadata: %s. Remove it with: %s%s\n%s",
		strings.Join(catStrings(private), ", "), fix, displayPath(s.it.path), escapeControls(strings.Join(details, "\n")))
	fmt.Fprintf(o.w, "::error file=%s,title=%s::%s\n", ghProperty(ghPath(s.it.path)),
		ghProperty("exifscrub: private metadata ("+strings.Join(catStrings(private), ", ")+")"), ghData(msg))
}

func (o *githubCheck) end(tally, int) {}

// ghData escapes the message of a workflow command, as the Actions
// toolkit's escapeData does.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value of a workflow command, as the
// Actions toolkit's escapeProperty does.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// ghPath is a file's path for the file property of a workflow command:
// with forward slashes, and control characters escaped (see
// escapeControls), so that a file name cannot inject a command of its own.
func ghPath(p string) string { return escapeControls(slashPath(p)) }

// escapeControls writes the control characters of s, other than newline
// and carriage return (which the workflow-command escaping encodes),
// invisible formatting characters and invalid UTF-8 as Go escapes: \x1b.
func escapeControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\n' || r == '\r':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r):
			b.WriteString(strings.Trim(strconv.QuoteRune(r), "'"))
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// slashPath cleans a path and writes it with forward slashes, as GitHub
// and SARIF want them.
func slashPath(p string) string { return filepath.ToSlash(filepath.Clean(p)) }
