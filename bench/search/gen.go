package main

import (
	"bufio"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// vocab holds the word frequencies of a sample of news prose: the
// generator draws ordinary words from it, so common words are as common
// as in real articles.
//
//go:embed vocab.tsv
var vocab string

// generator makes a deterministic archive: the same seed gives the same
// posts, so runs can be compared.
type generator struct {
	rng   *rand.Rand
	words []string
	cum   []float64 // cumulative frequency of words
	names []string  // a long tail of proper names, drawn by Zipf's law
	zipf  *rand.Zipf
	start time.Time
}

var syllables = strings.Fields("ka lo mi ra to sen vor dal an be chi du el fa go hu ix ja ke lu ma ne or pa qui ro sa ti ul va we xi ya zo ban cor dim fel gar hol jin kas lem mor nim pol rus sol tam ung vel win zar")

func newGenerator(seed uint64) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		start: time.Date(2016, 1, 1, 8, 0, 0, 0, time.UTC)}
	sc := bufio.NewScanner(strings.NewReader(vocab))
	total := 0.0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		w, n, _ := strings.Cut(line, "\t")
		f, _ := strconv.ParseFloat(n, 64)
		total += f
		g.words = append(g.words, w)
		g.cum = append(g.cum, total)
	}
	// Proper names from syllables: 40,000 of them, a few very common
	// (the country in every story), most rare (the village in one).
	nr := rand.New(rand.NewPCG(seed+1, seed+2))
	seen := map[string]bool{}
	for len(g.names) < 40000 {
		n := 2 + nr.IntN(2)
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(syllables[nr.IntN(len(syllables))])
		}
		name := strings.ToUpper(b.String()[:1]) + b.String()[1:]
		if !seen[name] {
			seen[name] = true
			g.names = append(g.names, name)
		}
	}
	g.zipf = rand.NewZipf(g.rng, 1.1, 4, uint64(len(g.names)-1))
	return g
}

// word draws an ordinary word by its frequency.
func (g *generator) word() string {
	x := g.rng.Float64() * g.cum[len(g.cum)-1]
	return g.words[sort.SearchFloat64s(g.cum, x)]
}

// name draws a proper name.
func (g *generator) name() string { return g.names[g.zipf.Uint64()] }

// token is the next word of prose: mostly ordinary words, one in eight a name.
func (g *generator) token() string {
	if g.rng.IntN(8) == 0 {
		return g.name()
	}
	return g.word()
}

// sentence writes n tokens, capitalised and ended with a full stop.
func (g *generator) sentence(b *strings.Builder, n int) {
	for i := 0; i < n; i++ {
		w := g.token()
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteString(". ")
}

// post makes the i-th post of about words words, in paragraphs.
func (g *generator) post(i, words int) *content.Post {
	var title strings.Builder
	g.sentence(&title, 5+g.rng.IntN(7))
	n := words*3/4 + g.rng.IntN(words/2+1) // words ±25%
	var body strings.Builder
	for n > 0 {
		body.WriteString("<p>")
		para := min(n, 40+g.rng.IntN(60))
		n -= para
		for para > 0 {
			s := min(para, 8+g.rng.IntN(20))
			para -= s
			g.sentence(&body, s)
		}
		body.WriteString("</p>\n")
	}
	t := strings.TrimSuffix(strings.TrimSpace(title.String()), ".")
	html := body.String()
	return &content.Post{
		Kind: content.KindPost, Title: t, Slug: fmt.Sprintf("post-%d", i), Status: content.StatusPublished,
		PublishedAt: g.start.Add(time.Duration(i) * 47 * time.Minute), Format: content.FormatHTML,
		Body: html, BodyHTML: html, TeaserHTML: html[:strings.Index(html, "</p>")+4],
	}
}
