package relay_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipdesk/tracking/relay"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "relay.pem"), filepath.Join(dir, "relay.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS: with a certificate the relay serves HTTPS only, and a
// station that trusts it takes its pushes over it.
func TestServeTLS(t *testing.T) {
	db, err := relay.OpenDB(filepath.Join(t.TempDir(), "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tok, _ := db.AddStation("desk", time.Now())
	srv := relay.NewServer(db, relay.Options{Logf: t.Logf})
	certFile, keyFile, pool := selfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- relay.Serve(ctx, ln, srv.Handler(), certFile, keyFile) }()
	base := "https://" + ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()

	resp, err := hc.PostForm(base+"/push/desk", form("TLS1", "s"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push over https: %s", resp.Status)
	}
	if r, err := http.Get("http://" + ln.Addr().String() + relay.PathHealth); err == nil {
		r.Body.Close()
		if r.StatusCode == http.StatusOK {
			t.Fatal("plain http answered on the TLS port")
		}
	}
	var got []string
	c, err := relay.NewClient(relay.ClientConfig{URL: base, Token: tok, HTTPClient: hc, Wait: time.Millisecond,
		Apply: func(_ context.Context, param, sign string) (relay.Outcome, error) {
			got = append(got, param)
			return relay.Applied, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	var after uint64
	if n, err := c.Once(t.Context(), &after); n != 1 || err != nil || len(got) != 1 || !strings.Contains(got[0], "TLS1") {
		t.Fatalf("take over https: %d %v %q", n, err, got)
	}
	// A station that does not trust the certificate gets nothing.
	bad, _ := relay.NewClient(relay.ClientConfig{URL: base, Token: tok, Wait: time.Millisecond, Apply: func(context.Context, string, string) (relay.Outcome, error) { return relay.Applied, nil }})
	if _, err := bad.Once(t.Context(), &after); err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
