package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/portal-id/migration-console/engine/inventory"
)

// progressBar shows a collection's progress on stderr: on a terminal, one
// line redrawn in place a few times a second; otherwise (a log file, CI) a
// plain line every few seconds, so the log stays readable.
type progressBar struct {
	out    io.Writer
	source string
	tty    bool
	width  func() int
	every  time.Duration

	mu      sync.Mutex
	last    inventory.Progress
	started time.Time
	// changed is when each domain last got a page: the busiest domains are
	// listed first, so a line cut at the terminal's edge keeps them.
	changed map[string]time.Time
	// waits holds each group's latest rate-limit or retry wait until it
	// ends; the service forgets a wait as soon as any other page lands.
	waits map[string]inventory.Wait

	stop chan struct{}
	done chan struct{}
}

const (
	ttyRedraw     = 200 * time.Millisecond
	plainInterval = 5 * time.Second
)

// startProgress begins drawing; call update from any goroutine and finish
// once the collection has returned.
func startProgress(out io.Writer, source string) *progressBar {
	p := &progressBar{out: out, source: source, width: func() int { return 80 }, every: plainInterval,
		started: time.Now(), changed: map[string]time.Time{}, waits: map[string]inventory.Wait{},
		stop: make(chan struct{}), done: make(chan struct{})}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		p.tty, p.every = true, ttyRedraw
		p.width = func() int {
			if w, _, err := term.GetSize(fd); err == nil && w > 0 {
				return w
			}
			return 80
		}
	}
	go p.loop()
	return p
}

// update is the inventory service's progress callback.
func (p *progressBar) update(pr inventory.Progress) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for d, n := range pr.Pages {
		if n > p.last.Pages[d] {
			p.changed[d] = now
		}
	}
	if pr.Waiting != nil {
		p.waits[pr.Waiting.Group] = *pr.Waiting
	}
	p.last = pr
}

func (p *progressBar) loop() {
	defer close(p.done)
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.draw(false)
		}
	}
}

// finish stops the redraws and leaves the final tally on its own line.
func (p *progressBar) finish() {
	close(p.stop)
	<-p.done
	p.draw(true)
}

func (p *progressBar) draw(final bool) {
	now := time.Now()
	p.mu.Lock()
	pr := p.last
	domains := inventory.SortedDomains(pr.Pages)
	sort.SliceStable(domains, func(i, j int) bool { return p.changed[domains[i]].After(p.changed[domains[j]]) })
	var waits []inventory.Wait
	for g, w := range p.waits {
		if !w.Until.After(now) {
			delete(p.waits, g)
			continue
		}
		waits = append(waits, w)
	}
	p.mu.Unlock()
	if final {
		waits = nil
	}
	line := progressLine(p.source, pr, domains, waits, now.Sub(p.started), final)
	switch {
	case !p.tty:
		fmt.Fprintln(p.out, line)
	case final:
		// The final tally stays on screen whole, wrapped if it must be.
		fmt.Fprintf(p.out, "\r\x1b[K%s\n", line)
	default:
		// \r returns to the line's start; \x1b[K clears what a longer
		// previous line left behind. One column is kept free so the
		// terminal never wraps.
		fmt.Fprintf(p.out, "\r%s\x1b[K", clip(line, p.width()-1))
	}
}

// progressLine renders one progress report: domains in the order to list
// them and the waits under way, e.g.
//
//	collecting okta-demo 1:12 | waiting for rate limit on /api/v1/apps until 14:03:05 | 23 pages, 345 items | pages: groups 1, applications 2 | items: application 56, group 120
func progressLine(source string, pr inventory.Progress, domains []string, waits []inventory.Wait, elapsed time.Duration, final bool) string {
	pages, items := 0, 0
	for _, n := range pr.Pages {
		pages += n
	}
	for _, n := range pr.Items {
		items += n
	}
	state := "collecting "
	if final {
		state = "collected "
	}
	parts := []string{state + source + " " + clock(elapsed)}
	if len(waits) > 0 {
		// The wait ending last holds the collection longest.
		sort.Slice(waits, func(i, j int) bool { return waits[i].Until.After(waits[j].Until) })
		text := waitText(waits[0])
		if len(waits) > 1 {
			text += fmt.Sprintf(" (and %d more)", len(waits)-1)
		}
		parts = append(parts, text)
	}
	parts = append(parts, plural(pages, "page")+", "+plural(items, "item"))
	if len(domains) > 0 {
		ds := make([]string, 0, len(domains))
		for _, d := range domains {
			ds = append(ds, fmt.Sprintf("%s %d", d, pr.Pages[d]))
		}
		parts = append(parts, "pages: "+strings.Join(ds, ", "))
	}
	var ks []string
	for _, k := range inventory.Kinds {
		if n := pr.Items[k]; n > 0 {
			ks = append(ks, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(ks) > 0 {
		parts = append(parts, "items: "+strings.Join(ks, ", "))
	}
	if pr.Members > 0 {
		parts = append(parts, plural(pr.Members, "group membership"))
	}
	return strings.Join(parts, " | ")
}

// waitText says why the collection is paused, the one place migctl renders
// a wait: the pacer holds a group for its rate limit (a spent window, a
// spent share of it, a 429) or backs off after an error.
func waitText(w inventory.Wait) string {
	until := w.Until.Local().Format("15:04:05")
	switch w.Cause {
	case inventory.WaitWindow:
		return fmt.Sprintf("waiting for rate limit on %s until %s", w.Group, until)
	case inventory.WaitShare:
		return fmt.Sprintf("waiting for rate limit on %s until %s (%s share spent)", w.Group, until, percent(w.Share))
	case inventory.WaitThrottled:
		return fmt.Sprintf("waiting for rate limit on %s until %s (%d)", w.Group, until, w.Status)
	}
	return fmt.Sprintf("retrying %s at %s after: %s", w.Group, until, w.Answer())
}

func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// clip cuts s to at most n characters, marking the cut with an ellipsis.
func clip(s string, n int) string {
	if n < 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
