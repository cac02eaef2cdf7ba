package admin

import (
	"net/http"

	"github.com/broadsheet/broadsheet/internal/content"
)

func (a *Admin) newsletterRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/newsletter", a.page(a.newsletter))
}

// NewsletterPage is the newsletter's page: whether mail can be sent, and
// through which server.
type NewsletterPage struct {
	Layout
	// On is set when serve was given a mail server (--smtp).
	On     bool
	Server string // without its password
	From   string
	Rate   float64
}

func (a *Admin) newsletter(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageSettings() {
		return content.Errorf(content.EForbidden, "Only an admin may manage the newsletter.")
	}
	p := NewsletterPage{Layout: Layout{Title: "Newsletter", User: u, Section: "newsletter", Flash: r.URL.Query().Get("flash")}}
	if m := a.cfg.Mail; m != nil {
		p.On, p.Server, p.From, p.Rate = true, m.Server(), m.From(), m.Rate()
	}
	return a.render(w, "newsletter", p)
}
