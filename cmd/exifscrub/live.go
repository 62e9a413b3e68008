package main

import (
	"github.com/exifscrub/exifscrub"
)

// Live Photos (issue 21): with --keep-motion, the files of one run that
// share an original content identifier (a Live Photo's still and video,
// found by Scan, whatever their names) get one fresh identifier between
// them, exifscrub.NewLiveIdentifier, so that a gallery still pairs the
// copies and nothing links them to the owner's library. A file whose
// partner is not in the run loses its identifier, as without the flag.

// pairLive scans the files of items for their content identifiers and
// sets s.live: the new identifier of each file that shares its original
// one with another file of the run. Files that cannot be read are left to
// the scrub to report.
func (s *scrubber) pairLive(items []item, jobs int) {
	if !s.opts.KeepMotion || len(items) < 2 {
		return
	}
	ids := make([]string, len(items))
	forEach(len(items), jobs, func(i int) {
		it := items[i]
		if it.err != nil || it.skip != "" || it.stdin {
			return
		}
		in, c, err := openImage(it, nil)
		if err != nil {
			return
		}
		defer c.Close()
		if rep, err := exifscrub.Scan(in); err == nil {
			ids[i] = rep.ContentIdentifier()
		}
	}, func(int) {}, func() {})
	byID := make(map[string][]int)
	for i, id := range ids {
		if id != "" {
			byID[id] = append(byID[id], i)
		}
	}
	for _, files := range byID {
		if len(files) < 2 {
			continue
		}
		id := exifscrub.NewLiveIdentifier()
		for _, i := range files {
			if s.live == nil {
				s.live = make(map[string]string)
			}
			s.live[items[i].path] = id
		}
	}
}

// optsFor returns the options to scrub the file at path with: the run's,
// with the new content identifier of a Live Photo's file (pairLive).
func (s *scrubber) optsFor(path string) *exifscrub.Options {
	id, ok := s.live[path]
	if !ok {
		return &s.opts
	}
	o := s.opts
	o.LiveIdentifier = id
	return &o
}
