// Package wordpress owns WordPress's formats and addresses: it reads
// WordPress eXtended RSS exports (WXR 1.0, 1.1 and 1.2) as a stream, item
// by item, writes WXR 1.2 as a stream, names the post meta keys Broadsheet
// adds to its exports, and knows WordPress's addresses (/?p=12, the
// uploads folder). It holds no store: the importer and the exporter turn
// its items into the site and back.
package wordpress

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"
)

// Generator is what Broadsheet's own exports name in <generator>: their
// ids and addresses are Broadsheet's, not a WordPress site's, so an import
// keeps the aliases they carry instead of inventing WordPress ones.
const Generator = "Broadsheet"

// Versions of WXR this package reads.
var knownVersions = map[string]bool{"1.0": true, "1.1": true, "1.2": true}

// Channel is the site-wide part of an export, read before its items.
type Channel struct {
	Title, Link, Description, Language string
	PubDate                            string // when the file was written, as RFC 1123
	BaseSiteURL, BaseBlogURL           string
	Version                            string
	Generator                          string
	Authors                            []Author
	Categories                         []Term // wp:category
	Tags                               []Term // wp:tag
	// Redirects are the old addresses a Broadsheet export carries that
	// lead elsewhere than to an entry.
	Redirects []Redirect
	// TimeZone is the IANA name of the site's time zone, which a
	// Broadsheet export names (WordPress's leave it to be inferred).
	TimeZone string
	// Comments is "on" or "off": whether the site takes readers'
	// comments, which a Broadsheet export names; "" in WordPress's.
	Comments string
}

// Namespace is the XML namespace of the elements Broadsheet adds to its
// exports (WordPress's importer ignores them).
const Namespace = "urn:broadsheet:export:1"

// Redirect is an old address and where it now leads.
type Redirect struct{ Path, Target string }

// Author is a wp:author entry.
type Author struct {
	ID          int64
	Login       string
	Email       string
	DisplayName string
	FirstName   string
	LastName    string
}

// Term is a category, tag or custom term, from the channel or an item.
type Term struct {
	ID       int64  // term_id in the channel; 0 on items
	Domain   string // "category", "post_tag", or a custom taxonomy
	Slug     string // nicename
	Name     string
	Parent   string // parent's slug
	Desc     string
	External bool // declared on an item only
}

// Meta is one wp:postmeta pair.
type Meta struct{ Key, Value string }

// Item is one exported entry: a post, page, attachment, menu item, ….
type Item struct {
	Line        int // line where the item starts, for messages
	Title       string
	Link        string
	PubDate     string
	Creator     string
	GUID        string
	Description string
	Content     string
	Excerpt     string
	PostID      int64
	PostDate    string
	PostDateGMT string
	// Modified and ModifiedGMT are wp:post_modified and
	// wp:post_modified_gmt: when the entry last changed.
	Modified    string
	ModifiedGMT string
	PostName    string
	Status      string
	PostType    string
	Password    string
	ParentID    int64
	MenuOrder   int
	Sticky      bool
	// AttachmentURL is an attachment's file address.
	AttachmentURL string
	Terms         []Term
	Meta          []Meta
	// CommentStatus is wp:comment_status: "open" when readers could
	// comment, "closed" when not.
	CommentStatus string
	// Comments are the item's wp:comment entries, in the export's order.
	Comments []Comment
}

// Comment is one wp:comment of an item: a reader's comment, a pingback or
// a trackback.
type Comment struct {
	ID          int64
	Author      string
	AuthorEmail string
	AuthorURL   string
	AuthorIP    string
	Date        string // wp:comment_date, in the site's time
	DateGMT     string // wp:comment_date_gmt
	Content     string
	// Approved is wp:comment_approved: "1" approved, "0" pending, "spam",
	// "trash" (or "post-trashed").
	Approved string
	Type     string // "", "comment", "pingback" or "trackback"
	Parent   int64  // the comment replied to, 0 for none
	UserID   int64
}

// MetaValue returns the value of the first post meta with key.
func (it *Item) MetaValue(key string) string {
	for _, m := range it.Meta {
		if m.Key == key {
			return m.Value
		}
	}
	return ""
}

// ParseError is a problem in the file, with the line it was found on.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Parser reads an export as a stream.
type Parser struct {
	d       *xml.Decoder
	channel Channel
	sawRSS  bool
}

// NewParser returns a parser over r, in any encoding the XML declaration names.
func NewParser(r io.Reader) *Parser {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	d.Strict = true
	return &Parser{d: d}
}

func (p *Parser) line() int {
	l, _ := p.d.InputPos()
	return l
}

func (p *Parser) fail(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "unexpected EOF") {
			msg = "the file ends in the middle of an element (truncated export?)"
		}
		return &ParseError{Line: se.Line, Msg: "invalid XML: " + msg}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &ParseError{Line: p.line(), Msg: "the file ends in the middle of an element (truncated export?)"}
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	return &ParseError{Line: p.line(), Msg: err.Error()}
}

