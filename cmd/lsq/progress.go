package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows how a batch command advances: a bar on a terminal (done, failed, rate,
// ETA), plain lines otherwise (every tenth of the work, and at least every 10 seconds).
type progress struct {
	w      io.Writer
	name   string
	total  int
	bar    *progressbar.ProgressBar
	now    func() time.Time
	start  time.Time
	last   time.Time
	lastN  int
	failed int
	done   int
}

func (a *app) newProgress(name string, total int) *progress {
	p := &progress{w: a.stderr, name: name, total: total, now: time.Now}
	p.start, p.last = p.now(), p.now()
	if total > 0 && a.isTerminal(a.stderr) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription(name),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(a.stderr) }),
		)
	}
	return p
}

// add counts one finished item (failed or not) and shows the progress.
func (p *progress) add(failed bool) {
	p.done++
	if failed {
		p.failed++
	}
	if p.bar != nil {
		if failed {
			p.bar.Describe(fmt.Sprintf("%s (%d failed)", p.name, p.failed))
		}
		_ = p.bar.Set(p.done)
		return
	}
	step := max(1, p.total/10)
	now := p.now()
	if p.done == p.total || p.done-p.lastN >= step || now.Sub(p.last) >= 10*time.Second {
		p.line(now)
	}
}

func (p *progress) line(now time.Time) {
	p.last, p.lastN = now, p.done
	elapsed := now.Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.done) / elapsed.Seconds()
	}
	eta := "-"
	if rate > 0 && p.done < p.total {
		eta = time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	pct := 100
	if p.total > 0 {
		pct = p.done * 100 / p.total
	}
	fmt.Fprintf(p.w, "%s: %d/%d done (%d%%), %d failed, %.1f/s, ETA %s\n", p.name, p.done, p.total, pct, p.failed, rate, eta)
}

// finish ends the bar (the lines need no end).
func (p *progress) finish() {
	if p.bar != nil && p.done < p.total {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}
