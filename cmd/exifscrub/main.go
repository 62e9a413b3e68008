// Command exifscrub reports and removes the metadata in photos that gives
// their owner away: where (GPS), when (timestamps) and on what (device make,
// model, serial numbers) a photo was taken, and who took it.
//
//	exifscrub report photo.jpg          what a photo reveals, for a person
//	exifscrub scrub photo.jpg           write photo.scrubbed.jpg beside it
//	exifscrub scrub --in-place DIR      scrub a folder, replacing the originals
//	exifscrub check --format sarif DIR  fail CI when a photo still reveals anything
//
// Exit codes: 0 success (check: every file clean), 1 check found private
// metadata, 2 a file could not be read, scrubbed or written (the rest of
// the batch is still done), 64 the command line was wrong.
//
// See "exifscrub COMMAND --help" for each command.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
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

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "devel"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// exitCodeHelp is appended to every command's help.
const exitCodeHelp = `EXIT CODES:
   0   success (check: no file carries what --fail-on names)
   1   check found private metadata
   2   a file could not be read, scrubbed or written; the rest were still done
   64  wrong command line (unknown flag, missing argument)`

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
   exifscrub check --format github .

` + exitCodeHelp,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		Commands: []*cli.Command{
			reportCommand(),
			scrubCommand(),
			checkCommand(),
		},
		// Exit codes are handled by run, never by os.Exit inside cli.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   usageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return cli.Exit(fmt.Sprintf("exifscrub: unknown command %q; run 'exifscrub --help'", c.Args().First()), exitUsage)
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
}

// usageError turns a flag parsing error into exit code 64, with a pointer
// to the help instead of the whole help text.
func usageError(c *cli.Context, err error, isSubcommand bool) error {
	name := "exifscrub"
	if isSubcommand && c.Command != nil && c.Command.Name != "" {
		name += " " + c.Command.Name
	}
	return cli.Exit(fmt.Sprintf("%s: %v\nRun '%s --help' for usage.", name, err, name), exitUsage)
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
