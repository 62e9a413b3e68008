package exifscrub

import (
	"bytes"
	"slices"
	"sort"
	"testing"

	"github.com/exifscrub/exifscrub/internal/iptc"
)

// TestKeepIPTCValues checks that a kept IPTC-IIM dataset is of the form and
// length IIM 4.2 §6 gives it, that a coarse grid drops the place names
// finer than a city, and that Kept lists what is written.
func TestKeepIPTCValues(t *testing.T) {
	var b []byte
	for _, ds := range []struct {
		n    uint8
		data string
	}{
		{55, "20240501"}, {60, "121314+0200"}, {62, "2024-05-01"}, {63, "52.5205N13"},
		{90, "Berlin"}, {92, "Unter den Linden 1 SECRET"}, {26, "DEU"}, {27, "Brandenburger Tor SECRET"},
		{100, "DEU"}, {101, "Germany"}, {95, "Berlin\x1b[2J"}, {80, string(bytes.Repeat([]byte("x"), 33))},
	} {
		b = iptc.AppendDataset(b, iptc.RecordApplication, ds.n, []byte(ds.data))
	}
	tests := []struct {
		opts *Options
		kept []string
	}{
		{&Options{Keep: []Category{Location, Time}}, []string{"City=Berlin", "ContentLocationCode=DEU",
			"ContentLocationName=Brandenburger Tor SECRET", "Country-PrimaryLocationCode=DEU", "Country-PrimaryLocationName=Germany",
			"DateCreated=20240501", "Sub-location=Unter den Linden 1 SECRET", "TimeCreated=121314+0200"}},
		{&Options{Keep: []Category{Location, Time, Identity}, CoarseLocation: 0.1}, []string{"City=Berlin",
			"Country-PrimaryLocationCode=DEU", "Country-PrimaryLocationName=Germany", "DateCreated=20240501", "TimeCreated=121314+0200"}},
	}
	for _, tt := range tests {
		rep := new(Report)
		out := keepIPTC(rep, b, tt.opts, maxIPTCInAPP13)
		var kept []string
		for _, f := range rep.Kept {
			kept = append(kept, f.Tag+"="+f.Value)
		}
		sort.Strings(kept)
		if !slices.Equal(kept, tt.kept) {
			t.Errorf("%s: Kept\n  %q\nwant\n  %q", policyName(tt.opts), kept, tt.kept)
		}
		// What is written is what Kept lists.
		var written []string
		r := iptc.NewDatasets(out)
		for ds, ok := r.Next(); ok; ds, ok = r.Next() {
			if ds.Number != iptc.RecordVersion {
				written = append(written, iptcDatasets[ds.Number].name+"="+string(ds.Data))
			}
		}
		sort.Strings(written)
		if !slices.Equal(written, kept) {
			t.Errorf("%s: written %q, Kept %q", policyName(tt.opts), written, kept)
		}
		if tt.opts.CoarseLocation > 0 && bytes.Contains(out, []byte(secret)) {
			t.Errorf("%s: a place finer than a city is kept", policyName(tt.opts))
		}
	}
}
