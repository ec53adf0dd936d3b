module example.com/links/api

go 1.25
