// Package task runs long work off the UI goroutine and hands the result back
// on it, so widgets are only ever touched where Fyne allows.
package task

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"
)

// Group tracks background work started from one window.
type Group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewGroup returns a group whose work is cancelled by Cancel.
func NewGroup() *Group {
	ctx, cancel := context.WithCancel(context.Background())
	return &Group{ctx: ctx, cancel: cancel}
}

// Run calls work on its own goroutine and then done on the UI goroutine.
// done is not called when the group was cancelled meanwhile: the window it
// would update may be gone.
func Run[T any](g *Group, work func(context.Context) (T, error), done func(T, error)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		v, err := work(g.ctx)
		if g.ctx.Err() != nil {
			return
		}
		fyne.DoAndWait(func() { done(v, err) })
	}()
}

// Wait blocks until every started task has finished and delivered its
// result. Never call it on the UI goroutine: results are delivered there.
func (g *Group) Wait() { g.wg.Wait() }

// Cancel stops delivering results and cancels the context passed to work.
func (g *Group) Cancel() { g.cancel() }
