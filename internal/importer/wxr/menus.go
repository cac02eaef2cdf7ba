package wxr

import (
	"context"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// WordPress's post meta keys of a menu item (post type nav_menu_item).
const (
	metaMenuType     = "_menu_item_type"      // custom, post_type, taxonomy
	metaMenuObject   = "_menu_item_object"    // page, post, category, post_tag, custom
	metaMenuObjectID = "_menu_item_object_id" // the entry's or term's id
	metaMenuURL      = "_menu_item_url"       // a custom link's address
	metaMenuParent   = "_menu_item_menu_item_parent"
)

// maxMenuItems bounds the menu items an import keeps in memory until the
// end of the file: far more than any navigation has.
const maxMenuItems = 5000

// menus are the menu items of an export, by menu, until the whole file has
// been read: they name entries and terms that may come later in it.
type menus struct {
	items []menuItem
	names map[string]string // menu slug → name
}

type menuItem struct {
	line     int
	menu     string // the menu's slug
	order    int
	label    string
	kind     string // custom, post_type, taxonomy
	object   string
	objectID int64
	url      string
	nested   bool
}

// menuItem keeps a nav_menu_item for settle.
func (imp *importer) menuItem(it *wordpress.Item) {
	if len(imp.menus.items) >= maxMenuItems {
		imp.skip(it, "more than %d menu items in the export: not imported", maxMenuItems)
		return
	}
	m := menuItem{line: it.Line, order: it.MenuOrder, label: strings.TrimSpace(html.UnescapeString(it.Title)),
		kind: it.MetaValue(metaMenuType), object: it.MetaValue(metaMenuObject), url: strings.TrimSpace(it.MetaValue(metaMenuURL))}
	m.objectID, _ = strconv.ParseInt(strings.TrimSpace(it.MetaValue(metaMenuObjectID)), 10, 64)
	m.nested = strings.TrimSpace(it.MetaValue(metaMenuParent)) != "" && strings.TrimSpace(it.MetaValue(metaMenuParent)) != "0"
	for _, t := range it.Terms {
		if t.Domain == "nav_menu" {
			m.menu = firstNonEmpty(unescapeSlug(t.Slug), t.Name)
			if imp.menus.names == nil {
				imp.menus.names = map[string]string{}
			}
			imp.menus.names[m.menu] = firstNonEmpty(html.UnescapeString(t.Name), m.menu)
		}
	}
	imp.menus.items = append(imp.menus.items, m)
}

// settleMenu makes the old site's menu the navigation of a site that has
// none: the menu with the most links, its top-level links in their order.
// The navigation has one level, so nested links are left out (and said).
func (imp *importer) settleMenu(ctx context.Context, s *content.Settings) (bool, error) {
	if len(imp.menus.items) == 0 {
		return false, nil
	}
	count := map[string]int{}
	for _, m := range imp.menus.items {
		count[m.menu]++
	}
	menus := make([]string, 0, len(count))
	for name := range count {
		menus = append(menus, name)
	}
	// The largest menu, then the first by name: the same on every import.
	slices.SortFunc(menus, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	chosen := menus[0]
	for _, other := range menus[1:] {
		imp.note(true, Skip{Type: "nav_menu", Title: imp.menus.names[other],
			Reason: "not imported: the site has one navigation menu, made of the menu " + strconv.Quote(imp.menus.names[chosen])})
	}
	items := slices.Clone(imp.menus.items)
	slices.SortStableFunc(items, func(a, b menuItem) int { return a.order - b.order })
	var nav []content.MenuItem
	nested := 0
	for _, m := range items {
		if m.menu != chosen {
			continue
		}
		if m.nested {
			nested++
			continue
		}
		label, target, err := imp.menuTarget(ctx, m)
		if err != nil {
			return false, err
		}
		it := &wordpress.Item{Line: m.line, PostType: "nav_menu_item", Title: m.label}
		if target == "" {
			imp.note(true, Skip{Line: m.line, Type: "nav_menu_item", Title: firstNonEmpty(m.label, label),
				Reason: "leads to nothing in the export: left out of the navigation"})
			continue
		}
		item := content.MenuItem{Label: firstNonEmpty(m.label, label), URL: target}
		if item.Label == "" {
			imp.changed(it, "a menu link without a label: called by its address")
			item.Label = target
		}
		nav = append(nav, item)
	}
	if nested > 0 {
		imp.note(false, Skip{Type: "nav_menu", Title: imp.menus.names[chosen],
			Reason: strconv.Itoa(nested) + " nested link(s) left out: the navigation has one level"})
	}
	if len(nav) == 0 {
		return false, nil
	}
	if len(s.Menu) > 0 {
		if !slices.Equal(s.Menu, nav) {
			imp.note(true, Skip{Type: "nav_menu", Title: imp.menus.names[chosen],
				Reason: "not imported: the site's navigation was made by its editors, and is kept"})
		}
		return false, nil
	}
	s.Menu = nav
	return true, nil
}

// menuTarget returns a menu item's address on the new site, and the label
// of what it leads to, or "" when it leads to nothing imported.
func (imp *importer) menuTarget(ctx context.Context, m menuItem) (label, target string, err error) {
	switch m.kind {
	case "post_type":
		id, err := imp.findPost(ctx, m.objectID)
		if err != nil || id == 0 {
			return "", "", err
		}
		p, err := imp.tx.FindPostByID(ctx, id)
		if err != nil {
			return "", "", err
		}
		return p.Title, escapePath(p.Path()), nil
	case "taxonomy":
		if t := imp.termIDs[m.objectID]; t != nil {
			return t.Name, escapePath(t.Path()), nil
		}
		return "", "", nil
	}
	if m.url == "" || m.url == "#" {
		return "", "", nil
	}
	u, perr := url.Parse(m.url)
	if perr != nil {
		return "", "", nil
	}
	if u.Host != "" && imp.links.hosts[strings.ToLower(u.Host)] {
		// The old site's own address: where it is now.
		imp.links.forget()
		ours, now, err := imp.links.resolve(ctx, m.url)
		if err != nil {
			return "", "", err
		}
		if ours && now != "" {
			return "", now, nil
		}
		p := imp.oldPath(m.url)
		if p == "" {
			p = "/"
		}
		return "", p, nil
	}
	if strings.HasPrefix(m.url, "/") && !strings.HasPrefix(m.url, "//") {
		return "", m.url, nil
	}
	if content.ValidateHTTPURL(m.url) != nil {
		return "", "", nil
	}
	return "", m.url, nil
}

// settle sets up a new site as the old one was: its time zone, read from
// its entries' dates, and its navigation menu.
func (imp *importer) settle(ctx context.Context) error {
	s, err := imp.tx.LoadSettings(ctx)
	if err != nil {
		return err
	}
	changed := false
	if imp.fresh && (s.TimeZone == "" || s.TimeZone == "UTC") {
		if z := imp.channel.TimeZone; z != "" && imp.ownSite {
			// Broadsheet's export names it.
			if _, err := time.LoadLocation(z); err == nil && z != s.TimeZone {
				s.TimeZone, changed = z, true
			}
		} else if z := imp.zone.infer(); z != "" {
			s.TimeZone, changed = z, true
			imp.note(false, Skip{Type: "site", Title: s.Title, Reason: "time zone set to " + z + ", as the old site's dates show"})
		}
	}
	menu, err := imp.settleMenu(ctx, &s)
	if err != nil {
		return err
	}
	if !changed && !menu {
		return nil
	}
	return imp.tx.SaveSettings(ctx, s)
}
