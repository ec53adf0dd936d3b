package main

import "log"

func main() {
	log.Println("counting clicks")
	select {}
}
