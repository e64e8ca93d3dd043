// Package hub is the little of JupyterHub's REST API and OAuth provider that a JupyterHub
// service needs, as JupyterHub documents them (and its own services, such as the idle culler
// and the whoami-oauth example, use them): who owns a token, the list of users, and the
// exchange of an OAuth code for a token. It reads the managed service's environment, which the
// hub sets: JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN, JUPYTERHUB_CLIENT_ID,
// JUPYTERHUB_OAUTH_CALLBACK_URL, JUPYTERHUB_BASE_URL, JUPYTERHUB_HOST,
// JUPYTERHUB_OAUTH_ACCESS_SCOPES.
package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// User is a hub user's (or service's) model, as much of it as the board reads.
type User struct {
	Kind         string     `json:"kind"` // "user" or "service".
	Name         string     `json:"name"`
	Admin        bool       `json:"admin"`
	Scopes       []string   `json:"scopes"` // The token's scopes (from GET /user only).
	LastActivity *time.Time `json:"last_activity"`
}

// HasScope says whether the user's token holds any of the scopes.
func (u User) HasScope(any ...string) bool {
	for _, s := range any {
		if slices.Contains(u.Scopes, s) {
			return true
		}
	}
	return false
}

// ErrUnknownToken is the hub's answer (403 or 401) for a token it does not know.
var ErrUnknownToken = errors.New("hub: the hub does not know this token")

// Client talks to the hub's REST API with the service's own token.
type Client struct {
	APIURL string // e.g. http://127.0.0.1:8001/hub/api
	Token  string // The service's API token (also its OAuth client secret).
	HTTP   *http.Client
}

// Env is the managed service's environment, as the hub sets it.
type Env struct {
	APIURL        string   // JUPYTERHUB_API_URL
	APIToken      string   // JUPYTERHUB_API_TOKEN
	ClientID      string   // JUPYTERHUB_CLIENT_ID
	CallbackURL   string   // JUPYTERHUB_OAUTH_CALLBACK_URL, e.g. /services/class-board/oauth_callback
	BaseURL       string   // JUPYTERHUB_BASE_URL, the hub's public base, e.g. "/"
	Host          string   // JUPYTERHUB_HOST, the hub's public origin when not the same as the service's ("" usually)
	ServicePrefix string   // JUPYTERHUB_SERVICE_PREFIX, e.g. /services/class-board/
	ServiceURL    string   // JUPYTERHUB_SERVICE_URL, where to listen, e.g. http://127.0.0.1:8003
	AccessScopes  []string // JUPYTERHUB_OAUTH_ACCESS_SCOPES: a token with any of them may use the service
}

// ReadEnv reads the service's environment; it fails when the hub did not start this process.
func ReadEnv() (Env, error) {
	e := Env{
		APIURL:        os.Getenv("JUPYTERHUB_API_URL"),
		APIToken:      os.Getenv("JUPYTERHUB_API_TOKEN"),
		ClientID:      os.Getenv("JUPYTERHUB_CLIENT_ID"),
		CallbackURL:   os.Getenv("JUPYTERHUB_OAUTH_CALLBACK_URL"),
		BaseURL:       os.Getenv("JUPYTERHUB_BASE_URL"),
		Host:          os.Getenv("JUPYTERHUB_HOST"),
		ServicePrefix: os.Getenv("JUPYTERHUB_SERVICE_PREFIX"),
		ServiceURL:    os.Getenv("JUPYTERHUB_SERVICE_URL"),
	}
	if e.APIURL == "" || e.APIToken == "" {
		return e, fmt.Errorf("hub: JUPYTERHUB_API_URL and JUPYTERHUB_API_TOKEN are not set: is this process started by JupyterHub as a service?")
	}
	if e.BaseURL == "" {
		e.BaseURL = "/"
	}
	if s := os.Getenv("JUPYTERHUB_OAUTH_ACCESS_SCOPES"); s != "" {
		if err := json.Unmarshal([]byte(s), &e.AccessScopes); err != nil {
			return e, fmt.Errorf("hub: JUPYTERHUB_OAUTH_ACCESS_SCOPES=%q: %w", s, err)
		}
	}
	return e, nil
}

