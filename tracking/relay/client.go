package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Applier applies one push (its form fields param and sign) at the station
// and says what became of it: Applied (stored), Forged (the sign matched no
// salt of the station's), Unknown (a number the station never subscribed)
// or Bad (not a push). An error means the station could not apply it now
// (its store failed); the push stays at the relay and is taken again.
type Applier func(ctx context.Context, param, sign string) (Outcome, error)

// ClientConfig configures a Client.
type ClientConfig struct {
	// URL is the relay's base URL, e.g. https://relay.example.com.
	URL string
	// Token is the station's token from `shipdesk relay add-station`.
	Token string
	// Apply applies each push taken.
	Apply Applier
	// HTTPClient talks to the relay; nil means a client of the Client's
	// own, whose timeout outlasts the long poll and whose connections Run
	// closes when it returns. A client given here is the caller's to close.
	HTTPClient *http.Client
	// Wait is the long poll; 0 means DefaultWait.
	Wait time.Duration
	// Logf logs; nil means log.Printf. The token is never logged.
	Logf func(format string, args ...any)
}

// ClientStats count what a Client took since it started.
type ClientStats struct {
	Taken, Applied, Forged, Unknown, Bad int
	Connected                            bool      // the last request to the relay succeeded
	LastContact                          time.Time // of the last successful request
	LastError                            string    // of the last failed one
}

// Client is the station side of the relay: Run takes the station's pushes
// as they come (long polling), applies each, and acknowledges it only after
// it was applied. Create it with NewClient.
type Client struct {
	base     *url.URL
	token    string
	station  string
	callback string
	apply    Applier
	hc       *http.Client
	ownHC    bool // hc is ours: Run closes its idle connections
	wait     time.Duration
	logf     func(string, ...any)

	mu    sync.Mutex
	stats ClientStats

	unacked []Ack // applied, but the acknowledgement failed: sent again first
}

// CallbackURL returns the callback URL a station with token gives
// Kuaidi100 when the relay is at base: base/push/NAME.
func CallbackURL(base, token string) (string, error) {
	u, err := parseBase(base)
	if err != nil {
		return "", err
	}
	name, ok := StationOfToken(token)
	if !ok {
		return "", errors.New("relay token: not a station token (NAME. followed by 64 hex digits, as add-station printed it)")
	}
	return u.JoinPath(PathPush, name).String(), nil
}

func parseBase(base string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(base), "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("relay URL %q: want https://HOST[:PORT]", base)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// NewClient checks cfg and returns a client; it does not connect.
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := parseBase(cfg.URL)
	if err != nil {
		return nil, err
	}
	cb, err := CallbackURL(cfg.URL, cfg.Token)
	if err != nil {
		return nil, err
	}
	if cfg.Apply == nil {
		return nil, errors.New("relay client: no Apply")
	}
	c := &Client{base: u, token: strings.TrimSpace(cfg.Token), callback: cb, apply: cfg.Apply,
		hc: cfg.HTTPClient, wait: cfg.Wait, logf: cfg.Logf}
	c.station, _ = StationOfToken(c.token)
	if c.wait <= 0 {
		c.wait = DefaultWait
	}
	c.wait = min(c.wait, MaxWait)
	if c.hc == nil {
		c.hc = &http.Client{Timeout: c.wait + 30*time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
		c.ownHC = true
	}
	if c.logf == nil {
		c.logf = log.Printf
	}
	return c, nil
}

// CallbackURL is the address this station's subscriptions carry.
func (c *Client) CallbackURL() string { return c.callback }

// Station is the station's name at the relay.
func (c *Client) Station() string { return c.station }

// Stats returns the counters; safe for concurrent use.
func (c *Client) Stats() ClientStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

func (c *Client) contact(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Connected = err == nil
	if err == nil {
		c.stats.LastContact = time.Now()
		c.stats.LastError = ""
	} else {
		c.stats.LastError = err.Error()
	}
}

// Run takes and applies pushes until ctx ends, reconnecting with a growing
// pause (1 s up to 1 min) while the relay cannot be reached. It returns nil
// when ctx ends, leaving no goroutine behind: the keep-alive connections
// of its own HTTP client are closed.
func (c *Client) Run(ctx context.Context) error {
	if c.ownHC {
		defer c.hc.CloseIdleConnections()
	}
	var after uint64 // pushes up to here were applied but their ack failed or waits
	fails := 0
	for ctx.Err() == nil {
		n, err := c.Once(ctx, &after)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			fails++
			if fails == 1 || fails%20 == 0 {
				c.logf("relay: %v (retrying)", err)
			}
			d := time.Second << min(fails-1, 6)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(min(d, time.Minute)):
			}
			continue
		}
		if fails > 0 {
			c.logf("relay: connected to %s again", c.base.Host)
		}
		fails = 0
		_ = n
	}
	return nil
}

