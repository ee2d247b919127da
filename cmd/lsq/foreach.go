package main

import (
	"context"
	"sync"
)

// forEach runs fn for every item on up to workers goroutines and waits for them; it stops
// handing out items once ctx is done.
func forEach[T any](ctx context.Context, workers int, items []T, fn func(T)) {
	ch := make(chan T)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				fn(it)
			}
		}()
	}
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		select {
		case ch <- it:
		case <-ctx.Done():
		}
	}
	close(ch)
	wg.Wait()
}
