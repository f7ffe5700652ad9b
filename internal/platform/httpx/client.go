package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// forwardedHeaders are what a proxy says about the client; believed only
// from a trusted proxy.
var forwardedHeaders = []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Ssl",
	"X-Url-Scheme", "X-Real-Ip", "Forwarded"}

// proxies is the set of trusted reverse proxies (CQP_TRUSTED_PROXIES).
type proxies []netip.Prefix

func (ps proxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func socketAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// clientIP is the address the limits and logs key on: the socket's, or,
// when the socket is a trusted proxy, the first address in X-Forwarded-For
// read from the right that is not itself a trusted proxy. What a client
// writes in X-Forwarded-For can only add entries on the left, which are never
// reached while an untrusted hop stands on their right.
func (ps proxies) clientIP(r *http.Request) string {
	direct, ok := socketAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !ps.trusts(direct) {
		return direct.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := direct
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: keep the last hop we could read
		}
		client = a.Unmap()
		if !ps.trusts(client) {
			break
		}
	}
	return client.String()
}

// stripUntrustedForwarding removes the forwarding headers of a request that
// did not come through a trusted proxy, so that nothing downstream (Echo's
// Scheme, a log) can be fooled by a client writing them itself.
func (ps proxies) stripUntrustedForwarding(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if a, ok := socketAddr(r); !ok || !ps.trusts(a) {
			for _, h := range forwardedHeaders {
				r.Header.Del(h)
			}
		}
		return next(c)
	}
}

// hsts asks browsers to come back over HTTPS only, for a year: sent when the
// public URL is https:// (behind a proxy the app itself may speak plain HTTP).
func hsts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		return next(c)
	}
}