// NewClient is a Client for the hub at apiURL with the service's token, with timeouts fit
// for a hub on the same machine or cluster.
func NewClient(apiURL, token string) *Client {
	return &Client{
		APIURL: strings.TrimSuffix(apiURL, "/"),
		Token:  token,
		HTTP: &http.Client{
			Timeout: 10 * time.Second,
			Transport: &http.Transport{
				Proxy:               nil,
				DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
				MaxIdleConnsPerHost: 16,
				IdleConnTimeout:     90 * time.Second,
			},
		},
	}
}

// StatusError is an answer of the hub other than the one expected.
type StatusError struct {
	Op   string
	Code int
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("hub: %s: HTTP %d: %s", e.Op, e.Code, e.Body)
}

func (c *Client) do(req *http.Request, op string, want int, into any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("hub: %s: %w", op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("hub: %s: reading the answer: %w", op, err)
	}
	if resp.StatusCode != want {
		return &StatusError{Op: op, Code: resp.StatusCode, Body: strings.TrimSpace(string(body[:min(len(body), 300)]))}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("hub: %s: %w", op, err)
	}
	return nil
}

// WhoOwns asks the hub whose token this is (GET /user with that token, JupyterHub's "whoami"):
// the user's model with the token's scopes, or ErrUnknownToken.
func (c *Client) WhoOwns(ctx context.Context, token string) (User, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.APIURL+"/user", nil)
	if err != nil {
		return User{}, fmt.Errorf("hub: %w", err)
	}
	req.Header.Set("Authorization", "token "+token)
	var u User
	err = c.do(req, "who owns a token", http.StatusOK, &u)
	var se *StatusError
	if errors.As(err, &se) && (se.Code == http.StatusForbidden || se.Code == http.StatusUnauthorized) {
		return User{}, ErrUnknownToken
	}
	if err == nil && u.Name == "" {
		return User{}, fmt.Errorf("hub: who owns a token: the answer names nobody")
	}
	return u, err
}

// Users lists every user of the hub, including those who never logged in, a page at a time
// (the service's token needs list:users and read:users:name; read:users:activity adds
// LastActivity).
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var all []User
	offset := 0
	for range 1000 { // At most 1000 pages: a bound on a hub that keeps saying "next".
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			fmt.Sprintf("%s/users?offset=%d&limit=200&include_stopped_servers=0", c.APIURL, offset), nil)
		if err != nil {
			return nil, fmt.Errorf("hub: %w", err)
		}
		req.Header.Set("Authorization", "token "+c.Token)
		var page struct {
			Items      []User `json:"items"`
			Pagination struct {
				Next *struct {
					Offset int `json:"offset"`
				} `json:"next"`
			} `json:"_pagination"`
		}
		// Asking for pagination's format: without it the hub answers a bare list, cut at its limit.
		req.Header.Set("Accept", "application/jupyterhub-pagination+json")
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return nil, fmt.Errorf("hub: listing users: %w", err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("hub: listing users: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, &StatusError{Op: "listing users", Code: resp.StatusCode, Body: strings.TrimSpace(string(body[:min(len(body), 300)]))}
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("hub: listing users: %w", err)
		}
		all = append(all, page.Items...)
		if page.Pagination.Next == nil || page.Pagination.Next.Offset <= offset {
			return all, nil
		}
		offset = page.Pagination.Next.Offset
	}
	return all, nil
}

// ExchangeCode finishes an OAuth login: it trades the code the hub gave the browser for an
// access token (POST /oauth2/token, the service's token as client secret, with the PKCE
// verifier when one was sent).
func (c *Client) ExchangeCode(ctx context.Context, clientID, code, redirectURI, verifier string) (string, error) {
	form := url.Values{
		"client_id":     {clientID},
		"client_secret": {c.Token},
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirectURI},
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.APIURL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("hub: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.do(req, "exchanging an OAuth code", http.StatusOK, &answer); err != nil {
		return "", err
	}
	if answer.AccessToken == "" {
		return "", fmt.Errorf("hub: exchanging an OAuth code: no access_token in the answer")
	}
	return answer.AccessToken, nil
}
