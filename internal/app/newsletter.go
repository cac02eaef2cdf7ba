package app

import (
	"io/fs"
	"os"
	"time"

	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// newsletterInterval is how often serve queues what was published and
// sends what is due: a story reaches subscribers about this late.
const newsletterInterval = 5 * time.Second

// theme is the site's theme: the default one under the data folder's.
func (e *env) theme() fs.FS {
	theme := web.Overlay{Lower: site.DefaultTheme()}
	if st, err := os.Stat(e.cfg.ThemeDir()); err == nil && st.IsDir() {
		theme.Upper = os.DirFS(e.cfg.ThemeDir())
	}
	return theme
}

// newsletter is the newsletter over db, made once; nil without --smtp.
func (e *env) newsletter(db *store.DB) (*newsletter.Service, error) {
	if e.news != nil || e.cfg.SMTP == nil {
		return e.news, nil
	}
	mail, err := e.mailer()
	if err != nil {
		return nil, err
	}
	e.news, err = newsletter.New(newsletter.Config{DB: db, Mail: mail, Theme: e.theme(), BaseURL: e.cfg.BaseURL, Log: e.log})
	return e.news, err
}

// newsletterJob queues new posts and due digests and sends the queue, under
// a lease so one process at a time does it (the queue itself never sends a
// message twice, lease or not).
func (e *env) newsletterJob(news *newsletter.Service) ops.Job {
	return ops.Job{Name: "newsletter", Every: newsletterInterval, Run: news.Run}
}
