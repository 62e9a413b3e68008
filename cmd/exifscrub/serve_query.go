package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/exifscrub/exifscrub"
)

// The query parameters mirror the flags of the commands. A parameter the
// endpoint does not know is an error, not ignored: a client that asks for
// a policy this server does not have (a typo, or a newer one's parameter)
// must hear so rather than get a file scrubbed otherwise.

// paramNames name the policy parameters in messages.
var paramNames = policyNames{"keep=", "coarse=", "keep=location&coarse=%s"}

// parseQuery parses a raw query, allowing only the parameters allowed
// and each of them once, but keep and fail-on, which are lists.
func parseQuery(raw string, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("the query does not parse: %v", err)
	}
	for name, values := range q {
		if !slices.Contains(allowed, name) {
			return nil, fmt.Errorf("unknown query parameter %q (this endpoint takes %s)", name, strings.Join(allowed, ", "))
		}
		if len(values) > 1 && name != "keep" && name != "fail-on" {
			return nil, fmt.Errorf("query parameter %q is given %d times", name, len(values))
		}
	}
	return q, nil
}

// policy reads keep= and coarse= into opts, as parseKeep reads --keep and
// --coarse-location.
func policy(q url.Values, opts *exifscrub.Options) error {
	var coarse *string
	if q.Has("coarse") {
		s := q.Get("coarse")
		coarse = &s
	}
	return parsePolicy(q["keep"], q.Has("keep"), coarse, paramNames, opts)
}

// boolParam reads a switch: present with no value, "true" or "1" is on;
// "false" or "0", or absent, is off.
func boolParam(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	switch q.Get(name) {
	case "", "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("query parameter %s takes no value, or true or false; got %q", name, q.Get(name))
}

// scrubQuery reads the policy of /v1/scrub: keep, coarse, keep-motion,
// drop-icc and drop-orientation, as scrub's flags.
func scrubQuery(raw string) (*exifscrub.Options, error) {
	q, err := parseQuery(raw, "keep", "coarse", "keep-motion", "drop-icc", "drop-orientation")
	if err != nil {
		return nil, err
	}
	opts := &exifscrub.Options{}
	if err := policy(q, opts); err != nil {
		return nil, err
	}
	if opts.KeepMotion, err = boolParam(q, "keep-motion"); err != nil {
		return nil, err
	}
	if opts.DropColorProfile, err = boolParam(q, "drop-icc"); err != nil {
		return nil, err
	}
	if opts.DropOrientation, err = boolParam(q, "drop-orientation"); err != nil {
		return nil, err
	}
	return opts, nil
}

// A serveQuery is what /v1/report or /v1/check was asked.
type serveQuery struct {
	opts   exifscrub.Options    // report: keep, coarse, keep-motion
	failOn []exifscrub.Category // check: fail-on
	name   string               // the file's name, whose time report and check flag
}

// reportQuery reads the query of /v1/report: keep, coarse and
// keep-motion, as report's --keep, --coarse-location and --keep-motion,
// and name.
func reportQuery(raw string) (serveQuery, error) {
	var sq serveQuery
	q, err := parseQuery(raw, "keep", "coarse", "keep-motion", "name")
	if err != nil {
		return sq, err
	}
	sq.name = q.Get("name")
	if sq.opts.KeepMotion, err = boolParam(q, "keep-motion"); err != nil {
		return sq, err
	}
	return sq, policy(q, &sq.opts)
}

// checkQuery reads the query of /v1/check: fail-on, as check's --fail-on,
// and name.
func checkQuery(raw string) (serveQuery, error) {
	var sq serveQuery
	q, err := parseQuery(raw, "fail-on", "name")
	if err != nil {
		return sq, err
	}
	sq.name = q.Get("name")
	sq.failOn, err = parseCategories(q["fail-on"])
	if err != nil {
		return sq, fmt.Errorf("%s", strings.Replace(err.Error(), "--fail-on", "fail-on=", 1))
	}
	return sq, nil
}
