// Command exifscrub reports and removes the metadata in photos that gives
// their owner away: where (GPS), when (timestamps) and on what (device make,
// model, serial numbers) a photo was taken, and who took it.
//
//	exifscrub report photo.jpg          what a photo reveals, for a person
//	exifscrub scrub photo.jpg           write photo.scrubbed.jpg beside it
//	exifscrub scrub --in-place DIR      scrub a folder, replacing the originals
//	exifscrub check --format sarif DIR  fail CI when a photo still reveals anything
//	exifscrub scrub --keep identity F   keep the credit and copyright, drop the rest
//	exifscrub scrub --rename --out-dir OUT DIR  neutral names: photo-0001.jpg, ...
//	exifscrub serve                     an HTTP service: POST /v1/scrub, /v1/report, /v1/check
//
// Exit codes: 0 success (check: every file clean), 1 check found private
// metadata (a file name that tells the time counts as time), 2 a file could
// not be read, scrubbed or written (the rest of the batch is still done),
// 64 the command line was wrong (an unknown flag, or a category --keep
// cannot keep).
//
// See "exifscrub COMMAND --help" for each command.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit codes. 64 is EX_USAGE from BSD's sysexits.h, kept apart from the
// codes that describe the files so that CI can tell a typo from a finding.
const (
	exitOK     = 0
	exitFound  = 1  // check: a file carries private metadata
	exitFailed = 2  // a file could not be read, scrubbed or written
	exitUsage  = 64 // the command line is wrong
)

// version is set at build time with -ldflags "-X main.version=1.2.3" (the
// release builds, see docs/release.md); otherwise it is the module version
// that "go install github.com/exifscrub/exifscrub/cmd/exifscrub@v1.2.3"
// records, without its "v", or "devel" for a build from a checkout.
var version = ""

func init() {
	if version != "" {
		return
	}
	version = "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = strings.TrimPrefix(bi.Main.Version, "v")
	}
}

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// exitCodeHelp is appended to every command's help.
const exitCodeHelp = `EXIT CODES:
   0   success (check: no file carries what --fail-on names)
   1   check found private metadata (a file name that tells the time counts as time)
   2   a file could not be read, scrubbed or written; the rest were still done
   64  wrong command line (unknown flag, missing argument, a category --keep
       cannot keep, --coarse-location without --keep location)`

// run is the whole program: it parses args (args[0] is the program name),
// runs the command and returns the exit code. It writes only to the writers
// it is given, so tests can call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.Run(args)
	if err == nil {
		return exitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := strings.TrimSpace(err.Error()); msg != "" {
			fmt.Fprintln(stderr, msg)
		}
		return ec.ExitCode()
	}
	// Errors that are not ExitCoders come from urfave/cli itself, such as a
	// missing required flag: they are usage errors.
	fmt.Fprintf(stderr, "exifscrub: %v\n", err)
	return exitUsage
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "exifscrub",
		Usage:   "find and remove the metadata in photos that gives you away",
		Version: version,
		Description: `exifscrub removes where (GPS), when (timestamps) and on what (make, model,
serial numbers) a photo was taken, and who took it, without re-encoding the
image. It reads JPEG, PNG, HEIC/HEIF, AVIF and WebP photos and MOV, MP4 and
3GP videos, detected by content, not by name.

EXAMPLES:
   exifscrub report photo.jpg
   exifscrub scrub photo.jpg                 # writes photo.scrubbed.jpg
   exifscrub scrub --in-place ~/Pictures/trip
   exifscrub scrub --keep identity,time photo.jpg   # keep the credit and the time
   exifscrub scrub --rename --out-dir /tmp/to-send ~/DCIM/Camera
   exifscrub check --format github .
   exifscrub serve --addr 127.0.0.1:8080      # an HTTP service (see serve --help)
   exifscrub help scrub                       # the options of one command

` + exitCodeHelp,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		Commands: []*cli.Command{
			reportCommand(),
			scrubCommand(),
			backfillCommand(),
			checkCommand(),
			healthcheckCommand(),
			serveCommand(),
		},
		// Exit codes are handled by run, never by os.Exit inside cli.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   usageError,
		Action: func(c *cli.Context) error {
			if c.Args().First() == "help" {
				// "exifscrub help scrub" is "exifscrub scrub --help".
				name := c.Args().Get(1)
				if name == "" {
					return cli.ShowAppHelp(c)
				}
				if c.App.Command(name) == nil {
					return cli.Exit(fmt.Sprintf("exifscrub: no command %q; run 'exifscrub --help'", name), exitUsage)
				}
				return cli.ShowCommandHelp(c, name)
			}
			if c.Args().Present() {
				msg := fmt.Sprintf("exifscrub: unknown command %q", c.Args().First())
				if s := suggestCommand(c.App.Commands, c.Args().First()); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				return cli.Exit(msg+"; run 'exifscrub --help'", exitUsage)
			}
			cli.HelpPrinter(stderr, cli.AppHelpTemplate, c.App)
			return cli.Exit("", exitUsage)
		},
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = usageError
		cmd.CustomHelpTemplate = cli.CommandHelpTemplate + "\n" + exitCodeHelp + "\n"
	}
	return app
}

