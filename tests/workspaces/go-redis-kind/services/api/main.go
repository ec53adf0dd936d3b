package main

import (
	"log"
	"net/http"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /api/links", createLink)
	mux.HandleFunc("GET /api/links/{code}/stats", linkStats)
	mux.HandleFunc("GET /{code}", redirect)
	log.Fatal(http.ListenAndServe(":8080", mux))
}
