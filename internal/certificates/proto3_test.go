package certificates

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/boombuler/barcode/qr"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontfamily"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measure(name string, n int, f func()) {
	f()
	c0, w0 := cpu(), time.Now()
	for i := 0; i < n; i++ {
		f()
	}
	fmt.Printf("%-10s cpu %6.2f ms/op  wall %6.2f ms/op\n", name, float64(cpu()-c0)/float64(n)/1e6, float64(time.Since(w0))/float64(n)/1e6)
}

func TestCPU(t *testing.T) {
	measure("qr", 200, func() { qr.Encode("https://cqp.example.test/verify/CQP-CLERC-2026-000123-K", qr.M, qr.Auto) })
	measure("qrpng", 200, func() { qrPNG("https://cqp.example.test/verify/CQP-CLERC-2026-000123-K") })
	measure("core", 100, func() { protoVar(0, fontfamily.Helvetica) })
	measure("one", 100, func() { protoVar(1, pdfdoc.Family) })
	measure("two", 100, func() { protoVar(2, pdfdoc.Family) })
}
