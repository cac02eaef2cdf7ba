package demo

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// deskOutlet is one of the demo's followed outlets and the items its feed
// "brought": the demo needs no network, so the items are stored as they
// are and the outlets are not polled until an editor asks.
type deskOutlet struct {
	name, host, notes string
	items             []deskItem
}

type deskItem struct {
	hoursAgo            int
	slug, title, author string
	summary             string
	paragraphs          []string
	starred             bool
}

var deskOutlets = []deskOutlet{
	{name: "Andes Wire Service", host: "andes-wire.example", notes: "Syndication agreement, renewed January 2026.", items: []deskItem{
		{hoursAgo: 2, slug: "glacier-monitoring-network", title: "A glacier monitoring network goes live across three Andean countries", author: "Lucía Paredes",
			summary: "Twenty-four automatic stations now report ice loss and meltwater flow every hour, giving downstream towns days of warning.",
			paragraphs: []string{
				"LA PAZ — Twenty-four automatic stations installed on glaciers in Bolivia, Peru and Ecuador began reporting ice loss and meltwater flow every hour this week, the first network of its kind to span the three countries.",
				"The stations, built with solar panels and satellite modems, send their readings to a shared platform that water utilities and civil-protection offices can consult without charge.",
				"“Until now we learned about a surge when the water reached the bridge,” said a hydrologist who helped design the network. “Now we see it coming days ahead.”",
			}},
		{hoursAgo: 27, slug: "quinoa-cooperatives-export", title: "Quinoa cooperatives agree a common export label", author: "Mateo Quispe",
			summary: "Eleven growers' cooperatives on the Altiplano will sell under one certified label, hoping to steady prices after two volatile harvests.",
			paragraphs: []string{
				"ORURO — Eleven growers' cooperatives on the Altiplano signed an agreement on Tuesday to sell their quinoa under a single certified label.",
				"The cooperatives say a shared label will let them negotiate longer contracts with importers and keep prices steadier after two harvests in which they swung by more than a third.",
			}},
	}},
	{name: "Sahel Economic Monitor", host: "sahel-monitor.example", notes: "Republication permitted with attribution (licence letter on file).", items: []deskItem{
		{hoursAgo: 5, slug: "solar-irrigation-niger-valley", title: "Solar pumps double the dry-season harvest in the Niger valley", author: "Aminata Diallo", starred: true,
			summary: "A two-year programme replaced diesel pumps on four hundred smallholdings; yields rose and fuel bills disappeared.",
			paragraphs: []string{
				"MOPTI — Four hundred smallholdings along the Niger have replaced their diesel pumps with solar ones over the past two years, and the farmers say their dry-season harvests have doubled.",
				"The programme, financed by a regional development bank, lent each farm the cost of a pump and panels, to be repaid from the savings on fuel.",
				"Repayments are ahead of schedule, the bank said, and a second round of loans opens in March.",
			}},
		{hoursAgo: 30, slug: "cross-border-payments", title: "Mobile money crosses borders as regulators align their rules", author: "Issa Traoré",
			summary: "Transfers between five West African countries now clear in minutes, after regulators agreed a common rulebook.",
			paragraphs: []string{
				"DAKAR — Money sent by phone between five West African countries now arrives in minutes rather than days, after their regulators agreed a common rulebook for mobile-money operators.",
				"Traders at the region's border markets, who used to carry cash across, were the first to switch, operators said.",
			}},
	}},
	{name: "Pacific Climate Desk", host: "pacific-climate.example", notes: "Creative Commons BY 4.0.", items: []deskItem{
		{hoursAgo: 9, slug: "mangrove-replanting-fiji", title: "Villages replant mangroves to hold back the sea", author: "Losana Vuki",
			summary: "Forty villages on Fiji's coasts have replanted two hundred hectares of mangroves in a year, a cheaper defence than sea walls.",
			paragraphs: []string{
				"SUVA — Forty coastal villages have replanted two hundred hectares of mangroves in the past year, in a programme that pays residents to raise seedlings and tend them.",
				"Engineers say a healthy mangrove belt can take much of the force out of storm waves at a fraction of the cost of a concrete sea wall.",
			}},
		{hoursAgo: 50, slug: "cyclone-warning-radio", title: "Community radio carries cyclone warnings to outer islands", author: "Tevita Fonua",
			summary: "Low-power stations run by volunteers now relay forecasts to islands the national broadcaster does not reach.",
			paragraphs: []string{
				"NUKU'ALOFA — Volunteer-run community radio stations on six outer islands now relay cyclone forecasts from the meteorological service every three hours during the season.",
				"The stations were set up after last year's storm, when several islands learned of the warning only from boats arriving from the capital.",
			}},
	}},
	{name: "Baltic Evening Post", host: "baltic-evening-post.example", notes: "Reprint licence, 2026.", items: []deskItem{
		{hoursAgo: 14, slug: "night-ferries-return", title: "Night ferries return to the islands after a decade", author: "Karin Lindqvist",
			summary: "A restored overnight service links the archipelago to the mainland again, carrying freight and the first winter tourists.",
			paragraphs: []string{
				"VÄSTERHOLM — An overnight ferry between the archipelago and the mainland sailed on Friday for the first time in ten years, carrying freight, commuters and the season's first winter tourists.",
				"The county revived the service after island businesses said daytime sailings alone could not keep fresh produce on their shelves.",
			}},
	}},
}

// SeedDesk fills a demo site's source desk: four outlets and an inbox of
// items (one starred), stored without network access; the outlets are not
// due for polling. It does nothing when the desk already has outlets (a
// demo folder used again), and returns what it added.
func SeedDesk(ctx context.Context, db *store.DB) (outlets, items int, err error) {
	existing, err := db.FindOutlets(ctx)
	if err != nil || len(existing) > 0 {
		return 0, 0, err
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		for _, d := range deskOutlets {
			home := "https://" + d.host + "/"
			o := &content.Outlet{Name: d.name, Homepage: home, Feeds: []content.Feed{{URL: home + "feed.xml"}},
				Notes:      d.notes + " (Demo source: its items are samples and it is not polled until you choose “Poll now”.)",
				NextPollAt: tx.Now.AddDate(10, 0, 0)}
			if err := tx.CreateOutlet(ctx, o); err != nil {
				return fmt.Errorf("demo source %s: %w", d.name, err)
			}
			outlets++
			for _, it := range d.items {
				at := tx.Now.Add(-time.Duration(it.hoursAgo) * time.Hour)
				item := &content.Item{OutletID: o.ID, OutletName: o.Name, Title: it.title, Author: it.author,
					URL:     home + at.Format("2006/01/02/") + it.slug + ".html",
					Summary: it.summary, Content: paragraphsHTML(it.paragraphs),
					PublishedAt: at, FetchedAt: at}
				if it.starred {
					item.State = content.ItemStarred
				}
				if _, err := tx.AddItem(ctx, item); err != nil {
					return fmt.Errorf("demo item %q: %w", it.title, err)
				}
				items++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return outlets, items, nil
}

func paragraphsHTML(ps []string) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	return b.String()
}
