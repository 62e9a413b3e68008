package exifscrub

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// skips counts the tests skipped for want of a tool or a corpus, by
// reason, so that TestMain can say in one line what a run left out: a
// clone without ../shared/corpus or ExifTool still passes, but not
// silently. With CI set, need and corpusDir fail instead of skipping.
var skips struct {
	sync.Mutex
	n map[string]int
}

// skipFor skips t for reason, counting it.
func skipFor(t testing.TB, reason string) {
	t.Helper()
	skips.Lock()
	if skips.n == nil {
		skips.n = make(map[string]int)
	}
	skips.n[reason]++
	skips.Unlock()
	t.Skip(reason + "; skipping")
}

// skipSummary returns the line TestMain prints, or "" when nothing was
// skipped for a missing tool or corpus.
func skipSummary() string {
	skips.Lock()
	defer skips.Unlock()
	total := 0
	var parts []string
	for reason, n := range skips.n {
		total += n
		parts = append(parts, fmt.Sprintf("%s (%d)", reason, n))
	}
	if total == 0 {
		return ""
	}
	sort.Strings(parts)
	return fmt.Sprintf("exifscrub: %d tests skipped: %s; the tools are those .ci/run installs, the corpora go beside the checkout (with CI=1 these fail instead)", total, strings.Join(parts, ", "))
}

// TestMain prints the skip summary. go test shows a passing package's
// output only with -v, so the line goes to the terminal when there is one
// (a newcomer running go test work), and to standard error as well.
func TestMain(m *testing.M) {
	code := m.Run()
	if s := skipSummary(); s != "" {
		fmt.Fprintln(os.Stderr, s)
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			fmt.Fprintln(tty, s)
			tty.Close()
		}
	}
	os.Exit(code)
}