// Once takes one batch (waiting up to the long poll for one), applies it
// and acknowledges what was applied or refused. Once is not safe for
// concurrent use (Run calls it in a loop). *after is the sequence
// number below which pushes are not taken again in this session (those
// whose application failed are retried from their number). It returns how
// many pushes were acknowledged.
func (c *Client) Once(ctx context.Context, after *uint64) (int, error) {
	if len(c.unacked) > 0 {
		if err := c.ack(ctx, c.unacked); err != nil {
			return 0, fmt.Errorf("acknowledge: %w", err)
		}
		c.unacked = nil
	}
	u := c.base.JoinPath(PathTake)
	u.RawQuery = url.Values{"after": {strconv.FormatUint(*after, 10)}, "wait": {c.wait.String()}}.Encode()
	var reply TakeReply
	if err := c.do(ctx, http.MethodGet, u.String(), nil, &reply); err != nil {
		return 0, err
	}
	var acks []Ack
	var applyErr error
	for _, p := range reply.Pushes {
		form, err := url.ParseQuery(string(p.Body))
		var out Outcome
		if err != nil || form.Get("param") == "" {
			out = Bad
		} else if out, err = c.apply(ctx, form.Get("param"), form.Get("sign")); err != nil {
			applyErr = fmt.Errorf("apply push %d: %w", p.Seq, err)
			break // retried from here on the next take
		}
		acks = append(acks, Ack{Seq: p.Seq, Outcome: out})
		c.count(out)
	}
	if len(acks) == 0 {
		return 0, applyErr
	}
	if err := c.ack(ctx, acks); err != nil {
		// Applied but not acknowledged: not taken again in this session,
		// acknowledged again before the next take. (After a restart the
		// relay hands them out again; applying a push twice changes
		// nothing.)
		*after = max(*after, acks[len(acks)-1].Seq)
		c.unacked = append(c.unacked, acks...)
		return 0, fmt.Errorf("acknowledge: %w", err)
	}
	return len(acks), applyErr
}

func (c *Client) ack(ctx context.Context, acks []Ack) error {
	var res map[string]int
	body, _ := json.Marshal(AckRequest{Acks: acks})
	return c.do(context.WithoutCancel(ctx), http.MethodPost, c.base.JoinPath(PathAck).String(), body, &res)
}

func (c *Client) count(o Outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Taken++
	switch o {
	case Applied:
		c.stats.Applied++
	case Forged:
		c.stats.Forged++
	case Unknown:
		c.stats.Unknown++
	case Bad:
		c.stats.Bad++
	}
}

// ErrTokenRefused means the relay did not accept the station's token.
var ErrTokenRefused = errors.New("relay refused the station token (check --relay-token)")

func (c *Client) do(ctx context.Context, method, target string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		err = fmt.Errorf("relay %s: %w", c.base.Host, redact(err, c.token))
		c.contact(err)
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		err = fmt.Errorf("relay %s: %w", c.base.Host, ErrTokenRefused)
	case resp.StatusCode != http.StatusOK:
		err = fmt.Errorf("relay %s: %s: %s", c.base.Host, resp.Status, strings.TrimSpace(string(raw)))
	default:
		if jerr := json.Unmarshal(raw, out); jerr != nil {
			err = fmt.Errorf("relay %s: unreadable reply: %w", c.base.Host, jerr)
		}
	}
	c.contact(err)
	return err
}

// redact keeps the token out of an error text (a URL error quotes the URL,
// which does not carry it, but be sure).
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
}