// Channel returns the channel header. Call it after Next has returned the
// first item (or io.EOF): by then every header element has been read.
func (p *Parser) Channel() *Channel { return &p.channel }

// Next returns the next item, or io.EOF after the last one. A file that is
// not a WordPress export, is of an unknown version, or is malformed gives a
// *ParseError naming the line.
func (p *Parser) Next() (*Item, error) {
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			if !p.sawRSS {
				return nil, &ParseError{Line: p.line(), Msg: "not a WordPress export: the file has no <rss> element"}
			}
			if err := p.checkVersion(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, p.fail(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !p.sawRSS {
			if se.Name.Local != "rss" {
				return nil, &ParseError{Line: p.line(), Msg: fmt.Sprintf("not a WordPress export: the root element is <%s>, not <rss>", se.Name.Local)}
			}
			p.sawRSS = true
			continue
		}
		if err := p.header(se); err != nil {
			return nil, err
		}
		if se.Name.Local == "item" {
			if err := p.checkVersion(); err != nil {
				return nil, err
			}
			it, err := p.item(se)
			if err != nil {
				return nil, p.fail(err)
			}
			return it, nil
		}
	}
}

func (p *Parser) checkVersion() error {
	v := p.channel.Version
	if v == "" {
		return &ParseError{Line: p.line(), Msg: "not a WordPress export: no <wp:wxr_version> in the channel"}
	}
	if !knownVersions[v] {
		return &ParseError{Line: p.line(), Msg: fmt.Sprintf("WXR version %q is not one Broadsheet reads (1.0, 1.1, 1.2)", v)}
	}
	return nil
}

// text reads the character data (text and CDATA) of the element just opened.
func (p *Parser) text(se xml.StartElement) (string, error) {
	var v struct {
		Text string `xml:",chardata"`
	}
	if err := p.d.DecodeElement(&v, &se); err != nil {
		return "", err
	}
	return v.Text, nil
}

// header reads one channel-level element, if se is one.
func (p *Parser) header(se xml.StartElement) error {
	c := &p.channel
	var dst *string
	switch se.Name.Local {
	case "title":
		dst = &c.Title
	case "link":
		dst = &c.Link
	case "description":
		dst = &c.Description
	case "language":
		dst = &c.Language
	case "pubDate":
		dst = &c.PubDate
	case "base_site_url":
		dst = &c.BaseSiteURL
	case "base_blog_url":
		dst = &c.BaseBlogURL
	case "wxr_version":
		dst = &c.Version
	case "generator":
		dst = &c.Generator
	case "image":
		// The channel's logo, whose <title> and <link> are not the site's.
		if err := p.d.Skip(); err != nil {
			return p.fail(err)
		}
		return nil
	case "timezone":
		if se.Name.Space != Namespace {
			return nil
		}
		dst = &c.TimeZone
	case "comments":
		if se.Name.Space != Namespace {
			return nil
		}
		dst = &c.Comments
	case "redirect":
		if se.Name.Space != Namespace {
			return nil
		}
		var r Redirect
		err := p.children(func(c xml.StartElement) error {
			s, err := p.text(c)
			switch c.Name.Local {
			case "path":
				r.Path = strings.TrimSpace(s)
			case "target":
				r.Target = strings.TrimSpace(s)
			}
			return err
		})
		if err != nil {
			return p.fail(err)
		}
		c.Redirects = append(c.Redirects, r)
		return nil
	case "author":
		a, err := p.author(se)
		if err != nil {
			return p.fail(err)
		}
		c.Authors = append(c.Authors, a)
		return nil
	case "category", "tag", "term":
		t, err := p.channelTerm(se)
		if err != nil {
			return p.fail(err)
		}
		if t.Domain == "post_tag" {
			c.Tags = append(c.Tags, t)
		} else {
			c.Categories = append(c.Categories, t)
		}
		return nil
	default:
		return nil
	}
	s, err := p.text(se)
	if err != nil {
		return p.fail(err)
	}
	*dst = strings.TrimSpace(s)
	return nil
}

// children calls fn for each child element of the element just opened,
// with its text when it has no children of its own.
func (p *Parser) children(fn func(child xml.StartElement) error) error {
	for {
		tok, err := p.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func (p *Parser) author(se xml.StartElement) (Author, error) {
	var a Author
	err := p.children(func(c xml.StartElement) error {
		s, err := p.text(c)
		if err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		switch c.Name.Local {
		case "author_id":
			a.ID, _ = strconv.ParseInt(s, 10, 64)
		case "author_login":
			a.Login = s
		case "author_email":
			a.Email = s
		case "author_display_name":
			a.DisplayName = s
		case "author_first_name":
			a.FirstName = s
		case "author_last_name":
			a.LastName = s
		}
		return nil
	})
	return a, err
}

func (p *Parser) channelTerm(se xml.StartElement) (Term, error) {
	t := Term{Domain: "category"}
	if se.Name.Local == "tag" {
		t.Domain = "post_tag"
	}
	err := p.children(func(c xml.StartElement) error {
		s, err := p.text(c)
		if err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		switch c.Name.Local {
		case "term_id":
			t.ID, _ = strconv.ParseInt(s, 10, 64)
		case "category_nicename", "tag_slug", "term_slug":
			t.Slug = s
		case "cat_name", "tag_name", "term_name":
			t.Name = s
		case "category_parent", "term_parent":
			t.Parent = s
		case "category_description", "tag_description", "term_description":
			t.Desc = s
		case "term_taxonomy":
			t.Domain = s
		}
		return nil
	})
	return t, err
}

func (p *Parser) item(se xml.StartElement) (*Item, error) {
	it := &Item{Line: p.line()}
	err := p.children(func(c xml.StartElement) error {
		switch c.Name.Local {
		case "category":
			t := Term{External: true}
			for _, a := range c.Attr {
				switch a.Name.Local {
				case "domain":
					t.Domain = a.Value
				case "nicename":
					t.Slug = a.Value
				}
			}
			s, err := p.text(c)
			if err != nil {
				return err
			}
			t.Name = strings.TrimSpace(s)
			switch t.Domain {
			case "":
				t.Domain = "category"
			case "tag": // WXR 1.0
				t.Domain = "post_tag"
			}
			it.Terms = append(it.Terms, t)
			return nil
		case "postmeta":
			var m Meta
			err := p.children(func(mc xml.StartElement) error {
				s, err := p.text(mc)
				switch mc.Name.Local {
				case "meta_key":
					m.Key = strings.TrimSpace(s)
				case "meta_value":
					m.Value = s
				}
				return err
			})
			it.Meta = append(it.Meta, m)
			return err
		case "comment":
			cm, err := p.comment()
			it.Comments = append(it.Comments, cm)
			return err
		}
		s, err := p.text(c)
		if err != nil {
			return err
		}
		switch c.Name.Local {
		case "title":
			it.Title = strings.TrimSpace(s)
		case "link":
			it.Link = strings.TrimSpace(s)
		case "pubDate":
			it.PubDate = strings.TrimSpace(s)
		case "creator":
			it.Creator = strings.TrimSpace(s)
		case "guid":
			it.GUID = strings.TrimSpace(s)
		case "description":
			it.Description = s
		case "encoded":
			if strings.Contains(c.Name.Space, "excerpt") {
				it.Excerpt = s
			} else {
				it.Content = s
			}
		case "post_id":
			it.PostID, _ = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		case "post_date":
			it.PostDate = strings.TrimSpace(s)
		case "post_date_gmt":
			it.PostDateGMT = strings.TrimSpace(s)
		case "post_modified":
			it.Modified = strings.TrimSpace(s)
		case "post_modified_gmt":
			it.ModifiedGMT = strings.TrimSpace(s)
		case "post_name":
			it.PostName = strings.TrimSpace(s)
		case "status":
			it.Status = strings.TrimSpace(s)
		case "post_type":
			it.PostType = strings.TrimSpace(s)
		case "post_password":
			it.Password = s
		case "post_parent":
			it.ParentID, _ = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		case "menu_order":
			it.MenuOrder, _ = strconv.Atoi(strings.TrimSpace(s))
		case "is_sticky":
			it.Sticky = strings.TrimSpace(s) == "1"
		case "attachment_url":
			it.AttachmentURL = strings.TrimSpace(s)
		case "comment_status":
			it.CommentStatus = strings.TrimSpace(s)
		}
		return nil
	})
	return it, err
}

// comment reads the children of the wp:comment just opened; its meta
// (wp:commentmeta) is passed over.
func (p *Parser) comment() (Comment, error) {
	var c Comment
	err := p.children(func(e xml.StartElement) error {
		if e.Name.Local == "commentmeta" {
			return p.d.Skip()
		}
		s, err := p.text(e)
		if err != nil {
			return err
		}
		switch e.Name.Local {
		case "comment_id":
			c.ID, _ = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		case "comment_author":
			c.Author = strings.TrimSpace(s)
		case "comment_author_email":
			c.AuthorEmail = strings.TrimSpace(s)
		case "comment_author_url":
			c.AuthorURL = strings.TrimSpace(s)
		case "comment_author_IP":
			c.AuthorIP = strings.TrimSpace(s)
		case "comment_date":
			c.Date = strings.TrimSpace(s)
		case "comment_date_gmt":
			c.DateGMT = strings.TrimSpace(s)
		case "comment_content":
			c.Content = s
		case "comment_approved":
			c.Approved = strings.TrimSpace(s)
		case "comment_type":
			c.Type = strings.TrimSpace(s)
		case "comment_parent":
			c.Parent, _ = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		case "comment_user_id":
			c.UserID, _ = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		}
		return nil
	})
	return c, err
}
