package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vantage-monitor/vantage/internal/auth"
)

// userRoutes are users, groups, access grants and API tokens. Each change
// is written to the event log as an AUDIT line naming who did what.
func (a *API) userRoutes() {
	a.route("GET /api/v1/users", "User accounts (administrators see all, others themselves)", anyUser, a.users)
	a.route("POST /api/v1/users", `Create a local user: {"name", "password", "groups": [...]}`, serverAdmin, a.createUser)
	a.route("PUT /api/v1/users/{name}", `Change a user: {"password", "current_password"} (your own password needs the current one; administrators reset others'), {"groups": [...]} (administrators)`, anyUser, a.putUser)
	a.route("DELETE /api/v1/users/{name}", "Delete a user with its tokens, sessions and grants", serverAdmin, a.deleteUser)
	a.route("GET /api/v1/groups", "Groups with their members (admin and those the auth settings map directory groups to are built in)", serverAdmin, a.groups)
	a.route("POST /api/v1/groups", `Create a group: {"name", "description"}`, serverAdmin, a.createGroup)
	a.route("DELETE /api/v1/groups/{name}", "Delete a group, its grants and its memberships", serverAdmin, a.deleteGroup)
	a.route("GET /api/v1/access", `Every map's access grants: {map: {"users": {name: level}, "groups": {name: level}}}; "*" is every map`, serverAdmin, a.allAccess)
	a.route("GET /api/v1/maps/{map}/access", `A map's access grants (levels: none, read, acknowledge, write, admin); map "*" is every map`, mapAdmin, a.mapAccess)
	a.route("PUT /api/v1/maps/{map}/access", `Replace a map's access grants: {"users": {name: level}, "groups": {name: level}}`, mapAdmin, a.setMapAccess)
	a.route("GET /api/v1/tokens", "API tokens (never their secrets): your own; administrators see all, or ?user=NAME", anyUser, a.tokens)
	a.route("POST /api/v1/tokens", "Create an API token for the calling user; body {\"label\":\"…\"}; the token is shown this once", anyUser, a.createToken)
	a.route("DELETE /api/v1/tokens/{id}", "Revoke a token (your own; administrators any)", anyUser, a.revokeToken)
}

// authError maps an auth error to its HTTP status.
func authError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, auth.ErrNotFound):
		writeError(w, http.StatusNotFound, err)
	case errors.Is(err, auth.ErrExists):
		writeError(w, http.StatusConflict, err)
	case errors.Is(err, auth.ErrBadCredentials):
		writeError(w, http.StatusForbidden, errors.New("the current password is wrong"))
	default:
		writeError(w, http.StatusBadRequest, err)
	}
}

