package app_test

import (
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
)

// tcpProxy stands between the product and PostgreSQL, so that a test can
// cut the database off (an outage) and bring it back.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	l      net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.up("127.0.0.1:0")
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) up(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.l, p.addr = l, l.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
}

// down refuses new connections and cuts the open ones.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// A database outage is the service's, not the request's fault: 503
// unavailable with Retry-After (API and pages), /readyz says so, /healthz
// still answers, and the service recovers by itself. PostgreSQL only: the
// embedded SQLite file has no connection to lose (its busy timeout is
// classified the same way, see database.IsUnavailable).
func TestDatabaseOutage_Answers503WithRetryAfterAndRecovers(t *testing.T) {
	if os.Getenv("CQP_TEST_DATABASE_URL") == "" {
		t.Skip("a PostgreSQL outage: runs in the PostgreSQL pass (CQP_TEST_DATABASE_URL)")
	}
	dbURL, _ := apptest.DatabaseURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.DatabaseURL = u.String() }))
	_, admin := env.User(t, auth.RoleAdmin)
	env.Do(t, "GET", "/api/v1/candidates", admin, nil).Expect(t, 200)

	proxy.down()
	res := env.Do(t, "GET", "/api/v1/candidates", admin, nil)
	if res.Status != 503 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("during the outage: %d, Retry-After %q; %s", res.Status, res.Header.Get("Retry-After"), res.Body)
	}
	if p := res.Problem(t); p.Code != "unavailable" {
		t.Fatalf("code %s", p.Code)
	}
	if r := env.Do(t, "GET", "/readyz", "", nil); r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("/readyz during the outage: %d", r.Status)
	}
	env.Do(t, "GET", "/healthz", "", nil).Expect(t, 200)
	page := env.Do(t, "GET", "/login", "", nil, "Accept", "text/html")
	if page.Status >= 500 && page.Status != 503 {
		t.Fatalf("a page during the outage: %d", page.Status)
	}
	login := env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": "a@b.fr", "password": "whatever-long"})
	if login.Status != 503 {
		t.Fatalf("login during the outage: %d %s", login.Status, login.Body)
	}

	proxy.up(proxy.addr)
	var last *apptest.Response
	for range 20 { // the pool drops its dead connections one by one
		if last = env.Do(t, "GET", "/api/v1/candidates", admin, nil); last.Status == 200 {
			break
		}
		if last.Status != 503 {
			t.Fatalf("after the outage: %d %s", last.Status, last.Body)
		}
	}
	if last.Status != 200 || !strings.Contains(string(last.Body), "items") {
		t.Fatalf("not recovered: %d %s", last.Status, last.Body)
	}
}
