package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/urfave/cli/v2"
)

// exitUnhealthy is what a container HEALTHCHECK command exits with when
// the service is not healthy (Docker and podman: 0 healthy, 1 unhealthy).
const exitUnhealthy = 1

// defaultServeAddr is where serve listens when neither --addr nor
// EXIFSCRUB_ADDR says otherwise.
const defaultServeAddr = "127.0.0.1:8080"

// healthcheckCommand asks a running "exifscrub serve" whether it is
// healthy. A static binary on scratch has no curl or wget, so the
// container image's HEALTHCHECK runs this.
func healthcheckCommand() *cli.Command {
	return &cli.Command{
		Name:  "healthcheck",
		Usage: "exit 0 when the service that 'exifscrub serve' runs answers GET /healthz with 200: for a container HEALTHCHECK",
		Description: `Healthcheck sends GET /healthz to the address serve listens on (--addr,
else $EXIFSCRUB_ADDR, as serve reads it) and exits 0 on a 200 answer, 1 on
anything else or no answer within --timeout. An address on every interface
(":8080", "0.0.0.0:8080", "[::]:8080") is asked on loopback.

EXAMPLES:
   exifscrub healthcheck
   HEALTHCHECK CMD ["/exifscrub", "healthcheck"]     # in a Containerfile`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: defaultServeAddr, EnvVars: []string{"EXIFSCRUB_ADDR"}, Usage: "the `HOST:PORT` serve listens on"},
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "give up after `DURATION`"},
		},
		Action: healthcheckAction,
	}
}

func healthcheckAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef(c, "healthcheck takes no arguments")
	}
	url, err := healthzURL(c.String("addr"))
	if err != nil {
		return usagef(c, "--addr: %v", err)
	}
	ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usagef(c, "--addr: %v", err)
	}
	// No proxy: the service is on this host, whatever HTTP_PROXY says.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return cli.Exit(fmt.Sprintf("exifscrub: healthcheck: %v", err), exitUnhealthy)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return cli.Exit(fmt.Sprintf("exifscrub: healthcheck: GET %s: %s", url, resp.Status), exitUnhealthy)
	}
	return nil
}

// healthzURL is the /healthz URL of a service listening on addr; an
// unspecified host (every interface) is asked on loopback.
func healthzURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
