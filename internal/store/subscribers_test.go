package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func subscribe(t *testing.T, db *store.DB, s *content.Subscriber) store.SubscribeOutcome {
	t.Helper()
	var out store.SubscribeOutcome
	if err := db.Update(ctx, func(tx *store.Tx) (err error) { out, err = tx.Subscribe(ctx, s); return err }); err != nil {
		t.Fatalf("subscribe %s: %v", s.Email, err)
	}
	return out
}

// TestSubscribers: one row per address whatever its case; subscribing
// again while waiting keeps one row with the new choices; a confirmed
// address is left as it is; a bad address or frequency is refused on its
// field; confirm and unsubscribe are idempotent; an old confirmation link
// does not bring back who unsubscribed since.
func TestSubscribers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := &content.Subscriber{Email: "Reader@Example.org", Frequency: content.DailyDigest, Sections: []string{"world"}}
		if got := subscribe(t, db, s); got != store.Subscribed || s.ID == 0 || s.Status != content.SubscriberPending {
			t.Fatalf("first subscription: %v %+v", got, s)
		}
		again := &content.Subscriber{Email: "reader@example.ORG", Frequency: content.WeeklyDigest}
		if got := subscribe(t, db, again); got != store.SubscribedAgain || again.ID != s.ID || again.Frequency != content.WeeklyDigest || len(again.Sections) != 0 {
			t.Errorf("the same address again: %v %+v", got, again)
		}
		var confirmed *content.Subscriber
		for range 2 {
			if err := db.Update(ctx, func(tx *store.Tx) (err error) { confirmed, err = tx.ConfirmSubscriber(ctx, s.ID); return err }); err != nil {
				t.Fatal(err)
			}
		}
		if confirmed.Status != content.SubscriberConfirmed || confirmed.ConfirmedAt.IsZero() {
			t.Errorf("confirmed: %+v", confirmed)
		}
		third := &content.Subscriber{Email: "READER@example.org", Frequency: content.EveryStory}
		if got := subscribe(t, db, third); got != store.AlreadySubscribed || third.Frequency != content.WeeklyDigest {
			t.Errorf("a confirmed address subscribing again: %v %+v", got, third)
		}
		list, total, err := db.FindSubscribers(ctx, store.SubscriberFilter{Query: "reader"})
		if err != nil || total != 1 || len(list) != 1 || list[0].Email != "Reader@Example.org" {
			t.Errorf("find by part of the address: %d %v %v", total, list, err)
		}
		for _, bad := range []*content.Subscriber{{Email: "not an address"}, {Email: "a@b"}, {Email: "x@example.org", Frequency: "hourly"}} {
			err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.Subscribe(ctx, bad); return err })
			if content.ErrorCode(err) != content.EInvalid {
				t.Errorf("%+v: err = %v, want invalid", bad, err)
			}
		}
		if n, _ := db.CountSubscribers(ctx); n[content.SubscriberConfirmed] != 1 || len(n) != 1 {
			t.Errorf("counts after bad input: %v", n)
		}
		for range 2 {
			if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.Unsubscribe(ctx, s.ID); return err }); err != nil {
				t.Fatal(err)
			}
		}
		err = db.Update(ctx, func(tx *store.Tx) error { _, err := tx.ConfirmSubscriber(ctx, s.ID); return err })
		if content.ErrorCode(err) != content.EConflict {
			t.Errorf("an old confirmation after unsubscribing: err = %v", err)
		}
	})
}

