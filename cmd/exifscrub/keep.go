package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub"
	"github.com/urfave/cli/v2"
)

// The policy flags of scrub and report (issue 11): --keep names the
// categories to keep, --coarse-location rounds a kept position.

// keepFlags are the flags that choose what stays.
func keepFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "keep", Usage: "keep these `CATEGORIES`, tag by tag, wherever they are (comma-separated or repeated: location, time, device, identity, text); the rest is removed"},
		&cli.StringFlag{Name: "coarse-location", Usage: "with --keep location, round the position to a grid of `DEGREES` (at least 0.001; 0.01 is about 1 km, 0.1 about 11 km) and drop every other GPS tag of location"},
		&cli.BoolFlag{Name: "keep-motion", Usage: "keep the video of a motion photo, scrubbed like any video (by default it is removed)"},
	}
}

// keepableNames lists the categories --keep accepts, for messages.
func keepableNames() string {
	names := make([]string, len(exifscrub.Keepable()))
	for i, c := range exifscrub.Keepable() {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// parseKeep reads --keep and --coarse-location into opts, or returns a
// usage error.
func parseKeep(c *cli.Context, opts *exifscrub.Options) error {
	var coarse *string
	if c.IsSet("coarse-location") {
		s := c.String("coarse-location")
		coarse = &s
	}
	if err := parsePolicy(c.StringSlice("keep"), c.IsSet("keep"), coarse, flagNames, opts); err != nil {
		return usagef(c, "%v", err)
	}
	opts.KeepMotion = c.Bool("keep-motion")
	return nil
}

// policyNames name the two policy settings in messages: the command's
// flags, or the query parameters of serve.
type policyNames struct {
	keep, coarse string
	both         string // how to ask for a kept, rounded position, with %s for the grid
}

var flagNames = policyNames{"--keep", "--coarse-location", "--keep location --coarse-location %s"}

// parsePolicy reads the categories to keep (comma-separated or repeated;
// set says whether they were given at all) and the grid of a coarse
// location (nil: not given) into opts. A coarse location without location
// among the kept categories is an error rather than implying it: a setting
// must not add a category to what stays behind the user's back, and a
// script that meant to drop the position should fail, not keep it.
func parsePolicy(keep []string, set bool, coarse *string, n policyNames, opts *exifscrub.Options) error {
	for _, v := range keep {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			cat, err := exifscrub.ParseCategory(name)
			switch {
			case err != nil:
				return fmt.Errorf("unknown category %q in %s (want %s)", name, n.keep, keepableNames())
			case !slices.Contains(exifscrub.Keepable(), cat):
				return fmt.Errorf("%s cannot be kept: thumbnails, previews, maker notes and unknown data are always removed (%s takes %s)", cat, n.keep, keepableNames())
			case !slices.Contains(opts.Keep, cat):
				opts.Keep = append(opts.Keep, cat)
			}
		}
	}
	if set && len(opts.Keep) == 0 {
		return fmt.Errorf("%s names no category (want %s)", n.keep, keepableNames())
	}
	// Report order, whatever the order given.
	slices.SortFunc(opts.Keep, func(a, b exifscrub.Category) int {
		return slices.Index(exifscrub.Categories(), a) - slices.Index(exifscrub.Categories(), b)
	})
	if coarse == nil {
		return nil
	}
	s := *coarse
	deg, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	// The library's own bounds (Options.CoarseLocation), checked here so
	// that the message names the flag: a finer grid than
	// MinCoarseLocation would keep the house (exit 64, as for any other
	// invalid option).
	if err != nil || math.IsNaN(deg) || deg < exifscrub.MinCoarseLocation || deg > 180 {
		return fmt.Errorf("%s takes a grid size in degrees of at least %v (about 110 m) and at most 180, such as 0.01 (about 1 km) or 0.1 (about 11 km); got %q", n.coarse, exifscrub.MinCoarseLocation, s)
	}
	if !slices.Contains(opts.Keep, exifscrub.Location) {
		return fmt.Errorf("%s rounds a kept position, and %s does not name location: add it (%s), or leave the position out altogether", n.coarse, n.keep, fmt.Sprintf(n.both, s))
	}
	opts.CoarseLocation = deg
	return nil
}

// policyText is the policy's flags as the user could type them again:
// "--keep location,time --coarse-location 0.1".
func policyText(o *exifscrub.Options) string {
	var s []string
	if o.Keep != nil {
		s = append(s, "--keep "+strings.Join(catStrings(o.Keep), ","))
	}
	if o.CoarseLocation > 0 {
		s = append(s, "--coarse-location "+strconv.FormatFloat(o.CoarseLocation, 'g', -1, 64))
	}
	if o.KeepMotion {
		s = append(s, "--keep-motion")
	}
	return strings.Join(s, " ")
}

// keptCategories returns the categories of the kept findings, in report
// order.
func keptCategories(kept []exifscrub.Finding) []exifscrub.Category {
	var cats []exifscrub.Category
	for _, c := range exifscrub.Categories() {
		for _, f := range kept {
			if f.Category == c {
				cats = append(cats, c)
				break
			}
		}
	}
	return cats
}

// keptSummary says what a scrub kept: "kept 3 items (identity, time)".
func keptSummary(verb string, kept []exifscrub.Finding) string {
	s := fmt.Sprintf("%s %s", verb, plural(total(kept), "item", "items"))
	if cats := keptCategories(kept); len(cats) > 0 {
		s += " (" + strings.Join(catStrings(cats), ", ") + ")"
	}
	return s
}

// addNameFinding adds to rep, when the file name at path tells when the
// photo was taken, a finding of category time: to Kept when the policy
// keeps time (scrub leaves names alone, and the policy says time may
// stay), else to Findings, first among those of time. Standard input has
// no name.
func addNameFinding(rep *exifscrub.Report, it item, opts *exifscrub.Options) {
	if !formatKnown(rep) || it.stdin {
		return
	}
	f, ok := exifscrub.ScanName(it.path)
	if !ok {
		return
	}
	rank := func(c exifscrub.Category) int { return slices.Index(exifscrub.Categories(), c) }
	insert := func(fs []exifscrub.Finding) []exifscrub.Finding {
		i := 0
		for i < len(fs) && rank(fs[i].Category) < rank(exifscrub.Time) {
			i++
		}
		return slices.Insert(fs, i, f)
	}
	if opts != nil && slices.Contains(opts.Keep, exifscrub.Time) {
		rep.Kept = insert(rep.Kept)
		return
	}
	rep.Findings = insert(rep.Findings)
}

// isNameFinding reports whether f is the finding of addNameFinding.
func isNameFinding(f exifscrub.Finding) bool {
	return f.Container == "file name" && f.Tag == "FileName"
}
