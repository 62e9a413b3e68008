package heif

import (
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// Checks of the item graph that no single box defines: references that
// go round in a loop, and items whose data share bytes.

// Loop returns a reference type whose references go round in a loop,
// such as a grid made of itself or a thumbnail of a thumbnail of itself.
// Across types a loop is normal (an image refers to its alpha plane with
// 'prem', the alpha plane to the image with 'auxl'), so each type is
// looked at alone. When several types loop, which one is returned is not
// defined.
func Loop(refs []Ref) (bmff.FourCC, bool) {
	byType := make(map[bmff.FourCC]map[uint32][]uint32)
	for _, ref := range refs {
		g := byType[ref.Type]
		if g == nil {
			g = make(map[uint32][]uint32)
			byType[ref.Type] = g
		}
		g[ref.From] = append(g[ref.From], ref.To...)
	}
	for typ, g := range byType {
		// Kahn's algorithm: repeatedly remove nodes that nothing points
		// to; what remains is on a cycle.
		indeg := make(map[uint32]int)
		for from, tos := range g {
			if _, ok := indeg[from]; !ok {
				indeg[from] = 0
			}
			for _, to := range tos {
				indeg[to]++
			}
		}
		var queue []uint32
		for id, d := range indeg {
			if d == 0 {
				queue = append(queue, id)
			}
		}
		removed := 0
		for len(queue) > 0 {
			id := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			removed++
			for _, to := range g[id] {
				if indeg[to]--; indeg[to] == 0 {
					queue = append(queue, to)
				}
			}
		}
		if removed < len(indeg) {
			return typ, true
		}
	}
	return bmff.FourCC{}, false
}

// A Run is one extent of an item's data, [Start, End); Marked says whether
// the item is of the kind an overlap check looks for (removed,
// rewritten).
type Run struct {
	Start, End uint64
	ID         uint32
	Marked     bool
}

// Overlap returns two runs that share bytes and clash, if there are any,
// the one that starts later second. The runs are the non-empty extents of
// the locations that use says to look at, marked as it says; extents are
// compared per container, the file (construction method 0) or 'idat' (1),
// so locs must be resolved ([Location.Resolve]). The sweep goes in order
// of start, remembering the marked and the unmarked run that reach
// furthest.
func Overlap(locs []*Location, use func(id uint32) (use, marked bool), clash func(a, b Run) bool) (Run, Run, bool) {
	var runs [2][]Run
	for _, loc := range locs {
		ok, marked := use(loc.ItemID)
		if !ok {
			continue
		}
		for _, e := range loc.Extents {
			if e.Len > 0 {
				runs[loc.Method] = append(runs[loc.Method], Run{e.Off, e.Off + e.Len, loc.ItemID, marked})
			}
		}
	}
	for _, rs := range runs {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
		var furthest [2]*Run // unmarked, marked
		for i := range rs {
			r := &rs[i]
			for _, o := range furthest {
				if o != nil && o.End > r.Start && clash(*o, *r) {
					return *o, *r, true
				}
			}
			k := 0
			if r.Marked {
				k = 1
			}
			if furthest[k] == nil || r.End > furthest[k].End {
				furthest[k] = r
			}
		}
	}
	return Run{}, Run{}, false
}