// TestSendQueue: an edition is queued once for its subscribers; a claim
// hands each send to one claimer; outcomes are recorded (sent, queued
// again for later, failed, the address marked bounced); a send left
// "sending" by a stopped process is failed, never sent twice; sends of who
// unsubscribes are dropped.
func TestSendQueue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var ids []int64
		for _, e := range []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org"} {
			s := &content.Subscriber{Email: e}
			subscribe(t, db, s)
			ids = append(ids, s.ID)
		}
		queue := func(edition string) bool {
			var q bool
			if err := db.Update(ctx, func(tx *store.Tx) (err error) { q, err = tx.QueueEdition(ctx, edition, 7, "Subject", ids); return err }); err != nil {
				t.Fatal(err)
			}
			return q
		}
		if !queue("post:7") || queue("post:7") {
			t.Fatal("an edition is not queued exactly once")
		}
		first, err := db.ClaimSends(ctx, 3, time.Minute)
		if err != nil || len(first) != 3 || first[0].PostID != 7 || first[0].Subscriber.Email != "a@example.org" {
			t.Fatalf("claim 3: %v %v", first, err)
		}
		second, err := db.ClaimSends(ctx, 10, time.Minute)
		if err != nil || len(second) != 1 || second[0].Subscriber.Email != "d@example.org" {
			t.Fatalf("claim the rest: %v %v", second, err)
		}
		if more, _ := db.ClaimSends(ctx, 10, time.Minute); len(more) != 0 {
			t.Errorf("claimed twice: %v", more)
		}
		if err := db.FinishSends(ctx, []store.SendOutcome{
			{ID: first[0].ID, SubscriberID: first[0].Subscriber.ID},
			{ID: first[1].ID, SubscriberID: first[1].Subscriber.ID, Err: "451 busy", RetryAt: db.Now().Add(-time.Second)},
			{ID: first[2].ID, SubscriberID: first[2].Subscriber.ID, Err: "550 no such user", Bounced: true},
		}); err != nil {
			t.Fatal(err)
		}
		retry, _ := db.ClaimSends(ctx, 10, time.Minute)
		if len(retry) != 1 || retry[0].ID != first[1].ID || retry[0].Attempts != 1 {
			t.Errorf("the send to retry: %+v", retry)
		}
		if s, _ := db.FindSubscriber(ctx, first[2].Subscriber.ID); s.Status != content.SubscriberBounced || s.Failure != "550 no such user" {
			t.Errorf("a refused address: %+v", s)
		}
		// d's process stopped mid-send: its claim runs out.
		later := db.Now().Add(2 * time.Minute)
		db.Now = func() time.Time { return later }
		if failed, requeued, err := db.RecoverSends(ctx); err != nil || failed != 2 || requeued != 0 {
			t.Errorf("recovered sends: %d failed, %d queued again (%v); want 2 failed (d's and the retry, each its batch's first) and none queued", failed, requeued, err)
		}
		if more, _ := db.ClaimSends(ctx, 10, time.Minute); len(more) != 0 {
			t.Errorf("a send interrupted mid-way is sent again: %v", more)
		}
		counts, _ := db.SendsOfEdition(ctx, "post:7")
		if counts[store.SendSent] != 1 || counts[store.SendFailed] != 3 {
			t.Errorf("the edition's sends: %v", counts)
		}
		// Unsubscribing drops what is still queued.
		if !queue("daily:2026-12-06") {
			t.Fatal("second edition not queued")
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.Unsubscribe(ctx, ids[0]); return err }); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ClaimSends(ctx, 10, time.Minute)
		for _, s := range got {
			if s.Subscriber.ID == ids[0] {
				t.Errorf("a send to who unsubscribed is claimed: %+v", s)
			}
		}
	})
}

