package main

import (
	"net/http"
	"time"
)

// Link is a short code and the URL it redirects to, stored as a Redis hash.
type Link struct {
	Code      string    `db:"code" json:"code"`
	Target    string    `db:"target" json:"target"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	ExpiresAt *time.Time `db:"expires_at" json:"expiresAt,omitempty"`
}

// Click is one visit of a link, queued for the worker.
type Click struct {
	ID       string    `db:"id" json:"id"`
	LinkCode string    `db:"link_code" json:"linkCode"`
	At       time.Time `db:"at" json:"at"`
	Referrer *string   `db:"referrer" json:"referrer,omitempty"`
}

func createLink(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) }

func linkStats(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func redirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/", http.StatusFound)
}
