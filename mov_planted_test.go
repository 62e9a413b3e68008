package exifscrub

import (
	"os/exec"
	"strings"
	"testing"
)

// decodedmd5 returns ffmpeg's checksum of every decoded video frame (and
// every audio packet, copied): what a viewer sees, where neutralised SEI
// makes the packets differ.
func decodedmd5(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0:v?", "-map", "0:a?", "-c:a", "copy", "-f", "framemd5", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v", path, err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		t.Fatalf("ffmpeg %s: no frames", path)
	}
	return strings.Join(lines, "\n")
}

// neutralised reports whether a scrub rewrote units in coded samples.
func neutralised(rep *Report) bool {
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Tag, "Sample") {
			return true
		}
	}
	return false
}
