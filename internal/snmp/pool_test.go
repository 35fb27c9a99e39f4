package snmp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/prometheus/client_golang/prometheus"
)

func fakeDial(key string, dials *int) func() (*session, error) {
	return func() (*session, error) {
		*dials++
		return &session{g: &gosnmp.GoSNMP{}, key: key}, nil
	}
}

func TestPoolBoundsAndReuse(t *testing.T) {
	p := newPool(2, time.Hour)
	defer p.close()
	ctx := context.Background()
	dials := 0
	a1, _ := p.acquire(ctx, "a", fakeDial("a", &dials))
	a2, _ := p.acquire(ctx, "a", fakeDial("a", &dials))
	if open, _ := p.counts(); open != 2 || dials != 2 {
		t.Fatalf("open %d dials %d", open, dials)
	}
	// Full and all busy: a third caller waits until its context ends...
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := p.acquire(short, "b", fakeDial("b", &dials)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire on a full pool: %v", err)
	}
	// ...or until a session comes back.
	got := make(chan *session)
	go func() {
		s, _ := p.acquire(ctx, "a", fakeDial("a", &dials))
		got <- s
	}()
	time.Sleep(20 * time.Millisecond)
	p.release(a1, true)
	if s := <-got; s != a1 {
		t.Error("the idle session of the same key was not reused")
	}
	// A busy pool with an idle session of another key evicts it.
	p.release(a2, true)
	b, err := p.acquire(ctx, "b", fakeDial("b", &dials))
	if err != nil || b.key != "b" || dials != 3 {
		t.Fatalf("b: %v dials %d", err, dials)
	}
	if open, idle := p.counts(); open != 2 || idle != 0 {
		t.Errorf("open %d idle %d", open, idle)
	}
	p.release(b, false) // broken: closed
	if open, _ := p.counts(); open != 1 {
		t.Errorf("open %d after closing one", open)
	}
	p.release(a1, true)
	p.close()
	if open, idle := p.counts(); open != 0 || idle != 0 {
		t.Errorf("after close: open %d idle %d", open, idle)
	}
	if _, err := p.acquire(ctx, "a", fakeDial("a", &dials)); !errors.Is(err, errClosed) {
		t.Errorf("acquire after close: %v", err)
	}
}

func TestPoolIdleTimeout(t *testing.T) {
	p := newPool(4, 30*time.Millisecond)
	defer p.close()
	dials := 0
	ctx := context.Background()
	s1, _ := p.acquire(ctx, "a", fakeDial("a", &dials))
	s2, _ := p.acquire(ctx, "b", fakeDial("b", &dials))
	p.release(s1, true)
	p.release(s2, true)
	deadline := time.Now().Add(2 * time.Second)
	for {
		open, idle := p.counts()
		if open == 0 && idle == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("idle sessions not closed: open %d idle %d", open, idle)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPoolDialError(t *testing.T) {
	p := newPool(1, time.Hour)
	defer p.close()
	boom := errors.New("boom")
	if _, err := p.acquire(context.Background(), "a", func() (*session, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if open, _ := p.counts(); open != 0 {
		t.Errorf("a failed dial holds a slot: %d", open)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.MaxOIDs = 0
	if err := c.Validate(); err == nil {
		t.Error("max_oids 0 accepted")
	}
	// The fields added after the contract default when zero.
	c = Config{Timeout: time.Second, Retries: 1, MaxRepetitions: 25, MaxOIDs: 16, MaxSessions: 10}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if d := c.withDefaults(); d.MaxWalk != 1_000_000 || d.IdleTimeout != 2*time.Minute {
		t.Errorf("defaults: %+v", d)
	}
}

func TestProtocols(t *testing.T) {
	for name, want := range map[string]gosnmp.SnmpV3AuthProtocol{"": gosnmp.NoAuth, "md5": gosnmp.MD5, "SHA": gosnmp.SHA, "SHA-224": gosnmp.SHA224, "sha256": gosnmp.SHA256, "SHA-384": gosnmp.SHA384, "SHA512": gosnmp.SHA512} {
		if got, err := AuthProtocol(name); err != nil || got != want {
			t.Errorf("auth %q: %v %v", name, got, err)
		}
	}
	for name, want := range map[string]gosnmp.SnmpV3PrivProtocol{"": gosnmp.NoPriv, "DES": gosnmp.DES, "aes": gosnmp.AES, "AES-128": gosnmp.AES, "AES-192": gosnmp.AES192, "AES256": gosnmp.AES256, "AES-192-C": gosnmp.AES192C, "AES256C": gosnmp.AES256C} {
		if got, err := PrivProtocol(name); err != nil || got != want {
			t.Errorf("priv %q: %v %v", name, got, err)
		}
	}
	if _, err := AuthProtocol("SHA3"); err == nil {
		t.Error("SHA3 accepted")
	}
	if _, err := PrivProtocol("3DES"); err == nil {
		t.Error("3DES accepted")
	}
}

func TestRedact(t *testing.T) {
	c := Credentials{Version: "3", User: "u", AuthKey: "topsecret1", PrivKey: "topsecret2", Community: "comm"}
	err := redact(errors.Join(ErrAuth, errors.New("failed with topsecret1 and topsecret2 and comm")), c)
	if msg := err.Error(); msg != "SNMPv3 authentication failed\nfailed with <secret> and <secret> and <secret>" {
		t.Errorf("redacted: %q", msg)
	}
	if !errors.Is(err, ErrAuth) {
		t.Error("redacted error lost its kind")
	}
	if got := c.String(); got != `v3 user=u auth= priv= context="" port=0` {
		t.Errorf("String: %s", got)
	}
}

func TestMetricsRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	c1, err := New(DefaultConfig(), nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(DefaultConfig(), nil, reg); err == nil {
		t.Error("two clients registered the same metrics")
	}
	_ = c1.Close()
	_ = c1.Close()
	c2, err := New(DefaultConfig(), nil, reg)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	_ = c2.Close()
	if _, err := c2.Get(context.Background(), Target{Address: "127.0.0.1", Creds: DefaultCredentials()}, "1.3.6.1.2.1.1.5.0"); !errors.Is(err, errClosed) {
		t.Errorf("get after close: %v", err)
	}
	if _, err := New(Config{}, nil, nil); err == nil {
		t.Error("zero config accepted")
	}
}
