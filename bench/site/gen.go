package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// genVersion names the generator's output; a stored site made by another
// version is made again.
const genVersion = 1

var vocabulary = strings.Fields(`the of and to in a is that for it as was with be by on not he this are or his from
at which but have an they you were her she there one all we their has been if more when will would who so no
government election minister parliament policy economy market trade budget inflation growth reform court law
judge ruling vote voters campaign party coalition opposition leader president council city region province
border refugees migration climate drought flood harvest farmers water energy oil gas power grid solar wind
mining copper gold cocoa coffee prices wages workers union strike protest police army security conflict peace
talks agreement treaty summit diplomats embassy sanctions aid debt loan bank currency exports imports port
railway road bridge airport housing schools teachers students university hospital doctors health vaccine
disease clinic nurses patients rural urban village town market women children families youth jobs business
company investors startup technology internet phones data privacy press freedom journalists newspaper radio
television report survey analysis history memory culture music film books festival football athletes league
season coach stadium fans church mosque community rights justice corruption scandal inquiry audit tax revenue
spending deficit surplus forecast quarter annual record decline rise fall sharp modest steady uncertain
critics supporters officials residents experts observers analysts sources statement interview speech letter
yesterday today tomorrow week month year decade century morning evening night early late recent former new
old young large small major minor local national international regional global public private federal
independent official popular controversial historic significant difficult dangerous peaceful violent quiet`)

var sections = []string{"Africa", "Asia", "Europe", "Americas", "Middle East", "Economy", "Politics", "Climate",
	"Health", "Technology", "Culture", "Sport", "Science", "Opinion", "Analysis", "Media", "Law", "Energy",
	"Education", "Cities"}

var outlets = []string{"The Coastal Herald", "Daily Ledger", "Northern Tribune", "The Morning Wire", "Capital Review"}

// words returns n words of the vocabulary, a sentence's worth at a time.
func words(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		w := vocabulary[r.IntN(len(vocabulary))]
		switch {
		case i == 0 || b.Len() > 0 && strings.HasSuffix(b.String(), ". "):
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		if i < n-1 && r.IntN(14) == 0 {
			b.WriteString(". ")
		} else if i < n-1 {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('.')
	return b.String()
}

func title(r *rand.Rand) string {
	t := words(r, 5+r.IntN(6))
	return strings.TrimSuffix(strings.ReplaceAll(t, ". ", " "), ".")
}

// generate fills db with a deterministic site of n posts: ~600-word
// Markdown bodies with a teaser break, 20 categories, 200 tags, 10
// authors, a fifth republished with a source, and two pages.
func generate(ctx context.Context, db *store.DB, n int, progress func(done int)) error {
	r := rand.New(rand.NewPCG(uint64(n), genVersion))
	var authors []content.User
	var cats, tags []content.Term
	err := db.Update(ctx, func(tx *store.Tx) error {
		for i := range 10 {
			name := strings.Title(vocabulary[60+i*7]) + " " + strings.Title(vocabulary[120+i*5])
			u := content.User{Slug: markup.Slugify(name), Name: name, Email: fmt.Sprintf("writer%d@example.org", i),
				Role: content.RoleAuthor, Bio: words(r, 25)}
			if err := tx.UpsertUser(ctx, &u); err != nil {
				return err
			}
			authors = append(authors, u)
		}
		for _, name := range sections {
			t := content.Term{Taxonomy: content.TaxCategory, Slug: markup.Slugify(name), Name: name, Description: words(r, 15)}
			if err := tx.UpsertTerm(ctx, &t); err != nil {
				return err
			}
			cats = append(cats, t)
		}
		seen := map[string]bool{}
		for len(tags) < 200 {
			name := strings.Title(vocabulary[r.IntN(len(vocabulary))]) + " " + vocabulary[r.IntN(len(vocabulary))]
			slug := markup.Slugify(name)
			if seen[slug] {
				continue
			}
			seen[slug] = true
			t := content.Term{Taxonomy: content.TaxTag, Slug: slug, Name: name}
			if err := tx.UpsertTerm(ctx, &t); err != nil {
				return err
			}
			tags = append(tags, t)
		}
		for _, name := range []string{"About", "Contact"} {
			p := &content.Post{Kind: content.KindPage, Status: content.StatusPublished, Format: content.FormatMarkdown,
				Title: name, Slug: markup.Slugify(name), PublishedAt: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
				Body: words(r, 200)}
			if err := markup.RenderPost(p); err != nil {
				return err
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	start := time.Date(2016, 1, 1, 6, 0, 0, 0, time.UTC)
	span := 10 * 365 * 24 * time.Hour
	const batch = 500
	for from := 0; from < n; from += batch {
		posts := make([]*content.Post, 0, batch)
		for i := from; i < min(from+batch, n); i++ {
			t := title(r)
			ci := r.IntN(len(cats))
			var body strings.Builder
			body.WriteString(words(r, 60))
			body.WriteString("\n\n<!--more-->\n\n")
			for range 6 {
				body.WriteString(words(r, 80+r.IntN(20)))
				body.WriteString("\n\n")
			}
			p := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, Format: content.FormatMarkdown,
				Title: t, Slug: fmt.Sprintf("%s-%d", markup.Slugify(t), i), Body: body.String(),
				PublishedAt: start.Add(time.Duration(int64(span) / int64(n) * int64(i))).Add(time.Duration(r.IntN(3600)) * time.Second),
				Authors:     []content.User{authors[r.IntN(len(authors))]},
				Categories:  []content.Term{cats[ci]},
			}
			if len(p.Slug) > 120 {
				p.Slug = fmt.Sprintf("post-%d", i)
			}
			if r.IntN(4) == 0 {
				p.Categories = append(p.Categories, cats[(ci+1+r.IntN(len(cats)-1))%len(cats)])
			}
			for _, k := range r.Perm(len(tags))[:2+r.IntN(4)] {
				p.Tags = append(p.Tags, tags[k])
			}
			if r.IntN(5) == 0 {
				p.Source = &content.Source{Name: outlets[r.IntN(len(outlets))], URL: fmt.Sprintf("https://news.example.com/a/%d", i),
					Author: authors[r.IntN(len(authors))].Name, PublishedAt: p.PublishedAt.Add(-6 * time.Hour)}
			}
			if r.IntN(10) == 0 {
				p.Excerpt = words(r, 30)
			}
			if err := markup.RenderPost(p); err != nil {
				return err
			}
			posts = append(posts, p)
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			for _, p := range posts {
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		progress(min(from+batch, n))
	}
	return nil
}