// TestSendsOfAStoppedBatch: a process that stopped after recording the
// first two sends of a batch of five may have begun the third, never the
// fourth and fifth: once its claim runs out, the third is failed (it may
// have arrived) and the last two are queued again, not lost; another
// process's batch is left alone.
func TestSendsOfAStoppedBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var ids []int64
		for i := range 7 {
			s := &content.Subscriber{Email: fmt.Sprintf("r%d@example.org", i)}
			subscribe(t, db, s)
			ids = append(ids, s.ID)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.QueueEdition(ctx, "post:9", 9, "Subject", ids); return err }); err != nil {
			t.Fatal(err)
		}
		batch, err := db.ClaimSends(ctx, 5, time.Minute)
		if err != nil || len(batch) != 5 {
			t.Fatalf("claim 5: %v %v", batch, err)
		}
		if err := db.FinishSends(ctx, []store.SendOutcome{{ID: batch[0].ID, SubscriberID: batch[0].Subscriber.ID}}); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishSends(ctx, []store.SendOutcome{{ID: batch[1].ID, SubscriberID: batch[1].Subscriber.ID}}); err != nil {
			t.Fatal(err)
		}
		// The process stops; another claims the remaining two later, with a
		// claim that has not run out when the first's is settled.
		now := db.Now()
		db.Now = func() time.Time { return now.Add(2 * time.Minute) }
		other, err := db.ClaimSends(ctx, 5, time.Hour)
		if err != nil || len(other) != 2 {
			t.Fatalf("the other process's claim: %v %v", other, err)
		}
		failed, requeued, err := db.RecoverSends(ctx)
		if err != nil || failed != 1 || requeued != 2 {
			t.Fatalf("recovered: %d failed, %d queued again (%v); want 1 and 2", failed, requeued, err)
		}
		again, err := db.ClaimSends(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range again {
			got = append(got, s.Subscriber.Email)
		}
		want := []string{batch[3].Subscriber.Email, batch[4].Subscriber.Email}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("sent again: %v; want the two never begun, %v", got, want)
		}
		counts, _ := db.SendsOfEdition(ctx, "post:9")
		if counts[store.SendSent] != 2 || counts[store.SendFailed] != 1 || counts[store.SendSending] != 4 {
			t.Errorf("the edition's sends: %v; want 2 sent, 1 failed (the one in doubt), 4 being sent", counts)
		}
	})
}

// TestNewsletterBookkeeping: the signing key is made once and kept; choices
// change and a bad one is refused; the list pages and filters by status and
// frequency; editions and sends are counted.
func TestNewsletterBookkeeping(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		k1, since1, err := db.NewsletterKey(ctx)
		if err != nil || len(k1) != 32 || since1.IsZero() {
			t.Fatalf("key: %d bytes, since %v, %v", len(k1), since1, err)
		}
		later := db.Now().Add(time.Hour)
		db.Now = func() time.Time { return later }
		k2, since2, err := db.NewsletterKey(ctx)
		if err != nil || string(k1) != string(k2) || !since1.Equal(since2) {
			t.Errorf("the key changed: %v", err)
		}
		var ids []int64
		for i, f := range []content.Frequency{content.EveryStory, content.DailyDigest, content.DailyDigest} {
			s := &content.Subscriber{Email: string(rune('a'+i)) + "@example.org", Status: content.SubscriberConfirmed, Frequency: f}
			if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.ImportSubscriber(ctx, s); return err }); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
		var s *content.Subscriber
		err = db.Update(ctx, func(tx *store.Tx) (err error) {
			s, err = tx.SetSubscriberChoices(ctx, ids[0], content.WeeklyDigest, []string{"world", "sport"})
			return err
		})
		if err != nil || s.Frequency != content.WeeklyDigest || len(s.Sections) != 2 {
			t.Errorf("set choices: %+v %v", s, err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error { _, err := tx.SetSubscriberChoices(ctx, ids[0], "hourly", nil); return err })
		if content.ErrorCode(err) != content.EInvalid {
			t.Errorf("an unknown frequency: %v", err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.ConfirmationSent(ctx, ids[1]) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindSubscriber(ctx, ids[1]); !got.ConfirmSentAt.Equal(later.Truncate(time.Second)) {
			t.Errorf("confirmation sent at %v, want %v", got.ConfirmSentAt, later)
		}
		page, total, err := db.FindSubscribers(ctx, store.SubscriberFilter{Frequency: content.DailyDigest, Status: content.SubscriberConfirmed, Limit: 1, Offset: 1})
		if err != nil || total != 2 || len(page) != 1 {
			t.Errorf("the second daily subscriber of two: %d of %d, %v", len(page), total, err)
		}
		if q, _ := db.EditionQueued(ctx, "post:1"); q {
			t.Error("an edition never queued is queued")
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.QueueEdition(ctx, "post:1", 1, "S", ids); return err }); err != nil {
			t.Fatal(err)
		}
		if q, _ := db.EditionQueued(ctx, "post:1"); !q {
			t.Error("a queued edition is not")
		}
		if c, err := db.SendCounts(ctx); err != nil || c[store.SendQueued] != 3 {
			t.Errorf("send counts: %v %v", c, err)
		}
	})
}