func init() {
	// -v is --verbose in the commands; the version is only --version.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version"}
	// A switch is off unless given: "(default: false)" after every one of
	// them is noise, and a second default after one that names its own.
	stringer := cli.FlagStringer
	cli.FlagStringer = func(f cli.Flag) string {
		return strings.Replace(stringer(f), " (default: false)", "", 1)
	}
}

// suggestFlag returns the flag of flags nearest to the mistyped name (given
// without dashes), or "" when none is near: "in-plce" gives "--in-place".
func suggestFlag(flags []cli.Flag, name string) string {
	best, bestDist := "", max(1, len(name)/3)+1 // about one typo in three letters
	for _, f := range flags {
		for _, n := range f.Names() {
			if len(n) == 1 {
				continue // any letter is one edit from any other
			}
			if d := editDistance(name, n); d < bestDist {
				best, bestDist = n, d
			}
		}
	}
	if best == "" {
		return ""
	}
	return "--" + best
}

// suggestCommand returns the command nearest to the mistyped name, or "".
func suggestCommand(cmds []*cli.Command, name string) string {
	best, bestDist := "", max(1, len(name)/3)+1
	for _, c := range cmds {
		if d := editDistance(name, c.Name); d < bestDist {
			best, bestDist = c.Name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, with an
// adjacent transposition counting as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// usageError turns a flag parsing error into exit code 64, with a pointer
// to the help instead of the whole help text.
func usageError(c *cli.Context, err error, isSubcommand bool) error {
	name := "exifscrub"
	if isSubcommand && c.Command != nil && c.Command.Name != "" {
		name += " " + c.Command.Name
	}
	msg := fmt.Sprintf("%s: %v", name, err)
	if bad, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
		flags := c.App.Flags
		if isSubcommand && c.Command != nil {
			flags = c.Command.Flags
		}
		if s := suggestFlag(flags, strings.TrimLeft(bad, "-")); s != "" {
			msg += fmt.Sprintf("\nDid you mean %s?", s)
		}
	}
	return cli.Exit(fmt.Sprintf("%s\nRun '%s --help' for usage.", msg, name), exitUsage)
}

// usagef returns a usage error for the command c.
func usagef(c *cli.Context, format string, a ...any) error {
	name := "exifscrub " + c.Command.Name
	return cli.Exit(fmt.Sprintf("%s: %s\nRun '%s --help' for usage.", name, fmt.Sprintf(format, a...), name), exitUsage)
}

// fileArgs returns the command's file arguments, or a usage error when
// there are none or when a flag follows them: urfave/cli stops reading
// flags at the first file name, so "scrub a.jpg -o b.jpg" would otherwise
// treat "-o" as a file.
func fileArgs(c *cli.Context) ([]string, error) {
	args := c.Args().Slice()
	if len(args) == 0 {
		return nil, usagef(c, "no files given")
	}
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' {
			if _, err := os.Lstat(a); err != nil {
				return nil, usagef(c, "flag %s must come before the file names (or name the file ./%s)", a, a)
			}
		}
	}
	return args, nil
}
