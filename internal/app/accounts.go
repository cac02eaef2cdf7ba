package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

const userUsage = `Usage:
  broadsheet user add --email E --name N --role admin|editor|author|contributor
  broadsheet user passwd --email E [--keep-tokens]
  broadsheet user list

The password is read from the terminal without echo, or from BROADSHEET_PASSWORD.
A new password ends the user's sessions and revokes their API tokens, unless
--keep-tokens keeps the tokens.`

// user runs 'broadsheet user add|passwd|list'.
func (e *env) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"say what to do: add, passwd or list\n\n" + userUsage}
	}
	switch args[0] {
	case "add":
		fs := e.flags("user add", "--email E --name N --role ROLE")
		email := fs.String("email", "", "the `email` they sign in with")
		name := fs.String("name", "", "display `name`, as bylines show it")
		role := fs.String("role", "", "`role`: admin, editor, author or contributor")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *email == "" || *name == "" || *role == "" {
			return usageError{"--email, --name and --role are all required\n\n" + userUsage}
		}
		if !content.Role(*role).Valid() {
			return usageError{fmt.Sprintf("unknown role %q: choose admin, editor, author or contributor", *role)}
		}
		pw, err := e.password("Password for " + *email)
		if err != nil {
			return err
		}
		hash, err := auth.DefaultHasher.Hash(ctx, pw)
		if err != nil {
			return err
		}
		db, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		u := &content.User{Name: *name, Email: *email, Role: content.Role(*role)}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.CreateAccount(ctx, u, markup.Slugify(*name), hash)
		}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Added %s <%s> as %s (author page /author/%s/). They can sign in at /admin/login.\n", u.Name, u.Email, u.Role, u.Slug)
		return nil
	case "passwd":
		fs := e.flags("user passwd", "--email E [--keep-tokens]")
		email := fs.String("email", "", "the user's `email`")
		keep := fs.Bool("keep-tokens", false, "leave the user's API tokens valid (by default they are revoked with the old password)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *email == "" {
			return usageError{"--email is required\n\n" + userUsage}
		}
		db, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		u, _, err := db.FindUserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		pw, err := e.password("New password for " + u.Email)
		if err != nil {
			return err
		}
		hash, err := auth.DefaultHasher.Hash(ctx, pw)
		if err != nil {
			return err
		}
		var revoked int64
		if err := db.Update(ctx, func(tx *store.Tx) (err error) {
			revoked, err = tx.SetPassword(ctx, u.ID, hash, store.KeepTokens(*keep))
			return err
		}); err != nil {
			return err
		}
		tokens := "their API tokens were kept"
		switch {
		case *keep:
		case revoked == 1:
			tokens = "their 1 API token was revoked"
		default:
			tokens = fmt.Sprintf("their %d API tokens were revoked", revoked)
		}
		fmt.Fprintf(e.stdout, "Changed the password of %s <%s>; their open sessions were ended and %s.\n", u.Name, u.Email, tokens)
		return nil
	case "list":
		fs := e.flags("user list", "")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		db, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		users, err := db.FindUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tEMAIL\tROLE\tSLUG\tCAN SIGN IN")
		for _, u := range users {
			_, hash, err := db.FindUserByEmail(ctx, u.Email)
			can := "no"
			if err == nil && u.Email != "" && hash != "" {
				can = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Email, u.Role, u.Slug, can)
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "%d users\n", len(users))
		return nil
	}
	return usageError{fmt.Sprintf("unknown subcommand %q\n\n%s", args[0], userUsage)}
}

// password reads a password from BROADSHEET_PASSWORD or, failing that,
// from the terminal without echo, twice.
func (e *env) password(prompt string) (string, error) {
	if pw := e.getenv("BROADSHEET_PASSWORD"); pw != "" {
		return pw, auth.CheckPassword(pw)
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("no password: set BROADSHEET_PASSWORD, or run the command in a terminal to type it")
	}
	read := func(p string) (string, error) {
		fmt.Fprintf(e.stderr, "%s: ", p)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	pw, err := read(prompt)
	if err != nil {
		return "", err
	}
	if err := auth.CheckPassword(pw); err != nil {
		return "", err
	}
	again, err := read("Again")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return pw, nil
}

func (e *env) getenv(key string) string {
	for _, kv := range e.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

const tokenUsage = `Usage:
  broadsheet token create --user EMAIL --name NAME
  broadsheet token list [--user EMAIL]
  broadsheet token revoke ID`

// token runs 'broadsheet token create|list|revoke'.
func (e *env) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"say what to do: create, list or revoke\n\n" + tokenUsage}
	}
	open := func() (*store.DB, error) { return e.openStore(ctx) }
	switch args[0] {
	case "create":
		fs := e.flags("token create", "--user EMAIL --name NAME")
		email := fs.String("user", "", "`email` of the user the token acts as")
		name := fs.String("name", "", "`name` saying what the token is for")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *email == "" || *name == "" {
			return usageError{"--user and --name are required\n\n" + tokenUsage}
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		u, _, err := db.FindUserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		secret, t, err := auth.CreateToken(ctx, db, u.ID, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "Created token %d %q for %s (%s). It is shown only now; keep it secret:\n", t.ID, t.Name, u.Email, u.Role)
		fmt.Fprintln(e.stdout, secret)
		return nil
	case "list":
		fs := e.flags("token list", "[--user EMAIL]")
		email := fs.String("user", "", "list only this user's tokens (`email`)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		var uid int64
		if *email != "" {
			u, _, err := db.FindUserByEmail(ctx, *email)
			if err != nil {
				return err
			}
			uid = u.ID
		}
		ts, err := db.FindTokens(ctx, uid)
		if err != nil {
			return err
		}
		printTokens(e.stdout, ts)
		return nil
	case "revoke":
		fs := e.flags("token revoke", "ID")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usageError{"give the id of the token to revoke (see 'broadsheet token list')"}
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return usageError{fmt.Sprintf("%q is not a token id", fs.Arg(0))}
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Revoked token %d; calls with it are now refused.\n", id)
		return nil
	}
	return usageError{fmt.Sprintf("unknown subcommand %q\n\n%s", args[0], tokenUsage)}
}

func printTokens(w io.Writer, ts []*store.Token) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tUSER\tCREATED\tLAST USED\tSTATE")
	for _, t := range ts {
		used, state := "never", "valid"
		if !t.LastUsedAt.IsZero() {
			used = t.LastUsedAt.Format("2006-01-02 15:04")
		}
		if !t.RevokedAt.IsZero() {
			state = "revoked " + t.RevokedAt.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.User.Email, t.CreatedAt.Format("2006-01-02 15:04"), used, state)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d tokens\n", len(ts))
}