func (a *API) users(w http.ResponseWriter, r *http.Request) {
	id := identity(r)
	if !id.IsAdmin() {
		u, err := a.deps.Auth.User(r.Context(), id.Name)
		if err != nil {
			authError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, []auth.User{u})
		return
	}
	users, err := a.deps.Auth.Users(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, users)
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name     string   `json:"name"`
		Password string   `json:"password"`
		Groups   []string `json:"groups"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if body.Groups == nil {
		body.Groups = []string{}
	}
	if err := a.deps.Auth.AddUser(r.Context(), body.Name, body.Password, body.Groups); err != nil {
		authError(w, err)
		return
	}
	a.deps.Auth.Audit(User(r), "created user %q (groups %v)", body.Name, body.Groups)
	u, _ := a.deps.Auth.User(r.Context(), body.Name)
	writeJSON(w, http.StatusCreated, u)
}

func (a *API) putUser(w http.ResponseWriter, r *http.Request) {
	name, id := r.PathValue("name"), identity(r)
	self := name == id.Name
	if !self && !id.IsAdmin() {
		writeError(w, http.StatusForbidden, errors.New("only administrators may change other users"))
		return
	}
	var body struct {
		Password        string    `json:"password"`
		CurrentPassword string    `json:"current_password"`
		Groups          *[]string `json:"groups"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if body.Groups != nil {
		if !id.IsAdmin() {
			writeError(w, http.StatusForbidden, errors.New("only administrators may change groups"))
			return
		}
		if err := a.deps.Auth.SetGroups(r.Context(), name, *body.Groups); err != nil {
			authError(w, err)
			return
		}
		a.deps.Auth.Audit(id.Name, "set the groups of user %q to %v", name, *body.Groups)
	}
	if body.Password != "" {
		// Your own password needs the current one even as an
		// administrator: a stolen session must not lock you out.
		if err := a.deps.Auth.SetPassword(r.Context(), name, body.CurrentPassword, body.Password, !self); err != nil {
			authError(w, err)
			return
		}
		what := "changed their password"
		if !self {
			what = fmt.Sprintf("reset the password of user %q", name)
		}
		a.deps.Auth.Audit(id.Name, "%s", what)
	}
	u, err := a.deps.Auth.User(r.Context(), name)
	if err != nil {
		authError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := a.deps.Auth.DeleteUser(r.Context(), name); err != nil {
		authError(w, err)
		return
	}
	a.deps.Auth.Audit(User(r), "deleted user %q", name)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) groups(w http.ResponseWriter, r *http.Request) {
	gs, err := a.deps.Auth.Groups(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, gs)
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := a.deps.Auth.AddGroup(r.Context(), body.Name, body.Description); err != nil {
		authError(w, err)
		return
	}
	a.deps.Auth.Audit(User(r), "created group %q", body.Name)
	writeJSON(w, http.StatusCreated, map[string]string{"name": body.Name, "description": body.Description})
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := a.deps.Auth.DeleteGroup(r.Context(), name); err != nil {
		authError(w, err)
		return
	}
	a.deps.Auth.Audit(User(r), "deleted group %q", name)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) allAccess(w http.ResponseWriter, r *http.Request) {
	g, err := a.deps.Auth.AllGrants()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// accessMap checks that {map} names a map (or "*") for the access
// routes; mapAdmin has already checked the caller's level.
func (a *API) accessMap(w http.ResponseWriter, r *http.Request) (string, bool) {
	name := r.PathValue("map")
	if name == auth.AllMaps {
		return name, true
	}
	if _, ok := a.deps.Maps.Get(name); !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no map named %q", name))
		return "", false
	}
	return name, true
}

func (a *API) mapAccess(w http.ResponseWriter, r *http.Request) {
	name, ok := a.accessMap(w, r)
	if !ok {
		return
	}
	g, err := a.deps.Auth.Grants(name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

func (a *API) setMapAccess(w http.ResponseWriter, r *http.Request) {
	name, ok := a.accessMap(w, r)
	if !ok {
		return
	}
	var g auth.Grants
	if err := decodeJSON(r, &g); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := a.deps.Auth.SetGrants(r.Context(), name, g); err != nil {
		authError(w, err)
		return
	}
	a.deps.Auth.Audit(User(r), "set access to map %q: users %v, groups %v", name, g.Users, g.Groups)
	g, _ = a.deps.Auth.Grants(name)
	writeJSON(w, http.StatusOK, g)
}

func (a *API) tokens(w http.ResponseWriter, r *http.Request) {
	id := identity(r)
	user := id.Name
	if id.IsAdmin() {
		user = r.URL.Query().Get("user")
	}
	ts, err := a.deps.Auth.Tokens(r.Context(), user)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, ts)
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Label string `json:"label"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
	}
	tok, t, err := a.deps.Auth.CreateToken(r.Context(), User(r), body.Label)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	a.deps.Auth.Audit(User(r), "created API token %s (%q)", t.ID, t.Label)
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "id": t.ID, "user": t.User, "label": t.Label, "created": t.Created})
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	id := identity(r)
	t, err := a.deps.Auth.TokenByID(r.Context(), r.PathValue("id"))
	// Someone else's token is "not found": ids are not for guessing.
	if err != nil || (t.User != id.Name && !id.IsAdmin()) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no token %q of yours", r.PathValue("id")))
		return
	}
	if err := a.deps.Auth.RevokeToken(r.Context(), t.ID); err != nil {
		authError(w, err)
		return
	}
	a.deps.Auth.Audit(id.Name, "revoked API token %s of user %q (%q)", t.ID, t.User, t.Label)
	w.WriteHeader(http.StatusNoContent)
}
