package markup

import (
	"fmt"
	"sync"
	"testing"
)

// slugTitles are titles that go through every step of Slugify: special
// letters, marks to fold, other scripts, long runs of words.
var slugTitles = []string{
	"How China’s initiatives are paving a new path",
	"São Tomé & Príncipe",
	"Łódź book fair: 2026 edition!",
	"Straße in Zürich",
	"中国与世界",
	"Москва и Пекин",
	"Crème brûlée, façade, naïveté and the Ångström café",
	"Ελληνικά: Αθήνα και Θεσσαλονίκη",
	"Việt Nam: Hà Nội và Thành phố Hồ Chí Minh",
	"88 years on",
}

// TestSlugifyConcurrent calls Slugify from many goroutines at once, as
// concurrent requests do, and wants every slug equal to the one made alone.
func TestSlugifyConcurrent(t *testing.T) {
	want := make([]string, len(slugTitles))
	for i, title := range slugTitles {
		want[i] = Slugify(title)
	}
	const workers, calls = 16, 2000
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		wrong    int
		panics   int
		examples []string
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				k := (w + i) % len(slugTitles)
				func() {
					defer func() {
						if r := recover(); r != nil {
							mu.Lock()
							panics++
							if len(examples) < 3 {
								examples = append(examples, fmt.Sprintf("Slugify(%q) panicked: %v", slugTitles[k], r))
							}
							mu.Unlock()
						}
					}()
					if got := Slugify(slugTitles[k]); got != want[k] {
						mu.Lock()
						wrong++
						if len(examples) < 3 {
							examples = append(examples, fmt.Sprintf("Slugify(%q) = %q, want %q", slugTitles[k], got, want[k]))
						}
						mu.Unlock()
					}
				}()
			}
		}()
	}
	wg.Wait()
	if wrong+panics > 0 {
		t.Errorf("%d of %d concurrent calls gave a wrong slug and %d panicked; for example:\n%v",
			wrong, workers*calls, panics, examples)
	}
}

func BenchmarkSlugify(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Slugify(slugTitles[i%len(slugTitles)])
	}
}

func BenchmarkSlugifyParallel(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			Slugify(slugTitles[i%len(slugTitles)])
		}
	})
}
