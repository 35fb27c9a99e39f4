// Package snmp is Vantage's SNMP client: a bounded pool of gosnmp sessions,
// get/getnext/getbulk/walk with per-agent learning of what the agent gets
// wrong, SNMPv3 USM, and credentials that never leak into logs or the API.
//
// IMPORTANT for whoever implements this package: the exported API that the
// SNMP probes are being written against in parallel is fixed in
// CONTRACT.md beside this file (it is the section your brief calls
// CONTRACT_PLACEHOLDER). Implement exactly those names and signatures.
package snmp

import (
	"fmt"
	"strings"
)

// Credentials say how to reach one agent. Empty fields fall back, in
// order, to the map's and then the server's defaults (see Merge).
type Credentials struct {
	// Version is "1", "2c" or "3".
	Version   string `yaml:"version,omitempty" json:"version,omitempty"`
	Community string `yaml:"community,omitempty" json:"community,omitempty"`
	// Port is the agent's UDP port; 0 means 161.
	Port    int    `yaml:"port,omitempty" json:"port,omitempty"`
	User    string `yaml:"user,omitempty" json:"user,omitempty"`
	Auth    string `yaml:"auth,omitempty" json:"auth,omitempty"`
	AuthKey string `yaml:"auth_key,omitempty" json:"auth_key,omitempty"`
	Priv    string `yaml:"priv,omitempty" json:"priv,omitempty"`
	PrivKey string `yaml:"priv_key,omitempty" json:"priv_key,omitempty"`
	Context string `yaml:"context,omitempty" json:"context,omitempty"`
}

// DefaultCredentials are the server's built-in defaults: v2c, "public".
func DefaultCredentials() Credentials {
	return Credentials{Version: "2c", Community: "public", Port: 161}
}

// Merge fills c's empty fields from the fallbacks, first non-empty wins.
func Merge(c Credentials, fallbacks ...Credentials) Credentials {
	for _, f := range fallbacks {
		if c.Version == "" {
			c.Version = f.Version
		}
		if c.Community == "" {
			c.Community = f.Community
		}
		if c.Port == 0 {
			c.Port = f.Port
		}
		if c.User == "" {
			c.User, c.Auth, c.AuthKey, c.Priv, c.PrivKey = f.User, f.Auth, f.AuthKey, f.Priv, f.PrivKey
		}
		if c.Context == "" {
			c.Context = f.Context
		}
	}
	if c.Port == 0 {
		c.Port = 161
	}
	return c
}

// Validate reports settings that cannot work, naming the key.
func (c Credentials) Validate() error {
	switch c.Version {
	case "1", "2c":
		if c.Community == "" {
			return fmt.Errorf("snmp.community: required for SNMP v%s", c.Version)
		}
	case "3":
		if c.User == "" {
			return fmt.Errorf("snmp.user: required for SNMPv3")
		}
		switch strings.ToUpper(c.Auth) {
		case "", "MD5", "SHA", "SHA224", "SHA-224", "SHA256", "SHA-256", "SHA384", "SHA-384", "SHA512", "SHA-512":
		default:
			return fmt.Errorf("snmp.auth: %q is not MD5, SHA, SHA224, SHA256, SHA384 or SHA512", c.Auth)
		}
		switch strings.ToUpper(c.Priv) {
		case "", "DES", "AES", "AES128", "AES-128", "AES192", "AES-192", "AES256", "AES-256", "AES192C", "AES256C":
		default:
			return fmt.Errorf("snmp.priv: %q is not DES, AES, AES192 or AES256", c.Priv)
		}
		if c.Auth != "" && len(c.AuthKey) < 8 {
			return fmt.Errorf("snmp.auth_key: at least 8 characters")
		}
		if c.Priv != "" && c.Auth == "" {
			return fmt.Errorf("snmp.priv: privacy needs authentication (set snmp.auth)")
		}
		if c.Priv != "" && len(c.PrivKey) < 8 {
			return fmt.Errorf("snmp.priv_key: at least 8 characters")
		}
	default:
		return fmt.Errorf("snmp.version: %q is not 1, 2c or 3", c.Version)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("snmp.port: %d is not a port", c.Port)
	}
	return nil
}

// Redacted returns c with the community and keys replaced, for logs and
// API answers.
func (c Credentials) Redacted() Credentials {
	if c.Community != "" {
		c.Community = Secret
	}
	if c.AuthKey != "" {
		c.AuthKey = Secret
	}
	if c.PrivKey != "" {
		c.PrivKey = Secret
	}
	return c
}

// Secret stands in for a secret in API answers; sent back unchanged in an
// update it means "keep the stored value".
const Secret = "<secret>"

// String never shows secrets, so a credential printed by mistake is safe.
func (c Credentials) String() string {
	if c.Version == "3" {
		return fmt.Sprintf("v3 user=%s auth=%s priv=%s context=%q port=%d", c.User, c.Auth, c.Priv, c.Context, c.Port)
	}
	return fmt.Sprintf("v%s community=%s port=%d", c.Version, Secret, c.Port)
}
